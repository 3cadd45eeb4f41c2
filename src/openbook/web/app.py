"""The FastAPI application: one book, read through its current read copy; a cursor per request; one error envelope."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from openbook.errors import BookError, OpenbookError
from openbook.store import snapshots
from openbook.store.book import Book
from openbook.store.reader import CurrentBook, Reader
from openbook.web.errors import ApiError

STATIC = Path(__file__).parent / "static"


def create_app(book_path: Path | str, *, read_only: bool = False, scenarios: Path | str | None = None) -> FastAPI:
    """The app over one book file; writable unless read_only, so that bodies can publish to it.

    `scenarios` is the folder of scenario files (*.toml) the savings API can run by name; by default
    the copies shipped in the package, which the savings page uses too.
    """
    from openbook.web import api, pages, pages_docs, pages_findings, pages_savings, publish
    from openbook.web import pages_explore  # bodies, functions, suppliers, search, sources
    from openbook.web import pages_measures  # measures, scorecards, the index, alerts
    from openbook.web import http_extras
    from openbook.web.cache import AnswerCache, ResponseCache

    if not read_only:
        _bring_up_to_date(Path(book_path))
    reader = Reader(book_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        reader.close()

    app = FastAPI(lifespan=lifespan, title="openbook", version="1", description=(
        "Open-book accounting for public services: where public money goes, and where the same thing "
        "is paid for many times. Every list is downloadable (format=csv|json|parquet|xlsx); every figure "
        "traces to its source rows (source_sha256, source_line)."), docs_url="/api/docs",
        openapi_url="/api/v1/openapi.json", redoc_url=None)
    app.state.reader, app.state.read_only, app.state.book_path = reader, read_only, Path(book_path)
    app.state.book = CurrentBook(reader)  # the current version, for reads outside a request
    app.state.scenarios = Path(scenarios) if scenarios else pages_savings.SCENARIOS
    app.state.answers = AnswerCache()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(publish.router)
    app.include_router(pages.router)
    app.include_router(pages_findings.router)
    app.include_router(pages_savings.router)
    app.include_router(pages_docs.router)
    app.include_router(pages_explore.router)
    app.include_router(pages_measures.router)
    app.add_middleware(ResponseCache)
    http_extras.install(app)  # /api/v1/health, ETags and gzip, outside the answer cache
    _error_envelope(app)

    return app


def _bring_up_to_date(path: Path) -> None:
    """Take the writer's role once: a new book is made, an older one gains what the standard added,
    and either is published as a read copy. While another process writes a book that already has
    a copy, serve that copy at once instead (the writer publishes a newer one when it is done)."""
    try:
        Book(path, wait=0).close()
    except BookError:
        if snapshots.current(path) is None:
            Book(path).close()  # nothing to serve yet: wait for the writer, as any writer would


def _error_envelope(app: FastAPI) -> None:
    def envelope(status: int, code: str, message: str, details: object = None, headers=None) -> JSONResponse:
        body = {"error": {"status": status, "code": code, "message": message}}
        if details is not None:
            body["error"]["details"] = details
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        return envelope(error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")} for e in error.errors()]
        return envelope(422, "invalid-request", "the request's parameters are not valid", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if not request.url.path.startswith("/api/"):
            from openbook.web.pages import error_page

            return error_page(request, error.status_code, str(error.detail))
        code = {400: "bad-request", 401: "unauthorised", 403: "forbidden", 404: "not-found",
                405: "method-not-allowed"}.get(error.status_code, "http-error")
        return envelope(error.status_code, code, str(error.detail), headers=error.headers)

    @app.exception_handler(OpenbookError)
    async def _openbook(request: Request, error: OpenbookError) -> JSONResponse:
        return envelope(400, "bad-input", str(error))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        return envelope(500, "server-error", f"unexpected error: {type(error).__name__}")
