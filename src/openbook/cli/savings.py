"""`openbook savings`, `openbook plan` and `openbook blocks`: the consolidation scenario, its plan, its blocks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.cli.engines import EngineOption, LakeOption, SparkConfOption, engine_in_use
from openbook.errors import UsageError
from openbook.formatting import gbp_short, pounds

ScenarioOption = Annotated[Optional[Path], typer.Option(
    "--scenario", help="A scenario file (see scenarios/); default: the bottom-up scenario.")]
_TOP = 10


def _scenario(path: Path | None, reduction: str | None = None, years: int | None = None,
              bottom_up: bool | None = None):
    from openbook.analyse.savings import Scenario, load_scenario

    scenario = load_scenario(path) if path else Scenario()
    value = None
    if reduction is not None:
        try:
            value = Decimal(reduction)
        except InvalidOperation:
            raise UsageError(f"--reduction {reduction!r} is not a number (0.4 is 40%)") from None
    method = None if bottom_up is None else ("bottom-up" if bottom_up else "top-down")
    return scenario.changed(reduction=value, years=years, method=method)


@app.command()
def savings(
    book: BookOption = DEFAULT_BOOK,
    scenario: ScenarioOption = None,
    reduction: Annotated[Optional[str], typer.Option("--reduction", help="Target reduction, 0 to 1 "
                                                     "(default 0.4).")] = None,
    years: Annotated[Optional[int], typer.Option("--years", help="Years to phase it over (default 5).")] = None,
    bottom_up: Annotated[Optional[bool], typer.Option("--bottom-up/--top-down", help="Baseline from the book, "
                                                      "or the scenario's given figure.")] = None,
    engine: EngineOption = "duckdb",
    lake: LakeOption = None,
    spark_conf: SparkConfOption = None,
    as_json: JsonOption = False,
) -> None:
    """What consolidating duplicated administration saves, year by year, in frontline posts."""
    from openbook.analyse.savings import baseline_for, result_json, run, sensitivity
    from openbook.store import Book

    with guard():
        chosen = _scenario(scenario, reduction, years, bottom_up)
        if chosen.method == "top-down":
            baseline = baseline_for(None, chosen)
        else:
            with Book(book, read_only=True) as opened, engine_in_use(opened, engine, lake, spark_conf,
                                                                    quiet=as_json):
                baseline = baseline_for(opened, chosen)
        result = run(baseline, chosen)
        rows = sensitivity(baseline, chosen)
        if as_json:
            render.print_json(result_json(result, rows))
        else:
            _print_result(result, rows)


@app.command()
def plan(
    book: BookOption = DEFAULT_BOOK,
    scenario: ScenarioOption = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="The plan's start date, YYYY-MM-DD "
                                                 "(default today): contracts ending after it are phased.")] = None,
    csv: Annotated[Optional[Path], typer.Option("--csv", help="Write every body's move to this CSV.")] = None,
    xlsx: Annotated[Optional[Path], typer.Option("--xlsx", help="Write the plan to this Excel workbook.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The consolidation plan: which bodies move onto each shared block in which phase."""
    from openbook.analyse.savings.plan import consolidation_plan, write_csv, write_xlsx
    from openbook.store import Book

    with guard():
        chosen = _scenario(scenario)
        try:
            start = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise UsageError(f"--as-of {as_of!r} is not a date like 2025-04-01") from None
        with Book(book, read_only=True) as opened:
            plans, rows = consolidation_plan(opened, chosen, as_of=start)
        if csv:
            render.console.print(f"Wrote {len(rows):,} moves to [bold]{write_csv(rows, csv)}[/]")
        if xlsx:
            render.console.print(f"Wrote the plan to [bold]{write_xlsx(plans, rows, xlsx)}[/]")
        if as_json:
            render.print_json({"capabilities": [p.__dict__ for p in plans], "bodies": [r.__dict__ for r in rows]})
        elif not (csv or xlsx):
            _print_plan(plans, rows)


@app.command()
def blocks(book: BookOption = DEFAULT_BOOK, as_json: JsonOption = False) -> None:
    """The Lego blocks: each shared component, who runs their own system for it today, and what they pay."""
    from openbook.analyse.conformance import by_block
    from openbook.analyse.detectors.systems import blocks_today
    from openbook.store import Book

    with guard():
        if Path(book).exists():
            with Book(book, read_only=True) as opened:
                today, tested = blocks_today(opened), by_block(opened)
        else:
            today, tested = blocks_today(None), by_block(None)
        interfaces = {t["block"]: t for t in tested}
        rows = [{"capability": b["capability"], "label": b["label"], **b["block"],
                 "bodies_running_own": b["bodies"], "systems": b["systems"], "annual_cost_gbp": b["annual_cost_gbp"],
                 **_conformance(interfaces.get(b["capability"]))}
                for b in today]
        if as_json:
            render.print_json(rows)
            return
        counted = any(b["systems"] for b in today)
        table = Table(title="Lego blocks" + ("" if counted else f" (no book at {book}: no counts)"))
        for column in ("Capability", "Shared components", "Interface", "Bodies on own", "Systems",
                       "They pay a year", "Block running cost"):
            table.add_column(column, justify="right" if column in ("Bodies on own", "Systems", "They pay a year")
                             else "left")
        for row in rows:
            cost = row["running_cost"]
            model = (f"£{cost['fixed_gbp']:,} + £{cost['per_user_gbp']:,}/user"
                     + (f" + £{cost['per_transaction_gbp']}/txn" if cost["per_transaction_gbp"] else "")
                     + (" (assumed)" if cost.get("assumption") else ""))
            interface = row["api_contract"] or "none yet"
            if row["standard_interface"]:
                interface += f" · openbook conform: {row['standard_interface']}"
                if row["conforming"] or row["not_conforming"]:
                    interface += f" ({row['conforming']} conform, {row['not_conforming']} do not)"
            table.add_row(row["label"], ", ".join(row["uk_components"]) or "–", interface,
                          f"{row['bodies_running_own']:,}", f"{row['systems']:,}", render.gbp(row["annual_cost_gbp"]),
                          model)
        render.console.print(table)


def _conformance(tested: dict | None) -> dict:
    """A block's standard interface (when openbook can test systems against it) and who conforms."""
    if tested is None:
        return {"standard_interface": None, "conforming": 0, "not_conforming": 0}
    return {"standard_interface": f"{tested['interface']} v{tested['version']}",
            "conforming": len(tested["conforming"]), "not_conforming": len(tested["not_conforming"])}


def _short(value: Decimal) -> str:
    """£46.0bn, £12.3m or £950: for wide tables whose exact figures are in --json."""
    return gbp_short(value, thousands=False)


def _print_result(result, rows) -> None:
    from rich.panel import Panel

    console, gbp = render.console, pounds  # whole pounds; --json keeps every penny
    baseline = result.baseline
    head = [f"[bold]{result.scenario.name}[/] ({baseline.method}): baseline {gbp(baseline.total_gbp)} a year, "
            f"target {result.scenario.reduction:.0%} over {result.scenario.phasing.years} years "
            f"({result.scenario.phasing.profile}), discounted at {result.scenario.discount_rate:.1%}, "
            f"{gbp(result.cost_per_post_gbp)} a frontline post."]
    head += [f"• {note}" for note in baseline.notes]
    if result.scenario.notes:
        head.append(f"[yellow]{result.scenario.notes}[/]")
    console.print(Panel("\n".join(head), title="Savings scenario", expand=False))

    if not baseline.lines:
        console.print("[yellow]The book evidences no duplicated administrative cost yet:[/] it needs spend "
                      "classified to admin functions, systems or organograms (see the notes above).")
    table = Table(title="Year by year (£, to the pound; --json for pence)")
    for column in ("Year", "Achieved", "Gross saving", "Blocks' running", "Migration", "Redundancy",
                   "Dual running", "Net saving", "Cumulative NPV", "Posts"):
        table.add_column(column, justify="right")
    for y in result.years:
        table.add_row(str(y.year), f"{y.share_achieved:.0%}", gbp(y.gross_saving_gbp), gbp(y.running_cost_gbp),
                      gbp(y.migration_cost_gbp), gbp(y.redundancy_cost_gbp), gbp(y.dual_running_cost_gbp),
                      gbp(y.net_saving_gbp), gbp(y.cumulative_npv_gbp), f"{y.posts:,.0f}")
    console.print(table)
    rate = result.run_rate
    console.print(f"Once phased in: gross {gbp(rate.gross_saving_gbp)} − blocks {gbp(rate.running_cost_gbp)} = "
                  f"[bold]{gbp(rate.net_saving_gbp)} a year[/], [bold]{rate.posts:,.0f}[/] frontline posts; "
                  f"one-off costs {gbp(rate.one_off_gbp)}. NPV over {result.scenario.horizon} years "
                  f"[bold]{gbp(result.npv_gbp)}[/]; break-even "
                  + (f"in year {result.break_even_year}." if result.break_even_year else "not reached."))
    console.print("Posts if all spent on one role: " + "; ".join(
        f"{role} {posts:,.0f}" for role, posts in result.posts_by_role.items()))

    for title, groups in (("function", result.by_function), ("capability", result.by_capability),
                          ("body", result.by_body)):
        if not groups:
            continue
        table = Table(title=f"By {title} (once phased in; largest {min(_TOP, len(groups))} of {len(groups)})")
        for column in (title.capitalize(), "Baseline", "Gross saving", "Blocks' running", "Net saving", "One-off",
                       "Posts"):
            table.add_column(column, justify="left" if column == title.capitalize() else "right")
        for g in groups[:_TOP]:
            table.add_row(g.key, _short(g.baseline_gbp), _short(g.gross_saving_gbp), _short(g.running_cost_gbp),
                          _short(g.net_saving_gbp), _short(g.one_off_gbp), f"{g.posts:,.0f}")
        console.print(table)

    table = Table(title="Sensitivity: each input −20% and +20%, the rest held")
    for column in ("Input", "−20%", "+20%", "NPV −20%", "NPV +20%", "Net a year −20%", "Net a year +20%",
                   "Posts −20%", "Posts +20%", "Break-even −/+"):
        table.add_column(column, justify="left" if column == "Input" else "right")
    for r in rows:
        table.add_row(r.input, r.low, r.high, _short(r.npv_low_gbp), _short(r.npv_high_gbp), _short(r.net_low_gbp),
                      _short(r.net_high_gbp), f"{r.posts_low:,.0f}", f"{r.posts_high:,.0f}",
                      f"{r.break_even_low or '–'} / {r.break_even_high or '–'}")
    console.print(table)


def _print_plan(plans, rows) -> None:
    console, gbp = render.console, pounds  # whole pounds; --json keeps every penny
    if not plans:
        console.print("No capability is run by several bodies in this book's system table; nothing to consolidate.")
        return
    table = Table(title="Consolidation plan by capability")
    for column in ("Capability", "Bodies", "Moving", "Remaining", "Cost before", "Cost after", "Saving a year",
                   "Remaining duplication", "Migration"):
        table.add_column(column, justify="left" if column == "Capability" else "right")
    for p in plans:
        bodies = f"{p.bodies:,}" + (f" ({p.inferred:,} inferred)" if p.inferred else "")
        table.add_row(p.label, bodies, f"{p.moving:,}", f"{p.remaining:,}", gbp(p.cost_before_gbp),
                      gbp(p.cost_after_gbp), gbp(p.saving_gbp), gbp(p.remaining_duplication_gbp), gbp(p.migration_gbp))
    console.print(table)
    table = Table(title="Moves by phase")
    for column in ("Phase", "Capability", "Body", "Contract ends", "Cost before", "Cost after", "Saving"):
        table.add_column(column, justify="right" if column.startswith(("Cost", "Saving")) else "left")
    for r in sorted((r for r in rows if r.phase), key=lambda r: (r.phase, r.capability, r.org_id)):
        body = r.org_id if r.source == "declared" else f"{r.org_id} (inferred from spend)"
        table.add_row(str(r.phase), r.capability, body, str(r.contract_end or "–"), gbp(r.cost_before_gbp),
                      gbp(r.cost_after_gbp), gbp(r.saving_gbp))
    console.print(table)
    if any(r.source != "declared" for r in rows):
        console.print("Inferred systems come from payments to known products' suppliers and have no user count: "
                      "a mover's per-user charge on the block is unknown and shown as 0 (docs/systems-inference.md).")
