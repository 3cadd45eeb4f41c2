"""openbook: the verbs users type. Thin: parse arguments, call the library, render with Rich."""

from __future__ import annotations

import glob
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
def _guard() -> Iterator[None]:
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


@app.command()
def init(book: BookOption = DEFAULT_BOOK) -> None:
    """Create an empty book with the standard's tables and the organisation registry."""
    from openbook.store import Book

    with _guard(), Book(book) as opened:
        count = opened.query("SELECT count(*) FROM organisation")[0][0]
        render.console.print(f"Book ready at [bold]{book}[/] with {count:,} registered bodies.")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns.")],
    book: BookOption = DEFAULT_BOOK,
    org: Annotated[Optional[str], typer.Option("--org", help="The publishing body (org id or name) "
                                               "for files without a body column.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 if any row was quarantined.")] = False,
    jobs: JobsOption = None,
    fx: Annotated[Optional[list[str]], typer.Option("--fx", help="Pounds per unit of a currency for contracts "
                                                     "and grants in it, as EUR=0.86 (repeat it), or a file of "
                                                     "such lines; recorded with each source.")] = None,
    lake: Annotated[Optional[Path], typer.Option("--lake", help="Then write the book as a Parquet lake here "
                                                 "(as `export --parquet`), for Spark and other engines.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Load published files into the book; every row ends accepted, quarantined or structural."""
    from openbook.store import Book

    with _guard():
        files = expand_paths(paths)
        from openbook.ingest.money import read_rates

        rates = read_rates(fx)
        with Book(book) as opened:
            reports = _ingest_with_progress(opened, files, org=org, jobs=jobs, quiet=as_json, fx=rates)
            from openbook.analyse.classify import classify_book

            classified = classify_book(opened)  # re-computable; `openbook classify` shows the detail
            if lake:
                from openbook.store.export import write_lake

                written = write_lake(opened, lake)
        if not as_json:
            render.classified_line(classified)
            if lake:
                render.console.print(f"Lake: {written.rows['spend']:,} spend lines "
                                     f"({render.gbp(written.spend_gbp)}) in {len(written.files['spend']):,} "
                                     f"Parquet files under [bold]{lake}[/].")
        _report(reports, as_json, strict)


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns.")],
    org: Annotated[Optional[str], typer.Option("--org", help="The publishing body, as for ingest.")] = None,
    book: Annotated[Optional[Path], typer.Option("--book", "-b", help="Resolve bodies against this book.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Check files against the standard without loading them; print every problem."""
    from openbook.ingest import validate_file
    from openbook.store import Book

    with _guard():
        files = expand_paths(paths)
        opened = Book(book, read_only=True) if book else None
        try:
            reports = [validate_file(path, org=org, book=opened) for path in files]
        finally:
            if opened:
                opened.close()
        if as_json:
            render.print_json([render.report_json(r, include_problems=True) for r in reports])
        else:
            for report in reports:
                render.problems_of(report)
            render.reconciliation(reports)
        rejected = any(r.status == "rejected" or r.quarantined for r in reports)
        raise typer.Exit(1 if rejected else 0)


@app.command()
def status(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """What the book holds: sources, rows, money, and quarantine by problem code."""
    from openbook.store import Book

    with _guard(), Book(book, read_only=True) as opened:
        summary = opened.status()
        render.print_json(summary) if as_json else render.status(summary)


@app.command()
def problems(
    book: BookOption = DEFAULT_BOOK,
    file: Annotated[Optional[str], typer.Option("--file", help="Only this file (name, path or SHA-256 prefix).")] = None,
    code: Annotated[Optional[str], typer.Option("--code", help="Only this problem code.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include warnings and structural rows.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many (0 for all).")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List quarantined rows with file, line, column, code and the raw value."""
    from openbook.store import Book

    with _guard(), Book(book, read_only=True) as opened:
        rows, total = opened.problems(file=file, code=code, everything=all_, limit=limit or None)
        if as_json:
            render.print_json({"total": total, "partial": len(rows) < total, "problems": rows})
        else:
            render.problem_rows(rows, total, file)


@app.command()
def export(
    book: BookOption = DEFAULT_BOOK,
    parquet: Annotated[Optional[Path], typer.Option("--parquet", help="Write every table as Parquet here: a lake "
                                                    "with spend partitioned by body and year, and datapackage.json.")] = None,
    csv: Annotated[Optional[Path], typer.Option("--csv", help="Write every table as CSV here.")] = None,
    datapackage: Annotated[Optional[Path], typer.Option("--datapackage", help="Write a Frictionless Data "
                                                         "Package (CSV + datapackage.json) here.")] = None,
) -> None:
    """Export the whole book for other tools: Parquet, CSV, or a Frictionless Data Package."""
    from openbook.store import Book
    from openbook.store.export import export_book

    with _guard():
        targets = {"parquet": parquet, "csv": csv, "datapackage": datapackage}
        chosen = {k: v for k, v in targets.items() if v is not None}
        if not chosen:
            raise UsageError("choose at least one of --parquet DIR, --csv DIR, --datapackage DIR")
        with Book(book, read_only=True) as opened:
            for fmt, folder in chosen.items():
                written = export_book(opened, folder, fmt)
                render.console.print(f"{fmt}: wrote {len(written)} files to [bold]{folder}[/]")


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="Folder to write the fictional sector into.")],
    rows: Annotated[int, typer.Option("--rows", help="Payment lines to generate.")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bytes.")] = 42,
    datasets: Annotated[str, typer.Option("--datasets", help="Comma-separated datasets to write: spend, organogram, "
                                          "contracts, systems, processes, cost_registers, grants.")] = "all",
) -> None:
    """Generate a realistic fictional public sector's messy files (spend and the rest of its
    open book), with the truth beside them."""
    from openbook.synth import DATASETS, generate

    with _guard():
        chosen = DATASETS if datasets == "all" else tuple(d.strip() for d in datasets.split(",") if d.strip())
        unknown = [d for d in chosen if d not in DATASETS]
        if unknown or not chosen:
            raise UsageError(f"unknown dataset {unknown[0]!r} in --datasets; choose from {', '.join(DATASETS)}"
                             if unknown else "--datasets names no dataset")
        result = generate(out, seed=seed, rows=rows, datasets=chosen)
        render.console.print(f"Wrote {result.files:,} files with {result.rows:,} payment lines"
                             f" and {result.other_files:,} other files to [bold]{out}[/].")


@app.command()
def demo(
    dir: Annotated[Path, typer.Option("--dir", help="Folder for the demo files and book.")] = Path("demo"),
    rows: Annotated[int, typer.Option("--rows", help="Payment lines to generate.")] = 200_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 42,
) -> None:
    """Generate the demo sector, ingest it, and show where the money goes."""
    from openbook.analyse.spending import book_totals, top_by
    from openbook.store import Book
    from openbook.synth import generate

    with _guard():
        data = dir / "data"
        if not (data / "organisations.csv").exists():
            render.console.print(f"Generating a fictional sector ({rows:,} payment lines, seed {seed}) …")
            generate(data, seed=seed, rows=rows)
        # Every dataset the generator writes (spend, organograms, contracts, systems, processes,
        # cost registers, grants); the truth files stay out of the book.
        files = expand_paths([str(data / "organisations.csv")] + [str(p) for p in sorted(data.iterdir())
                                                                  if p.is_dir() and p.name != "truth"])
        with Book(dir / "openbook.duckdb") as opened:
            alerted = None
            if _demo_loaded(opened, files):
                render.console.print(f"The book at {dir / 'openbook.duckdb'} already holds every demo file, "
                                     f"analysed; nothing to load (delete {dir} to build it again).")
            else:
                reports = _ingest_with_progress(opened, files, org=None, jobs=None, quiet=False)
                render.reconciliation(reports, limit=15)
                from openbook.analyse.classify import classify_book
                from openbook.analyse.detectors import run
                from openbook.analyse.suppliers import resolve

                with render.StepProgress() as progress:
                    progress.step("classifying functions")
                    classify_book(opened)
                    progress.step("resolving suppliers")
                    resolve(opened)
                    run(opened, progress=progress.step)
                    progress.step("alerts")
                    from openbook.cli.alerts import demo_alerts

                    alerted = demo_alerts(opened, dir / "outbox")
            render.where_money_goes(book_totals(opened), {d: top_by(opened, d) for d in
                                                          ("org_id", "supplier_name", "expense_type")})
            render.findings_table(opened.findings(limit=10))
            if alerted:
                render.console.print(alerted, highlight=False)
        render.console.print(f"\nThe book is at [bold]{dir / 'openbook.duckdb'}[/]; try "
                             f"`openbook status --book {dir / 'openbook.duckdb'}`.")


def _demo_loaded(book, files: list[str]) -> bool:
    """Every demo file's bytes are already recorded in the book and the detectors have run (their step is
    last). By content, not path: the generator writes some files twice over (nil returns), kept once."""
    import hashlib

    con = book.ibis()
    if con.table("finding").count().to_pyarrow().as_py() == 0:
        return False
    recorded = set(con.table("source").sha256.to_pyarrow().to_pylist())
    for name in files:
        with open(name, "rb") as fh:
            if hashlib.file_digest(fh, "sha256").hexdigest() not in recorded:
                return False
    return True


@app.command()
def plugins(as_json: JsonOption = False) -> None:
    """List the registered importers, built-in and installed, with the problem codes they emit."""
    from openbook.plugins import importers

    with _guard():
        rows = [{"name": i.name, "title": i.title, "dataset": i.dataset, "module": i.__module__,
                 "problems": list(i.problems)} for i in importers()]
        render.print_json(rows) if as_json else render.importer_table(rows)


def org_option(book, org: str | None) -> str | None:
    """The org_id an --org option names (None when not given), or a usage error in words."""
    if not org:
        return None
    org_id = book.resolve_org(org)
    if org_id is None:
        raise UsageError(f"--org {org!r} is not a body in the book")
    return org_id


def _ingest_with_progress(book, files: list[Path], *, org: str | None, jobs: int | None, quiet: bool,
                          fx: dict[str, str] | None = None) -> list:
    from openbook.ingest.parallel import ingest_paths

    reports = []
    with render.IngestProgress(len(files), quiet=quiet) as progress:
        for report in ingest_paths(book, files, org=org, jobs=jobs, fx=fx, progress=progress.advance,
                                   on_file=progress.start):
            reports.append(report)
            progress.finish(report)
    return reports


def expand_paths(patterns: list[str]) -> list[Path]:
    """Files from files, folders (recursively) and globs; organisation files first."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in _SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(pattern, recursive=True))
            if not matches:
                raise UsageError(f"no file matches {pattern!r}")
            found.extend(m for m in matches if m.is_file())
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda p: (not p.name.lower().startswith("organisation"), str(p)))


_SUFFIXES = {".csv", ".xlsx", ".xls", ".txt", ".tsv"}


def _report(reports: list, as_json: bool, strict: bool) -> None:
    if as_json:
        render.print_json([render.report_json(r) for r in reports])
    else:
        for report in reports:
            if report.status == "rejected":
                render.error(report.rejection.render())
        render.reconciliation(reports)
    rejected = any(r.status == "rejected" for r in reports)
    quarantined = any(r.quarantined for r in reports)
    raise typer.Exit(1 if rejected or (strict and quarantined) else 0)


def main() -> None:
    app()


__all__ = ["app", "main", "expand_paths", "org_option"]

from openbook.cli import analyse as _analyse  # noqa: E402,F401  (registers analyse, findings)
from openbook.cli import serve as _serve  # noqa: E402,F401  (registers serve)
from openbook.cli import tokens as _tokens  # noqa: E402,F401  (registers token create|list|revoke)
from openbook.cli import organograms as _organograms  # noqa: E402,F401
from openbook.cli import classify as _classify  # noqa: E402,F401
from openbook.cli import margins as _margins, templates as _templates  # noqa: E402,F401
from openbook.cli import payments as _payments  # noqa: E402,F401
from openbook.cli import suppliers as _suppliers  # noqa: E402,F401
from openbook.cli import savings as _savings  # noqa: E402,F401  (registers savings, plan, blocks)
from openbook.cli import measures as _measures  # noqa: E402,F401  (registers measures, peers, index)
from openbook.cli import alerts as _alerts, quality as _quality, review as _review  # noqa: E402,F401
