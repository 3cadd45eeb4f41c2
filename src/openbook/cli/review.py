"""`openbook review` and `openbook precision`: people's verdicts on findings, and what they say of
each detector."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.errors import UsageError


@app.command()
def review(
    finding_id: Annotated[Optional[str], typer.Argument(help="The finding (see `openbook findings`).")] = None,
    outcome: Annotated[Optional[str], typer.Argument(help="confirmed, explained or false.")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Who is reviewing.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Why, in a sentence.")] = None,
    export: Annotated[Optional[Path], typer.Option("--export", help="Write every verdict to this CSV file.")] = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Record a verdict on a finding (history kept), show a finding's verdicts, or export them all."""
    from openbook.analyse.review import export_reviews, history
    from openbook.analyse.review import review as record
    from openbook.store import Book

    with guard():
        if export is not None:
            if finding_id or outcome:
                raise UsageError("--export writes every verdict; give it without a finding")
            with Book(book, read_only=True) as opened:
                count = export_reviews(opened, export)
            render.console.print(f"Wrote {count:,} verdicts to [bold]{export}[/].")
            return
        if not finding_id:
            raise UsageError("name a finding: openbook review FINDING_ID confirmed|explained|false --by NAME")
        if outcome is None:
            with Book(book, read_only=True) as opened:
                rows = history(opened, finding_id)
        else:
            with Book(book) as opened:
                record(opened, finding_id, outcome, by or "", note)
                rows = history(opened, finding_id)
        render.print_json(rows) if as_json else _history(finding_id, rows)


@app.command()
def precision(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """Each detector's precision on reviewed findings: confirmed / (confirmed + false)."""
    from openbook.analyse.review import precision as measure
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        rows = measure(opened)
    if as_json:
        render.print_json(rows)
        return
    table = Table(title="Precision on reviewed findings (each finding's latest verdict)", title_justify="left")
    for column in ("Detector", "Findings", "Reviewed", "Confirmed", "False", "Explained", "Precision"):
        table.add_column(column, justify="left" if column == "Detector" else "right")
    for r in rows:
        judged = r["confirmed"] + r["false"]
        shown = f"{r['precision']:.0%} of {judged}" if r["precision"] is not None else "–"
        table.add_row(r["detector"], f"{r['findings']:,}", f"{r['reviewed']:,}", f"{r['confirmed']:,}",
                      f"{r['false']:,}", f"{r['explained']:,}", shown)
    render.console.print(table)
    render.console.print("Explained findings (real money, good reason) count in neither part of precision.")


def _history(finding_id: str, rows: list[dict]) -> None:
    if not rows:
        render.console.print(f"No verdicts on {finding_id} yet.")
        return
    render.console.print(f"[bold]{rows[-1]['title'] or finding_id}[/]", highlight=False)
    table = Table(title=f"Verdicts on {finding_id}", title_justify="left")
    for column in ("When (UTC)", "Verdict", "By", "Note", "Stands"):
        table.add_column(column)
    for r in rows:
        table.add_row(f"{r['reviewed_at']:%Y-%m-%d %H:%M}", r["outcome"], r["reviewed_by"], r["note"] or "",
                      "yes" if r["latest"] else "")
    render.console.print(table)
