"""`openbook duplicates`: find duplicate payments within each body, save them, show the largest."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Optional

import typer
from rich.table import Table

from openbook.cli import render
from openbook.cli.app import BookOption, DEFAULT_BOOK, JsonOption, app, guard
from openbook.cli.engines import EngineOption, LakeOption, SparkConfOption, engine_in_use
from openbook.errors import UsageError


@app.command()
def duplicates(
    book: BookOption = DEFAULT_BOOK,
    org: Annotated[Optional[str], typer.Option("--org", help="Show only this body's findings (org id or "
                                               "name); every body is scanned and saved.")] = None,
    window_days: Annotated[int, typer.Option("--window-days", min=0, help="Most days between two payments of "
                                             "one amount to one supplier for a near duplicate.")] = 14,
    min_amount: Annotated[str, typer.Option("--min-amount", help="Smallest payment considered, in pounds.")] = "0.01",
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many findings (0 for all).")] = 20,
    engine: EngineOption = "duckdb",
    lake: LakeOption = None,
    spark_conf: SparkConfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the same invoice paid twice within a body (exact, re-keyed reference, other supplier
    spelling), net of cancelling credit notes; save the findings and list the largest by £."""
    from openbook.analyse.findings import save_findings
    from openbook.analyse.detectors.payments import DETECTOR, DuplicateSettings, find_duplicate_payments
    from openbook.store import Book

    with guard():
        try:
            minimum = Decimal(min_amount)
        except InvalidOperation:
            raise UsageError(f"--min-amount must be an amount in pounds, got {min_amount!r}") from None
        settings = DuplicateSettings(window_days=window_days, min_amount=minimum)
        with Book(book) as opened:
            org_id = None
            if org:
                org_id = opened.resolve_org(org)
                if org_id is None:
                    raise UsageError(f"no body called {org!r} in the book; see `openbook status`")
            with engine_in_use(opened, engine, lake, spark_conf, quiet=as_json):
                scan = find_duplicate_payments(opened, settings)
            save_findings(opened, DETECTOR, scan.findings)
            files = dict(opened.query("SELECT sha256, file_name FROM source"))
        shown = [f for f in scan.findings if org_id is None or org_id in f.org_ids]
        total = sum((f.gbp_at_stake for f in shown), Decimal(0))
        top = shown[:limit] if limit else shown
        if as_json:
            render.print_json({
                "findings": len(shown), "gbp_at_stake": total, "partial": len(top) < len(shown),
                "settings": {"window_days": window_days, "min_amount": minimum},
                "candidate_pairs": scan.candidates, "set_aside": scan.set_aside,
                "top": [{"finding_id": f.finding_id, **_finding_json(f, files)} for f in top]})
            return
        _table(top, files)
        more = f" (showing {len(top):,})" if len(top) < len(shown) else ""
        render.console.print(f"{len(shown):,} duplicate payments{more}, {render.gbp(total)} at stake; "
                             f"saved as findings of detector '{DETECTOR}'.")
        if scan.set_aside:
            render.console.print("Set aside: " + "; ".join(f"{why}: {n:,}" for why, n in sorted(scan.set_aside.items())),
                                 highlight=False)


def _finding_json(finding, files: dict) -> dict:
    return {"title": finding.title, "org_ids": list(finding.org_ids), "gbp_at_stake": finding.gbp_at_stake,
            "formula": finding.formula, "confidence": finding.confidence, "rule": finding.key,
            "explanation": finding.description.splitlines(),
            "evidence": [{"file": files.get(sha, sha), "source_sha256": sha, "line": line}
                         for sha, line in finding.evidence]}


def _table(findings: list, files: dict) -> None:
    table = Table(title="Duplicate payments, largest first", show_lines=True)
    for name, justify in (("£ at stake", "right"), ("Body", "left"), ("Rule", "left"), ("Conf.", "right"),
                          ("Rows (file:line)", "left"), ("Why", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for f in findings:
        rows = "\n".join(f"{files.get(sha, sha[:12])}:{line}" for sha, line in f.evidence)
        table.add_row(render.gbp(f.gbp_at_stake), ", ".join(f.org_ids), f.key, f"{f.confidence:.2f}", rows,
                      f"{f.title}\n{f.formula}\n{f.description}")
    render.console.print(table)
