"""Entra ID's error answers for the token endpoint: AADSTS codes, their HTTP status and messages."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

# fmt: off
AADSTS: dict[int, tuple[int, str, str]] = {  # code -> (HTTP status, OAuth error, message template)
    90002: (400, "invalid_request", "Tenant '{0}' not found. Check to make sure you have the correct "
            "tenant ID and are signing into the correct cloud. Check with your subscription administrator, "
            "this may happen if there are no active subscriptions for the tenant."),
    9001023: (400, "invalid_request", "The grant type is not supported over the /common or /consumers "
              "endpoints. Please use the /organizations or tenant-specific endpoint."),
    50059: (400, "invalid_request", "No tenant-identifying information found in either the request or "
            "implied by any provided credentials."),
    900144: (400, "invalid_request", "The request body must contain the following parameter: '{0}'."),
    70003: (400, "unsupported_grant_type", "The app requested an unsupported grant type '{0}'."),
    700016: (400, "unauthorized_client", "Application with identifier '{0}' was not found in the directory "
             "'{1}'. This can happen if the application has not been installed by the administrator of the "
             "tenant or consented to by any user in the tenant. You may have sent your authentication "
             "request to the wrong tenant."),
    7000215: (401, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the "
              "request is the client secret value, not the client secret ID, for a secret added to app "
              "'{0}'."),
    7000216: (401, "invalid_client", "'client_assertion', 'client_secret' or 'request' is required for the "
              "'client_credentials' grant type."),
    700027: (401, "invalid_client", "{0}"),
    700021: (401, "invalid_client", "Client assertion application identifier doesn't match 'client_id' "
             "parameter."),
    700023: (401, "invalid_client", "Client assertion audience claim does not match Realm issuer."),
    700024: (401, "invalid_client", "Client assertion is not within its valid time range."),
    1002012: (400, "invalid_scope", "The provided value for scope {0} is not valid. Client credential flows "
              "must have a scope value with /.default suffixed to the resource identifier (application ID "
              "URI)."),
    500011: (400, "invalid_resource", "The resource principal named {0} was not found in the tenant named "
             "{1}. This can happen if the application has not been installed by the administrator of the "
             "tenant or consented to by any user in the tenant. You might have sent your authentication "
             "request to the wrong tenant."),
}
# fmt: on
BAD_SIGNATURE = "Client assertion failed signature validation."
UNKNOWN_KEY = (
    "The certificate with identifier used to sign the client assertion is not registered on application. "
    "[Reason - The key was not found., Thumbprint of key used by client: '{0}', Configured keys for app Id "
    "'{1}' do not include it.]"
)


class TokenError(Exception):
    """An Entra ID error answer: HTTP status, OAuth error, AADSTS code and message."""

    def __init__(self, code: int, *args: object) -> None:
        self.status, self.error, template = AADSTS[code]
        self.code, self.message = code, template.format(*args)
        super().__init__(f"AADSTS{code}: {self.message}")


def error_body(exc: TokenError, correlation_id: str | None = None) -> dict[str, Any]:
    """The JSON body Entra ID sends with an error."""
    trace_id = str(uuid.uuid4())
    correlation_id = correlation_id or str(uuid.uuid4())
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    description = (
        f"AADSTS{exc.code}: {exc.message}\r\nTrace ID: {trace_id}\r\n"
        f"Correlation ID: {correlation_id}\r\nTimestamp: {stamp}"
    )
    return {
        "error": exc.error,
        "error_description": description,
        "error_codes": [exc.code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={exc.code}",
    }
