"""`openbook totals add|list`: a body's own published totals, and how much of them the book holds.

A user enters a figure from a body's annual accounts once, with where it came from; `totals list`
then shows, per body and year, the book's total against it and against the files' own total rows.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.formatting import gbp

totals_app = typer.Typer(help="Bodies' published totals (annual accounts) and the book's coverage of them.",
                         no_args_is_help=True)
app.add_typer(totals_app, name="totals")


@totals_app.command("add")
def add(
    body: Annotated[str, typer.Argument(help="The body: its id, name or an alias.")],
    year: Annotated[str, typer.Argument(help="The financial year, e.g. 2024-25 (April 2024 to March 2025).")],
    amount: Annotated[str, typer.Argument(help="Its total spend that year in pounds, e.g. 1234567.89.")],
    source: Annotated[str, typer.Option("--source", help="Where the figure comes from: the accounts' address "
                                        "(https://…) or file.")],
    by: Annotated[Optional[str], typer.Option("--by", help="Who is entering it (default: your login name).")] = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Record a body's published total for a year (entering it again replaces it)."""
    from openbook.store import Book, published_totals

    with guard(), Book(book) as opened:
        org_id = opened.require_org(body)
        row = published_totals.add_total(opened, org_id, published_totals.financial_year(year),
                                         published_totals.amount(amount), source, by or _who())
    if as_json:
        render.print_json(row)
    else:
        render.console.print(f"Recorded {escape(org_id)} {row['period']}: {gbp(row['amount_gbp'])} "
                             f"from {escape(row['source'])}; `openbook totals list` shows the book's coverage.",
                             highlight=False, soft_wrap=True)


@totals_app.command("list")
def list_(
    org: Annotated[Optional[str], typer.Option("--org", help="One body (id, name or alias).")] = None,
    book: BookOption = DEFAULT_BOOK,
    as_json: JsonOption = False,
) -> None:
    """Per body and year: the book's total, and its share of the files' total rows and of the accounts."""
    from openbook.analyse.coverage import coverage
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        org_id = opened.require_org(org, option="--org") if org else None
        rows = coverage(opened, org_id)
    if as_json:
        render.print_json(rows)
        return
    table = Table(title=f"Coverage: the book against published totals ({len(rows):,} body-years)",
                  title_justify="left")
    for column in ("Body", "Year", "In the book", "Files' total rows", "Coverage", "Accounts", "Coverage"):
        table.add_column(column, justify="left" if column in ("Body", "Year") else "right", overflow="fold")
    for row in rows:
        table.add_row(escape(row["org_id"]), row["period"], gbp(row["book_gbp"]),
                      gbp(row["files_total_gbp"]) if row["files_total_gbp"] is not None else "–",
                      _pct(row["files_coverage"]),
                      gbp(row["accounts_gbp"]) if row["accounts_gbp"] is not None else "–", _pct(row["accounts_coverage"]))
    render.console.print(table)
    render.console.print("Files' total rows: the sum of the lines taken from files that state a total, against "
                         "those totals. Accounts: everything the book holds that year against the total entered "
                         "with `openbook totals add`; spending files leave out pay and small payments.",
                         highlight=False, soft_wrap=True)


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
