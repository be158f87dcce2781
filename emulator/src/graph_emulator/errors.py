"""Microsoft Graph error answers: the exception routes raise and the JSON body Graph sends.

Codes and messages are the ones in shared/GRAPH_FACTS.md section 1.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class GraphError(Exception):
    """An error answer: HTTP status, Graph error code and message, extra response headers."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None, inner: bool = True
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.inner = inner

    def body(self, request_id: str, client_request_id: str) -> dict[str, Any]:
        """The `{"error": {...}}` body, with an innerError like Graph's."""
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.inner:
            err["innerError"] = {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            }
        return {"error": err}


def invalid_token(message: str = "Access token is empty.") -> GraphError:
    """401 for a missing or invalid bearer token."""
    return GraphError(401, "InvalidAuthenticationToken", message)


def directory_denied() -> GraphError:
    """403 on a directory endpoint when the token's roles do not cover the call."""
    return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")


def mail_denied() -> GraphError:
    """403 on a mail endpoint when the token's roles do not cover the call."""
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def not_found(object_id: str) -> GraphError:
    """404 for a directory object that does not exist."""
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property objects are not present.",
    )


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    """400 with the given message."""
    return GraphError(400, code, message)


def unsupported_query(message: str) -> GraphError:
    """400 Request_UnsupportedQuery."""
    return GraphError(400, "Request_UnsupportedQuery", message)


def segment_not_found(segment: str) -> GraphError:
    """400 for a path Graph does not know."""
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def method_not_allowed() -> GraphError:
    """405 for a known path with a method it does not take."""
    return GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")


# -- mail (Exchange) answers ---------------------------------------------------------------------------


def invalid_user(given: str) -> GraphError:
    """404 for a user id or UPN that does not exist (mail endpoints)."""
    return GraphError(404, "ErrorInvalidUser", f"The requested user '{given}' is invalid.")


def mailbox_not_enabled() -> GraphError:
    """404 for no mailbox: unlicensed, inactive, soft-deleted or on-premises."""
    return GraphError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
    )


def mailbox_not_discoverable() -> GraphError:
    """404 for a mailbox Exchange cannot discover (yet)."""
    return GraphError(404, "ResourceNotFound", "Resource could not be discovered.")


def access_policy_denied() -> GraphError:
    """403 when an Exchange application access policy excludes the mailbox."""
    return GraphError(403, "ErrorAccessDenied", "Access to OData is disabled.")


def item_not_found() -> GraphError:
    """404 for a message or folder that is not in the store."""
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
