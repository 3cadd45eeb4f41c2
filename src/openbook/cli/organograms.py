"""`openbook organograms`: each organogram snapshot's size, layers and reporting problems."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard

OrgOption = Annotated[Optional[str], typer.Option("--org", help="Only this body (org id, or its name as written).")]


@app.command()
def organograms(book: BookOption = DEFAULT_BOOK, org: OrgOption = None, as_json: JsonOption = False) -> None:
    """List organogram snapshots: senior posts, junior FTE, layers, cycles and unreconciled posts."""
    from openbook.analyse.organogram_tree import book_snapshots
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        found = book_snapshots(opened, org)
        if as_json:
            render.print_json({"snapshots": [{**s.summary(), "issues": [asdict(i) for i in s.issues],
                                              "reconciliations": [asdict(r) for r in s.reconciliations]}
                                             for s in found]})
            return
        _table(found)


def _table(found: list) -> None:
    table = Table(title="Organogram snapshots", title_justify="left")
    numbers = ("Senior posts", "Junior FTE", "Layers", "In cycles", "Reports to unknown", "Unreconciled")
    for column in ("Body", "Org id", "As of", *numbers):
        table.add_column(column, justify="right" if column in numbers else "left")
    for snap in found:
        s = snap.summary()
        table.add_row(s["body_name"] or "", s["org_id"] or "–", s["as_of"].isoformat(), f"{s['senior_posts']:,}",
                      f"{s['junior_fte']:,.2f}", str(s["layers"]), str(s["posts_in_cycles"]),
                      str(s["reports_to_unknown"] + s["juniors_under_unknown"]), str(s["unreconciled"]))
    if not found:
        table.add_row("no organogram posts in the book", *[""] * (len(table.columns) - 1))
    render.console.print(table)
