"""POST /api/v1/publish: a body publishes a file to the book with its own token.

Reads are public; this is the one write. The upload is kept beside the book (so its source path
stays valid for audit), goes through the same ingest pipeline, and the reply is the same
reconciliation and problem report the CLI prints. Every attempt is in the publication log.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, UploadFile

from openbook.errors import BookError
from openbook.store.book import Book
from openbook.store.tokens import log_publication, verify_token
from openbook.web.deps import BookDep
from openbook.web.errors import ApiError
from openbook.web.models import Error

router = APIRouter(prefix="/api/v1", tags=["publish"])
_WRITE = threading.Lock()  # DuckDB allows one writer; this server's requests take turns
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


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
    authorization: Annotated[str | None, Header(description="Bearer obk_… token issued with `openbook token create`")] = None,
):
    if request.app.state.read_only:
        raise ApiError(403, "read-only", "this server was started with --read-only; it takes no publications")
    name = Path(file.filename or "upload").name
    token = verify_token(book, _bearer(authorization))  # on the version served: a token is in it once created
    org_id = book.resolve_org(org)
    if token is None:
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
        raise ApiError(413, "too-large", f"uploads are limited to {MAX_UPLOAD_BYTES // 2**20} MiB")
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
