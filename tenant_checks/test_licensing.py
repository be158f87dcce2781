"""Cases 1b and 4a - no licence, no mailbox.

The account was created in the Microsoft 365 admin center (or exists in Entra ID) but holds no valid
Exchange Online licence, so no mailbox exists. Fix: assign an Exchange Online licence; the mailbox is
then created automatically. Shared, room and equipment mailboxes need no licence.
"""

from etd_readiness.checks.licensing import EXCHANGE_ONLINE_LICENCE
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(EXCHANGE_ONLINE_LICENCE)
def test_protected_user_holds_exchange_online_licence(finding):
    assert_no_finding(finding)
