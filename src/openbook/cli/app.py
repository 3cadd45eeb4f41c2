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
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish and PowerShell
    no_args_is_help=True,
)

BookOption = Annotated[Path, typer.Option("--book", "-b", help="The book file (DuckDB).", envvar="OPENBOOK_BOOK")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
JobsOption = Annotated[Optional[int], typer.Option("--jobs", "-j", help="Processes reading files in parallel "
                                                   "(default: one per core; 1 reads in this process).")]
DEFAULT_BOOK = Path("openbook.duckdb")
# Exit statuses every command shares (README "Commands"): a script tells a bad file from a fault.
EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_CODES_HELP = ("Exit status: 0 every file loaded, unchanged or checked; 1 some file was rejected (or --strict "
                   "found quarantined rows); 2 a usage error; 3 an internal error (a file rejected as "
                   "internal-error, the others still read).")
_state = {"debug": False}


def _version(asked: bool) -> None:
    if asked:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("openbook")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown"
        render.console.print(f"openbook {number}", highlight=False)
        raise typer.Exit()


@app.callback()
def _global(
    _version_option: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                            help="Print openbook's version and exit.")] = None,
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
        raise typer.Exit(EXIT_USAGE) from None
    except OpenbookError as error:
        render.error(str(error))
        raise typer.Exit(EXIT_REJECTED) from None
    except KeyboardInterrupt:
        render.error("interrupted; the file being loaded was rolled back")
        raise typer.Exit(130) from None
    except Exception as error:  # noqa: BLE001 - the last line of defence for users
        if _state["debug"]:
            traceback.print_exc()
        else:
            render.error(f"unexpected error: {type(error).__name__}: {error} (run with --debug for the traceback)")
        raise typer.Exit(EXIT_INTERNAL) from None


def debugging() -> bool:
    """Whether --debug was given: tracebacks of internal errors are then printed."""
    return _state["debug"]


def exit_status(reports: list, *, strict: bool = False) -> int:
    """The run's exit status from its files' reports (EXIT_CODES_HELP)."""
    rejected = [r for r in reports if r.status == "rejected"]
    if any(r.rejection is not None and r.rejection.code == "internal-error" for r in rejected):
        return EXIT_INTERNAL
    if rejected or (strict and any(r.quarantined for r in reports)):
        return EXIT_REJECTED
    return EXIT_OK


def org_option(book, org: str | None) -> str | None:
    """The org_id an --org option names (None when not given), or a usage error in words."""
    return book.require_org(org, option="--org") if org else None
