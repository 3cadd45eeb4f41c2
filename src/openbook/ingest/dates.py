"""Payment dates in every form UK publishers use, day-first unless a file proves otherwise.

A date is only ever read one way: numeric dates are day-first (UK) unless the file's own values
show month-first (a day above 12 in the second place); in a month-first file every value that
could be read both ways is flagged. Month-only dates keep their precision instead of inventing a
day. Excel serial numbers count from 1899-12-30, as Excel's 1900 system does after its leap bug.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import NamedTuple

_EXCEL_EPOCH = date(1899, 12, 30)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")], start=1)
    for name in names
}
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}$")
_NAMED = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s/-]+([A-Za-z]{3,9})\.?,?[\s/-]+(\d{4}|\d{2})$")
_NAMED_US = re.compile(r"^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_MONTH_ONLY = re.compile(r"^([A-Za-z]{3,9})\.?[\s/-]+(\d{4}|\d{2})$")
_MONTH_ONLY_NUMERIC = re.compile(r"^(\d{4})-(\d{2})$|^(\d{1,2})/(\d{4})$")
_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")

EARLIEST = date(1990, 1, 1)


class DateError(ValueError):
    """Raised when a cell cannot be read as a date; `code` is the problem code."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


class ParsedDate(NamedTuple):
    """A read date; `flag` names a warning code when the reading deserves a second look."""

    day: date
    precision: str = "day"  # 'day' or 'month'
    flag: str = ""  # '', 'date-ambiguous' or 'date-month-first'
    detail: str = ""


def parse_date(text: str, *, month_first: bool = False, latest: date | None = None,
               window: tuple[date, date] | None = None, mixed: bool = False) -> ParsedDate:
    """Read one date cell; raise DateError with a problem code when it is not a date.

    `window` is the span of the file's unambiguous dates: a value that reads both ways takes
    the reading that falls inside it, and says so. `mixed` says the file holds dates that can
    only be month-first although it is day-first, so its ambiguous values are flagged too.
    """
    value = text.strip()
    if not value:
        raise DateError("date-missing")
    parsed = _parse(value, month_first, window, mixed)
    day = parsed[0]
    if day < EARLIEST or (latest is not None and day > latest):
        raise DateError("date-out-of-range", day.isoformat())
    return parsed


def date_from_excel_serial(serial: float) -> date:
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def numeric_order_evidence(text: str) -> str:
    """'dmy' or 'mdy' when a numeric date can only be read one way, else ''."""
    match = _NUMERIC.match(text.strip())
    if not match:
        return ""
    first, second = int(match.group(1)), int(match.group(2))
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return ""


def _parse(value: str, month_first: bool, window: tuple[date, date] | None = None,
           mixed: bool = False) -> ParsedDate:
    if match := _ISO.match(value):
        return ParsedDate(_make(int(match[1]), int(match[2]), int(match[3]), value))
    if match := _NUMERIC.match(value):
        return _numeric(int(match[1]), int(match[2]), _year(match[3]), month_first, window, mixed)
    if match := _NAMED.match(value):
        return ParsedDate(_make(_year(match[3]), _month(match[2], value), int(match[1]), value))
    if match := _NAMED_US.match(value):
        return ParsedDate(_make(int(match[3]), _month(match[1], value), int(match[2]), value))
    if match := _MONTH_ONLY.match(value):
        return ParsedDate(_make(_year(match[2]), _month(match[1], value), 1, value), "month")
    if match := _MONTH_ONLY_NUMERIC.match(value):
        year, month = (match[1], match[2]) if match[1] else (match[4], match[3])
        return ParsedDate(_make(int(year), int(month), 1, value), "month")
    if match := _COMPACT.match(value):
        return ParsedDate(_make(int(match[1]), int(match[2]), int(match[3]), value))
    if match := _SERIAL.match(value):
        return ParsedDate(date_from_excel_serial(float(value)))
    raise DateError("date-invalid", _hint(value))


def _numeric(first: int, second: int, year: int, month_first: bool,
             window: tuple[date, date] | None, mixed: bool = False) -> ParsedDate:
    """A numeric date read the only way it can be, or, when it reads both ways, the way the
    file's other dates support; a month-first reading in a day-first file is always flagged."""
    day_first = _valid(year, second, first)
    month_first_ok = _valid(year, first, second)
    if day_first and month_first_ok and first != second:
        dmy, mdy = date(year, second, first), date(year, first, second)
        if window:
            inside_dmy, inside_mdy = window[0] <= dmy <= window[1], window[0] <= mdy <= window[1]
            if inside_dmy != inside_mdy:
                chosen = dmy if inside_dmy else mdy
                if chosen == dmy and not month_first and not mixed:
                    return ParsedDate(dmy)
                order = "day-first" if chosen == dmy else "month-first"
                return ParsedDate(chosen, "day", "date-ambiguous",
                                  f"read {order} as {chosen.isoformat()}, the only reading within the file's "
                                  f"other dates ({window[0].isoformat()} to {window[1].isoformat()})")
        if month_first:
            return ParsedDate(mdy, "day", "date-ambiguous",
                              f"read month-first as {mdy.isoformat()} (day-first would be {dmy.isoformat()})")
        if mixed:
            return ParsedDate(dmy, "day", "date-ambiguous",
                              f"read day-first as {dmy.isoformat()} (month-first would be {mdy.isoformat()}); "
                              "this file mixes both orders")
        return ParsedDate(dmy)
    if day_first:
        return ParsedDate(date(year, second, first))
    if month_first_ok:
        chosen = date(year, first, second)
        if month_first:
            return ParsedDate(chosen)
        return ParsedDate(chosen, "day", "date-month-first",
                          f"only readable month-first, as {chosen.isoformat()}, in a file written day-first")
    raise DateError("date-invalid", "no such day in the calendar either way round")


def _make(year: int, month: int, day: int, raw: str, *, month_first: bool = False) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        if month > 12 and not month_first and day <= 12:
            raise DateError("date-invalid", "no month above 12; is this date month-first?") from None
        raise DateError("date-invalid", "no such day in the calendar") from None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years in spend files are this century; 1990s values appear only as 4 digits.
        year += 2000 if year < 70 else 1900
    return year


def _month(name: str, raw: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise DateError("date-invalid", f"{name!r} is not a month")
    return month


def _hint(value: str) -> str:
    if value.upper() in {"N/A", "NA", "TBC", "UNKNOWN", "-"}:
        return "a placeholder, not a date"
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return ""
    return ""


def read_date(text: str, field: str, problem, *, latest: date | None = None) -> date | None:
    """A published date cell read for an importer: its day, with every flag reported through `problem`.

    `problem(code, field, value[, detail])` records a coded problem; an unreadable date is reported
    and gives None, an ambiguous or month-first one is flagged and kept, a month alone is flagged
    and stored as the first of the month.
    """
    try:
        parsed = parse_date(text, latest=latest)
    except DateError as error:
        problem(error.code, field, text, error.detail)
        return None
    if parsed.flag:
        problem(parsed.flag, field, text, parsed.detail)
    if parsed.precision == "month":
        problem("date-month-only", field, text)
    return parsed.day
