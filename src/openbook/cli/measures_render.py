"""Rich tables and JSON for measures and the value index. No logic lives here beyond choosing rows to show."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table

from openbook.analyse.measures.payload import basis_text as _basis
from openbook.analyse.measures.payload import comparator_text as _comparator
from openbook.analyse.measures.payload import shown_rows as _shown
from openbook.cli import render
from openbook.formatting import pct

_TOP = 5


def print_measures(results, org_id: str | None, period: str | None) -> None:
    q = f"{results.settings.target_centile:.0%}"
    render.console.print(f"Comparators: {_comparator(results)} (at least {results.settings.min_peers} to rank); "
                         f"savings priced to the comparators' {q} centile.", highlight=False)
    shown = _shown(results, org_id, period)
    if org_id is not None:
        _body_table(results, shown, org_id)
    elif len(results.measures) == 1:
        _measure_table(results, shown)
    else:
        _summary_table(results, shown)
    if not any(r["percentile"] is not None for r in shown):
        render.console.print(f"[yellow]No body has {results.settings.min_peers} comparators here; try --peers sector, "
                             f"--peers neighbours or a saved group.[/]", highlight=False)
    _savings(results, org_id)
    for note in results.notes:
        render.console.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)


def _figure(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.2f}"


def _summary_table(results, shown: list[dict]) -> None:
    table = Table(title="Measures: each body against its comparators", title_justify="left")
    for column in ("Measure", "Year", "Basis", "Ranked", "Median", "Lowest", "Highest", "Saving counted"):
        table.add_column(column, justify="right" if column in ("Ranked", "Median", "Saving counted") else "left",
                         overflow="fold")
    for measure_id, measure in results.measures.items():
        rows = sorted((r for r in shown if r["measure_id"] == measure_id and r["percentile"] is not None),
                      key=lambda r: (r["value"], r["org_id"]))
        if not rows:
            table.add_row(measure.title, "–", _basis(results, measure), "0", "–", "–", "–", "–")
            continue
        values = [r["value"] for r in rows]
        from openbook.analyse.measures.ranks import centile

        saving = sum((r["saving_gbp"] for r in rows if r["saving_counted"]), Decimal(0))
        table.add_row(f"{measure.title} ({measure.unit})", rows[0]["period"], _basis(results, measure), f"{len(rows)}",
                      _figure(centile(values, 0.5)), f"{rows[0]['name']} {_figure(rows[0]['value'])}",
                      f"{rows[-1]['name']} {_figure(rows[-1]['value'])}",
                      render.gbp(saving) if measure.priced else "not priced")
    render.console.print(table)


def _measure_table(results, shown: list[dict]) -> None:
    measure = next(iter(results.measures.values()))
    rows = sorted(shown, key=lambda r: (r["percentile"] is None, r["value"], r["org_id"]))
    year = rows[0]["period"] if rows else "–"
    table = Table(title=f"{measure.title} ({measure.unit}), {year}; basis: {_basis(results, measure)}",
                  title_justify="left")
    for column in ("Body", "Kind", "Value", "Peers", "Percentile", "Rank (95% interval)", "Limits", "Target",
                   "Saving", "Note"):
        table.add_column(column, justify="left" if column in ("Body", "Kind", "Note", "Limits") else "right",
                         overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["kind"], _figure(row["value"]), f"{row['peers']}", _pct(row["percentile"]),
                      _rank(row), row.get("limits") or "–", _figure(row["target_value"]), _saving(row), row["note"])
    render.console.print(table)
    better = "neither direction is better" if measure.direction == "none" else f"{measure.direction} is better"
    render.console.print(f"Direction: {better}. Why it matters: {measure.why_it_matters}",
                         highlight=False, soft_wrap=True)


def _body_table(results, shown: list[dict], org_id: str) -> None:
    name = shown[0]["name"] if shown else "this body"
    table = Table(title=f"{name} against its comparators", title_justify="left")
    for column in ("Measure", "Year", "Value", "Rank (95% interval)", "Limits", "Median", "Target", "Saving",
                   "Basis"):
        table.add_column(column, justify="left" if column in ("Measure", "Year", "Basis", "Limits") else "right",
                         overflow="fold")
    for row in shown:
        measure = results.measures[row["measure_id"]]
        rank = _rank(row) if row["percentile"] is not None else f"– of {row['peers']}"
        table.add_row(f"{measure.title} ({measure.unit})", row["period"], _figure(row["value"]), rank,
                      row.get("limits") or "–", _figure(row["peer_median"]),
                      _figure(row["target_value"]), _saving(row), _basis(results, measure))
    valued = {r["measure_id"] for r in shown}
    latest: dict[str, dict] = {}
    for gap in results.gaps:  # no value: 'missing' (not published) or 'not applicable' (not done there)
        if gap["org_id"] == org_id and gap["measure_id"] not in valued:
            if gap["measure_id"] not in latest or gap["period"] > latest[gap["measure_id"]]["period"]:
                latest[gap["measure_id"]] = gap
    for measure_id, gap in sorted(latest.items()):
        measure = results.measures[measure_id]
        table.add_row(f"{measure.title} ({measure.unit})", gap["period"], gap["status"], "", "", "", "", "",
                      gap["reason"])
    render.console.print(table)


def _savings(results, org_id: str | None) -> None:
    from openbook.analyse.measures.centile_savings import counted_latest, totals

    counted = [r for r in counted_latest(results.rows) if org_id is None or r["org_id"] == org_id]
    total = sum((r["saving_gbp"] for r in counted), Decimal(0))
    s = results.settings
    render.console.print(f"Savings to the {s.target_centile:.0%} centile: [bold]{render.gbp(total)}[/] a year "
                         f"({len(counted)} body × measure gaps; each body's latest year; at least "
                         f"£{s.min_body_saving_gbp:,} a body and £{s.min_national_saving_gbp:,} a measure).",
                         highlight=False, soft_wrap=True)
    if org_id is None and counted:
        for by, label in (("org_id", "body"), ("function", "function"), ("sector", "sector")):
            top = totals(counted, by)[:_TOP]
            names = {r["org_id"]: r["name"] for r in counted}
            parts = [f"{names.get(t[by], t[by]) if by == 'org_id' else t[by]} {render.gbp(t['saving_gbp'])}" for t in top]
            render.console.print(f"  by {label}: " + "; ".join(parts), highlight=False, soft_wrap=True)


def _rank(row: dict) -> str:
    from openbook.analyse.measures.limits import ordinal

    if row.get("rank") is None:
        return "–"
    span = f" ({ordinal(row['rank_best'])}–{ordinal(row['rank_worst'])})" if row["rank_best"] != row["rank_worst"] else ""
    return f"{ordinal(row['rank'])} of {row['peers']}{span}"


def _pct(value: float | None) -> str:
    return pct(value, 0)


def _saving(row: dict) -> str:
    if row["saving_gbp"] is None:
        return "–"
    return render.gbp(row["saving_gbp"]) + ("" if row["saving_counted"] or not row["saving_gbp"] else " (not counted)")


def print_index(rows: list[dict], weights: dict, level: str) -> None:
    w = weights["weights"]
    render.console.print(f"Weights ({weights['source']}): " + ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in w.items()),
                         highlight=False)
    table = Table(title=f"Public value index by {level} (0 worst – 100 best)", title_justify="left")
    for column in ("#", level.capitalize(), "Index", "Cost efficiency", "Duplication", "Openness", "Blocks",
                   "Weights applied"):
        table.add_column(column, justify="left" if column in (level.capitalize(), "Weights applied") else "right",
                         overflow="fold")
    for place, row in enumerate(rows, start=1):
        scores = row["scores"]
        applied = ", ".join(f"{k.split('_')[0]} {v:.0%}" for k, v in row["applied_weights"].items())
        table.add_row(str(place), row["name"], _score(row["index"]), *(_score(scores[k], row["status"][k]) for k in
                      ("cost_efficiency", "duplication", "openness", "blocks")), applied)
    render.console.print(table)
    render.console.print("'n/a': the input does not apply, left out and the other weights scaled up, as shown; "
                         "'missing': not published, scored as the worst at this level. docs/measures.md "
                         "explains each input and its limits.", highlight=False, soft_wrap=True)


def _score(value: float | None, status: str = "scored") -> str:
    if value is None:
        return {"missing": "missing", "not applicable": "n/a"}.get(status, "–")
    return f"{value:.1f}"
