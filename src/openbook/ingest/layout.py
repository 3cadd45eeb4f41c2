"""Recognising a spend file's layout before its lines are read.

Where the header is, which order the dates are written in, whether an unnamed column holds the
amounts, whether the column headed as the amount holds amounts at all, and — when there is no
header — what the file is instead (nil return, metadata, empty).
Kept apart from spend_rows.py, which reads the lines once these are settled.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

from openbook.errors import FileRejected, UsageError
from openbook.ingest.amounts import AmountError, parse_amount
from openbook.ingest.dates import DateError, numeric_order_evidence, parse_date
from openbook.ingest.headers import HeaderMap, column_position, header_score, map_header
from openbook.ingest.reader import Cell, cell_text

_AMBIGUOUS = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
NIL = re.compile(r"\bnil\s*return|\bno\s+(transactions|payments|spend|expenditure)\b|\bnil\b", re.I)
_METADATA_KEYS = {"title", "description", "publisher", "licence", "license", "url", "download url",
                  "update frequency", "temporal coverage", "geographic coverage", "author", "maintainer",
                  "tags", "package name", "date released", "date updated"}


def find_header(head: list[tuple[int, list[Cell]]], columns: dict[str, str] | None = None) -> int | None:
    """The best-scoring early row; with user-named columns, the first row holding them all."""
    texts = [[cell_text(c) for c in cells] for _, cells in head]
    if columns:
        for index, cells in enumerate(texts):
            if all(column_position(cells, wanted) is not None for wanted in columns.values()):
                return index
    scores = [header_score(cells) for cells in texts]
    best = max(scores, default=0)
    return scores.index(best) if best else None


def given_columns(columns: dict[str, str] | None, header: list[Cell], path: str) -> dict[str, str] | None:
    """The user's field → column mapping, once each column is known to be in this file's header."""
    if not columns:
        return None
    names = [cell_text(c).strip() for c in header]
    for name, wanted in columns.items():
        if column_position(names, wanted) is None:
            raise UsageError(f"--columns {name}={wanted!r}: {path} has no such column "
                             f"(its columns: {', '.join(repr(n) for n in names if n)})")
    return columns


def date_order(sample: Counter) -> tuple[bool, bool, tuple[date, date] | None]:
    """(month_first, mixed, window) from a count of a file's early date cells.

    Month-first only when some value can only be month-first and none can only be day-first;
    mixed when both kinds occur. The window spans the dates that read one way only (trimmed of
    the extreme 2% each side, widened to whole months), to settle values that read both ways.
    """
    votes = {"dmy": 0, "mdy": 0}
    certain: list[tuple[date, int]] = []
    for cell, count in sample.items():
        if isinstance(cell, datetime):
            certain.append((cell.date(), count))
            continue
        if isinstance(cell, date):
            certain.append((cell, count))
            continue
        if type(cell) is not str or not cell.strip():
            continue
        evidence = numeric_order_evidence(cell)
        if evidence:
            votes[evidence] += count
        try:
            parsed = parse_date(cell, month_first=evidence == "mdy")
        except DateError:
            continue
        if parsed.precision == "day" and (evidence or not _AMBIGUOUS.match(cell.strip())):
            certain.append((parsed.day, count))
    month_first = votes["mdy"] > 0 and votes["dmy"] == 0
    mixed = votes["mdy"] > 0 and votes["dmy"] > 0
    window = None
    if certain:
        certain.sort()
        total = sum(count for _, count in certain)
        trim = total // 50
        low = _nth(certain, trim)
        high = _nth(certain, total - 1 - trim)
        window = (low.replace(day=1), month_end(high))
    return month_first, mixed, window


def _nth(weighted: list[tuple[date, int]], n: int) -> date:
    """The n-th (0-based) date of a sorted list of (date, count)."""
    seen = 0
    for day, count in weighted:
        seen += count
        if seen > n:
            return day
    return weighted[-1][0]


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def infer_amount_column(mapping: HeaderMap, rows: list[tuple[int, list[Cell]]]) -> int | None:
    """An unnamed column read as the amount when the header names none and its cells all are.

    Some publishers leave the amount header blank (DECC 2010). The inference is recorded as a
    warning on the header line, so it is never silent.
    """
    if "amount_gbp" in mapping.fields:
        return None
    unnamed = [i for i, name in enumerate(mapping.columns) if not name and i not in mapping.fields.values()]
    candidates = []
    for index in unnamed:
        cells = [cell_text(cells[index]).strip() for _, cells in rows[:200] if index < len(cells) and cell_text(cells[index]).strip()]
        if len(cells) < 1:
            continue
        parsed = 0
        for text in cells:
            try:
                parse_amount(text)
                parsed += 1
            except AmountError:
                pass
        if parsed == len(cells):
            candidates.append(index)
    if len(candidates) != 1:
        return None
    mapping.fields["amount_gbp"] = candidates[0]
    return candidates[0]


# A reference, not an amount: a zero-padded whole number (0080047757 read as £80,047,757).
_ZERO_PADDED = re.compile(r"^0\d{5,}$")
# Unmistakably money: pence, or thousands separators (a bare whole number could be a reference).
_MONEY = re.compile(r"^[(-]?\s*£?\s*-?(\d{1,3}(,\d{3})+(\.\d{1,2})?|\d+\.\d{2})\s*\)?-?$")
SUSPECT_SHARE = 0.5  # of the amount column's filled cells zero-padded: the column is references
MONEY_SHARE = 0.9  # of a column's filled cells that must be money for it to be the real amount column
_TEXT_FIELDS = ("description", "expense_type", "expense_area", "supplier_name", "txn_ref")


def check_amount_column(mapping: HeaderMap, rows: list[tuple[int, list[Cell]]], path: str,
                        header_line: int) -> tuple[str, str] | None:
    """Refuse a mapping whose amount column holds references, or re-align it to the real amounts.

    The mapping is suspect when most filled cells under the amount header are zero-padded whole
    numbers, or when a text column (a description, say) is all money while the amount column is
    not. If exactly one other column is money in nine cells in ten, it becomes the amount and the
    old amount column the reference, and (old column's name, what was done) is returned for the
    caller's warning; otherwise the file is rejected with a coded
    reason, as £3.55bn of references read as pounds is worse than no file.
    """
    amount_at = mapping.fields["amount_gbp"]
    column = _filled(rows, amount_at)
    zero_padded = sum(1 for text in column if _ZERO_PADDED.match(text))
    money_here = sum(1 for text in column if _MONEY.match(text))
    candidates = [i for i in range(len(mapping.columns))
                  if i not in (amount_at, mapping.fields.get("paid_on")) and _is_money(_filled(rows, i), len(rows))]
    text_money = [i for i in candidates if i in {mapping.fields.get(f) for f in _TEXT_FIELDS}]
    suspect = (column and zero_padded >= SUSPECT_SHARE * len(column)) or \
        (text_money and money_here < SUSPECT_SHARE * max(len(column), 1))
    if not suspect:
        return None
    named = mapping.columns[amount_at] or f"column {amount_at + 1}"
    if len(candidates) != 1:
        found = ", ".join(repr(mapping.columns[i]) for i in candidates) or "none"
        raise FileRejected("amount-column-suspect",
                           f"the column headed {named!r} holds references or text, not amounts "
                           f"({zero_padded} of {len(column)} sampled cells are zero-padded numbers), and no single other "
                           f"column holds the amounts (columns that do: {found})", path=path, line=header_line)
    real = candidates[0]
    moved = next((f for f, i in mapping.fields.items() if i == real), None)
    if moved:
        del mapping.fields[moved]
        mapping.matches.pop(moved, None)
    mapping.fields["amount_gbp"] = real
    mapping.matches.pop("amount_gbp", None)  # both columns now show as inferred, not as a header match
    if "txn_ref" not in mapping.fields or not _filled(rows, mapping.fields["txn_ref"]):
        mapping.fields["txn_ref"] = amount_at  # the references have a home where none other holds them
        mapping.matches.pop("txn_ref", None)
    return named, (f"the amounts are under {mapping.columns[real] or f'column {real + 1}'!r} (every sampled cell is money), "
            f"so that column is read as the amount" + (f" instead of as the {moved.replace('_', ' ')}" if moved else "")
            + (f" and {named!r} as the reference" if mapping.fields.get("txn_ref") == amount_at else ""))


def _filled(rows: list[tuple[int, list[Cell]]], index: int) -> list[str]:
    return [text for _, cells in rows if index < len(cells) and (text := cell_text(cells[index]).strip())]


def _is_money(cells: list[str], rows: int) -> bool:
    """A column of amounts: filled in at least half the rows, and money in nine cells in ten."""
    return len(cells) >= max(1, rows // 2) and sum(1 for t in cells if _MONEY.match(t)) >= MONEY_SHARE * len(cells)


def rejection(head: list[tuple[int, list[Cell]]], path: str) -> FileRejected:
    texts = [[cell_text(c).strip() for c in cells] for _, cells in head]
    flat = " ".join(" ".join(row) for row in texts)
    if not flat.strip():
        return FileRejected("file-empty", "the file holds only blank lines", path=path)
    nil = NIL.search(flat)
    if nil:
        return FileRejected("nil-return", f"the publisher declares no payments for this period "
                            f"({nil.group(0)!r} in the file)", path=path)
    keys = {row[0].casefold().rstrip(":") for row in texts if row and row[0]}
    across = max((sum(1 for c in row if c.casefold() in _METADATA_KEYS) for row in texts), default=0)
    if len(keys & _METADATA_KEYS) >= 3 or across >= 3:
        found = ", ".join(sorted(keys & _METADATA_KEYS)[:4]) or "package name, title, licence, …"
        return FileRejected("metadata-not-data", f"the file holds dataset metadata ({found}), not payment "
                            "lines; fetch the data file the catalogue entry points to", path=path)
    return FileRejected("no-header-found", f"no row in the first {len(head)} lines names an amount and a "
                        "date or supplier column" + _nearest_header(head) + "; add the publisher's column names "
                        "to the header synonym table, or name them with --columns, if this is a spend file",
                        path=path)


def _nearest_header(head: list[tuple[int, list[Cell]]]) -> str:
    """The row that came closest to a header, with what it lacks and the nearest candidates."""
    best = None
    for line, cells in head:
        texts = [cell_text(c) for c in cells]
        if sum(1 for t in texts if t.strip()) < 2:
            continue
        mapping = map_header(texts)
        if mapping.fields and (best is None or len(mapping.fields) > len(best[1].fields)):
            best = (line, mapping)
    if best is None:
        return ""
    line, mapping = best
    return f"; the closest is line {line}: {mapping.missing_message(mapping.missing_required())}"
