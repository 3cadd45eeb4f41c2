"""Worst decile: a body in the worst tenth of its peers on a measure for the latest periods running."""

from __future__ import annotations

from collections import defaultdict
from statistics import median

import pyarrow as pa

from openbook.analyse.alerts.alert import MEASURE_RESULTS, Alert, AlertSettings
from openbook.store.book import Book


# -- worst decile -------------------------------------------------------------------------------

def worst_decile(rows: pa.Table | list[dict], names: dict[str, str] | None = None,
                 titles: dict[str, str] | None = None, settings: AlertSettings = AlertSettings()) -> list[Alert]:
    """Bodies in the worst decile on a measure for each of its latest `persistent_periods` periods.

    `rows` has (org_id, measure_id, period, value, decile), 10 the worst. Only the measure's own latest periods count, so a body
    that stopped publishing is not alerted on for a stale run, and the peer median of the latest
    period gives the context.
    """
    rows = rows.to_pylist() if isinstance(rows, pa.Table) else list(rows)
    names, titles = names or {}, titles or {}
    by_measure: dict[str, dict] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        if r["value"] is not None and r["decile"] is not None:
            by_measure[r["measure_id"]][r["period"]][r["org_id"]] = r
    need = settings.persistent_periods
    alerts = []
    for measure_id, by_period in sorted(by_measure.items()):
        periods = sorted(by_period)
        if len(periods) < need:
            continue
        latest = periods[-need:]
        worst = set.intersection(*({o for o, r in by_period[p].items() if r["decile"] >= settings.worst_decile}
                                   for p in latest))
        last = by_period[periods[-1]]
        peer_median = median(float(r["value"]) for r in last.values())
        for org_id in sorted(worst):
            run = 0
            for p in reversed(periods):  # how long the run has lasted, back from the latest period
                r = by_period[p].get(org_id)
                if r is None or r["decile"] < settings.worst_decile:
                    break
                run += 1
            since = periods[-run]
            value = float(last[org_id]["value"])
            measure = titles.get(measure_id, measure_id)
            name = names.get(org_id, org_id)
            title = (f"{name} has been in the worst tenth of its peers on {measure} for {run} periods running "
                     f"(since {since})")
            context = (f"In {periods[-1]} its value was {value:,.4g} against a peer median of {peer_median:,.4g} "
                       f"({len(last)} bodies compared). Decile {settings.worst_decile} is the worst tenth "
                       f"whichever way the measure points.")
            alerts.append(Alert("worst-decile", org_id, measure_id, title, context, began=str(since),
                                measure_id=measure_id, value=value, peer_median=peer_median, periods=run))
    return alerts


def measure_results(book: Book) -> tuple[list[dict], dict[str, str]]:
    """The measures' stored results in the worst_decile shape, and each measure's title.

    `openbook measures` stores a decile by value (10 = highest) for each comparator and basis. Alerts
    read the default comparison (bodies of the same kind, nominal £) and turn each decile round
    where higher is better, so that 10 is always the worst tenth; a measure with no better
    direction has no worst tenth and gives no alert.
    """
    from openbook.analyse.measures import load_measures

    measures = {m.id: m for m in load_measures()}
    t = book.ibis().table(MEASURE_RESULTS)
    t = t.filter((t.comparator == "kind") & t.decile.notnull() & ~t.basis.contains("+real"))
    rows = t.select("org_id", "measure_id", "period", "value", "decile", "basis").order_by("basis").to_pyarrow()
    out: dict[tuple, dict] = {}
    for r in rows.to_pylist():
        measure = measures.get(r["measure_id"])
        if measure is None or measure.direction not in ("lower", "higher"):
            continue
        decile = r["decile"] if measure.direction == "lower" else 11 - r["decile"]
        out.setdefault((r["org_id"], r["measure_id"], r["period"]), {**r, "decile": decile})  # one basis each
    return list(out.values()), {m.id: m.title for m in measures.values()}


