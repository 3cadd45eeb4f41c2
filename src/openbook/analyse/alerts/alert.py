"""An alert: a sentence a reader can judge without opening the book, the thresholds behind it, and
the words it is written in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openbook.analyse.alerts.cusum import CusumSettings
from openbook.formatting import gbp_short as money  # £1.6bn, £1.1m, £420k, £850


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


# -- words ---------------------------------------------------------------------------------------

def signed(value: Decimal) -> str:
    return ("+" if value >= 0 else "") + money(value)


def percent(share: float) -> str:
    return f"{share:+.0%}"


def pennies(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
