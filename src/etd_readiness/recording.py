"""vcrpy cassettes around the collection step only: one plain vcrpy YAML cassette per tenant.

What is recorded is scrubbed on the way in: sign-in traffic is never recorded, only a handful of
harmless headers are kept, and the Graph host is written as https://graph.microsoft.com/v1.0 so a
cassette recorded against the emulator looks, and replays, like one recorded against Graph.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vcr
import vcr.serialize
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException

from .cassette_store import AtomicPersister, steady
from .pseudonymize import Pseudonymizer

CANONICAL_GRAPH = "https://graph.microsoft.com/v1.0"
RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
KEEP_REQUEST_HEADERS = frozenset({"accept", "content-type"})
KEEP_RESPONSE_HEADERS = frozenset({"content-type", "retry-after"})
SIGN_IN_MARKERS = ("/oauth2/", "/.well-known/", "/discovery/", "/metadata/identity/", "/msi/token")
META_KEY = "etd_readiness"
LOADED = "_etd_loaded"


class CassetteError(Exception):
    """A cassette is missing, corrupt or lacks a request; says which and how to re-record."""


def cassette_path(directory: Path, tenant: str) -> Path:
    return directory / f"{tenant}.yaml"


def rerecord_hint(tenant: str) -> str:
    return (
        f"re-record it with credentials for tenant {tenant}: pytest tenant_checks --record-mode=rewrite "
        "(the demo tenant: python -m etd_readiness.demo record)"
    )


class Scrubber:
    """The before_record hooks: drop sign-in traffic, keep few headers, canonical Graph URL."""

    def __init__(self, graph_url: str, pseudonyms: Pseudonymizer | None = None) -> None:
        self.graph_base = graph_url.rstrip("/")
        self.graph_host = urlsplit(self.graph_base).netloc
        self.pseudonyms = pseudonyms

    def _canonical(self, text: str) -> str:
        return text.replace(self.graph_base + "/", CANONICAL_GRAPH + "/").replace(self.graph_base, CANONICAL_GRAPH)

    def request(self, request: Any) -> Any:
        if getattr(request, "_etd_scrubbed", False):
            return request  # vcrpy filters some requests twice (can_play_response_for -> _responses)
        parts = urlsplit(request.uri)
        if parts.netloc != self.graph_host or any(m in parts.path for m in SIGN_IN_MARKERS):
            return None  # token endpoints, discovery, IMDS: never recorded
        request.uri = self._canonical(request.uri)
        for name in list(request.headers):
            if name.lower() not in KEEP_REQUEST_HEADERS:
                del request.headers[name]
        if self.pseudonyms:
            request.uri = self.pseudonyms.url(request.uri)
            if request.body:
                request.body = self.pseudonyms.body(request.body)
        request._etd_scrubbed = True
        return request

    @staticmethod
    def loaded(request: Any, response: dict) -> tuple[Any, dict]:
        """vcrpy runs loaded interactions through the record hooks too: they are scrubbed already.

        Without this, a cassette recorded from graph.microsoft.com loses every interaction when it is
        loaded for new_episodes/all against another host, and pseudonyms would be pseudonymised twice.
        """
        request._etd_scrubbed = True
        response[LOADED] = True
        return request, response

    def response(self, response: dict) -> dict:
        if response.pop(LOADED, False):
            return response
        response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() in KEEP_RESPONSE_HEADERS}
        body = response.get("body", {}).get("string")
        if isinstance(body, bytes) and body:
            body = steady(self._canonical(body.decode("utf-8", "replace")).encode())
            response["body"]["string"] = self.pseudonyms.body(body) if self.pseudonyms else body
        return response


class _Parsed:
    """A vcrpy serializer that hands back a document already parsed (the cassette is read once)."""

    def __init__(self, doc: dict) -> None:
        self.doc = doc

    def deserialize(self, _text: str) -> dict:
        return self.doc


def check_cassette(path: Path, tenant: str) -> tuple[dict, Any]:
    """A cassette that exists must be readable vcrpy YAML with our metadata; returns that metadata and
    vcrpy's view of the cassette (hand it to `cassette(..., loaded=)`: the YAML is parsed once)."""
    if not path.is_file():
        raise CassetteError(f"cassette {path} does not exist; {rerecord_hint(tenant)}")
    try:
        text = path.read_text(encoding="utf-8")
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as err:
        raise CassetteError(f"cassette {path} is corrupt ({type(err).__name__}); {rerecord_hint(tenant)}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("interactions"), list):
        raise CassetteError(f"cassette {path} is not a vcrpy cassette; {rerecord_hint(tenant)}")
    try:  # what vcrpy itself will do with it
        loaded = vcr.serialize.deserialize(text, _Parsed(doc))
    except Exception as err:  # noqa: BLE001 - any shape vcrpy cannot replay is a corrupt cassette
        raise CassetteError(
            f"cassette {path} is corrupt (an interaction vcrpy cannot replay: {type(err).__name__}); "
            f"{rerecord_hint(tenant)}"
        ) from None
    for index, item in enumerate(doc["interactions"]):
        problem = _interaction_problem(item)
        if problem:
            where = _where(item)
            raise CassetteError(
                f"cassette {path} is corrupt: interaction {index}{where} {problem}; {rerecord_hint(tenant)}"
            )
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not _valid_metadata(meta.get(META_KEY)):
        raise CassetteError(f"cassette {path} lacks the suite's metadata; {rerecord_hint(tenant)}")
    return meta[META_KEY], loaded


def _where(item: Any) -> str:
    request = item.get("request") if isinstance(item, dict) else None
    if isinstance(request, dict) and isinstance(request.get("uri"), str):
        return f" ({request.get('method', '?')} {request['uri'][:200]})"
    return ""


def _interaction_problem(item: Any) -> str | None:
    """What makes one recorded interaction unreplayable, or None: shapes, and JSON bodies that do not parse."""
    try:
        request, response = item["request"], item["response"]
        if not isinstance(request["uri"], str) or not isinstance(request["method"], str):
            return "has no request method or URI"
        if not isinstance(response["status"]["code"], int) or not isinstance(response["headers"], dict):
            return "has no response status or headers"
        body = response["body"]["string"]
    except (KeyError, TypeError):
        return "is not a request/response pair"
    if not isinstance(body, str | bytes):
        return "has a response body that is not text"
    content_type = " ".join(str(v) for k, v in response["headers"].items() if str(k).lower() == "content-type")
    if body and "json" in content_type.lower():
        try:
            json.loads(body)
        except ValueError as err:
            return f"has a response body that is not valid JSON ({str(err).split(':')[0]})"
    return None


def _valid_metadata(meta: Any) -> bool:
    """What replay reads: the auditor as recorded and, when pseudonymised, the protected scope."""
    if not isinstance(meta, dict) or not isinstance(meta.get("auditor"), dict):
        return False
    auditor = meta["auditor"]
    if set(auditor) != {"client_id", "roles", "error"} or not isinstance(auditor["roles"], list | None):
        return False
    scope = meta.get("pseudonymized_scope")
    if scope is None:
        return True
    lists = ("protected_addresses", "exclude", "include_guests")
    return (
        isinstance(scope, dict)
        and set(scope) - {"error_log"} == {*lists, "protected_group"}
        and isinstance(scope.get("error_log", []), list)
        and all(isinstance(scope[k], list) and all(isinstance(v, str) for v in scope[k]) for k in lists)
        and isinstance(scope["protected_group"], str | None)
    )


@contextlib.contextmanager
def cassette(path: Path, mode: str, scrubber: Scrubber, tenant: str, loaded: Any = None) -> Iterator[Any]:
    """Record or replay one tenant's collection; translate vcrpy's errors into CassetteError.

    For replay (mode "none") the caller checks the cassette first with `check_cassette`, and passes
    what it `loaded`.
    A recording is written only when the collection inside completed: an exception or Ctrl-C leaves the
    file on disk as it was (the write itself is atomic, see AtomicPersister).
    """
    persister = AtomicPersister(fresh=mode == "rewrite", loaded=loaded)
    if mode == "rewrite":
        mode = "all"
    recorder = vcr.VCR(
        record_mode=mode,
        match_on=("method", "scheme", "host", "port", "path", "query", "body"),
        before_record_request=scrubber.request,
        before_record_response=scrubber.response,
        after_load_interaction=scrubber.loaded,
        decode_compressed_response=True,
    )
    recorder.register_persister(persister)
    try:
        with recorder.use_cassette(str(path)) as cas:
            _index_playback(cas)
            try:
                yield cas
            except BaseException:
                cas.dirty = False  # vcrpy saves on exit even after an exception: keep the file as it was
                raise
    except CannotOverwriteExistingCassetteException as err:
        req = getattr(err, "failed_request", None)
        what = f"{req.method} {req.uri}" if req is not None else "a request"
        raise CassetteError(f"{what} is not in cassette {path}; {rerecord_hint(tenant)}") from None


def _match_key(request: Any) -> tuple:
    """What vcrpy's method/scheme/host/port/path/query/body matchers compare, as one hashable key."""
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    if body and "json" in str(request.headers.get("Content-Type", request.headers.get("content-type", ""))).lower():
        with contextlib.suppress(ValueError):
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    return (request.method, request.scheme, request.host, request.port, request.path, tuple(request.query), body or b"")


def _index_playback(cas: Any) -> None:
    """Replace vcrpy's linear scan (every matcher against every interaction, with a difflib diff for
    each body that differs: quadratic, tens of minutes at 10,000 users) with a dict lookup; what is
    recorded during this run is indexed as it is appended. A vcrpy without these internals keeps its scan."""
    if not (hasattr(cas, "_responses") and hasattr(cas, "_before_record_request") and hasattr(cas, "data")):
        return
    index: dict[tuple, list[int]] = {}
    for i, (stored, _) in enumerate(cas.data):
        index.setdefault(_match_key(stored), []).append(i)
    append = cas.append

    def _append(request: Any, response: Any) -> None:
        before = len(cas.data)
        append(request, response)
        for i in range(before, len(cas.data)):
            index.setdefault(_match_key(cas.data[i][0]), []).append(i)

    def _responses(request: Any):
        request = cas._before_record_request(request)
        if not request:
            return
        for i in index.get(_match_key(request), ()):
            yield i, cas.data[i][1]

    cas.append = _append
    cas._responses = _responses
