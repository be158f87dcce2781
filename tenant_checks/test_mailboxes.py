"""Cases 1b, 3a and 4 - the mailbox must answer the Graph mail call ETD remediates through.

ETD moves messages with Microsoft Graph. A mailbox that is not provisioned ("Resource is not found"),
not a valid user ("The requested user is invalid."), inactive, soft-deleted or hosted on the
on-premises Exchange server ("The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
cannot be remediated.
"""

from etd_readiness.checks.mailboxes import MAILBOX_ANSWERS, NOT_SOFT_DELETED
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(MAILBOX_ANSWERS)
def test_protected_mailbox_answers_in_exchange_online(finding):
    assert_no_finding(finding)


@etd_check(NOT_SOFT_DELETED)
def test_no_protected_target_is_soft_deleted(finding):
    assert_no_finding(finding)
