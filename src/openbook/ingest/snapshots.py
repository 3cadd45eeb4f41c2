"""The date an organogram snapshot was taken, as its file name or one of its columns says it.

Organograms are snapshots (31 March, 30 September), and publishers write the date in the file
name in every spelling, or in a column repeated on every row. A date is only ever read, never
guessed: a name that names a month without a day means the month's last day (snapshots are
taken at month end), and the source says so ("file name (month: its last day)").
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import NamedTuple

from openbook.ingest.dates import DateError, parse_date
from openbook.ingest.headers import normalise_header

# Snapshot dates in file names, strongest first. Numeric dates are year-first or day-first (UK);
# a month named without a day means the snapshot at that month's end, as organograms are taken
# at the end of March and September.
_YEAR = r"((?:19|20)\d{2})"
_NAME_DAYS = (
    (re.compile(rf"(?<!\d){_YEAR}[-_. ]?(\d{{2}})[-_. ]?(\d{{2}})(?!\d)"), (0, 1, 2)),  # 2011-09-30, 20110930
    (re.compile(rf"(?<!\d)(\d{{1,2}})[-_. ](\d{{1,2}})[-_. ]{_YEAR}(?!\d)"), (2, 1, 0)),  # 30-09-2011
    (re.compile(rf"(?<!\d)(\d{{2}})(\d{{2}}){_YEAR}(?!\d)"), (2, 1, 0)),  # 30092011
)
_NAME_DAY_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?[-_. ]*([a-z]+)[-_. ]*{_YEAR}(?!\d)")
_NAME_MONTHS = (
    (re.compile(rf"(?<![a-z])([a-z]+)[-_. ]*{_YEAR}(?!\d)"), (0, 1)),  # sep-2011, september 2011
    (re.compile(rf"(?<!\d){_YEAR}[-_. ]*([a-z]+)"), (1, 0)),  # 2011-sep
    (re.compile(rf"(?<!\d){_YEAR}[-_.](\d{{2}})(?!\d)"), (1, 0)),  # 2011-09
    (re.compile(rf"(?<!\d)(\d{{2}})[-_.]{_YEAR}(?!\d)"), (0, 1)),  # 09-2011
)
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
# Header words of a column that may hold the snapshot date as bare numbers (its values must all be one date).
_DATE_WORDS = re.compile(r"\b(date|as at|as of|snapshot|effective|month|period)\b")
_NUMBER = re.compile(r"^[-+]?[\d,]*\.?\d+$")


class Snapshot(NamedTuple):
    """A snapshot date and where it came from; a month without a day is that month's last day."""

    day: date
    source: str


def snapshot_from_name(name: str) -> Snapshot | None:
    """The snapshot date a file name carries, in any common spelling (see _NAME_DAYS, _NAME_MONTHS)."""
    text = name.casefold()
    for pattern, order in _NAME_DAYS:
        for match in pattern.finditer(text):
            parts = [int(p) for p in match.groups()]
            if found := _day(parts[order[0]], parts[order[1]], parts[order[2]]):
                return Snapshot(found, "file name")
    for match in _NAME_DAY_MONTH.finditer(text):
        if match[2] in _MONTHS and (found := _day(int(match[3]), _MONTHS[match[2]], int(match[1]))):
            return Snapshot(found, "file name")
    for pattern, (month_at, year_at) in _NAME_MONTHS:  # (group of the month, group of the year)
        for match in pattern.finditer(text):
            month = match.groups()[month_at]
            number = int(month) if month.isdigit() else _MONTHS.get(month)
            if number and 1 <= number <= 12:
                return Snapshot(_month_end(int(match.groups()[year_at]), number), "file name (month: its last day)")
    return None


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def snapshot_from_column(header: list[str], fields: dict[str, int], rows: list[list[str]]) -> Snapshot | None:
    """A column no field takes whose values are all one date or one month (e.g. 'Snapshot date').

    Bare numbers count only under a header that speaks of a date, so that a column of equal
    figures is never read as an Excel date.
    """
    taken = set(fields.values())
    width = max((len(r) for r in rows), default=0)
    for index in range(width):
        name = normalise_header(header[index]) if index < len(header) else ""
        if index in taken or (header and not name):
            continue
        values = {r[index].strip() for r in rows if index < len(r) and r[index].strip()}
        if not values or (not _DATE_WORDS.search(name) and any(_NUMBER.match(v) for v in values)):
            continue
        days = set()
        for value in values:
            try:
                parsed = parse_date(value)
            except DateError:
                break
            days.add(_month_end(parsed.day.year, parsed.day.month) if parsed.precision == "month" else parsed.day)
        else:
            if len(days) == 1:
                label = header[index].strip() if index < len(header) else f"column {index + 1}"
                return Snapshot(days.pop(), f"'{label}' column")
    return None
