"""Spend changes: a CUSUM over each body's monthly spend, in total and by function, finds a sustained
step and says it in £ and %, with the baseline months and their wobble."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from decimal import Decimal
from statistics import median

from openbook import standard
from openbook.analyse.alerts.alert import Alert, AlertSettings, money, pennies, percent, signed
from openbook.analyse.alerts.cusum import Change, changes
from openbook.store.book import Book


# -- spend changes --------------------------------------------------------------------------------

def monthly_series(book: Book, settings: AlertSettings = AlertSettings()) -> dict[tuple[str, str], list]:
    """(org_id, 'total' | function) → [(month, £, lines)] over the months each body fully published.

    A month counts when the body has current lines dated in it and at least `thin_month_share` of
    its median month's lines (a file that starts mid-month, or a stray date, is not a fall in spend).
    Within those months a function with no lines spent £0.
    """
    spend = book.ibis().table("spend_current")
    spend = spend.mutate(month=spend.paid_on.truncate("M").cast("date"))
    rows = spend.group_by(["org_id", "month", "function"]).aggregate(
        gbp=spend.amount_gbp.sum(), lines=spend.count()).to_pyarrow().to_pylist()
    lines: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    gbp: dict[tuple[str, str], dict[date, list]] = defaultdict(lambda: defaultdict(lambda: [Decimal(0), 0]))
    for r in rows:
        lines[r["org_id"]][r["month"]] += r["lines"]
        keys = [(r["org_id"], "total")] + ([(r["org_id"], r["function"])] if settings.by_function and r["function"] else [])
        for key in keys:
            gbp[key][r["month"]][0] += r["gbp"]
            gbp[key][r["month"]][1] += r["lines"]
    out = {}
    for (org_id, series), by_month in gbp.items():
        typical = median(lines[org_id].values())
        months = sorted(m for m, n in lines[org_id].items() if n >= settings.thin_month_share * typical)
        out[(org_id, series)] = [(m, *by_month.get(m, (Decimal(0), 0))) for m in months]
    return out


def spend_changes(book: Book, settings: AlertSettings = AlertSettings()) -> list[Alert]:
    """The latest sustained change in each body's monthly spend series that passes the floors."""
    names = dict(book.query("SELECT org_id, name FROM organisation"))
    labels = standard.labels("functions")
    alerts = []
    for (org_id, series), points in sorted(monthly_series(book, settings).items()):
        points = latest_stretch(points, settings.max_gap_months)
        if not points or median(n for _, _, n in points) < settings.min_lines:
            continue
        # Log £: a proportional wobble, the same for a £10m body as a £100k one (£1 stands in for ≤ £0).
        found = changes([math.log(max(float(gbp), 1.0)) for _, gbp, _ in points], settings.cusum)
        if not found:
            continue
        change = found[-1]
        alert = _spend_alert(org_id, series, points, change, found, names.get(org_id, org_id),
                             labels.get(series), settings)
        if alert is not None:
            alerts.append(alert)
    for alert in alerts:
        alert.sources = _sources(book, alert)
    return alerts


def latest_stretch(points: list, max_gap: int) -> list:
    """The points after the last gap of more than `max_gap` months: spend years apart is not a step."""
    start = 0
    for i in range(1, len(points)):
        (y0, m0), (y1, m1) = (points[i - 1][0].year, points[i - 1][0].month), (points[i][0].year, points[i][0].month)
        if (y1 - y0) * 12 + m1 - m0 > max_gap + 1:
            start = i
    return points[start:]


def _spend_alert(org_id: str, series: str, points: list, change: Change, found: list[Change], name: str,
                 label: str | None, settings: AlertSettings) -> Alert | None:
    months = [m for m, _, _ in points]
    values = [v for _, v, _ in points]
    start = found[-2].began if len(found) > 1 else 0
    baseline = values[start:start + settings.cusum.baseline]
    before = pennies(median(baseline))
    end = len(values)
    after = pennies(median(values[change.began:end]))
    step = after - before
    share = float(step / before) if before > 0 else None
    if before <= 0 or abs(step) < settings.min_change_gbp or abs(share) < settings.min_change_share:
        return None
    # The old typical range is the baseline median × e^(±sigma); count the months since beyond it.
    edge = float(before) * math.exp(change.sigma if step > 0 else -change.sigma)
    beyond = sum(1 for v in values[change.began:] if (float(v) > edge if step > 0 else float(v) < edge))
    if beyond < settings.min_share_beyond * (len(values) - change.began):
        return None
    began = months[change.began]
    what = f"{label} spend" if label else "spend" if series == "total" else f"{series} spend"
    verb = "rose" if step > 0 else "fell"
    title = (f"{name}'s {what} {verb} from a typical {money(before)} a month to {money(after)} "
             f"from {began:%B %Y}")
    wobble = math.exp(change.sigma) - 1
    varied = (f"months varied by about ±{wobble:.0%}" if change.sigma > settings.cusum.min_sigma else
              f"months varied by less than ±{wobble:.0%}, the least openbook assumes")
    after_months = end - change.began
    context = (f"{signed(step)} a month ({percent(share)}), over the {after_months} month"
               f"{'s' if after_months != 1 else ''} published since ({began:%b %Y} to {months[-1]:%b %Y}). "
               f"Typical: the median of its {len(baseline)} months published from {months[start]:%b %Y} to "
               f"{months[start + len(baseline) - 1]:%b %Y}, when {varied}. "
               f"Signalled in {months[change.signalled]:%B %Y}.")
    # More (or fewer) lines as well as more £ usually means more (or less) was published, not spent.
    lines = [n for _, _, n in points]
    lines_before, lines_after = median(lines[start:start + settings.cusum.baseline]), median(lines[change.began:])
    if lines_before and not 0.5 < lines_after / lines_before < 2:
        context += (f" Lines a month went from {lines_before:,.0f} to {lines_after:,.0f} too: the body may be "
                    "publishing more or less of its spend (a new file, another threshold) rather than spending it.")
    if after_months <= 3:
        context += " Check whether one contract or supplier explains it before reading it as a trend."
    return Alert("spend-change", org_id, series, title, context, began=began, direction=change.direction,
                 before_gbp=before, after_gbp=after, change_gbp=step, change_share=share, periods=after_months)


def _sources(book: Book, alert: Alert) -> list[str]:
    """The files whose lines make up the months since the change: where a reader checks it."""
    where, params = ["org_id = ?", "paid_on >= ?"], [alert.org_id, alert.began]
    if alert.series != "total":
        where.append("function = ?")
        params.append(alert.series)
    return [sha for (sha,) in book.query(f"SELECT DISTINCT source_sha256 FROM spend_current WHERE "
                                         f"{' AND '.join(where)} ORDER BY 1", params)]


