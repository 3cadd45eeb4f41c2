"""What clients of an HTTP API expect beyond the answers: a health check, ETags honoured with
304, gzip, and operation ids in the OpenAPI document that do not change when code is renamed.

`install(app)` adds the health route and the middleware; the app calls it once, after its routers.
"""

from __future__ import annotations

import hashlib
import re
from importlib.metadata import PackageNotFoundError, version

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.middleware.gzip import GZipMiddleware

from openbook.web.models import Error

ETAG_MAX_BYTES = 4_000_000
"""Answers up to this size get an ETag (their body is hashed); larger ones and streamed downloads do not."""

health_router = APIRouter(prefix="/api/v1", tags=["health"])


def install(app: FastAPI) -> None:
    """The health route, ETags (If-None-Match → 304) and gzip, on an assembled app."""
    app.include_router(health_router)
    app.add_middleware(ETags)
    app.add_middleware(GZipMiddleware, minimum_size=1000)  # outermost: ETags see the plain body


def operation_id(method: str, path: str) -> str:
    """A stable, readable operation id from the method and path: GET /api/v1/suppliers/{supplier_id}
    → getSuppliersBySupplierId. Renaming a Python function never changes it."""
    words = [method.lower()]
    for segment in path.removeprefix("/api/v1").strip("/").split("/"):
        if not segment:
            continue
        parameter = segment.startswith("{")
        parts = re.split(r"[^A-Za-z0-9]+", segment.strip("{}"))
        words.append(("By" if parameter else "") + "".join(p[:1].upper() + p[1:] for p in parts if p))
    return "".join(words)


def stable_operation_ids(router: APIRouter) -> None:
    """Give every route of the router its `operation_id` (before the app includes it)."""
    for route in router.routes:
        if isinstance(route, APIRoute) and not route.operation_id:
            (method,) = sorted(route.methods)
            route.operation_id = operation_id(method, route.path)


def _package_version() -> str:
    try:
        return version("openbook")
    except PackageNotFoundError:
        return "unknown"


@health_router.get("/health", summary="Whether the server is up and its book answers",
                   responses={503: {"model": Error, "description": "The book does not answer"}})
async def health(request: Request):
    from fastapi.responses import JSONResponse

    def probe() -> bool:
        book = request.app.state.book.cursor()
        try:
            return book.con.execute("SELECT 1").fetchone() == (1,)
        finally:
            book.con.close()

    try:
        ok = await anyio.to_thread.run_sync(probe)
    except Exception as error:  # noqa: BLE001 - a health check reports, it does not fail
        return JSONResponse({"status": "unavailable", "book": f"{type(error).__name__}"}, status_code=503,
                            headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "ok" if ok else "unavailable", "version": _package_version()},
                        headers={"Cache-Control": "no-store"})


stable_operation_ids(health_router)


class ETags:
    """ASGI middleware: a weak ETag (SHA-256 of the body) on every successful GET answer small
    enough to hold, and 304 Not Modified when the client already has it (If-None-Match)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        asked = dict(scope["headers"]).get(b"if-none-match", b"")
        held: dict = {}

        async def tagging(message) -> None:
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                length = headers.get(b"content-length", b"")
                if (message["status"] == 200 and b"etag" not in headers and length.isdigit()
                        and int(length) <= ETAG_MAX_BYTES):
                    held["start"], held["body"] = message, []  # wait for the body to hash it
                    return
                await send(message)
                return
            if "start" not in held:
                await send(message)
                return
            held["body"].append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(held["body"])
            tag = b'W/"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
            start = held["start"]
            if tag in [t.strip() for t in asked.split(b",")] or asked.strip() == b"*":
                kept = [(k, v) for k, v in start.get("headers", [])
                        if k.lower() in {b"cache-control", b"content-location", b"date", b"expires", b"vary"}]
                await send({"type": "http.response.start", "status": 304, "headers": [*kept, (b"etag", tag)]})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": [*start.get("headers", []), (b"etag", tag)]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, tagging)
