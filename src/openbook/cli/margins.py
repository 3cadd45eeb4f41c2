"""`openbook margins`: open-book checks on suppliers' cost registers (margin, overheads, labour rates)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard

_Number = Optional[float]


@app.command()
def margins(
    book: BookOption = DEFAULT_BOOK,
    overhead_norm: Annotated[_Number, typer.Option("--overhead-norm", help="Overheads as % of direct costs "
                                                   "taken as normal (default 15).")] = None,
    margin_tolerance: Annotated[_Number, typer.Option("--margin-tolerance", help="Points a margin may exceed "
                                                      "the agreed one unflagged (default 0).")] = None,
    on_cost: Annotated[_Number, typer.Option("--on-cost", help="Employer on-costs as % of pay (default 40).")] = None,
    working_days: Annotated[_Number, typer.Option("--working-days", help="Working days a year (default 225).")] = None,
    rate_tolerance: Annotated[_Number, typer.Option("--rate-tolerance", help="% a labour rate may exceed the "
                                                    "in-house cost unflagged (default 0).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Check suppliers' open-book cost registers: margin against agreed, overheads, labour rates against pay."""
    from openbook.analyse.detectors.margins import MarginSettings, check_margins
    from openbook.store import Book

    with guard():
        settings = MarginSettings.from_env(overhead_norm_pct=overhead_norm, margin_tolerance_pp=margin_tolerance,
                                           pay_on_cost_pct=on_cost, working_days=working_days,
                                           labour_rate_tolerance_pct=rate_tolerance)
        with Book(book) as opened:
            report = check_margins(opened, settings)
        findings = sorted(report.findings, key=lambda f: (-f.gbp_at_stake, f.finding_id))
        if as_json:
            render.print_json({
                "registers": report.registers, "settings": asdict(settings), "notes": report.notes,
                "gbp_at_stake": sum((f.gbp_at_stake for f in findings), Decimal(0)),
                "findings": [{**f.as_record(None), "computed_at": None} for f in findings]})
            return
        _print(report, findings)


def _print(report, findings) -> None:
    table = Table(title=f"Open-book exceptions: {len(findings):,} in {report.registers:,} register periods",
                  title_justify="left")
    for column in ("Kind", "Body", "£ at stake", "Finding", "Formula"):
        table.add_column(column, justify="right" if column == "£ at stake" else "left", overflow="fold")
    for finding in findings:
        table.add_row(finding.kind, ", ".join(finding.org_ids), render.gbp(finding.gbp_at_stake), finding.title,
                      finding.formula)
    render.console.print(table)
    total = sum((f.gbp_at_stake for f in findings), Decimal(0))
    render.console.print(f"Total at stake: [bold]{render.gbp(total)}[/]; stored as findings of detector 'margins'.")
    for note in report.notes:
        render.console.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
