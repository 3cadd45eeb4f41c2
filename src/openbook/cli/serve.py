"""`openbook serve`: the pages and the API over one book."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, app, guard


@app.command()
def serve(
    book: BookOption = DEFAULT_BOOK,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    read_only: Annotated[bool, typer.Option("--read-only", help="Refuse publishing; never write the book.")] = False,
    scenarios: Annotated[Optional[Path], typer.Option("--scenarios", help="Folder of scenario files the savings API runs "
                                            "by name (default: the ones shipped with openbook).")] = None,
) -> None:
    """Serve the book: pages with charts at /, the REST API at /api/v1 (docs at /api/docs).

    The server reads the copy each writer publishes (docs/serving.md), so ingests, analyses and
    CLI reads go on while it serves."""
    import uvicorn

    from openbook.web import create_app

    with guard():
        application = create_app(book, read_only=read_only, scenarios=scenarios)
        render.console.print(f"Serving {book} at [bold]http://{host}:{port}/[/] (API docs at /api/docs). Ctrl+C stops.")
        uvicorn.run(application, host=host, port=port, log_level="warning")
