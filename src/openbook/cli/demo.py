"""`openbook synth` and `openbook demo`: the fictional sector's files, and the book built from them."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer

from openbook.cli import render
from openbook.cli.app import JsonOption, app, guard
from openbook.cli.book import ingest_with_progress
from openbook.errors import UsageError


@app.command()
def synth(
    out: Annotated[Path, typer.Argument(help="Folder to write the fictional sector into.")],
    rows: Annotated[int, typer.Option("--rows", help="Payment lines to generate.")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same bytes.")] = 42,
    datasets: Annotated[str, typer.Option("--datasets", help="Comma-separated datasets to write: spend, organogram, "
                                          "contracts, systems, processes, cost_registers, grants.")] = "all",
    as_json: JsonOption = False,
) -> None:
    """Generate a realistic fictional public sector's messy files (spend and the rest of its
    open book), with the truth beside them."""
    from openbook.synth import DATASETS, generate

    with guard():
        chosen = DATASETS if datasets == "all" else tuple(d.strip() for d in datasets.split(",") if d.strip())
        unknown = [d for d in chosen if d not in DATASETS]
        if unknown or not chosen:
            raise UsageError(f"unknown dataset {unknown[0]!r} in --datasets; choose from {', '.join(DATASETS)}"
                             if unknown else "--datasets names no dataset")
        result = generate(out, seed=seed, rows=rows, datasets=chosen)
        if as_json:
            render.print_json({"folder": str(out), "files": result.files, "rows": result.rows,
                               "other_files": result.other_files, "seed": seed, "datasets": list(chosen)})
            return
        render.console.print(f"Wrote {result.files:,} files with {result.rows:,} payment lines"
                             f" and {result.other_files:,} other files to [bold]{out}[/].")


@app.command()
def demo(
    dir: Annotated[Path, typer.Option("--dir", help="Folder for the demo files and book.")] = Path("demo"),
    rows: Annotated[int, typer.Option("--rows", help="Payment lines to generate.")] = 200_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 42,
    as_json: JsonOption = False,
) -> None:
    """Generate the demo sector, ingest it, and show where the money goes."""
    from openbook import demo as sector
    from openbook.analyse.spending import book_totals, top_by
    from openbook.store import Book

    with guard():
        if not sector.is_generated(dir) and not as_json:
            render.console.print(f"Generating a fictional sector ({rows:,} payment lines, seed {seed}) …")
        with ExitStack() as stack:
            spinner: list[render.StepProgress] = []

            def ingest(book, files: list[Path]) -> list:
                reports = ingest_with_progress(book, files, org=None, jobs=None, quiet=as_json)
                if not as_json:
                    render.reconciliation(reports, limit=15)
                return reports

            def step(name: str) -> None:
                if not spinner:  # the analysis steps follow the ingest bar and its reconciliation
                    spinner.append(stack.enter_context(render.StepProgress(quiet=as_json)))
                spinner[0].step(name)

            built = sector.build(dir, rows=rows, seed=seed, ingest=ingest, step=step)
        if as_json:
            with Book(built.path, read_only=True) as opened:
                render.print_json({"book": str(built.path), "loaded": bool(built.loaded), "totals": book_totals(opened),
                                   "findings": opened.findings(limit=10), "alerts": built.alerts, "email": built.email})
            return
        if not built.loaded:
            render.console.print(f"The book at {built.path} already holds every demo file, "
                                 f"analysed; nothing to load (delete {dir} to build it again).")
        with Book(built.path, read_only=True) as opened:
            render.where_money_goes(book_totals(opened), {d: top_by(opened, d) for d in
                                                          ("org_id", "supplier_name", "expense_type")})
            render.findings_table(opened.findings(limit=10))
        if built.alerts is not None:
            where = f"; {sector.READER}'s email is {built.email}" if built.email else ""
            render.console.print(f"\n{built.alerts} alert{'s' if built.alerts != 1 else ''} "
                                 f"(`openbook alerts list`){where}.", highlight=False)
        render.console.print(f"\nThe book is at [bold]{built.path}[/]; try "
                             f"`openbook status --book {built.path}`.")
