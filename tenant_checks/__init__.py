"""The tenant checks: `pytest tenant_checks` in a checkout, `pytest --pyargs etd_readiness.tenant_checks` installed."""
