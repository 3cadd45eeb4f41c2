"""The Typer app every command module registers on, its shared options and the error guard.

A leaf of the CLI: command modules import it, and `openbook.cli` imports them to assemble `main`."""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.errors import OpenbookError, UsageError

app = typer.Typer(
    name="openbook",
    help="Open-book accounting for public services: one traceable book of what public bodies publish.",
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    no_args_is_help=True,
)

BookOption = Annotated[Path, typer.Option("--book", "-b", help="The book file (DuckDB).", envvar="OPENBOOK_BOOK")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
JobsOption = Annotated[Optional[int], typer.Option("--jobs", "-j", help="Processes reading files in parallel "
                                                   "(default: one per core; 1 reads in this process).")]
DEFAULT_BOOK = Path("openbook.duckdb")
_state = {"debug": False}


@app.callback()
def _global(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for unexpected errors.")] = False,
    memory_limit: Annotated[Optional[str], typer.Option(
        "--memory-limit", envvar="OPENBOOK_MEMORY_LIMIT",
        help="DuckDB's memory limit for every book opened, e.g. 6GB (it spills beyond it).")] = None,
    temp_directory: Annotated[Optional[Path], typer.Option(
        "--temp-directory", envvar="OPENBOOK_TEMP_DIRECTORY",
        help="Where DuckDB spills what does not fit (default: beside the book).")] = None,
):
    _state["debug"] = debug
    # The book reads these when it opens (store.book.SETTINGS), in this process and in workers.
    if memory_limit:
        os.environ["OPENBOOK_MEMORY_LIMIT"] = memory_limit
    if temp_directory:
        os.environ["OPENBOOK_TEMP_DIRECTORY"] = str(temp_directory)


@contextmanager
def guard() -> Iterator[None]:
    """Errors reach the user as one sentence and an exit code; tracebacks only with --debug."""
    try:
        yield
    except typer.Exit:
        raise
    except UsageError as error:
        render.error(str(error))
        raise typer.Exit(2) from None
    except OpenbookError as error:
        render.error(str(error))
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        render.error("interrupted; the file being loaded was rolled back")
        raise typer.Exit(130) from None
    except Exception as error:  # noqa: BLE001 - the last line of defence for users
        if _state["debug"]:
            traceback.print_exc()
        else:
            render.error(f"unexpected error: {type(error).__name__}: {error} (run with --debug for the traceback)")
        raise typer.Exit(1) from None


def org_option(book, org: str | None) -> str | None:
    """The org_id an --org option names (None when not given), or a usage error in words."""
    if not org:
        return None
    org_id = book.resolve_org(org)
    from openbook import standard

    index = book.org_index()  # the registry and the bodies users added
    if org_id is None and len(candidates := [(o, index.names[o]) for o in index.candidates(org)]) > 1:
        raise UsageError(f"--org {standard.AmbiguousOrganisation(org, candidates)}")
    if org_id is None:
        raise UsageError(f"--org {org!r} is not a body in the book")
    return org_id
