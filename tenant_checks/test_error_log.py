"""Case 1a and the rest - ETD's "Download Error Log", row by row.

"Resource is not found" can mean the mailbox owner deleted the message or moved it to another folder
before ETD acted (1a). Each row is explained: the mailbox's root cause first (licence, on-premises,
soft-deleted, invalid user, ETD's reach or permissions), then where the message is now, or transient.
"""

from etd_readiness.checks.error_log import REMEDIATION_ERRORS
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(REMEDIATION_ERRORS)
def test_remediation_error_is_explained(finding):
    assert_no_finding(finding)
