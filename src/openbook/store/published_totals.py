"""Bodies' own published totals (annual accounts), entered by a user, so coverage can be measured.

A spending file lists payments over a threshold; a body's accounts give what it spent in all. The
book cannot read accounts, so a user enters the figure once (`openbook totals add BODY YEAR AMOUNT
--source URL`) with where it came from. One figure per body and financial year: entering it again
replaces it. The functions take the open `Book`, as store/added_bodies.py's do.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from openbook.errors import UsageError

_YEAR = re.compile(r"^(\d{4})(?:[-/](\d{2}|\d{4}))?$")  # 2024, 2024-25, 2024/25, 2024-2025


def financial_year(text: str) -> str:
    """'2024', '2024-25', '2024/2025' → '2024-25' (April 2024 to March 2025), or a usage error in words."""
    match = _YEAR.match(text.strip())
    if not match:
        raise UsageError(f"year {text!r} is not a financial year; give it as 2024-25 (April 2024 to March 2025)")
    start = int(match.group(1))
    end = match.group(2)
    if end is not None and int(end) % 100 != (start + 1) % 100:
        raise UsageError(f"year {text!r}: a financial year runs from one year into the next, e.g. {start}-"
                         f"{(start + 1) % 100:02d}")
    if not 1990 <= start <= 2100:
        raise UsageError(f"year {text!r} is out of range")
    return f"{start}-{(start + 1) % 100:02d}"


def amount(text: str) -> Decimal:
    """'£1,234,567.89' or '1.2e9' → Decimal pounds, above zero; a usage error in words otherwise."""
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise UsageError(f"amount {text!r} is not a number of pounds (e.g. 1234567.89)") from None
    if not value.is_finite() or value <= 0:
        raise UsageError(f"amount {text!r} must be above zero")
    return value.quantize(Decimal("0.01"))


def add_total(book, org_id: str, period: str, gbp: Decimal, source: str, entered_by: str) -> dict:
    """Record (or replace) a body's published total for a financial year."""
    source = source.strip()
    if not re.match(r"^(https?://\S+|\S.*\.(pdf|csv|xlsx|ods|html?))$", source, re.IGNORECASE):
        raise UsageError(f"--source {source!r}: give the address (https://…) or file the figure came from")
    entered_at = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    row = {"org_id": org_id, "period": period, "amount_gbp": gbp, "source": source, "entered_by": entered_by,
           "entered_at": entered_at}
    with book.transaction():
        book.con.execute("DELETE FROM published_total WHERE org_id = ? AND period = ?", [org_id, period])
        book.con.execute("INSERT INTO published_total VALUES (?, ?, ?, ?, ?, ?)", list(row.values()))
    return row


def totals(book, org_id: str | None = None) -> list[dict]:
    """Every entered total (or one body's), by body and year; none in a book made before the table existed."""
    held = book.query("SELECT 1 FROM duckdb_tables() WHERE table_name = 'published_total' AND schema_name = 'main'")
    if not held:
        return []
    where, params = ("WHERE org_id = ?", [org_id]) if org_id else ("", [])
    return book._dicts(f"SELECT * FROM published_total {where} ORDER BY org_id, period", params)
