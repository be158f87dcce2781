"""Case 3 - "The requested user is invalid."

(a) The mailbox or account is invalid or absent from the directory; (b) ETD is integrated with several
tenants or domains but its app reaches only one. Fix: verify the account exists in Microsoft 365; make
sure ETD's app is consented in every directory.
"""

from etd_readiness.checks.reach import PROTECTED_ADDRESS_RESOLVES, PROTECTED_DOMAIN_REACHABLE
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(PROTECTED_ADDRESS_RESOLVES)
def test_protected_address_resolves_to_a_user(finding):
    assert_no_finding(finding)


@etd_check(PROTECTED_DOMAIN_REACHABLE)
def test_protected_domain_is_verified_where_etd_is_consented(finding):
    assert_no_finding(finding)
