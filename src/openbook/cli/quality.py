"""`openbook quality`: how completely, promptly and cleanly each body publishes."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard, org_option


@app.command()
def quality(
    book: BookOption = DEFAULT_BOOK,
    org: Annotated[Optional[str], typer.Option("--org", help="Only this body (id or name), in detail.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Bodies to show, largest spend first (0 for all).")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Per body: months published and missing, datasets missing, days to load, quarantine share,
    classification coverage, and the share of its findings' £ that rests on rows with warnings."""
    from openbook.analyse.quality import quality as measure
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        org_id = org_option(opened, org)
        rows = measure(opened, org_id)
    if as_json:
        render.print_json(rows)
    elif org_id:
        _detail(rows[0])
    else:
        _table(rows, limit)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}" if value >= 0.01 or value == 0 else f"{value:.1%}"


def _table(rows: list[dict], limit: int) -> None:
    shown = rows[:limit] if limit else rows
    table = Table(title=f"Publication quality: {len(shown)} of {len(rows)} bodies, largest spend first",
                  title_justify="left")
    for column in ("Body", "Months", "Missing", "Behind", "No", "Days to load", "Quarantined", "Classified £",
                   "Findings £ on warned rows"):
        table.add_column(column, justify="left" if column in ("Body", "No") else "right", overflow="fold")
    for r in shown:
        table.add_row(r["name"][:40], f"{r['months_published']}/{r['months_expected']}", f"{len(r['missing_months'])}",
                      "–" if r["months_behind"] is None else f"{r['months_behind']}",
                      ", ".join(r["missing_datasets"]) or "–",
                      "–" if r["median_days_to_load"] is None else f"{r['median_days_to_load']:,.0f}",
                      _share(r["quarantine_share"]), _share(r["classified_share_gbp"]), _share(r["warned_share_gbp"]))
    render.console.print(table)
    render.console.print("Months: published / expected from the body's first to last month. Behind: months "
                         "behind the latest any body published. Days to load: median, file period end to loading "
                         "(an upper bound on the publisher's delay).", highlight=False)


def _detail(r: dict) -> None:
    missing = ", ".join(f"{m:%b %Y}" for m in r["missing_months"]) or "none"
    lines = [
        f"[bold]{r['name']}[/] ({r['org_id']})",
        f"Spend months: {r['months_published']} of {r['months_expected']} from "
        f"{r['first_month']:%b %Y} to {r['last_month']:%b %Y}; missing: {missing}" if r["first_month"] else
        "Spend months: none published",
        f"Months behind the latest in the book: {r['months_behind'] if r['months_behind'] is not None else '–'}",
        "Datasets held: " + (", ".join(f"{k} ({v:,} rows)" for k, v in r["datasets"].items()) or "none")
        + (f"; missing: {', '.join(r['missing_datasets'])}" if r["missing_datasets"] else ""),
        f"Files: {r['files']} ({r['nil_returns']} nil returns, {r['files_rejected']} rejected)",
        "Days from period end to load: " + ("–" if r["median_days_to_load"] is None else
                                            f"median {r['median_days_to_load']:,.0f}, longest {r['max_days_to_load']:,}"),
        f"Rows in the files it published: {r['rows_accepted']:,} accepted, {r['rows_quarantined']:,} quarantined "
        f"({_share(r['quarantine_share'])})",
        f"Classified: {render.gbp(r['gbp_classified'])} of {render.gbp(r['gbp_gross'])} gross "
        f"({_share(r['classified_share_gbp'])}); {r['lines_classified']:,} of {r['lines']:,} lines "
        f"({_share(r['classified_share_lines'])})",
        f"Findings: {r['findings']:,} worth {render.gbp(r['findings_gbp'])}; {r['findings_on_warned_rows']:,} "
        f"({render.gbp(r['findings_gbp_on_warned_rows'])}, {_share(r['warned_share_gbp'])} of the £) "
        "cite rows accepted with a warning",
    ]
    for line in lines:
        render.console.print(line, highlight=False)
