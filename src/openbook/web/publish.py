"""POST /api/v1/publish: a body publishes a file to the book with its own token.

Reads are public; this is the one write. The upload is kept beside the book (so its source path
stays valid for audit), goes through the same ingest pipeline, and the reply is the same
reconciliation and problem report the CLI prints. Every attempt is in the publication log.

The route checks the token (from the Authorization header) and the declared size before a byte
of the body is read (`TokenFirst`): a stranger cannot make the server spool a large upload to
disk, and a body larger than MAX_UPLOAD_BYTES is refused with 413 as it arrives, whether or not
it declared its length.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from openbook.errors import BookError
from openbook.store.book import Book
from openbook.store.tokens import log_publication, verify_token
from openbook.web.deps import BookDep
from openbook.web.errors import ApiError
from openbook.web.http_extras import stable_operation_ids
from openbook.web.models import Error

_WRITE = threading.Lock()  # DuckDB allows one writer; this server's requests take turns
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
_MULTIPART_SLACK = 64 * 1024  # the form's boundaries, headers and `org` field around the file


def _too_large() -> ApiError:
    return ApiError(413, "too-large", f"uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MiB")


class TokenFirst(APIRoute):
    """A route that refuses before reading the body: read-only server (403), no valid token (401),
    a declared or streamed size over the limit (413)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def guarded(request: Request):
            await anyio.to_thread.run_sync(_refuse_early, request)
            limit = MAX_UPLOAD_BYTES + _MULTIPART_SLACK
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_large()
            received, original = 0, request.receive

            async def counting():
                nonlocal received
                message = await original()
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large()
                return message

            request._receive = counting
            try:
                return await handler(request)
            except HTTPException as error:
                if received > limit:  # the form parser turned our refusal into "error parsing the body"
                    raise _too_large() from error
                raise

        return guarded


def _refuse_early(request: Request) -> None:
    if request.app.state.read_only:
        raise ApiError(403, "read-only", "this server was started with --read-only; it takes no publications")
    book = request.app.state.reader.book.cursor()
    try:  # on the version served: a token is in it once created
        valid = verify_token(book, _bearer(request.headers.get("authorization"))) is not None
    finally:
        book.con.close()
    if not valid:
        _log_refused(request, book, None, None, None, "no valid token")
        raise ApiError(401, "unauthorised", "publishing needs a valid API token: `Authorization: Bearer obk_…`")


router = APIRouter(prefix="/api/v1", tags=["publish"], route_class=TokenFirst)
Bearer = HTTPBearer(auto_error=False, scheme_name="bearerToken", bearerFormat="obk_…", description=(
    "A body's API token, issued with `openbook token create`: `Authorization: Bearer obk_…`"))


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


@router.post("/publish", summary="Publish a file for a body (needs that body's API token)", responses={
    400: {"model": Error, "description": "The upload is not well-formed multipart data"},
    401: {"model": Error, "description": "No token, or not a valid one"},
    403: {"model": Error, "description": "The token is for another body, the file names other bodies, or the "
                                         "server is read-only"},
    404: {"model": Error, "description": "No such body"}, 413: {"model": Error, "description": "Too large"},
    422: {"model": Error, "description": "Not a valid request, or the file holds no loadable data"},
    503: {"model": Error, "description": "Another process has written the book for longer than the server waits"}})
def publish(
    request: Request,
    book: BookDep,
    file: Annotated[UploadFile, File(description="The published file: CSV, XLSX or JSON")],
    org: Annotated[str, Form(min_length=1, description="The publishing body's id or name")],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(Bearer)] = None,
):
    name = Path(file.filename or "upload").name
    token = verify_token(book, credentials.credentials if credentials else None)
    org_id = book.resolve_org(org)
    if token is None:  # revoked between the early check and now
        _log_refused(request, book, org_id, None, name, "no valid token")
        raise ApiError(401, "unauthorised", "publishing needs a valid API token: `Authorization: Bearer obk_…`")
    if org_id is None:
        raise ApiError(404, "not-found", f"no body {org!r} in the book")
    if token.org_id != org_id:
        _log_refused(request, book, org_id, token.token_id, name, f"token is for {token.org_id}")
        raise ApiError(403, "forbidden", f"this token publishes for {token.org_id}, not {org_id}")
    folder = book.path.parent / "published" / org_id
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as part:
        copied = _copy(file, part)
    if copied > MAX_UPLOAD_BYTES:
        Path(part.name).unlink()
        raise _too_large()
    target = folder / _safe(name)
    with _writing(request, book) as writer:
        return _publish(writer, target, part.name, org_id, token, name)


@contextmanager
def _writing(request: Request, book: Book, *, publish: bool = True) -> Iterator[Book]:
    """The server takes the writer's role for one write, as any other process would (waiting while
    one writes), and gives it up at once: closing publishes the new read copy, which the next
    request reads. Requests already running finish on the version they started with."""
    with _WRITE:
        try:
            writer = Book(book.path)
        except BookError as error:  # another process has held the book longer than OPENBOOK_LOCK_WAIT
            raise ApiError(503, "busy", f"the book is being written by another process; try again later ({error})")
        writer.publishes = publish
        try:
            yield writer
        finally:
            writer.close()
            request.app.state.reader.check()


def _log_refused(request: Request, book: Book, org_id, token_id, name: str, message: str) -> None:
    """A refusal changes no page, so it publishes no copy: a flood of bad tokens costs no copy of the
    book each (the log is read from the book itself, or from the next copy a write publishes)."""
    with _writing(request, book, publish=False) as writer:
        _log(writer, org_id, token_id, None, name, "refused", message)


stable_operation_ids(router)


def _publish(book: Book, target: Path, part: str, org_id: str, token, name: str) -> dict:
    """The upload through the ingest pipeline, as the book's writer; the reply is its report."""
    from openbook.ingest.report import report_json
    from openbook.ingest.publish import publish_file

    Path(part).replace(target)
    result = publish_file(book, target, org_id)
    report = result.report
    if result.foreign_bodies:
        _log(book, org_id, token.token_id, report.sha256, name, "refused",
             f"rows name other bodies: {', '.join(result.foreign_bodies)}")
        raise ApiError(403, "forbidden", "the file has rows for other bodies "
                       f"({', '.join(result.foreign_bodies)}); a body publishes only its own rows")
    _log(book, org_id, token.token_id, report.sha256, name, report.status, None,
         (report.rows_read, report.accepted, report.quarantined, report.structural))
    body = report_json(report, include_problems=True)
    if report.status == "rejected":
        raise_rejected(body)
    return body


def raise_rejected(body: dict) -> None:
    problem = body.get("rejection") or {}
    status = 500 if problem.get("code") == "internal-error" else 422  # a fault of openbook's, not the file's
    raise ApiError(status, problem.get("code", "rejected"), problem.get("message", "the file holds no loadable data"))


def _log(book: Book, org_id, token_id, sha, name, status, message, counts=None) -> None:
    log_publication(book, org_id=org_id, token_id=token_id, sha256=sha, file_name=name, status=status,
                    counts=counts, message=message)


def _copy(upload: UploadFile, out) -> int:
    size = 0
    while chunk := upload.file.read(1 << 20):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            break
        out.write(chunk)
    return size


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return cleaned or "upload"
