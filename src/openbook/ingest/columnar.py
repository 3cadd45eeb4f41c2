"""The columnar fast path: a batch of ordinary payment lines parsed as Arrow columns.

Most lines of a spend file are unremarkable: a date, a supplier, a plain amount. Reading them
one by one in Python is what made ingest slower than pandas; here a batch is transposed once
and its amounts, dates and bodies are parsed column-wise (dates and bodies once per distinct
value). A line takes the fast path only when the row-by-row reader would accept it as it is,
with no problem and no flag; every other line (ragged, blank, totals, bad or flagged values)
goes to that reader, which stays the single definition of what a line means.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from openbook.ingest.dates import ParsedDate

# Plain amounts whose value is the text without '£' and thousands commas: nothing to decide.
FAST_AMOUNT = r"^-?£?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$"


class FastPath:
    """Splits a batch into accepted lines (as an Arrow table) and lines for the row reader."""

    def __init__(self, reader, text_fields: tuple[str, ...]):
        self.reader = reader
        self.text_fields = text_fields

    def split(self, chunk: list[tuple[int, list[str]]]) -> tuple[pa.Table | None, list[tuple[int, list[str]]]]:
        """Rows already split by Python's csv module (files with quoted line breaks)."""
        width = self.reader.width
        cells = [c for _, c in chunk]
        lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
        full = np.flatnonzero(lengths == width)
        if len(full) == 0:
            return None, chunk
        rows = cells if len(full) == len(cells) else [cells[i] for i in full]
        lines = pa.array(np.fromiter((chunk[i][0] for i in full), dtype=np.int64, count=len(full)))
        columns = [pa.array(values, pa.string()) for values in zip(*rows)]
        table, ok = self.accept(columns, lines)
        slow = [chunk[i] for i in full[~ok]]
        if len(full) < len(cells):
            slow = sorted(slow + [chunk[i] for i in np.flatnonzero(lengths != width)], key=lambda row: row[0])
        return table, slow

    def split_arrow(self, batch: pa.RecordBatch, lines: np.ndarray) -> tuple[pa.Table | None, list[tuple[int, list[str]]]]:
        """Rows parsed by Arrow's CSV reader, with their physical lines."""
        table, ok = self.accept(batch.columns, pa.array(lines))
        if ok.all():
            return table, []
        rest = batch.filter(pa.array(~ok))
        values = list(zip(*(column.to_pylist() for column in rest.columns)))
        return table, [(int(line), list(cells)) for line, cells in zip(lines[~ok], values)]

    def accept(self, columns: list[pa.Array], lines: pa.Array) -> tuple[pa.Table | None, np.ndarray]:
        """The accepted lines as a spend table, and the mask of which lines they were."""
        reader = self.reader
        trimmed: dict[int, pa.Array] = {}

        def column(index: int | None) -> pa.Array | None:
            if index is None:
                return None
            if index not in trimmed:
                trimmed[index] = pc.utf8_trim_whitespace(columns[index])
            return trimmed[index]

        count = len(lines)
        amount = column(reader.amount_at)
        supplier = column(reader.supplier_at)
        days, date_ok = self._dates(column(reader.date_at))
        orgs, org_ok = self._orgs(column(reader.entity_at), count)
        ok = pc.and_(pc.and_(pc.match_substring_regex(amount, FAST_AMOUNT), pc.greater(pc.utf8_length(supplier), 0)),
                     pc.and_(date_ok, org_ok))
        mask = ok.to_numpy(zero_copy_only=False)
        if not mask.any():
            return None, mask
        plain = pc.replace_substring(pc.replace_substring(pc.filter(amount, ok), "£", ""), ",", "")
        accepted = int(mask.sum())
        table = {
            "org_id": pc.filter(orgs, ok),
            "paid_on": pc.filter(days, ok),
            "date_precision": pa.array(["day"] * accepted, pa.string()),
            "amount_gbp": pc.cast(plain, pa.decimal128(18, 2)),
        }
        for name, index in reader.text_at:
            if index is None:
                table[name] = pa.nulls(accepted, pa.string())
            else:
                values = pc.filter(column(index), ok)
                table[name] = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        table["source_line"] = pc.filter(lines, ok)
        return pa.table(table), mask

    def _dates(self, values: pa.Array) -> tuple[pa.Array, pa.Array]:
        encoded = pc.dictionary_encode(values)
        reader = self.reader
        days, good = [], []
        for text in encoded.dictionary.to_pylist():
            result = reader.read_date(text)
            plain = isinstance(result, ParsedDate) and result.precision == "day" and not result.flag
            days.append(result.day if plain else date(1970, 1, 1))
            good.append(plain)
        indices = encoded.indices
        return (pc.take(pa.array(days, pa.date32()), indices), pc.take(pa.array(good, pa.bool_()), indices))

    def _orgs(self, values: pa.Array | None, count: int) -> tuple[pa.Array, pa.Array]:
        reader = self.reader
        if values is None:
            org = reader.default_org
            return pa.array([org] * count, pa.string()), pa.array(np.full(count, org is not None))
        encoded = pc.dictionary_encode(values)
        resolved = []
        for name in encoded.dictionary.to_pylist():
            if not name:
                resolved.append(reader.default_org)
                continue
            org_id = reader.orgs.get(name, "?")
            if org_id == "?":
                org_id = reader.orgs[name] = reader.resolve_org(name)
            resolved.append(org_id)
        orgs = pc.take(pa.array(resolved, pa.string()), encoded.indices)
        return orgs, pc.is_valid(orgs)
