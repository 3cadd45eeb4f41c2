"""What every reference system shares: the bearer token, a way to refuse without it, and links that
carry the mount prefix (each variant is served under /BLOCK/VARIANT on one server)."""

from __future__ import annotations

import itertools

from fastapi import Request
from fastapi.responses import JSONResponse

TOKEN = "openbook-reference-token"
_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


def authorised(request: Request, enforce: bool = True) -> bool:
    return not enforce or request.headers.get("authorization") == f"Bearer {TOKEN}"


def base(request: Request) -> str:
    """The absolute URL of this variant's root, mount prefix included."""
    return f"{request.url.scheme}://{request.url.netloc}{request.scope.get('root_path', '')}"


def answer(status: int, body) -> JSONResponse:
    return JSONResponse(body, status_code=status)


async def body_of(request: Request):
    try:
        value = await request.json()
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
