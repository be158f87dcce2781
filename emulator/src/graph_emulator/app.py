"""The Graph request pipeline, independent of sockets: account, delay, authenticate, fault, dispatch.

`GraphApp.handle` turns one HTTP request into (status, headers, body bytes); `$batch` items go
through the same router with the caller's token (see batch.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from .accounting import Stats
from .batch import parse_items, run_batch
from .errors import GraphError, bad_request, invalid_token
from .families import MAIL_FAMILIES
from .faults import FaultPlanner, break_body
from .graph_types import GraphRequest, GraphResponse
from .jsontext import JsonText, dumps
from .odata import parse_query
from .outlook import Admission, mailbox_of
from .router import dispatch, resolve, split_path
from .shapes import BATCH_SHAPES, GATEWAY_SHAPES, body_answer, break_batch, gateway_answer, wrong_types
from .store import TenantStore
from .tokens import Claims, TokenService

JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
_DIAGNOSTIC = json.dumps(
    {"ServerInfo": {"DataCenter": "Loopback", "Slice": "E", "Ring": "5", "ScaleUnit": "000", "RoleInstance": "EMU"}},
    separators=(",", ":"),
)
_log = logging.getLogger(__name__)


class GraphApp:
    """Answers Graph requests for several tenants; the token's tenant id picks the tenant."""

    def __init__(
        self, stores: Mapping[str, TenantStore], tokens: TokenService, stats: Stats, planner: FaultPlanner
    ) -> None:
        self.stores = dict(stores)
        self.tokens = tokens
        self.stats = stats
        self.planner = planner
        self.base_url = ""  # set by the server once it is bound

    # -- top level -------------------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request (`headers` with lower-case names)."""
        rid = str(uuid.uuid4())
        crid = headers.get("client-request-id") or rid
        out_headers = {"request-id": rid, "client-request-id": crid, "x-ms-ags-diagnostic": _DIAGNOSTIC}
        raw_path, _, raw_query = target.partition("?")
        path, segments, version_error = self._strip_version(raw_path)
        route, params, route_error = resolve(segments) if not version_error else (None, [], version_error)
        is_batch = [s.lower() for s in segments] == ["$batch"] and not version_error
        family = "batch" if is_batch else (route.family if route else "other")
        self.stats.count_request(method, family)
        if method != "GET" and not is_batch:
            self.stats.record_write(method, unquote(path))
        planner = self.planner
        admission = self._admit(route, segments, is_batch, body) if not version_error else Admission()
        try:
            n = planner.occurrence(method, f"{path}?{raw_query}")
            delay = planner.latency_s(method, f"{path}?{raw_query}", n)
            if delay:
                time.sleep(delay)
            shape_target, shape_n = f"{path}?{raw_query}", n
            if is_batch:  # concurrent envelopes share a URL: their bodies tell them apart, whatever the order
                shape_target += "#" + hashlib.blake2b(body, digest_size=8).hexdigest()
                shape_n = planner.occurrence(method, shape_target)
            shape = planner.shape(family, method, shape_target, shape_n)
            if shape in GATEWAY_SHAPES:
                status, gateway_headers, page = gateway_answer(shape)
                return status, {**out_headers, **gateway_headers}, page
            try:
                claims, store = self._authenticate(headers)
                fault = planner.error(family, method, f"{path}?{raw_query}", n)
                if fault is not None:
                    raise fault
                if admission.refused_all and not is_batch:
                    raise planner.outlook.error()
                if version_error or (route_error and not is_batch):
                    raise version_error or route_error  # type: ignore[misc]
                req = GraphRequest(
                    method, path, segments, parse_query(raw_query, headers), dict(headers), body, store, self.base_url
                )
                if is_batch:
                    if method != "POST":
                        raise GraphError(
                            405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."
                        )
                    resp = run_batch(
                        req,
                        lambda item: self.run_item(item, claims, store, admission.refused),
                        planner,
                        self.planner.seed,
                        n,
                    )
                else:
                    assert route is not None
                    resp = dispatch(route, params, req, claims.roles)
            except GraphError as err:
                resp = GraphResponse(err.status, err.body(rid, crid), err.headers)
            except Exception:  # noqa: BLE001 - a bug here must still answer like a server
                _log.exception("graph emulator failed on %s %s", method, target)
                error = GraphError(500, "InternalServerError", "Internal server error.")
                resp = GraphResponse(500, error.body(rid, crid))
            out_headers.update(resp.headers)
            if resp.body is None:
                return resp.status, out_headers, b""
            if resp.status == 200 and is_batch and shape in BATCH_SHAPES and isinstance(resp.body, dict):
                rng = random.Random(f"{planner.seed}|{shape}|{shape_target}|{shape_n}")
                resp = GraphResponse(200, {"responses": break_batch(shape, list(resp.body["responses"]), rng)})
            if resp.status == 200 and shape == "wrongtype200":
                body = resp.body.value() if isinstance(resp.body, JsonText) else resp.body
                resp = GraphResponse(200, wrong_types(body))
            data = dumps(resp.body)
            out_headers["Content-Type"] = JSON_TYPE
            if resp.status == 200:
                how = planner.body_fault(family, n)
                if how:
                    data = break_body(data, how)
                if shape is not None and shape not in BATCH_SHAPES and shape != "wrongtype200":
                    out_headers, data = body_answer(shape, out_headers, data)
            return resp.status, out_headers, data
        finally:
            planner.outlook.release(admission)

    def _strip_version(self, raw_path: str) -> tuple[str, list[str], GraphError | None]:
        path, segments = split_path(raw_path)
        if not segments or segments[0].lower() != "v1.0":
            return path, segments, bad_request(f"Invalid version: {segments[0] if segments else ''}")
        rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
        return "/" + rest, segments[1:], None

    def _authenticate(self, headers: Mapping[str, str]) -> tuple[Claims, TenantStore]:
        auth = headers.get("authorization", "")
        claims = self.tokens.validate_bearer(auth or None)
        if claims is None:
            bearer = auth.partition(" ")[2].strip() if auth.lower().startswith("bearer") else ""
            if not bearer:
                raise invalid_token("Access token is empty.")
            raise invalid_token("Access token validation failure. Invalid audience.")
        store = self.stores.get(claims.tenant_id.lower())
        if store is None:
            raise invalid_token("Access token validation failure. Invalid audience.")
        return claims, store

    # -- batch items -------------------------------------------------------------------------------------
    def _admit(self, route: Any, segments: list[str], is_batch: bool, body: bytes) -> Admission:
        """Outlook's concurrency admission for a mail request, or for a batch's mail items."""
        outlook = self.planner.outlook
        if not is_batch:
            mailbox = mailbox_of(segments) if route is not None and route.family in MAIL_FAMILIES else None
            return outlook.admit([mailbox] if mailbox else [])
        try:
            items = parse_items(body)
        except GraphError:
            return Admission()
        mailboxes = []
        for item in items:
            _, item_segments = split_path(str(item.get("url", "")).partition("?")[0])
            item_route, _, _ = resolve(item_segments)
            if item_route is not None and item_route.family in MAIL_FAMILIES:
                mailbox = mailbox_of(item_segments)
                if mailbox:
                    mailboxes.append(mailbox)
        return outlook.admit(mailboxes)

    def run_item(
        self, item: dict[str, Any], claims: Claims, store: TenantStore, refused: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Answer one `$batch` item: {id, status, headers, body}."""
        rid = str(uuid.uuid4())
        method = str(item.get("method", "GET")).upper()
        url = str(item.get("url", ""))
        headers = {str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()}
        raw_path, _, raw_query = (url if url.startswith("/") else "/" + url).partition("?")
        path, segments = split_path(raw_path)
        route, params, route_error = resolve(segments)
        family = route.family if route else "other"
        absolute = "://" in url.split("?", 1)[0] or url.startswith("//")
        if absolute:
            family = "other"
        self.stats.count_batch_item(method, family)
        if method != "GET":
            self.stats.record_write(method, unquote(path))
        target = f"{path}?{raw_query}"
        n = self.planner.occurrence(method, target)
        try:
            if absolute:
                raise bad_request(f"Invalid request URL '{url}': batch request URLs must be relative, like '/users'.")
            fault = self.planner.error(family, method, target, n)
            if fault is not None:
                raise fault
            if refused and family in MAIL_FAMILIES and mailbox_of(segments) in refused:
                raise self.planner.outlook.error()
            if route_error:
                raise route_error
            assert route is not None
            body = item.get("body")
            raw_body = body.encode() if isinstance(body, str) else (dumps(body) if body is not None else b"")
            req = GraphRequest(
                method, path, segments, parse_query(raw_query, headers), headers, raw_body, store, self.base_url
            )
            resp = dispatch(route, params, req, claims.roles)
        except GraphError as err:
            resp = GraphResponse(err.status, err.body(rid, rid), err.headers)
        except Exception:  # noqa: BLE001
            _log.exception("graph emulator failed on batch item %s %s", method, url)
            resp = GraphResponse(500, GraphError(500, "InternalServerError", "Internal server error.").body(rid, rid))
        out: dict[str, Any] = {"id": item.get("id"), "status": resp.status, "headers": dict(resp.headers)}
        if resp.body is not None:
            out["headers"]["Content-Type"] = JSON_TYPE
            out["body"] = resp.body.value() if isinstance(resp.body, JsonText) else resp.body
        return out
