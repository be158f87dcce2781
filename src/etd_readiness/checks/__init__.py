"""Pure checks over the snapshot. `all_checks()` lists every check the suite runs, in report order."""

from __future__ import annotations


def all_checks():
    """Every check (imported on call: no import-time work beyond the modules themselves)."""
    from .error_log import REMEDIATION_ERRORS
    from .licensing import EXCHANGE_ONLINE_LICENCE
    from .mailboxes import NOT_SOFT_DELETED
    from .permissions import APPLICATION_PERMISSION, ETD_REACHES_TENANT
    from .reach import PROTECTED_ADDRESS_RESOLVES, PROTECTED_DOMAIN_REACHABLE
    from .verdict import MAILBOX_VERDICT

    return (
        MAILBOX_VERDICT,
        ETD_REACHES_TENANT,
        APPLICATION_PERMISSION,
        PROTECTED_ADDRESS_RESOLVES,
        PROTECTED_DOMAIN_REACHABLE,
        NOT_SOFT_DELETED,
        EXCHANGE_ONLINE_LICENCE,
        REMEDIATION_ERRORS,
    )
