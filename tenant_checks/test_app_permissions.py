"""Case 2 - "Remediation Failed. Unknown Reason." (3b when ETD reaches another configured tenant but not this one)

The ETD app registered in Entra ID lacks permissions. It must hold Microsoft Graph permissions of
type Application (Mail.ReadWrite, Organization.Read.All, ...). Fix: Entra admin center > Identity >
Applications > Enterprise applications > the ETD app > Permissions > "Grant admin consent".
"""

from etd_readiness.checks.permissions import APPLICATION_PERMISSION, ETD_REACHES_TENANT
from etd_readiness.testing import assert_no_finding, etd_check


@etd_check(ETD_REACHES_TENANT)
def test_etd_enterprise_app_exists_and_is_enabled(finding):
    assert_no_finding(finding)


@etd_check(APPLICATION_PERMISSION)
def test_etd_holds_graph_application_permission(finding):
    assert_no_finding(finding)
