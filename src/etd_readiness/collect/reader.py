"""Raw-JSON reads through msgraph-sdk's request adapter: retries, paging and `$batch`.

Every read either returns complete data or raises `FetchError` with a one-line reason naming the
request and what came back; nothing here turns a failure into empty data (fail closed), and no
answer shape (HTML or empty error pages, non-JSON 200s, resets, timeouts, bad gzip) escapes as
another exception. This is the only retry policy: kiota's RetryHandler is off (graph_client.py).

Budget per request: 1 + `max_retries` attempts; each wait is Retry-After (integer, fractional or
HTTP-date) when given, else exponential backoff with jitter, and never more than `max_wait_s`. A host
that refuses connections, does not resolve or opens no connection in time gets one quick retry (a TLS
verification failure none), then every read of this reader fails at once with that one reason.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from azure.core.exceptions import AzureError
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_abstractions.response_handler import ResponseHandler
from kiota_http._exceptions import ResponseError
from kiota_http.middleware.options import ResponseHandlerOption

from .batching import read_batch_answer
from .graph_client import GraphConnection
from .journal import Journal, Slot
from .pacing import AdaptiveLimit, MailboxSlots, mailbox_of, throttle_signal
from .responses import (
    HTTPCORE_ERRORS,
    RETRYABLE,
    Failure,
    after_retries,
    backoff_seconds,
    batch_shape,
    classify_exception,
    classify_response,
    item_reason,
    join_reason,
    next_link_problem,
    page_shape,
    retry_after_seconds,
    short_url,
)

BATCH_LIMIT = 20
#: What a network, a gateway or the token service can raise; anything else (a replay miss, a bug) propagates.
NETWORK_ERRORS = (httpx.HTTPError, *HTTPCORE_ERRORS, AzureError, OSError, ResponseError)
QUICK_RETRY_S = 0.25
Sleep = Callable[[float], Awaitable[None]]
Check = Callable[[dict], str | None]


class FetchError(Exception):
    """A Graph read that did not produce complete data."""

    def __init__(
        self, reason: str, status: int | None = None, code: str | None = None, *, unreachable: bool = False
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.unreachable = unreachable


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: retries per request, the longest wait honoured, the backoff base."""

    max_retries: int = 4
    max_wait_s: float = 60.0
    backoff_s: float = 1.0


@dataclass
class ReadStats:
    """What one collection cost: HTTP requests sent, retries, batch items; oddities noted."""

    requests: int = 0
    retries: int = 0
    batch_items: int = 0
    notes: list[str] = field(default_factory=list)


class _Raw(ResponseHandler):
    """Hands the adapter's httpx.Response back untouched: we classify every answer ourselves."""

    async def handle_response_async(self, response: Any, error_map: Any) -> Any:
        return response


class GraphReader:
    """GET, paged GET and batched GET of raw JSON with retries and adaptive concurrency (`pacing.py`)."""

    def __init__(
        self,
        conn: GraphConnection,
        *,
        policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        start_concurrency: int = 8,
        max_concurrency: int = 32,
        adaptive: bool = True,
        rng: random.Random | None = None,
        journal: Journal | None = None,
    ) -> None:
        self._conn = conn
        self.journal = journal  # final answers kept for --etd-resume, and answered from it when resuming
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self.pacing = AdaptiveLimit(
            min(start_concurrency, max_concurrency), max_concurrency, sleep=sleep, adaptive=adaptive
        )
        self._mailboxes = MailboxSlots()
        self._rng = rng or random.Random()
        self._host = urlsplit(conn.base_url).netloc or conn.base_url
        self.unreachable: str | None = None
        self.stats = ReadStats()

    def absolute(self, url: str) -> str:
        return url if url.startswith(("http://", "https://")) else self._conn.base_url + url

    async def _send(self, method: Method, url: str, body: bytes | None, waited: bool) -> dict | Failure:
        info = RequestInformation()
        info.http_method = method
        info.url = self.absolute(url)
        info.headers.try_add("Accept", "application/json")
        info.add_request_options([ResponseHandlerOption(_Raw())])
        if body is not None:
            info.headers.try_add("Content-Type", "application/json")
            info.content = body
        epoch = await self.pacing.acquire(waited)
        got: dict | Failure = Failure("was not answered", retryable=True)
        try:
            self.stats.requests += 1
            try:
                response = await self._conn.adapter.send_primitive_async(info, "bytes", None)
            except NETWORK_ERRORS as err:  # every network shape becomes a Failure, never a crash
                got = classify_exception(err, self._host)
            else:
                got = (
                    classify_response(response)
                    if isinstance(response, httpx.Response)
                    else Failure("answered nothing the client could read", retryable=True)
                )
        finally:
            throttled, retry_after, rate_limited = throttle_signal(got)
            await self.pacing.release(epoch, throttled, retry_after, rate_limited)
        return got

    def _wait(self, failure: Failure, attempt: int) -> float:
        given = retry_after_seconds(failure.headers)
        wait = given if given is not None else backoff_seconds(attempt, self._policy.backoff_s, self._rng)
        return min(wait, self._policy.max_wait_s)

    async def _request_json(
        self, method: Method, url: str, body: bytes | None = None, check: Check | None = None, waited: bool = False
    ) -> dict:
        """One request with retries; the parsed JSON object (passing `check`), or FetchError. `waited`: the
        caller already waited out a Retry-After, so this request skips the reader's hold."""
        what = f"{method.value} {short_url(url)}"
        retries = 0
        last = Failure("was not sent", retryable=False)
        for attempt in range(self._policy.max_retries + 1):
            if self.unreachable:
                raise FetchError(self.unreachable, unreachable=True)
            got = await self._send(method, url, body, waited or attempt > 0)
            if isinstance(got, dict):
                problem = check(got) if check else None
                if problem is None:
                    return got
                got = Failure(f"answered 200 with {problem}", retryable=True, status=200)
            last = got
            if not got.retryable or attempt == self._policy.max_retries or (got.unreachable and retries):
                break
            wait = min(QUICK_RETRY_S, self._policy.backoff_s) if got.unreachable else self._wait(got, attempt)
            retries += 1
            self.stats.retries += 1
            await self._sleep(wait)
        reason = join_reason(what, last.reason) + after_retries(retries)
        if last.unreachable:
            self.unreachable = self.unreachable or (
                f"Graph at {self._host} cannot be reached: {last.reason}{after_retries(retries)} (first on {what}); "
                "no further Graph reads were tried for this tenant"
            )
            raise FetchError(self.unreachable, unreachable=True)
        raise FetchError(reason, last.status, last.code)

    async def get(self, url: str, check: Check | None = None) -> dict:
        """GET one JSON object (from the fetch journal when it holds this answer)."""
        slot = self.journal.slot("get", url) if self.journal is not None else None
        if slot is not None and slot.answer is not None:
            return slot.answer
        doc = await self._request_json(Method.GET, url, check=check)
        if slot is not None and self.journal is not None:
            self.journal.keep(slot, doc)
        return doc

    async def get_pages(self, url: str) -> Any:
        """Yield each page's `value` list, following absolute `@odata.nextLink`s to the end: only on Graph's
        own origin (the auditor's token goes with every request) and never to a page already read."""
        next_url: str | None = url
        seen: set[str] = set()
        while next_url:
            seen.add(self.absolute(next_url))
            page = await self.get(next_url, check=page_shape)
            yield page["value"]
            next_url = page.get("@odata.nextLink")
            if next_url is None:
                return
            problem = next_link_problem(next_url, self._conn.base_url, seen)
            if problem:
                raise FetchError(f"GET {short_url(url)}: page {len(seen)}'s '@odata.nextLink' {problem}")

    async def get_all(self, url: str) -> list[dict]:
        """Every item of a paged collection."""
        items: list[dict] = []
        async for value in self.get_pages(url):
            items.extend(value)
        return items

    async def batch_get(self, urls: Sequence[tuple[str, str]]) -> dict[str, dict]:
        """GET relative urls through `$batch` (≤20 per envelope, deterministic ids).

        Returns, per id, {"status", "body", "headers"} or {"error": reason}. An envelope that still
        fails after its retries errors only the items it carried. Items throttled (429/503/504),
        missing, duplicated with different answers or malformed are retried in later envelopes
        (the largest Retry-After among them honoured) and error after the retry budget.
        """
        results: dict[str, dict] = {}
        pending = list(urls)
        slots = self._journaled(pending, results)
        for attempt in range(self._policy.max_retries + 1):
            retry: list[tuple[str, str]] = []
            waits: list[float] = []
            chunks = [pending[start : start + BATCH_LIMIT] for start in range(0, len(pending), BATCH_LIMIT)]
            # every envelope at once: the reader's gate bounds how many are in flight
            answers = await asyncio.gather(
                *(self._batch_once(chunk, waited=attempt > 0, slots=slots) for chunk in chunks), return_exceptions=True
            )
            for chunk, answer in zip(chunks, answers, strict=True):
                if isinstance(answer, FetchError):
                    for item_id, _ in chunk:
                        results[item_id] = {"error": str(answer)}
                    continue
                if isinstance(answer, BaseException):
                    raise answer
                urls_of = dict(chunk)
                self.stats.notes.extend(answer.notes)
                for item_id, why in answer.failed.items():
                    results[item_id] = {"error": f"POST /$batch: {why}"}
                    retry.append((item_id, urls_of[item_id]))
                    waits.append(backoff_seconds(attempt, self._policy.backoff_s, self._rng))
                for item_id, item in answer.items.items():
                    if item["status"] in RETRYABLE:
                        failure = Failure("", True, headers=item.get("headers"))
                        retry.append((item_id, urls_of[item_id]))
                        waits.append(self._wait(failure, attempt))
                        results[item_id] = {"error": item_reason(urls_of[item_id], item)}
                    else:
                        results[item_id] = item
            if not retry:
                break
            pending = retry
            if attempt < self._policy.max_retries:
                self.stats.retries += len(retry)
                await self._sleep(min(max(waits), self._policy.max_wait_s))
            else:
                for item_id, _ in retry:
                    results[item_id] = {"error": results[item_id]["error"] + after_retries(self._policy.max_retries)}
        return results

    def _journaled(self, pending: list[tuple[str, str]], results: dict[str, dict]) -> dict[str, Slot]:
        """Answer the items the fetch journal holds (removed from `pending`); the others' journal slots."""
        if self.journal is None:
            return {}
        slots = {item_id: self.journal.slot("item", url) for item_id, url in pending}
        for item_id, slot in slots.items():
            if slot.answer is not None:
                results[item_id] = slot.answer
        pending[:] = [(item_id, url) for item_id, url in pending if slots[item_id].answer is None]
        return slots

    async def _batch_once(
        self, chunk: Sequence[tuple[str, str]], waited: bool = False, slots: dict[str, Slot] | None = None
    ) -> Any:
        body = json.dumps(
            {"requests": [{"id": item_id, "method": "GET", "url": url} for item_id, url in chunk]},
            separators=(",", ":"),
        ).encode()
        self.stats.batch_items += len(chunk)
        mailboxes = Counter(m for m in (mailbox_of(url) for _, url in chunk) if m)
        async with self._mailboxes.hold(mailboxes):
            doc = await self._request_json(Method.POST, "/$batch", body, check=batch_shape, waited=waited)
        answer = read_batch_answer([item_id for item_id, _ in chunk], doc)
        if slots and self.journal is not None:  # final answers are journaled as each envelope comes back
            final = answer.items.items()
            self.journal.keep_all((slots[item_id], item) for item_id, item in final if item["status"] not in RETRYABLE)
        return answer
