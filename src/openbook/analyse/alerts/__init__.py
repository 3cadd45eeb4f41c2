"""Alerts: a body's spend changing suddenly, and a body staying in its peers' worst tenth.

Two kinds, each a sentence a reader can judge without opening the book:

- **spend-change**: a CUSUM (cusum.py) over each body's monthly spend, in total and by
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

alert.py holds the alert and its wording, changes.py and worst_decile.py find each kind, and
stored.py keeps them with the subscriptions and deliveries.
"""

from openbook.analyse.alerts.alert import KINDS, Alert, AlertSettings, money
from openbook.analyse.alerts.changes import latest_stretch, monthly_series, spend_changes
from openbook.analyse.alerts.stored import (
    compute_alerts, pending, record_delivery, save_alerts, stored_alerts, subscribe, subscriptions, unsubscribe,
)
from openbook.analyse.alerts.worst_decile import measure_results, worst_decile

__all__ = ["KINDS", "Alert", "AlertSettings", "compute_alerts", "latest_stretch", "measure_results", "money",
           "monthly_series", "pending", "record_delivery", "save_alerts", "spend_changes", "stored_alerts", "subscribe",
           "subscriptions", "unsubscribe", "worst_decile"]
