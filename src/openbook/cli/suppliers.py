"""`openbook suppliers …`: resolve payee spellings into suppliers, look them up, and record
the decisions people make about them (which every later resolution keeps)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.cli.engines import SparkConfOption

suppliers_app = typer.Typer(help="Suppliers across bodies: resolve spellings, look up, confirm, split, merge.",
                            no_args_is_help=True)
app.add_typer(suppliers_app, name="suppliers")

EngineOption = Annotated[str, typer.Option("--engine", help="auto (rapidfuzz up to 5,000 name keys, Splink "
                                           "on DuckDB above), splink, rapidfuzz, or spark (Splink on Spark: "
                                           "needs openbook[spark] and Java).")]
ByOption = Annotated[Optional[str], typer.Option("--by", help="Who decides (default: $OPENBOOK_USER or login).")]
NoteOption = Annotated[Optional[str], typer.Option("--note", help="Why, for the audit trail.")]


@suppliers_app.command("resolve")
def resolve_command(book: BookOption = DEFAULT_BOOK, engine: EngineOption = "auto",
                    spark_conf: SparkConfOption = None, as_json: JsonOption = False) -> None:
    """Resolve every payee spelling into suppliers and set spend.supplier_id."""
    from openbook.store import Book
    from openbook.store.engine import parse_conf

    with guard(), Book(book) as opened:
        result = _resolve_with_progress(opened, engine, parse_conf(spark_conf) or None, quiet=as_json)
        _print_resolution(opened, result, as_json)


def _resolve_with_progress(book, engine: str, spark_conf: dict | None = None, *, quiet: bool):
    from openbook.analyse.suppliers import resolve

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=render.errors, disable=quiet, transient=True) as progress:
        task = progress.add_task("suppliers", total=1.0)

        def tick(stage: str, fraction: float) -> None:
            progress.update(task, description=stage, completed=fraction)

        return resolve(book, engine=engine, spark_conf=spark_conf, progress=tick)


def _print_resolution(book, result, as_json: bool) -> None:
    summary = result.summary()
    if as_json:
        render.print_json({**summary, "largest_merges": _largest(result)})
        return
    console = render.console
    console.print(f"Resolved [bold]{summary['names']:,}[/] spellings into [bold]{summary['suppliers']:,}[/] "
                  f"suppliers ({summary['merged_suppliers']:,} gather {summary['merged_names']:,} spellings) "
                  f"with {summary['engine']} in {sum(summary['seconds'].values()):.1f} s.")
    console.print("By method: " + ", ".join(f"{k} {v:,}" for k, v in summary["methods"].items()))
    if summary["pairs_proposed"]:
        refused = ", ".join(f"{k} {v:,}" for k, v in summary["pairs_refused"].items()) or "none"
        console.print(f"Similar pairs proposed {summary['pairs_proposed']:,}, joined {summary['pairs_accepted']:,}; "
                      f"refused: {refused}.")
    if summary["withheld_names"]:
        console.print(f"Left unresolved: {summary['withheld_names']:,} withheld spellings "
                      f"({summary['withheld_lines']:,} lines), e.g. REDACTED or personal data.")
    table = Table(title="Largest merges", show_lines=False)
    for column in ("supplier_id", "canonical_name", "names", "method", "spellings"):
        table.add_column(column)
    for row in _largest(result):
        table.add_row(row["supplier_id"], row["canonical_name"], str(row["names"]), row["match_method"],
                      " | ".join(row["aliases"][:4]) + (" …" if len(row["aliases"]) > 4 else ""))
    console.print(table)


def _largest(result, limit: int = 10) -> list[dict]:
    rows = sorted(result.suppliers, key=lambda r: (-r["names"], -r["lines"], r["supplier_id"]))[:limit]
    return [{k: r[k] for k in ("supplier_id", "canonical_name", "names", "lines", "match_method", "aliases")}
            for r in rows]


@suppliers_app.command("list")
def list_command(book: BookOption = DEFAULT_BOOK,
                 top: Annotated[int, typer.Option("--top", help="How many, largest spend first (0 for all).")] = 20,
                 as_json: JsonOption = False) -> None:
    """Suppliers by current spend, with how their spellings were tied together."""
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        rows = opened.suppliers(limit=top or None)
        if as_json:
            render.print_json(rows)
            return
        table = Table(title=f"Suppliers (top {len(rows):,})")
        for column in ("supplier_id", "name", "total", "lines", "bodies", "spellings", "method", "status"):
            table.add_column(column, justify="right" if column in ("total", "lines", "bodies", "spellings") else "left")
        for r in rows:
            table.add_row(r["supplier_id"], r["canonical_name"], render.gbp(r["total_gbp"]), f"{r['lines']:,}",
                          str(r["bodies"]), str(r["names"]), r["match_method"], r["status"])
        render.console.print(table)


@suppliers_app.command("match")
def match_command(name: Annotated[str, typer.Argument(help="A supplier name (or company number) to look up.")],
                  book: BookOption = DEFAULT_BOOK,
                  limit: Annotated[int, typer.Option("--limit", help="How many suppliers to show.")] = 10,
                  as_json: JsonOption = False) -> None:
    """The suppliers nearest to a name, with the spelling that matched and a 0-100 score."""
    from openbook.analyse.suppliers import match
    from openbook.store import Book

    with guard(), Book(book, read_only=True) as opened:
        rows = match(opened, name, limit=limit)
        if as_json:
            render.print_json(rows)
            return
        table = Table(title=f"Suppliers nearest to {name!r}")
        for column in ("score", "supplier_id", "name", "matched spelling"):
            table.add_column(column)
        for r in rows:
            table.add_row(f"{r['score']:.0f}", r["supplier_id"], r["canonical_name"], r["matched"])
        render.console.print(table)


def _decide(book, action: str, supplier_id: str, as_json: bool, **options) -> None:
    from openbook.analyse.suppliers import decide
    from openbook.store import Book

    with guard(), Book(book) as opened:
        decision = decide(opened, action, supplier_id, **options)
        result = _resolve_with_progress(opened, "auto", quiet=True)
        if as_json:
            render.print_json({"decision": decision, "resolution": result.summary()})
            return
        render.console.print(f"Recorded {decision['decision_id']} ({action} {supplier_id}"
                             f"{' + ' + decision['other_supplier_id'] if decision['other_supplier_id'] else ''}) "
                             f"by {decision['decided_by']}; it holds on every re-resolution.")
        names = set(decision["names"]) | set(decision["other_names"])
        for row in result.suppliers:
            if names & set(row["aliases"]):
                render.console.print(f"  {row['supplier_id']}: {row['canonical_name']} "
                                     f"[{row['status']}] ← {' | '.join(row['aliases'])}")


@suppliers_app.command("confirm")
def confirm_command(supplier_id: str, book: BookOption = DEFAULT_BOOK, by: ByOption = None,
                    note: NoteOption = None, as_json: JsonOption = False) -> None:
    """Confirm that a supplier's spellings are one supplier; re-runs keep them together."""
    _decide(book, "confirm", supplier_id, as_json, by=by, note=note)


@suppliers_app.command("split")
def split_command(supplier_id: str,
                  name: Annotated[list[str], typer.Option("--name", help="A spelling to split off (repeatable).")],
                  book: BookOption = DEFAULT_BOOK, by: ByOption = None, note: NoteOption = None,
                  as_json: JsonOption = False) -> None:
    """Split spellings off a supplier into one of their own; re-runs keep them apart."""
    _decide(book, "split", supplier_id, as_json, split_names=name, by=by, note=note)


@suppliers_app.command("merge")
def merge_command(supplier_id: str, other: str, book: BookOption = DEFAULT_BOOK, by: ByOption = None,
                  note: NoteOption = None, as_json: JsonOption = False) -> None:
    """Merge two suppliers into one; re-runs keep them together."""
    _decide(book, "merge", supplier_id, as_json, other=other, by=by, note=note)
