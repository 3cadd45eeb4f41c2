"""A body publishing its monthly files: rows made in chunks, duplicates and defects planted.

Each chunk is drawn with numpy (suppliers by Zipf-like popularity, Pareto amounts above the
body's threshold, weekday payment dates, invoices split over several lines), then a few
rows are overwritten to plant what the truth records: duplicates of an earlier row (exact,
re-keyed reference, other spelling of the supplier), credit notes that cancel a payment
(decoys, not duplicates), duplicates carried into next month's file, and bad cells. Then the
look-alikes that fool a duplicate scan on real ledgers are planted as negatives with their
truth: one payment coded over several cost centres at one amount, weekly instalments of one
amount, neighbouring ledger numbers that read as a transposition, and withheld payees.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from . import vocab
from .bodies import Body
from .dialects import NIL_RETURN, Style, format_txns, month_days, reference_variant
from .suppliers import FORMS, WITHHELD, SupplierPool
from .writers import FileRenderer, open_sink

CHUNK = 50_000
FORM_P = (0.55, 0.2, 0.15, 0.1)  # how often a body keeps each of a supplier's 4 forms
STRAY_NAME = 0.02  # rows where a clerk typed another form of the supplier's name
REFUND = 0.008  # negative lines that are not planted credit notes
BELOW_THRESHOLD = 0.03
ROUND_POUNDS = 0.08
CREDIT_NOTE_SHARE = 0.25  # credit-note decoys per planted duplicate
CROSS_MONTH_SHARE = 0.2  # duplicates that land in the next month's file
LOOK_ALIKE_SHARE = 0.3  # look-alikes of each kind per planted duplicate
BAD_CODES = (("amount-not-a-number", "amount", 25), ("amount-missing", "amount", 15),
             ("date-invalid", "date", 25), ("date-missing", "date", 15),
             ("supplier-missing", "supplier", 20))


@dataclass
class BodyRun:
    """What one body's publisher needs from the run, and where its truth rows go."""

    out_dir: Path
    seed: int
    periods: list[tuple[int, int]]
    pool: SupplierPool
    sector_tables: dict[str, "SectorTable"]
    dup_rate: float
    bad_rate: float
    t_files: object  # csv writers
    t_dups: object
    t_bad: object
    progress: Callable[[int], None]
    files: int = 0
    rows: int = 0


def _pounds(p: int) -> str:
    return f"{'-' if p < 0 else ''}{abs(p) // 100}.{abs(p) % 100:02d}"


class SectorTable:
    """Expense types of one sector, flattened; rows pick within their supplier's category."""

    def __init__(self, sector: str):
        labels, groups, capital, offs, counts = [], [], [], [], []
        for cat in vocab.CATEGORIES:
            items = vocab.EXPENSE_TYPES[sector][cat]
            offs.append(len(labels))
            counts.append(len(items))
            for label, group, cap in items:
                labels.append(label)
                groups.append(group)
                capital.append(cap)
        self.labels, self.groups, self.capital = labels, groups, capital
        self.offs, self.counts = np.array(offs), np.array(counts)
        self.codes = [str(4000 + 13 * i) for i in range(len(labels))]


@dataclass
class _Chunk:
    sup: np.ndarray
    amount: np.ndarray
    day: np.ndarray
    etype: np.ndarray
    area: np.ndarray
    desc: np.ndarray
    txn: list[str]
    name_over: dict[int, str]
    bad: dict[int, tuple[str, str, int]]  # position -> (field, code, pick)
    dups: list[tuple]  # (kind, position, source position | (file, line))
    carry: list[int]  # positions that next month's file will duplicate


class BodyPublisher:
    def __init__(self, run: BodyRun, b: Body, style: Style):
        self.run, self.b, self.style = run, b, style
        pool = run.pool
        n = len(pool)
        rng = np.random.default_rng([run.seed, 404, b.index])
        self.form_idx = rng.choice(FORMS, size=n, p=FORM_P)
        names = pool.forms[self.form_idx, np.arange(n)]
        if style.upper_names:
            names = np.array([s.upper() for s in names], dtype=object)
        self.names = names
        self.names_csv = None
        self.local = rng.permutation(n)
        self.seq = int(rng.integers(10_000, 900_000))
        self.vendor_base = int(rng.integers(100_000, 800_000))
        self.irrvat = ("0.00", "", "0")[int(rng.integers(0, 3))]
        if b.sector == "central":
            areas = list(rng.choice(vocab.CENTRAL_AREAS, size=8, replace=False))
        elif b.sector == "nhs":
            areas = list(rng.choice(vocab.NHS_AREAS, size=7, replace=False))
        else:
            areas = list(vocab.LOCAL_AREAS["all"])
            if b.kind != "district-council":
                areas += vocab.LOCAL_AREAS["upper"]
        self.areas = [str(a) for a in areas]
        self.table = run.sector_tables[b.sector]
        thr = style.dialect.threshold_gbp * 100
        # Pareto tails above the threshold, capped at £50M (central) and £5M (local).
        central = thr >= 2_500_000
        self.thr, self.alpha, self.cap = thr, (1.3 if central else 1.15), thr * (2_000 if central else 10_000)
        self.split_p = 0.05 if b.sector == "central" else 0.03
        self.pending: list[dict] = []

    # ---- one file ------------------------------------------------------------------------

    def write_month(self, m: int, n: int, nil: bool, fmt: str) -> None:
        run, b, st = self.run, self.b, self.style
        year, month = run.periods[m]
        period = f"{year}-{month:02d}"
        rel = f"spend/{b.org_id}/{period}.{fmt}"
        path = run.out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        pending_in, self.pending = self.pending, []
        sink = open_sink(path, st, fmt, f"{calendar.month_abbr[month]} {year}")
        if nil:
            self._write_nil(sink, year, month)
            sink.close()
            run.files += 1
            self._file_row(rel, period, fmt, sink.lines, 4, 0, 0, sink.lines, 0, NIL_RETURN)
            return
        rng = np.random.default_rng([run.seed, 505, b.index, m])
        for cells in self._preamble(year, month):
            if cells is None:
                sink.write_blank()
            else:
                sink.structural(cells)
        sink.structural(st.dialect.header, pad=False)
        header_line = sink.lines
        ndays = month_days(year, month)
        weekday = np.array([dt.date(year, month, d + 1).weekday() < 5 for d in range(ndays)])
        pday = np.where(weekday, 1.0, 0.03)
        pday /= pday.sum()
        cum = np.cumsum(rng.multinomial(n, pday)) if st.sorted_dates else None
        nblank = min(n, int(rng.poisson(st.blank_rate))) if n else 0
        blanks = np.sort(rng.choice(n, size=nblank, replace=False)) if nblank else np.zeros(0, np.int64)
        tables = FileRenderer(self, year, month, fmt)
        seq0 = self.seq
        good = total = 0
        bad_rows = 0
        carry_out: list[dict] = []
        last_month = m == len(run.periods) - 1
        for start in range(0, n, CHUNK):
            k = min(CHUNK, n - start)
            gidx = np.arange(start, start + k)
            day = (np.searchsorted(cum, gidx, side="right") if cum is not None
                   else rng.choice(ndays, size=k, p=pday))
            ch = self._chunk(rng, k, day, ndays, year, month, seq0, pending_in if start == 0 else [], last_month)
            lines = (header_line + 1 + gidx + np.searchsorted(blanks, gidx, side="right")).tolist()
            self._truth(rel, lines, ch)
            for i in ch.carry:
                carry_out.append(dict(
                    sup=int(ch.sup[i]), name=ch.name_over.get(i, self.names[ch.sup[i]]),
                    amount=int(ch.amount[i]), txn=ch.txn[i], etype=int(ch.etype[i]),
                    area=int(ch.area[i]), desc=int(ch.desc[i]), file=rel, line=lines[i]))
            bad_mask = np.zeros(k, dtype=bool)
            amount_bad = np.zeros(k, dtype=bool)
            for i, (field, _code, _pick) in ch.bad.items():
                bad_mask[i] = True
                amount_bad[i] = field == "amount"
            good += int(ch.amount[~bad_mask].sum())
            total += int(ch.amount[~amount_bad].sum())
            bad_rows += len(ch.bad)
            rendered = tables.render(ch, self)
            bl = (blanks[(blanks >= start) & (blanks < start + k)] - start).tolist()
            if bl:
                blank = sink.blank_line()
                parts, prev = [], 0
                for p in bl:
                    parts.extend(rendered[prev:p])
                    parts.append(blank)
                    prev = p
                parts.extend(rendered[prev:])
                rendered = parts
            sink.write_rows(rendered)
            run.rows += k
            run.progress(k)
        self.pending = carry_out
        structural = sink.lines - n
        if st.totals:
            sink.structural(tables.totals_row(total))
            structural += 1
        if st.note:
            sink.structural([st.note])
            structural += 1
        sink.close()
        run.files += 1
        self._file_row(rel, period, fmt, sink.lines, header_line, n, bad_rows, structural, good,
                       st.dialect.name)

    def _file_row(self, rel, period, fmt, rows_read, header_line, data_rows, bad_rows,
                  structural, good, dialect) -> None:
        st = self.style
        csv_ = fmt == "csv"
        self.run.t_files.writerow([
            rel, self.b.org_id, period, fmt, st.encoding if csv_ else "",
            st.delimiter if csv_ else "", header_line, data_rows, bad_rows, structural,
            rows_read, good, dialect, st.date_style if csv_ else "cell",
            st.amount_style if csv_ else "number",
            ("CRLF" if st.eol == "\r\n" else "LF") if csv_ else "",
        ])

    def _preamble(self, year: int, month: int) -> list[list[str] | None]:
        b, st = self.b, self.style
        n = st.preamble_lines
        mname = f"{calendar.month_name[month]} {year}"
        thr = st.dialect.threshold_gbp
        if n == 1:
            return [[f"{b.display_name} - payments over £{thr:,} - {mname}"]]
        lines: list[list[str] | None] = [[b.display_name], [f"Spend over £{thr:,} - {mname}"]]
        if n == 4:
            lines.append(["All values in £ sterling"])
        if n >= 3:
            lines.append(None)
        return lines[:n]

    def _write_nil(self, sink, year: int, month: int) -> None:
        b, st = self.b, self.style
        thr = st.dialect.threshold_gbp
        sink.structural([b.display_name])
        sink.structural([f"Spend over £{thr:,} - {calendar.month_name[month]} {year}"])
        sink.write_blank()
        sink.structural(st.dialect.header, pad=False)
        sink.write_blank()
        sink.structural(["NIL RETURN" if month % 2 else f"No transactions over £{thr:,} this month"])

    # ---- one chunk of rows ---------------------------------------------------------------

    def _chunk(self, rng, k, day, ndays, year, month, seq0, pending_in, last_month) -> _Chunk:
        run, pool, tab = self.run, self.run.pool, self.table
        sup = pool.draw(rng, k, self.local)
        amount = (self.thr * (1.0 + rng.pareto(self.alpha, k))).astype(np.int64)
        np.minimum(amount, self.cap, out=amount)
        amount += rng.integers(0, 100, k)
        low = np.flatnonzero(rng.random(k) < BELOW_THRESHOLD)
        amount[low] = rng.integers(100, self.thr, low.size)
        rnd = rng.random(k) < ROUND_POUNDS
        amount[rnd] -= amount[rnd] % 100
        amount[rng.random(k) < REFUND] *= -1
        desc_r = rng.integers(0, 5, k)
        seq = self.seq + np.arange(k)
        self.seq += k
        # Split lines: one invoice over several expense lines, same supplier, date, reference.
        split = rng.random(k) < self.split_p
        split[0] = False
        # A line of a split invoice is not a payment (its invoice's lines summed are): duplicates
        # copy whole payments.
        in_split = split.copy()
        if split.any():
            g = np.maximum.accumulate(np.where(split, 0, np.arange(k)))
            sup, seq, day = sup[g], seq[g], day[g]
            amount[split] = rng.integers(100, self.thr, int(split.sum()))
            desc_r = desc_r[g]
            in_split[g[split]] = True
        else:
            day = np.asarray(day).copy()
        cat = pool.category[sup].astype(np.int64)
        etype = tab.offs[cat] + rng.integers(0, 1 << 20, k) % tab.counts[cat]
        area = rng.integers(0, len(self.areas), k)
        desc = cat * 5 + desc_r
        txn = format_txns(seq, self.style.txn_style, year, month, seq0)
        name_over: dict[int, str] = {}
        for i in np.flatnonzero(rng.random(k) < STRAY_NAME).tolist():
            name_over[i] = self._other_form(int(sup[i]), self.names[sup[i]], 1 + i % (FORMS - 1))

        taken = np.zeros(k, dtype=bool)
        dups: list[tuple] = []
        picks = iter(rng.integers(0, 1 << 30, size=4 * k + 64).tolist())

        def source_of(j: int) -> int | None:
            if j == 0:
                return None
            i = j - 1 - next(picks) % min(j, 400)
            return None if taken[i] or taken[j] or in_split[i] else i

        def copy_row(j: int, i: int) -> None:
            sup[j], amount[j], etype[j], area[j], desc[j] = sup[i], amount[i], etype[i], area[i], desc[i]
            # Another day: lines of one file, date and reference are one payment, not copies.
            later = int(day[i]) + 1 + next(picks) % 5
            day[j] = later if later < ndays else int(day[i]) - 1 - (later - ndays)
            txn[j] = txn[i]
            if i in name_over:
                name_over[j] = name_over[i]
            else:
                name_over.pop(j, None)

        ndup = int(rng.binomial(k, run.dup_rate * (1 - CROSS_MONTH_SHARE)))
        for j in rng.choice(k, size=min(ndup, k), replace=False).tolist():
            i = source_of(j)
            if i is None:
                continue
            taken[i] = taken[j] = True
            copy_row(j, i)
            r = next(picks) % 4
            if r == 2:
                txn[j] = reference_variant(txn[i], next(picks))
                dups.append(("reference-variant", j, i))
            elif r == 3:
                src_name = name_over.get(i, self.names[sup[i]])
                name_over[j] = self._other_form(int(sup[i]), src_name, 1 + next(picks) % (FORMS - 1))
                dups.append(("name-variant", j, i))
            else:
                dups.append(("exact", j, i))
        ncn = int(rng.binomial(k, run.dup_rate * CREDIT_NOTE_SHARE))
        for j in rng.choice(k, size=min(ncn, k), replace=False).tolist():
            i = source_of(j)
            if i is None or amount[i] <= 0:
                continue
            taken[i] = taken[j] = True
            keep_txn = txn[j]
            copy_row(j, i)
            txn[j] = keep_txn  # a credit note has its own document number
            amount[j] = -amount[i]
            day[j] = min(int(day[i]) + 1 + next(picks) % 10, ndays - 1)
            dups.append(("credit-note", j, i))
        free = np.flatnonzero(~taken)
        for p, j in zip(pending_in, rng.permutation(free)[: len(pending_in)].tolist()):
            taken[j] = True
            sup[j], amount[j], etype[j], area[j], desc[j] = p["sup"], p["amount"], p["etype"], p["area"], p["desc"]
            day[j] = min(next(picks) % 7, ndays - 1)
            txn[j] = p["txn"]
            name_over[j] = p["name"]
            dups.append(("exact", j, (p["file"], p["line"])))
        carry: list[int] = []
        if not last_month:
            nx = int(rng.binomial(k, run.dup_rate * CROSS_MONTH_SHARE))
            free = np.flatnonzero(~taken & ~in_split)
            carry = rng.permutation(free)[:nx].tolist()
            taken[carry] = True
        bad: dict[int, tuple[str, str, int]] = {}
        nbad = int(rng.binomial(k, run.bad_rate))
        if nbad:
            free = np.flatnonzero(~taken)
            weights = np.array([w for _, _, w in BAD_CODES], float)
            codes = rng.choice(len(BAD_CODES), size=nbad, p=weights / weights.sum())
            for j, c in zip(rng.permutation(free)[:nbad].tolist(), codes.tolist()):
                code, field, _ = BAD_CODES[c]
                bad[j] = (field, code, next(picks))
        self._look_alikes(k, ndays, sup, amount, day, etype, area, desc, txn, name_over, taken | bad_taken(bad, k), dups)
        return _Chunk(sup, amount, day, etype, area, desc, txn, name_over, bad, dups, carry)

    def _look_alikes(self, k, ndays, sup, amount, day, etype, area, desc, txn, name_over, taken, dups) -> None:
        """Plant negatives on free rows: what a duplicate scan must not call a duplicate.

        Each is recorded as (kind, row, row it resembles). Drawn from their own stream, so the
        duplicates, credit notes and bad cells planted before them stay where they were.
        """
        fields = {f for _, f in self.style.dialect.columns}
        if "txn" not in fields or not self.run.dup_rate:
            return  # without references a split payment or a withheld payee cannot be told apart
        rng = np.random.default_rng([self.run.seed, 606, self.b.index, self.seq])
        free = [int(j) for j in rng.permutation(np.flatnonzero(~taken))]
        n = int(rng.binomial(k, self.run.dup_rate * LOOK_ALIKE_SHARE))

        def take(m: int) -> list[int] | None:
            return [free.pop() for _ in range(m)] if len(free) >= m else None

        for _ in range(n):  # one payment coded over two to four cost centres, equal parts
            rows = take(int(rng.integers(2, 5)))
            if rows is None:
                break
            i, *rest = rows
            for j in rest:
                sup[j], amount[j], day[j], txn[j], etype[j], desc[j] = sup[i], amount[i], day[i], txn[i], etype[i], desc[i]
                area[j] = (area[i] + 1 + j) % len(self.areas) if len(self.areas) > 1 else area[i]
                name_over.pop(j, None)
                if i in name_over:
                    name_over[j] = name_over[i]
                dups.append(("look-alike-split", j, i))
        for _ in range(n):  # a care package paid weekly, no reference: one supplier, one amount
            rows = take(4) if ndays >= 22 else None
            if rows is None:
                break
            i, *rest = rows
            day[i], txn[i] = int(rng.integers(0, ndays - 21)), ""
            for w, j in enumerate(rest, 1):
                sup[j], amount[j], day[j], txn[j] = sup[i], amount[i], day[i] + 7 * w, ""
                name_over.pop(j, None)
                if i in name_over:
                    name_over[j] = name_over[i]
                dups.append(("look-alike-instalment", j, i))
        for _ in range(n):  # neighbouring ledger numbers: two payments, numbers a swap apart
            rows = take(2)
            if rows is None:
                break
            i, j = rows
            neighbour = neighbouring_swap(txn[i])
            if neighbour is None:
                free.extend(rows)
                break
            sup[j], amount[j], txn[j] = sup[i], amount[i], neighbour
            day[j] = min(int(day[i]) + int(rng.integers(1, 8)), ndays - 1)
            name_over.pop(j, None)
            if i in name_over:
                name_over[j] = name_over[i]
            dups.append(("look-alike-ledger", j, i))
        for _ in range(n):  # two withheld payees paid one amount within a week, no reference
            rows = take(2)
            if rows is None:
                break
            i, j = rows
            amount[j], txn[i], txn[j] = amount[i], "", ""
            day[j] = min(int(day[i]) + int(rng.integers(0, 7)), ndays - 1)
            label = WITHHELD[int(rng.integers(0, len(WITHHELD)))]
            name_over[i] = name_over[j] = label.upper() if self.style.upper_names else label
            dups.append(("look-alike-withheld", j, i))

    def _other_form(self, s: int, current: str, step: int) -> str:
        """Another form of supplier `s`'s name that differs from `current` as written.

        Upper-casing can merge forms ('Ltd'/'LTD'); then a form in its own case is used,
        as a clerk typing it fresh would. Every result is listed in truth/suppliers.csv.
        """
        forms = self.run.pool.forms[:, s]
        order = [forms[(self.form_idx[s] + step + t) % FORMS] for t in range(FORMS)]
        cased = [f.upper() for f in order] if self.style.upper_names else order
        for f in cased + order:
            if f != current:
                return f
        raise AssertionError("a supplier's forms are distinct")

    def _truth(self, rel: str, lines: list[int], ch: _Chunk) -> None:
        run, b = self.run, self.b
        for kind, j, src in ch.dups:
            if isinstance(src, tuple):
                ofile, oline = src
            else:
                ofile, oline = rel, lines[src]
            run.t_dups.writerow([b.org_id, kind, rel, lines[j], ofile, oline,
                                 SupplierPool.key(int(ch.sup[j])), _pounds(int(ch.amount[j]))])
        header = self.style.dialect.columns
        label = {f: lab for lab, f in header}
        for j in sorted(ch.bad):
            field, code, _ = ch.bad[j]
            run.t_bad.writerow([rel, lines[j], label[field], code])




def bad_taken(bad: dict, k: int) -> np.ndarray:
    mask = np.zeros(k, dtype=bool)
    mask[list(bad)] = True
    return mask


def neighbouring_swap(ref: str) -> str | None:
    """A reference two adjacent digits apart in its last three digits, when the reference is a
    number once punctuation is dropped: the next ledger entry that reads as a transposition."""
    key = "".join(c for c in ref.upper() if c.isalnum())
    if not key.isdigit():
        return None
    tail = len(ref)
    for i in range(tail - 2, max(tail - 4, -1), -1):
        if ref[i].isdigit() and ref[i + 1].isdigit() and ref[i] != ref[i + 1]:
            return ref[:i] + ref[i + 1] + ref[i] + ref[i + 2:]
    return None
