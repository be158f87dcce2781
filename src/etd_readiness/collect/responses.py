"""What came back, in one line: HTTP answers and transport failures classified for retry and reasons.

Every shape a real network produces maps to an `Outcome` (JSON document, or a failure with a reason
and whether a retry may help); nothing here raises for a bad answer.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
from azure.core.exceptions import AzureError

#: Statuses worth another try: throttled, or a gateway/service that may answer next time.
RETRYABLE = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Failure:
    """One attempt that did not produce data: why (one line), and whether to try again.

    `unreachable` marks a host that is not there (connection refused, DNS, TLS): those are not
    retried for long (see GraphReader's fail-fast).
    """

    reason: str
    retryable: bool
    status: int | None = None
    code: str | None = None
    headers: Any = None
    unreachable: bool = False


def _size(n: int) -> str:
    return f"{n:,} byte" + ("" if n == 1 else "s")


def describe_body(content: bytes, content_type: str) -> str:
    """'an HTML page (text/html, 1,234 bytes)', 'an empty body', ... for messages."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if not content.strip():
        return "an empty body"
    if "html" in kind or content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return f"an HTML page ({kind or 'no Content-Type'}, {_size(len(content))})"
    return f"a body that is not JSON ({kind or 'no Content-Type'}, {_size(len(content))})"


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_json_object(content: bytes, content_type: str) -> tuple[dict | None, str]:
    """The body as a JSON object, or None and what it was instead."""
    try:
        doc = json.loads(content or b"")
    except json.JSONDecodeError as err:
        if content.lstrip()[:1] in (b"{", b"["):
            return None, f"malformed or truncated JSON ({err.msg} at byte {err.pos} of {len(content):,})"
        return None, describe_body(content, content_type)
    except UnicodeDecodeError:
        return None, f"a body that is not UTF-8 JSON ({_size(len(content))})"
    if not isinstance(doc, dict):
        return None, f"JSON that is not an object ({type(doc).__name__})"
    return doc, ""


def error_of(body: Any) -> tuple[str | None, str]:
    """(code, message) of a Graph error body {"error": {"code", "message"}}; (None, "") otherwise."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        return None, ""
    code = err.get("code")
    message = err.get("message")
    return (str(code) if code else None), _one_line(message) if isinstance(message, str) else ""


def status_text(status: int, code: str | None, message: str) -> str:
    """'429 TooManyRequests: Please retry', '503 UnknownError (no message)'."""
    if not code:
        return f"{status} (no error code)" + (f": {message}" if message else "")
    return f"{status} {code}: {message}" if message else f"{status} {code} (no message)"


def classify_response(response: httpx.Response) -> dict | Failure:
    """A 2xx JSON object, or the Failure that this answer is."""
    status = response.status_code
    ctype = response.headers.get("content-type", "")
    content = response.content
    doc, instead = parse_json_object(content, ctype)
    if 200 <= status < 300:
        if doc is not None:
            return doc
        return Failure(f"answered {status} with {instead}", retryable=True, status=status)
    retryable = status in RETRYABLE
    if doc is not None and error_of(doc)[0]:
        code, message = error_of(doc)
        return Failure(
            f"answered {status_text(status, code, message)}", retryable, status, code, headers=response.headers
        )
    what = describe_body(content, ctype) if doc is None else "JSON without a Graph error"
    return Failure(f"answered {status} with {what}", retryable, status, headers=response.headers)


def _cause(err: BaseException, kind: type[BaseException]) -> Any:
    """The first exception of `kind` in err's cause chain, or None."""
    seen: BaseException | None = err
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


#: httpcore's own errors: a body read can raise them unmapped through kiota's transport.
HTTPCORE_ERRORS = (httpcore.NetworkError, httpcore.ProtocolError, httpcore.TimeoutException, httpcore.ProxyError)


def _as_httpx(err: BaseException) -> BaseException:
    """httpcore.ReadError -> httpx.ReadError (same name), cause kept; other errors unchanged."""
    if not isinstance(err, HTTPCORE_ERRORS):
        return err
    kind = getattr(httpx, type(err).__name__, httpx.TransportError)
    mapped = kind(str(err)) if issubclass(kind, httpx.HTTPError) else httpx.TransportError(str(err))
    mapped.__cause__ = err
    return mapped


def classify_exception(err: BaseException, host: str) -> Failure:
    """The Failure a raised exception is: transport, decoding, token or anything else."""
    err = _as_httpx(err)
    text = _one_line(str(err)) or type(err).__name__
    name = type(err).__name__
    if isinstance(err, httpx.ConnectError):
        tls = _cause(err, ssl.SSLError)
        low = text.lower()
        if tls is not None or "certificate" in low or "ssl" in low:
            verify = getattr(tls, "verify_message", None)
            if verify or "certificate" in low:
                what = f"the TLS certificate of {host} could not be verified ({_one_line(verify or text)})"
            else:
                what = f"TLS with {host} failed ({_one_line(getattr(tls, 'reason', None) or text)})"
            return Failure(what, retryable=False, unreachable=True)
        if _cause(err, ConnectionRefusedError) is not None or "refused" in low or "errno 111" in low:
            return Failure(f"the connection to {host} was refused", retryable=True, unreachable=True)
        if _cause(err, socket.gaierror) is not None or any(
            s in low for s in ("name or service", "nodename", "getaddrinfo", "name resolution", "errno -2")
        ):
            return Failure(f"the DNS lookup of {host} failed ({text})", retryable=True, unreachable=True)
        return Failure(f"could not connect to {host} ({name}: {text})", retryable=True)
    if isinstance(err, httpx.ConnectTimeout):  # no handshake at all: as good as not there
        return Failure(f"no connection to {host} could be opened in time ({text})", retryable=True, unreachable=True)
    if isinstance(err, httpx.ReadTimeout):
        return Failure(f"no complete answer in time (read timeout: {text})", retryable=True)
    if isinstance(err, httpx.TimeoutException):
        return Failure(f"timed out ({name}: {text})", retryable=True)
    if isinstance(err, httpx.RemoteProtocolError):
        return Failure(f"the connection closed mid-answer ({name}: {text})", retryable=True)
    if isinstance(err, httpx.ReadError | httpx.WriteError):
        return Failure(f"the connection was reset ({name}: {text})", retryable=True)
    if isinstance(err, httpx.DecodingError):
        return Failure(f"answered a compressed body that does not decode ({name}: {text})", retryable=True)
    if isinstance(err, httpx.TransportError):
        return Failure(f"failed in transport ({name}: {text})", retryable=True)
    if isinstance(err, AzureError):
        return Failure(f"could not get a Graph token ({name}: {text})", retryable=False)
    return Failure(f"failed ({name}: {text})", retryable=False)


def retry_after_seconds(headers: Any, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds: an integer, a fractional number or an HTTP-date; None when absent/unreadable."""
    value = None
    if headers:
        try:
            value = headers.get("retry-after") or headers.get("Retry-After")
        except AttributeError:
            value = None
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def backoff_seconds(attempt: int, base_s: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter in its upper half: base·2^attempt · [0.5, 1)."""
    return base_s * 2**attempt * (0.5 + rng.random() / 2)


def page_shape(doc: dict) -> str | None:
    """Why a 200 page is not shaped as Graph documents it (`value` list of objects, absolute nextLink), or None."""
    value = doc.get("value")
    if not isinstance(value, list):
        return f"no 'value' list ('value' is {type(value).__name__})"
    if not all(isinstance(item, dict) for item in value):
        return "a 'value' list whose items are not all objects"
    link = doc.get("@odata.nextLink")
    if link is not None and not (isinstance(link, str) and link.startswith(("http://", "https://"))):
        return "an '@odata.nextLink' that is not an absolute URL"
    return None


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port made explicit: what a request's token is sent to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


def next_link_problem(link: str, base_url: str, read: set[str]) -> str | None:
    """Why a page's (absolute) nextLink must not be followed, or None: it leaves Graph's origin (the
    auditor's token goes with every request) or repeats a page already read (the listing would never end)."""
    if origin(link) != origin(base_url):
        host = urlsplit(link).netloc
        return f"points to another host ({host}); not followed: the auditor's token goes with every request"
    if link in read:
        return "repeats a page already read; the listing would never end"
    return None


def batch_shape(doc: dict) -> str | None:
    """Why a 200 `$batch` answer has no `responses` list, or None."""
    responses = doc.get("responses")
    return None if isinstance(responses, list) else f"no 'responses' list ('responses' is {type(responses).__name__})"


def item_reason(url: str, item: dict) -> str:
    """A failed $batch item, for messages."""
    code, message = error_of(item.get("body"))
    return f"$batch item GET {short_url(url)} answered {status_text(item['status'], code, message)}"


def join_reason(what: str, reason: str) -> str:
    """'GET /x answered 503 ...' or 'GET /x: reason'."""
    return f"{what} {reason}" if reason.startswith("answered") else f"{what}: {reason}"


def after_retries(retries: int) -> str:
    """' after N retries' ('' for none)."""
    if not retries:
        return ""
    return f" after {retries} retr{'y' if retries == 1 else 'ies'}"


def short_url(url: str) -> str:
    """A URL without scheme/host, for messages."""
    if "://" in url:
        url = "/" + url.split("://", 1)[1].split("/", 1)[-1]
    return url
