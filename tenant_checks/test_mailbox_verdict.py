"""The verdict per protected mailbox - can ETD move a message to quarantine here?

Walks ETD's remediation path in order and reports the first broken link as the root cause, with its
seed case, the error ETD shows and the fix: ETD's app reaches the tenant -> holds Mail.ReadWrite (and
Organization.Read.All) as Application permissions -> the address is a user -> not soft-deleted -> an
Exchange Online mailbox exists and answers -> not hosted on-premises. Other broken links follow as "Also".
"""

from etd_readiness.checks.verdict import MAILBOX_VERDICT
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(MAILBOX_VERDICT)
def test_etd_can_remediate_mailbox(finding):
    assert_no_finding(finding)
