"""Answers kept per book version: whole API responses, and the analyses several responses share.

A total over ten million lines takes DuckDB a few hundred milliseconds; the same total asked again
costs nothing while the book has not changed. The server reads the book through its read copies
(store/snapshots.py), numbered 1, 2, … as writers publish them: every request leases the current
copy here, for its whole length, and answers are kept under that copy's version.

Two layers: `ResponseCache` keeps whole answers to GET requests, the API's JSON and the pages'
HTML, by path and query (downloads are not kept: they are files, and may be large); `remember`
keeps an analysis (function benchmarks, the capability map, a savings baseline) that many
differently filtered requests read. A page over a national book takes seconds to compute the
first time and nothing after, until the book changes. A request with `Cache-Control: no-cache`
is computed afresh in both.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request

from openbook.store.reader import Reader

T = TypeVar("T")


def _no_cache(headers: dict[bytes, bytes]) -> bool:
    return b"no-cache" in headers.get(b"cache-control", b"").lower()


class AnswerCache:
    """A bounded LRU of answers keyed by (book version, question); one computation per key at a time."""

    def __init__(self, size: int = 512):
        self.size = size
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            busy = self._computing.setdefault(key, threading.Lock())
        # Twenty clients asking the same cold question wait for one answer instead of computing twenty.
        with busy:
            with self._lock:
                if key in self._answers:
                    return self._answers[key]
            try:
                answer = compute()
                with self._lock:
                    self._answers[key] = answer
                    while len(self._answers) > self.size:
                        self._answers.popitem(last=False)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
        return answer


def remember(request: Request) -> Callable[..., Any]:
    """remember(question, compute): the cached answer for this book version, computing it once."""
    if "no-cache" in request.headers.get("cache-control", "").lower():
        return lambda question, compute: compute()
    cache: AnswerCache = request.app.state.answers
    version = getattr(request.state, "book_version", None)
    if version is None:
        held = request.app.state.reader.book.snapshot
        version = held.version if held else 0
    return lambda question, compute: cache.get((version, question), compute)


Remember = Annotated[Callable[[Hashable, Callable[[], T]], T], Depends(remember)]


# Answers worth keeping: the API's JSON and the pages. Static files carry their own caching.
_KEPT_TYPES = (b"application/json", b"text/html")


def _worth_keeping(start: dict) -> bool:
    kinds = {k.lower(): v for k, v in start.get("headers", [])}
    return (start["status"] == 200 and kinds.get(b"content-type", b"").startswith(_KEPT_TYPES)
            and b"content-disposition" not in kinds)


class ResponseCache:
    """ASGI middleware leasing each request its book version, and keeping GET answers (JSON and pages, not
    downloads) per version and query."""

    def __init__(self, app, *, size: int = 512, max_bytes: int = 4_000_000):
        self.app, self.size, self.max_bytes = app, size, max_bytes
        self._answers: OrderedDict[Hashable, tuple[int, list, bytes]] = OrderedDict()
        self._computing: dict[Hashable, asyncio.Lock] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        reader: Reader = scope["app"].state.reader
        # Opening a newly published copy takes a moment: off the event loop; otherwise a counter.
        lease = await anyio.to_thread.run_sync(reader.acquire) if reader.changed() else reader.acquire()
        try:
            state = scope.setdefault("state", {})
            state["book_lease"], state["book_version"] = lease, lease.version
            await self._serve(lease.version, scope, receive, send)
        finally:
            reader.release(lease)

    async def _serve(self, version: int, scope, receive, send) -> None:
        headers = dict(scope["headers"])
        if scope["method"] != "GET" or _no_cache(headers):
            await self.app(scope, receive, send)
            return
        key = (version, scope["path"], scope.get("query_string", b""))
        if await self._replay(key, send):
            return
        busy = self._computing.setdefault(key, asyncio.Lock())
        async with busy:  # the same cold question from many clients is answered once
            if await self._replay(key, send):
                return
            try:
                await self._answer(key, scope, receive, send)
            finally:
                self._computing.pop(key, None)

    async def _replay(self, key: Hashable, send) -> bool:
        if key not in self._answers:
            return False
        self._answers.move_to_end(key)
        status, stored, body = self._answers[key]
        hit = [*stored, (b"x-openbook-cache", b"hit")]
        await send({"type": "http.response.start", "status": status, "headers": hit})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _answer(self, key: Hashable, scope, receive, send) -> None:
        captured: dict = {"chunks": [], "size": 0}

        async def keep(message) -> None:
            # A download streams through untouched: only an answer worth keeping is held, and only
            # up to max_bytes, so a download of any size never sits in memory here.
            if message["type"] == "http.response.start":
                captured["start"] = message
                if not _worth_keeping(message):
                    captured["chunks"] = None
            elif message["type"] == "http.response.body" and captured["chunks"] is not None:
                captured["size"] += len(message.get("body", b""))
                captured["chunks"].append(message.get("body", b""))
                if captured["size"] > self.max_bytes:
                    captured["chunks"] = None
            await send(message)

        await self.app(scope, receive, keep)
        start = captured.get("start")
        if start is None or captured["chunks"] is None:
            return
        stored = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        body = b"".join(captured["chunks"])
        if len(body) <= self.max_bytes:
            self._answers[key] = (200, [*stored, (b"content-length", str(len(body)).encode())], body)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
