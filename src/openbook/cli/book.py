"""`openbook init|ingest|validate|status|problems|export`: the book itself, what goes in and what comes out."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from openbook.cli import render
from openbook.cli.app import (BookOption, DEFAULT_BOOK, EXIT_CODES_HELP, JobsOption, JsonOption, app, debugging,
                              exit_status, guard)
from openbook.cli.columns_render import column_matches
from openbook.errors import UsageError
from openbook.ingest.paths import expand_paths


@app.command()
def init(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """Create an empty book with the standard's tables and the organisation registry."""
    from openbook.store import Book

    with guard(), Book(book) as opened:
        count = opened.query("SELECT count(*) FROM organisation")[0][0]
        if as_json:
            render.print_json({"book": str(book), "bodies": count})
            return
        render.console.print(f"Book ready at [bold]{book}[/] with {count:,} registered bodies.")


@app.command(epilog=EXIT_CODES_HELP)
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
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="The snapshot date (YYYY-MM-DD) of organograms "
                                                 "whose file name and columns do not say it; recorded with "
                                                 "each source.")] = None,
    columns: Annotated[Optional[list[str]], typer.Option("--columns", help="Which published column fills a field "
                                                         "the header synonyms miss, as amount_gbp=\"Value (£)\" "
                                                         "(repeat it); recorded with each source.")] = None,
    columns_file: Annotated[Optional[Path], typer.Option("--columns-file", help="The same as a TOML (field = "
                                                         "\"Column\") or CSV (field,column) file.")] = None,
    lake: Annotated[Optional[Path], typer.Option("--lake", help="Then write the book as a Parquet lake here "
                                                 "(as `export --parquet`), for Spark and other engines.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Load published files into the book; every row ends accepted, quarantined or structural."""
    from openbook.store import Book

    with guard():
        files = expand_paths(paths)
        from openbook.ingest.column_options import read_columns
        from openbook.ingest.money import read_rates

        rates = read_rates(fx)
        snapshot = _as_of(as_of)
        named = read_columns(columns, columns_file)
        with Book(book) as opened:
            reports = ingest_with_progress(opened, files, org=org, jobs=jobs, quiet=as_json, fx=rates,
                                           as_of=snapshot, columns=named)
            from openbook.analyse.classify import classify_book

            classified = classify_book(opened, new_rows=True)  # the new rows; `openbook classify` redoes all
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


@app.command(epilog=EXIT_CODES_HELP)
def validate(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns.")],
    org: Annotated[Optional[str], typer.Option("--org", help="The publishing body, as for ingest.")] = None,
    book: Annotated[Optional[Path], typer.Option("--book", "-b", help="Resolve bodies against this book.")] = None,
    columns: Annotated[Optional[list[str]], typer.Option("--columns", help="As for ingest: FIELD=\"Column\".")] = None,
    columns_file: Annotated[Optional[Path], typer.Option("--columns-file", help="As for ingest.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Check files against the standard without loading them; print every problem and each column's field."""
    from openbook.ingest import validate_file
    from openbook.store import Book

    with guard():
        from openbook.ingest.column_options import read_columns

        files = expand_paths(paths)
        named = read_columns(columns, columns_file) or None
        opened = Book(book, read_only=True) if book else None
        try:
            reports = [validate_file(path, org=org, book=opened, columns=named) for path in files]
        finally:
            if opened:
                opened.close()
        if as_json:
            render.print_json([render.report_json(r, include_problems=True) for r in reports])
        else:
            for report in reports:
                render.problems_of(report)
                _traceback_of(report)
                column_matches(report)
            render.reconciliation(reports)
        raise typer.Exit(exit_status(reports, strict=True))


@app.command()
def status(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """What the book holds: sources, rows, money, and quarantine by problem code."""
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
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

    with guard(), Book(book, read_only=True) as opened:
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
    as_json: JsonOption = False,
) -> None:
    """Export the whole book for other tools: Parquet, CSV, or a Frictionless Data Package."""
    from openbook.store import Book
    from openbook.store.export import export_book

    with guard():
        targets = {"parquet": parquet, "csv": csv, "datapackage": datapackage}
        chosen = {k: v for k, v in targets.items() if v is not None}
        if not chosen:
            raise UsageError("choose at least one of --parquet DIR, --csv DIR, --datapackage DIR")
        exported = []
        with Book(book, read_only=True) as opened:
            for fmt, folder in chosen.items():
                written = export_book(opened, folder, fmt)
                exported.append({"format": fmt, "folder": str(folder), "files": [str(p) for p in written]})
                if not as_json:
                    render.console.print(f"{fmt}: wrote {len(written)} files to [bold]{folder}[/]")
        if as_json:
            render.print_json(exported)



def _report(reports: list, as_json: bool, strict: bool) -> None:
    if as_json:
        render.print_json([render.report_json(r) for r in reports])
    else:
        for report in reports:
            if report.status == "rejected":
                render.error(report.rejection.render())
                _traceback_of(report)
        render.reconciliation(reports)
    raise typer.Exit(exit_status(reports, strict=strict))


def _traceback_of(report) -> None:
    """An internal error's traceback, with --debug only: the rejection itself says class and message."""
    if debugging() and getattr(report, "traceback", None):
        render.errors.print(report.traceback, markup=False, highlight=False)


def _as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--as-of {text!r} is not a date like 2024-03-31") from None


def ingest_with_progress(book, files: list[Path], *, org: str | None, jobs: int | None, quiet: bool,
                         fx: dict[str, str] | None = None, as_of: date | None = None,
                         columns: dict[str, str] | None = None) -> list:
    """Ingest files under one bar, each file's report shown as it is committed."""
    from openbook.ingest.parallel import ingest_paths

    reports = []
    with render.IngestProgress(len(files), quiet=quiet) as progress:
        for report in ingest_paths(book, files, org=org, jobs=jobs, fx=fx, as_of=as_of, columns=columns or None,
                                   progress=progress.advance,
                                   on_file=progress.start):
            reports.append(report)
            progress.finish(report)
    return reports
