"""How `validate` shows which published column filled which field, and how sure the match is."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from openbook.cli.render import console


def column_matches(report) -> None:
    """One row per published column: the field it fills (or none), the score and how it matched."""
    if not report.columns:
        return
    table = Table(title=f"Columns of {Path(report.path).name}", title_justify="left")
    for name in ("#", "Column as published", "Field", "Score", "Matched"):
        table.add_column(name, justify="right" if name in ("#", "Score") else "left", overflow="fold")
    for entry in report.columns:
        score = "" if entry["score"] is None else f"{entry['score']:.2f}"
        table.add_row(str(entry["position"]), escape(entry["column"]) if entry["column"] else "(no name)", entry["field"] or "[yellow]not used[/]",
                      score, entry["how"] or "")
    console.print(table)
