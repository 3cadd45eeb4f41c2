"""Duplicate payments within a body: the same invoice paid twice, and the ways it hides.

Lines are first summed into payments (one file, date, reference and supplier). Candidates come
from two self-joins of those payments written as Ibis expressions, so they run unchanged on
DuckDB and Spark: payments sharing body, amount and normalised reference (any dates), and
payments sharing body, amount and supplier key within a window of days. Neither join needs a
window function. The few candidate pairs are then judged in Python (transposed or prefixed
references, supplier-name similarity with rapidfuzz), instalments of a regular series set aside,
joined into groups of copies (a line re-published in a later file counted once), checked
against cancelling credit notes, and each group becomes one `Finding`.

The rules, their formulas and their failure modes are written for an auditor in
docs/methodology.md ("Duplicate payments").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from openbook.analyse.detectors.instalments import instalments
from openbook.analyse.detectors.payment_pairs import (
    CANDIDATE_BATCH, CONFIDENCE, NEEDS_REVIEW, DuplicateSettings, Pair, Row, candidate_pairs, judge, ledger_number,
    name_key, payments, reference_key, row_of,
)
from openbook.analyse.findings import Finding
from openbook.store.book import Book

DETECTOR = "payments"
KIND = "duplicate-payment"
PRICE_PAYMENTS = 4
"""Payments of one amount to one supplier, in more than one month, that make the amount a price
(a fee, a unit rate): without references, two of them are no evidence of one invoice paid twice."""


@dataclass
class DuplicateScan:
    """Findings plus the counts an auditor needs to judge them (what was set aside, and why)."""

    findings: list[Finding]
    pairs: list[Pair]
    candidates: int = 0
    set_aside: dict[str, int] = field(default_factory=dict)
    settings: DuplicateSettings = field(default_factory=DuplicateSettings)



# ---- groups, credit notes, findings --------------------------------------------------------

@dataclass
class Group:
    """Copies of one payment (two or more rows) and the pairs that joined them."""

    pairs: list[Pair]
    copies: list[Row]  # earliest first
    credits: list[Row] = field(default_factory=list)

    @property
    def extra(self) -> int:
        return len(self.copies) - 1 - len(self.credits)


def _groups(pairs: list[Pair]) -> list[Group]:
    """Pairs joined into groups of copies (union-find over row ids)."""
    parent: dict = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[root(p.a.id)] = root(p.b.id)
    grouped: dict = defaultdict(list)
    for p in pairs:
        grouped[root(p.a.id)].append(p)
    groups = []
    for members in grouped.values():
        rows = {r.id: r for p in members for r in (p.a, p.b)}
        copies, seen = [], set()
        for r in sorted(rows.values(), key=lambda r: (r.paid_on or date.max, r.id)):
            same_line = (r.paid_on, r.ref, r.skey, r.amount) if r.paid_on and r.ref and r.skey else r.id
            if same_line not in seen:  # a line re-published in a later file is one payment
                seen.add(same_line)
                copies.append(r)
        if len(copies) < 2:
            continue
        groups.append(Group(sorted(members, key=lambda p: (p.a.id, p.b.id)), copies))
    return groups


def _cancel_with_credit_notes(book: Book, groups: list[Group], settings: DuplicateSettings) -> None:
    """Attach to each group of payments the credit notes that cancel one of its copies each.

    A credit note cancels a copy when it is the negative of the amount, from the same body, for
    the same supplier key or reference, and dated no earlier than `window_days` before the first
    copy; each credit note is used once. Groups of negative lines (a credit recorded twice) are
    not cancelled by payments.
    """
    payments_ = [g for g in groups if g.copies[0].amount > 0]
    if not payments_:
        return
    spend = book.ibis().table("spend_current")
    keys = ibis.memtable(pa.table({"org_id": [g.copies[0].org_id for g in payments_],
                                   "credit": pa.array([-g.copies[0].amount for g in payments_],
                                                      pa.decimal128(18, 2))})).distinct()
    credits = spend.filter(spend.amount_gbp < 0)
    credits = credits.join(keys, [credits.org_id == keys.org_id,
                                  credits.amount_gbp == keys.credit])
    rows = credits.select(
        sha=credits.source_sha256, line=credits.source_line, org_id=credits.org_id,
        amount=credits.amount_gbp, paid_on=credits.paid_on,
        skey=ibis.coalesce(credits.supplier_id.cast("string"), name_key(credits.supplier_name)),
        rkey=reference_key(credits.txn_ref), name=credits.supplier_name, ref=credits.txn_ref,
        etype=credits.expense_type, sref=credits.supplier_ref,
    ).to_pyarrow().to_pylist()
    by_key: dict = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["paid_on"] or date.max, r["sha"], r["line"])):
        by_key[(r["org_id"], -r["amount"])].append(row_of(r))
    used: set = set()
    for group in payments_:
        copies = group.copies
        skeys = {c.skey for c in copies} - {None}
        rkeys = {c.rkey for c in copies} - {None}
        earliest = copies[0].paid_on
        for credit in by_key.get((copies[0].org_id, copies[0].amount), []):
            if group.extra <= 0:
                break
            if credit.id in used or not (credit.skey in skeys or (credit.rkey and credit.rkey in rkeys)):
                continue
            if earliest and credit.paid_on and (credit.paid_on - earliest).days < -settings.window_days:
                continue
            used.add(credit.id)
            group.credits.append(credit)


def _finding(group: Group, files: dict[str, str]) -> Finding:
    copies, credits = group.copies, group.credits
    first = copies[0]
    weakest = min(group.pairs, key=lambda p: CONFIDENCE[p.rule])
    amount = abs(first.amount)
    at_stake = amount * group.extra
    each = f"£{amount:,.2f}"
    lines = "credit lines" if first.amount < 0 else "payments"
    formula = f"{len(copies)} {lines} × {each} − 1 expected"
    if credits:
        formula += f" − {len(credits)} cancelled by credit note{'s' if len(credits) > 1 else ''}"
    formula += f" = {group.extra} × {each} = £{at_stake:,.2f}"
    supplier = first.name or "an unnamed supplier"
    what = f"Invoice {first.ref}" if first.ref else "A payment"
    verb = "was credited" if first.amount < 0 else "was paid"
    title = f"{what} to {supplier} ({each}) {verb} {len(copies)} times"
    explanation = [p.explain(files) for p in group.pairs]
    explanation += [f"credit note {files.get(c.sha, c.sha[:12])}:{c.line} ({c.paid_on}, reference "
                    f"'{c.ref}') cancels one copy" for c in credits]
    return Finding(kind=KIND, detector=DETECTOR, org_ids=[first.org_id], title=title, gbp_at_stake=at_stake,
                   formula=formula, confidence=CONFIDENCE[weakest.rule],
                   evidence=[r.id for r in copies] + [c.id for c in credits],
                   description="\n".join(explanation), key=weakest.rule,
                   needs_review=weakest.rule in NEEDS_REVIEW or _instalments_by_design(copies))


# A grant is paid in tranches against its award reference (grant in aid drawn down weekly, a
# programme grant quarterly): copies that are all grant lines may be instalments, so need review.
# Both tells were read from the tuning half's false findings (docs/methodology.md).
_GRANT = re.compile(r"\bgrants?\b|\bgrant in aid\b|\bgrant-in aid\b|\bgia\b", re.I)


def _grant(row: Row) -> bool:
    return bool(row.expense_type and _GRANT.search(row.expense_type))


# Business rates and other council bills are billed once a year and paid in monthly instalments of
# one amount under the bill's number: copies a month or more apart to a council, or on rates lines.
_RATES = re.compile(r"\b(business |non domestic |nndr )?rates\b", re.I)
_COUNCIL = re.compile(r"\b(council|borough|corporation of london)\b", re.I)


def _instalments_by_design(copies: list[Row]) -> bool:
    """Copies that may be instalments of one award or bill: every copy a grant line, or every copy
    a rates line or paid to a council, in different months."""
    if all(_grant(c) for c in copies):
        return True
    months = {(c.paid_on.year, c.paid_on.month) for c in copies if c.paid_on}
    billed = all((c.expense_type and _RATES.search(c.expense_type)) or (c.name and _COUNCIL.search(c.name))
                 for c in copies)
    return billed and len(months) == len(copies)


def _without_instalments(book: Book, pairs: list[Pair], settings: DuplicateSettings, org: str | None,
                          set_aside: dict[str, int]) -> list[Pair]:
    """The pairs that are not two instalments of a regular series of one amount to one supplier."""
    keys = {(p.a.org_id, p.a.skey, p.a.amount) for p in pairs if p.a.skey and p.a.skey == p.b.skey}
    if not keys:
        return pairs
    org_ids, skeys, amounts = zip(*keys)
    wanted = ibis.memtable(pa.table({"k_org": list(org_ids), "k_skey": list(skeys),
                                     "k_amount": pa.array(amounts, pa.decimal128(18, 2))}))
    every = payments(book, settings, org)
    every = every.filter(every.paid_on.notnull())
    hits = every.join(wanted, [every.org_id == wanted.k_org, every.skey == wanted.k_skey,
                               every.amount == wanted.k_amount])
    series: dict = defaultdict(list)
    for r in hits.select("org_id", "skey", "amount", "paid_on").to_pyarrow().to_pylist():
        series[(r["org_id"], r["skey"], r["amount"])].append(r["paid_on"])
    kept = []
    for p in pairs:
        dates = series.get((p.a.org_id, p.a.skey, p.a.amount), []) if p.a.skey and p.a.skey == p.b.skey else []
        beat = instalments(dates, p.a.paid_on, p.b.paid_on) if dates else None
        if beat:
            set_aside[f"{beat} instalments of one amount to one supplier"] += 1
            continue
        if p.rule == "no-reference" and len(dates) >= PRICE_PAYMENTS and len({(d.year, d.month) for d in dates}) > 1:
            set_aside["a price paid many times, no reference to tell copies apart"] += 1
            continue
        kept.append(p)
    return kept


SWAPPED = "adjacent characters swapped"


def _without_invoice_runs(book: Book, pairs: list[Pair], settings: DuplicateSettings, org: str | None,
                          set_aside: dict[str, int]) -> list[Pair]:
    """The pairs of swapped references that are not two entries of the supplier's own numbering.

    Two digits swapped is evidence of one invoice keyed twice only when nothing else explains two
    numbers of one form: if the same body paid the same supplier under another reference of that
    form whose number lies between them, on the day of either copy, the two are invoices of one
    payment run (one per care home resident, one per booking) that happen to read as a swap. A
    copy keyed again later has no such run beside it.
    """
    swaps = [p for p in pairs if p.how == SWAPPED and p.a.skey and ledger_number(p.a.rkey or "")]
    if not swaps:
        return pairs
    swap_ids = {id(p) for p in swaps}
    keys = {(p.a.org_id, p.a.skey) for p in swaps}
    wanted = ibis.memtable(pa.table({"k_org": [o for o, _ in keys], "k_skey": [k for _, k in keys]}))
    every = payments(book, settings, org)
    every = every.mutate(rkey=reference_key(every.ref))
    hits = every.join(wanted, [every.org_id == wanted.k_org, every.skey == wanted.k_skey])
    numbers: dict = defaultdict(list)
    for r in hits.select("org_id", "skey", "rkey", "paid_on").distinct().to_pyarrow().to_pylist():
        number = ledger_number(r["rkey"] or "")
        if number:
            numbers[(r["org_id"], r["skey"], number[0])].append((number[1], r["paid_on"]))
    kept = []
    for p in pairs:
        if id(p) in swap_ids:
            (form, x), (_, y) = ledger_number(p.a.rkey), ledger_number(p.b.rkey)
            low, high = sorted((x, y))
            days = {p.a.paid_on, p.b.paid_on} - {None}
            if any(low < n < high and day in days for n, day in numbers.get((p.a.org_id, p.a.skey, form), [])):
                set_aside["swapped references with the supplier's own numbering between them"] += 1
                continue
        kept.append(p)
    return kept


def find_duplicate_payments(book: Book, settings: DuplicateSettings | None = None,
                            org: str | None = None) -> DuplicateScan:
    """Scan current spend for duplicate payments within each body; nothing is saved."""
    settings = settings or DuplicateSettings()
    set_aside: dict[str, int] = defaultdict(int)
    pairs: list[Pair] = []
    candidates, shas = 0, {}
    # Judged a batch at a time: at 100M lines there are about a million candidate pairs, and
    # Python then holds the pairs kept, not every candidate as a dict (Arrow holds them compactly).
    found = candidate_pairs(book, settings, org).to_pyarrow()
    for batch in found.to_batches(max_chunksize=CANDIDATE_BATCH):
        if not settings.enabled("same-amount"):  # what judge would set aside, counted here
            unrelated = batch.column("unrelated")
            if skipped := pc.sum(unrelated).as_py() or 0:
                candidates += skipped
                set_aside["unrelated references"] += skipped
                batch = batch.filter(pc.invert(unrelated))
        for record in batch.to_pylist():
            candidates += 1
            pair, why = judge(record["joined"], row_of(record, "a_", shas), row_of(record, "b_", shas), settings)
            if pair is None or not settings.enabled(pair.rule):
                set_aside[why or f"rule {pair.rule} is off"] += 1
                continue
            pairs.append(pair)
    pairs = _without_instalments(book, pairs, settings, org, set_aside)
    pairs = _without_invoice_runs(book, pairs, settings, org, set_aside)
    groups = _groups(pairs)
    _cancel_with_credit_notes(book, groups, settings)
    source = book.ibis().table("source")
    files = dict(zip(*source.select("sha256", "file_name").to_pyarrow().to_pydict().values())) if groups else {}
    findings = []
    for group in groups:
        if group.extra <= 0:
            set_aside["cancelled by credit notes"] += 1
            continue
        findings.append(_finding(group, files))
    findings.sort(key=lambda f: (-f.gbp_at_stake, f.finding_id))
    kept = [p for g in groups if g.extra > 0 for p in g.pairs]
    return DuplicateScan(findings, kept, candidates, dict(set_aside), settings)


def findings(book: Book) -> list[Finding]:
    """The duplicate-payment detector: every group of copies with the default settings."""
    return find_duplicate_payments(book).findings
