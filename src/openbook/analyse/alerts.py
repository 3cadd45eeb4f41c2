"""Alerts: a body's spend changing suddenly, and a body staying in its peers' worst tenth.

Two kinds, each a sentence a reader can judge without opening the book:

- **spend-change**: a CUSUM (analyse/cusum.py) over each body's monthly spend, in total and by
  function, finds a sustained step: "Barnet's IT spend rose from a typical £0.4m a month to
  £1.1m from March 2024", with the size in £ and %, the baseline months and their wobble.
- **worst-decile**: a body in the worst decile of its peers on a measure for the latest
  `persistent_periods` periods running. It reads the measures' stored results through one small
  interface, rows of (org_id, measure_id, period, value, decile) where decile 10 is the worst
  tenth whichever way the measure points; `measure_results` makes them from what `openbook
  measures` stored.

Noise is held down on purpose (docs/alerts.md): months a body only partly published are left
out rather than read as a fall; a change must pass a £ floor and a share of the typical month;
each body and series gives at most one alert (its latest change); and an alert already sent to
an address is never sent to it again (`alert_delivery`).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from statistics import median

import pyarrow as pa

from openbook import standard
from openbook.analyse.cusum import Change, CusumSettings, changes
from openbook.errors import UsageError
from openbook.formatting import gbp_short as money  # £1.6bn, £1.1m, £420k, £850
from openbook.store.book import Book

MEASURE_RESULTS = "measure_result"  # what `openbook measures` stores (analyse/measures/runner.py)
KINDS = ("spend-change", "worst-decile")


@dataclass(frozen=True)
class AlertSettings:
    """Declared thresholds; docs/alerts.md explains each."""

    cusum: CusumSettings = CusumSettings()
    min_change_gbp: Decimal = Decimal("10000")  # a step under £10,000 a month is not worth an email
    min_change_share: float = 0.25  # nor one under a quarter of the typical month
    thin_month_share: float = 0.25  # a month with fewer lines than this share of the body's median month is left out
    min_lines: int = 10  # a series of fewer lines than this in its median month is too lumpy to judge
    min_share_beyond: float = 2 / 3  # a step, not a spike: this share of the months since lie outside the old range
    max_gap_months: int = 3  # a longer gap starts the series afresh: only its latest stretch is judged
    by_function: bool = True  # series per function as well as the total
    worst_decile: int = 10
    persistent_periods: int = 3


@dataclass
class Alert:
    kind: str
    org_id: str
    series: str  # 'total', a function code, or the measure_id
    title: str
    context: str
    began: date | str | None = None
    direction: str | None = None
    measure_id: str | None = None
    before_gbp: Decimal | None = None
    after_gbp: Decimal | None = None
    change_gbp: Decimal | None = None
    change_share: float | None = None
    value: float | None = None
    peer_median: float | None = None
    periods: int | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def alert_id(self) -> str:
        text = "\n".join(str(x) for x in (self.kind, self.org_id, self.series, self.measure_id, self.began,
                                           self.direction))
        return f"{self.kind}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"

    def as_record(self, computed_at: datetime) -> dict:
        return {"alert_id": self.alert_id, "kind": self.kind, "org_id": self.org_id, "series": self.series,
                "measure_id": self.measure_id, "direction": self.direction,
                "began": str(self.began) if self.began is not None else None, "title": self.title,
                "context": self.context, "before_gbp": self.before_gbp, "after_gbp": self.after_gbp,
                "change_gbp": self.change_gbp, "change_share": self.change_share, "value": self.value,
                "peer_median": self.peer_median, "periods": self.periods, "sources": self.sources,
                "computed_at": computed_at}


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
    before = _pennies(median(baseline))
    end = len(values)
    after = _pennies(median(values[change.began:end]))
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
    context = (f"{_signed(step)} a month ({_percent(share)}), over the {after_months} month"
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


# -- all alerts, stored -------------------------------------------------------------------------

def compute_alerts(book: Book, settings: AlertSettings = AlertSettings()) -> list[Alert]:
    """Every alert the book supports now: spend changes, then worst-decile runs where measures exist."""
    names = dict(book.query("SELECT org_id, name FROM organisation"))
    results, titles = measure_results(book)
    return spend_changes(book, settings) + worst_decile(results, names, titles, settings)


def save_alerts(book: Book, alerts: list[Alert]) -> int:
    """Replace the stored alerts (deliveries stay: they are what keeps an alert from being sent twice)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    records = {a.alert_id: a.as_record(now) for a in alerts}
    with book.loading():
        book.con.execute("DELETE FROM alert")
        if records:
            table = pa.Table.from_pylist(list(records.values()), schema=_ALERT_SCHEMA)
            book.con.register("_alerts", table)
            try:
                book.con.execute("INSERT INTO alert BY NAME SELECT * FROM _alerts")
            finally:
                book.con.unregister("_alerts")
    return len(records)


def stored_alerts(book: Book, org: str | None = None) -> list[dict]:
    where, params = ("WHERE org_id = ?", [org]) if org else ("", [])
    return book._dicts(f"SELECT * FROM alert {where} ORDER BY kind, abs(change_gbp) DESC NULLS LAST, alert_id",
                       params)


_ALERT_SCHEMA = pa.schema([
    ("alert_id", pa.string()), ("kind", pa.string()), ("org_id", pa.string()), ("series", pa.string()),
    ("measure_id", pa.string()), ("direction", pa.string()), ("began", pa.string()), ("title", pa.string()),
    ("context", pa.string()), ("before_gbp", pa.decimal128(18, 2)), ("after_gbp", pa.decimal128(18, 2)),
    ("change_gbp", pa.decimal128(18, 2)), ("change_share", pa.float64()), ("value", pa.float64()),
    ("peer_median", pa.float64()), ("periods", pa.int32()), ("sources", pa.list_(pa.string())),
    ("computed_at", pa.timestamp("us")),
])


# -- subscriptions and deliveries ---------------------------------------------------------------

def subscribe(book: Book, email: str, *, org_id: str | None = None, measure_id: str | None = None) -> dict:
    """Ask for alerts on one body or one measure; subscribing twice changes nothing."""
    email = _check_email(email)
    if (org_id is None) == (measure_id is None):
        raise UsageError("subscribe to one body (--org) or one measure (--measure)")
    key = "\n".join([email, org_id or "", measure_id or ""])
    row = {"subscription_id": f"sub-{hashlib.sha256(key.encode()).hexdigest()[:12]}", "email": email,
           "org_id": org_id, "measure_id": measure_id,
           "created_at": datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)}
    book.con.execute("INSERT INTO subscription VALUES ($subscription_id, $email, $org_id, $measure_id, $created_at) "
                     "ON CONFLICT DO NOTHING", row)
    return row


def unsubscribe(book: Book, email: str, *, org_id: str | None = None, measure_id: str | None = None) -> int:
    """Remove an address's subscriptions (all of them, or the one named); returns how many."""
    where, params = ["email = ?"], [_check_email(email)]
    if org_id:
        where.append("org_id = ?")
        params.append(org_id)
    if measure_id:
        where.append("measure_id = ?")
        params.append(measure_id)
    return len(book.con.execute(f"DELETE FROM subscription WHERE {' AND '.join(where)} RETURNING 1", params).fetchall())


def subscriptions(book: Book) -> list[dict]:
    return book._dicts("SELECT s.*, o.name AS org_name FROM subscription s LEFT JOIN organisation o USING (org_id) "
                       "ORDER BY email, org_id NULLS LAST, measure_id")


def pending(book: Book, alerts: list[dict] | None = None) -> dict[str, list[dict]]:
    """email → the stored alerts its subscriptions match that were never delivered to it."""
    alerts = stored_alerts(book) if alerts is None else alerts
    sent = set(book.query("SELECT alert_id, email FROM alert_delivery"))
    out: dict[str, dict[str, dict]] = defaultdict(dict)
    for sub in subscriptions(book):
        for alert in alerts:
            matches = (alert["org_id"] == sub["org_id"]) if sub["org_id"] else (alert["measure_id"] == sub["measure_id"])
            if matches and (alert["alert_id"], sub["email"]) not in sent:
                out[sub["email"]][alert["alert_id"]] = alert
    return {email: list(by_id.values()) for email, by_id in sorted(out.items())}


def record_delivery(book: Book, email: str, alert_ids: list[str], via: str, message: str) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    book.con.executemany("INSERT INTO alert_delivery VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         [[alert_id, email, now, via, message] for alert_id in alert_ids])


def _check_email(email: str) -> str:
    email = email.strip()
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email or "@" in domain:
        raise UsageError(f"{email!r} is not an email address")
    return email


# -- words ---------------------------------------------------------------------------------------

def _signed(value: Decimal) -> str:
    return ("+" if value >= 0 else "") + money(value)


def _percent(share: float) -> str:
    return f"{share:+.0%}"


def _pennies(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
