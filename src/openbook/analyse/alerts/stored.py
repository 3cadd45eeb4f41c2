"""Every alert the book supports, stored; who asked to hear of which, and what was sent to whom."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime, timezone

import pyarrow as pa

from openbook.analyse.alerts.alert import Alert, AlertSettings
from openbook.analyse.alerts.changes import spend_changes
from openbook.analyse.alerts.worst_decile import measure_results, worst_decile
from openbook.errors import UsageError
from openbook.store.book import Book


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


