"""Raw-JSON reads through msgraph-sdk's request adapter: retries, paging and `$batch`.

Every read either returns complete data or raises `FetchError` with a one-line reason; nothing
here ever turns a failure into empty data (fail closed).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from .graph_client import GraphConnection

RETRYABLE = frozenset({429, 503, 504})
BATCH_LIMIT = 20
Sleep = Callable[[float], Awaitable[None]]


class FetchError(Exception):
    """A Graph read that did not produce complete data."""

    def __init__(self, reason: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: retries per request and the longest wait honoured."""

    max_retries: int = 4
    max_wait_s: float = 60.0
    backoff_s: float = 1.0


def retry_after_seconds(headers: Any, attempt: int, policy: RetryPolicy) -> float:
    """Seconds to wait: Retry-After (integer or fractional), else exponential backoff."""
    value = None
    if headers:
        for key in ("retry-after", "Retry-After"):
            try:
                value = headers.get(key)
            except AttributeError:
                value = None
            if value:
                break
    try:
        wait = float(value) if value is not None else policy.backoff_s * 2**attempt
    except (TypeError, ValueError):
        wait = policy.backoff_s * 2**attempt
    return max(0.0, min(wait, policy.max_wait_s))


@dataclass
class ReadStats:
    """What one collection cost: HTTP requests sent, retries, batch items."""

    requests: int = 0
    retries: int = 0
    batch_items: int = 0


class GraphReader:
    """GET, paged GET and batched GET of raw JSON with retries and bounded concurrency."""

    def __init__(
        self,
        conn: GraphConnection,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        concurrency: int = 8,
    ) -> None:
        self._conn = conn
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._gate = asyncio.Semaphore(concurrency)
        self.stats = ReadStats()

    def absolute(self, url: str) -> str:
        return url if url.startswith(("http://", "https://")) else self._conn.base_url + url

    async def _send(self, method: Method, url: str, body: bytes | None = None) -> bytes:
        info = RequestInformation()
        info.http_method = method
        info.url = self.absolute(url)
        info.headers.try_add("Accept", "application/json")
        if body is not None:
            info.headers.try_add("Content-Type", "application/json")
            info.content = body
        async with self._gate:
            self.stats.requests += 1
            return await self._conn.adapter.send_primitive_async(info, "bytes", {"XXX": ODataError})

    async def _request_json(self, method: Method, url: str, body: bytes | None = None) -> dict:
        """One request with retries; the parsed JSON body, or FetchError."""
        what = f"{method.value} {_short(url)}"
        last = ""
        for attempt in range(self._policy.max_retries + 1):
            headers = None
            try:
                raw = await self._send(method, url, body)
                return _parse(raw, what)
            except ODataError as err:
                status = err.response_status_code or 0
                code = err.error.code if err.error else None
                message = err.error.message if err.error else str(err)
                last = f"{status} {code or ''}: {message or ''}".strip()
                if status not in RETRYABLE:
                    raise FetchError(f"{what} answered {last}", status, code) from None
                headers = err.response_headers
            except _Truncated as err:
                last = str(err)
            except (httpx.TimeoutException, httpx.TransportError) as err:
                last = f"{type(err).__name__} {err}".strip()
            if attempt < self._policy.max_retries:
                self.stats.retries += 1
                await self._sleep(retry_after_seconds(headers, attempt, self._policy))
        raise FetchError(f"{what} failed after {self._policy.max_retries} retries: {last}")

    async def get(self, url: str) -> dict:
        """GET one JSON document."""
        return await self._request_json(Method.GET, url)

    async def get_pages(self, url: str) -> Any:
        """Yield each page's `value` list, following absolute `@odata.nextLink`s to the end."""
        next_url: str | None = url
        while next_url:
            page = await self.get(next_url)
            value = page.get("value")
            if not isinstance(value, list):
                raise FetchError(f"GET {_short(next_url)} returned no 'value' list")
            yield value
            next_url = page.get("@odata.nextLink")

    async def get_all(self, url: str) -> list[dict]:
        """Every item of a paged collection."""
        items: list[dict] = []
        async for value in self.get_pages(url):
            items.extend(value)
        return items

    async def batch_get(self, urls: Sequence[tuple[str, str]]) -> dict[str, dict]:
        """GET relative urls through `$batch` (≤20 per envelope, deterministic ids).

        Returns {id: {"status", "body", "headers"}} or {id: {"error": reason}} for items still
        throttled or unavailable after the retry budget. Items are retried in later envelopes,
        honouring the largest Retry-After among them.
        """
        results: dict[str, dict] = {}
        pending = list(urls)
        for attempt in range(self._policy.max_retries + 1):
            retry: list[tuple[str, str]] = []
            waits: list[float] = []
            chunks = [pending[start : start + BATCH_LIMIT] for start in range(0, len(pending), BATCH_LIMIT)]
            # every envelope at once: the reader's gate bounds how many are in flight
            answers = await asyncio.gather(*(self._batch_once(chunk) for chunk in chunks), return_exceptions=True)
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
            for chunk, answer in zip(chunks, answers, strict=True):
                urls_of = dict(chunk)
                for item_id, item in answer.items():
                    if item["status"] in RETRYABLE:
                        retry.append((item_id, urls_of[item_id]))
                        waits.append(retry_after_seconds(item.get("headers"), attempt, self._policy))
                        results[item_id] = {"error": _item_reason(item)}
                    else:
                        results[item_id] = item
            if not retry:
                break
            pending = retry
            if attempt < self._policy.max_retries:
                self.stats.retries += len(retry)
                await self._sleep(max(waits))
            else:
                for item_id, _ in retry:
                    results[item_id] = {
                        "error": f"{results[item_id]['error']} (after {self._policy.max_retries} retries)"
                    }
        return results

    async def _batch_once(self, chunk: Sequence[tuple[str, str]]) -> dict[str, dict]:
        body = json.dumps(
            {"requests": [{"id": item_id, "method": "GET", "url": url} for item_id, url in chunk]},
            separators=(",", ":"),
        ).encode()
        self.stats.batch_items += len(chunk)
        doc = await self._request_json(Method.POST, "/$batch", body)
        responses = doc.get("responses")
        if not isinstance(responses, list):
            raise FetchError("POST /$batch returned no 'responses' list")
        out: dict[str, dict] = {}
        for item in responses:
            headers = {str(k).lower(): v for k, v in (item.get("headers") or {}).items()}
            out[str(item.get("id"))] = {
                "status": int(item.get("status", 0)),
                "body": item.get("body"),
                "headers": headers,
            }
        missing = [item_id for item_id, _ in chunk if item_id not in out]
        if missing:
            raise FetchError(f"POST /$batch answered without items {', '.join(missing)}")
        return out


class _Truncated(Exception):
    """A 200 response whose body is not complete JSON (cut off or malformed)."""


def _parse(raw: bytes | None, what: str) -> dict:
    try:
        doc = json.loads(raw or b"")
    except json.JSONDecodeError as err:
        raise _Truncated(f"{what} returned malformed or truncated JSON ({err.msg} at byte {err.pos})") from None
    except UnicodeDecodeError:
        raise _Truncated(f"{what} returned a body that is not UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise _Truncated(f"{what} returned JSON that is not an object")
    return doc


def _item_reason(item: dict) -> str:
    body = item.get("body") or {}
    err = body.get("error", {}) if isinstance(body, dict) else {}
    return f"{item['status']} {err.get('code', '')}: {err.get('message', '')}".strip()


def _short(url: str) -> str:
    """A URL without scheme/host, for messages."""
    if "://" in url:
        url = "/" + url.split("://", 1)[1].split("/", 1)[-1]
    return url
