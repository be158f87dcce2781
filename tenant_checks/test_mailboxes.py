"""Case 4 - "The mailbox is either inactive, soft-deleted, or is hosted on-premise."

A protected address whose user was deleted (still in the recycle bin) has an inactive mailbox. Fix:
restore the user within 30 days, or remove the address from ETD's protected scope. (Inactive and
on-premises mailboxes are judged per mailbox in test_mailbox_verdict.py.)
"""

from etd_readiness.checks.mailboxes import NOT_SOFT_DELETED
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(NOT_SOFT_DELETED)
def test_no_protected_address_is_soft_deleted(finding):
    assert_no_finding(finding)
