"""Candidate pairs of payments that may be one invoice paid twice, and the rules that judge them.

Candidates come from two self-joins of current spend written as Ibis expressions, so they run
unchanged on DuckDB and Spark: rows sharing body, amount and normalised reference (any dates),
and rows sharing body, amount and supplier key within a window of days. Neither join needs a
window function. The few candidate pairs are then judged in Python (transposed or prefixed
references, supplier-name similarity with rapidfuzz).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import ibis
from rapidfuzz import fuzz, utils

from openbook.store.book import Book

# One regular expression pass: word-level legal forms and 'the', then anything not a letter or
# digit. Written for RE2 (DuckDB) and java.util.regex (Spark) alike: \b is ASCII in both.
_LEGAL_FORMS = r"\b(the|ltd|limited|plc|llp|cic)\b|[^a-z0-9]+"
CONFIDENCE = {
    "exact": 0.95,                # same supplier, amount and reference, as written
    "reference-variant": 0.85,    # same supplier and amount; the reference re-keyed
    "name-variant": 0.85,         # same amount and reference; the supplier spelt another way
    "no-reference": 0.5,          # same supplier and amount within the window; a reference missing
    "same-amount": 0.25,          # same supplier and amount within the window; references unrelated
}


@dataclass(frozen=True)
class DuplicateSettings:
    """What the duplicate-payment scan looks for; every default is documented in methodology.md."""

    window_days: int = 14
    """Most days between two payments of one amount to one supplier for a near duplicate."""
    min_amount: Decimal = Decimal("0.01")
    """Smallest line considered, either sign (a credit recorded twice is a duplicate too)."""
    exact: bool = True
    """Rule `exact`: same supplier key, amount and reference (any dates)."""
    reference_variant: bool = True
    """Rule `reference-variant`: same supplier key and amount within the window, references that
    differ only by punctuation, one pair of adjacent characters swapped, or a prefix/suffix."""
    name_variant: bool = True
    """Rule `name-variant`: same amount and reference, supplier names that differ but are alike."""
    no_reference: bool = True
    """Rule `no-reference`: same supplier key and amount within the window, a reference missing."""
    same_amount: bool = False
    """Rule `same-amount`: same supplier key and amount within the window, unrelated references.
    Off by default: monthly fees and same-day identical amounts make it mostly noise."""
    name_similarity: float = 85.0
    """Least rapidfuzz score (0-100) for two supplier names to count as one supplier."""
    min_reference_length: int = 4
    """Shortest reference that may match another as its prefix or suffix."""

    def enabled(self, rule: str) -> bool:
        return getattr(self, rule.replace("-", "_"))


@dataclass(frozen=True, eq=False, slots=True)
class Row:
    """One payment line as the rules see it; `id` = (source_sha256, source_line) is its identity."""

    id: tuple[str, int]
    sha: str
    line: int
    org_id: str
    amount: Decimal
    paid_on: date | None
    skey: str | None
    rkey: str | None
    name: str | None
    ref: str | None
    expense_type: str | None
    supplier_ref: str | None


@dataclass
class Pair:
    rule: str
    a: Row
    b: Row
    matching: list[str]
    differing: dict[str, tuple]
    how: str = ""

    @property
    def days(self) -> int | None:
        if self.a.paid_on is None or self.b.paid_on is None:
            return None
        return abs((self.b.paid_on - self.a.paid_on).days)

    def explain(self, files: dict[str, str] | None = None) -> str:
        """'rule (how): file:line and file:line; same …; differ in …; N days apart'."""
        files = files or {}
        differ = "; ".join(f"{f} '{va}' vs '{vb}'" for f, (va, vb) in self.differing.items()) or "nothing"
        days = "dates unknown" if self.days is None else f"{self.days} day{'' if self.days == 1 else 's'} apart"
        how = f" ({self.how})" if self.how else ""
        a, b = (f"{files.get(r.sha, r.sha[:12])}:{r.line}" for r in (self.a, self.b))
        return f"{self.rule}{how}: {a} and {b}; same {', '.join(self.matching)}; differ in {differ}; {days}"


# ---- candidate generation (Ibis, engine-neutral) -------------------------------------------

def name_key(name: ibis.Value) -> ibis.Value:
    """The supplier name without case, punctuation, spaces, 'the' and legal forms ('&' read as
    'and'): 'The Acme & Co Ltd.' and 'ACME AND CO' agree."""
    return name.lower().replace("&", "and").re_replace(_LEGAL_FORMS, "").nullif("")


def reference_key(ref: ibis.Value) -> ibis.Value:
    """The reference upper-cased without spaces or punctuation ('PINV/0038' → 'PINV0038')."""
    return ref.upper().re_replace("[^A-Z0-9]+", "").nullif("")


# Candidate pairs brought into Python at a time.
CANDIDATE_BATCH = 50_000
_SIDE = ("sha", "line", "org_id", "amount", "paid_on", "skey", "rkey", "name", "ref", "etype", "sref")


def payments(book: Book, settings: DuplicateSettings, org: str | None = None, *, narrow: bool = False):
    """Current lines of at least the minimum amount (either sign) with their supplier key: the
    resolved supplier when set, else the name key. The name key is worked out once per distinct
    name (a body writes each supplier's name the same way thousands of times), not per line.

    `narrow` keeps only the body, amount and supplier key, which the candidate groups are counted
    on: grouping 100M lines of those is a fraction of the work of grouping them with every column
    the rules later read.
    """
    spend = _lines(book, settings, org)
    if narrow:
        spend = spend.select(org_id=spend.org_id, amount=spend.amount_gbp, supplier_id=spend.supplier_id,
                             name=spend.supplier_name)
    else:
        spend = spend.select(sha=spend.source_sha256, line=spend.source_line, org_id=spend.org_id,
                             amount=spend.amount_gbp, paid_on=spend.paid_on, supplier_id=spend.supplier_id,
                             name=spend.supplier_name, ref=spend.txn_ref, etype=spend.expense_type,
                             sref=spend.supplier_ref)
    names = spend.select("name").distinct()
    names = names.select("name", name_key=name_key(names.name))
    keyed = spend.left_join(names, "name")
    dropped = {"supplier_id", "name"} if narrow else {"supplier_id"}
    return keyed.select(*[c for c in spend.columns if c not in dropped],
                        skey=ibis.coalesce(keyed.supplier_id.cast("string"), keyed.name_key))


def _lines(book: Book, settings: DuplicateSettings, org: str | None):
    spend = book.ibis().table("spend_current")
    spend = spend.filter(spend.amount_gbp.abs() >= ibis.literal(settings.min_amount, spend.amount_gbp.type()))
    return spend.filter(spend.org_id == org) if org else spend


def candidate_pairs(book: Book, settings: DuplicateSettings, org: str | None = None):
    """Both candidate joins as one Ibis expression: columns a_* and b_*, and `joined` ('supplier'
    or 'reference'); a is the lower row id.

    Grouping first keeps the joins small: only lines whose (body, amount, supplier key) or
    (body, amount, reference as written) occurs more than once take part. Each kind of group is
    counted on just the columns it is keyed on, and the full lines are read once and kept only
    when they fall in a group of either kind, so the joins (and any copy the engine makes of
    their input) hold a few percent of the lines. The supplier join keeps pairs whose references
    agree once normalised (any dates) or that lie within the window; the reference join keeps
    pairs of two different supplier keys.
    """
    def repeated(key: str, hit: str):
        if key == "skey":
            lines = payments(book, settings, org, narrow=True)
        else:
            spend = _lines(book, settings, org)
            lines = spend.select(org_id=spend.org_id, amount=spend.amount_gbp, ref=spend.txn_ref)
        present = lines.filter(lines[key].notnull())
        groups = (present.group_by(["org_id", "amount", key]).aggregate(copies=present.count())
                  .filter(lambda t: t.copies > 1))
        return groups.select(**{f"{hit}_org": groups.org_id, f"{hit}_amount": groups.amount,
                                f"{hit}_key": groups[key]})

    found = payments(book, settings, org)
    columns = found.columns
    for key, hit in (("skey", "skey_hit"), ("ref", "ref_hit")):
        groups, found = repeated(key, hit), found.view()  # the same tables underneath: a view tells them apart
        found = found.left_join(groups, [found.org_id == groups[f"{hit}_org"], found.amount == groups[f"{hit}_amount"],
                                         found[key] == groups[f"{hit}_key"]])
        found = found.select(*columns, **{hit: found[f"{hit}_key"].notnull()})
        columns = found.columns
    found = found.filter(found.skey_hit | found.ref_hit)
    found = found.mutate(rkey=reference_key(found.ref))

    def pairs(side, key: str, conditions):
        a, b = side.view(), side.view()
        first = (a.sha < b.sha) | ((a.sha == b.sha) & (a.line < b.line))
        joined = a.join(b, [a.org_id == b.org_id, a.amount == b.amount, a[key] == b[key], first,
                            *conditions(a, b)])
        return joined.select(joined=ibis.literal("supplier" if key == "skey" else "reference"),
                             **{f"a_{c}": a[c] for c in _SIDE}, **{f"b_{c}": b[c] for c in _SIDE})

    within = settings.window_days
    by_supplier = pairs(found.filter(found.skey_hit), "skey", lambda a, b: [
        (a.rkey == b.rkey) | (a.paid_on.delta(b.paid_on, unit="day").abs() <= within)])
    by_reference = pairs(found.filter(found.ref_hit), "ref", lambda a, b: [
        (a.skey != b.skey) | a.skey.isnull() | b.skey.isnull()])
    return by_supplier.union(by_reference)


# ---- the rules (Python, on the small candidate set) -----------------------------------------

def reference_variant(x: str, y: str, min_length: int = 4) -> str | None:
    """How two normalised references are one re-keyed reference, or None.

    >>> reference_variant("4012433", "4014233"), reference_variant("INV4012433", "4012433")
    ('adjacent characters swapped', "prefix 'INV'")
    """
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]:
            return "adjacent characters swapped"
        return None
    short, long_ = sorted((x, y), key=len)
    if len(short) < min_length or not any(c.isdigit() for c in short):
        return None
    if long_.endswith(short):
        return f"prefix {long_[:len(long_) - len(short)]!r}"
    if long_.startswith(short):
        return f"suffix {long_[len(short):]!r}"
    return None


def names_alike(a: Row, b: Row, threshold: float) -> bool:
    """Two supplier names that are one firm spelt two ways (word order, typos, legal form)."""
    if a.supplier_ref and a.supplier_ref == b.supplier_ref:
        return True
    score = max(fuzz.ratio(a.skey or "", b.skey or ""),
                fuzz.token_sort_ratio(a.name or "", b.name or "", processor=utils.default_process))
    return score >= threshold


def judge(joined: str, a: Row, b: Row, settings: DuplicateSettings) -> tuple[Pair | None, str]:
    """The rule a candidate pair meets, or None and why it was set aside."""
    differing = {f: (getattr(a, attr), getattr(b, attr)) for f, attr in
                 (("supplier name", "name"), ("reference", "ref"), ("paid on", "paid_on"))
                 if getattr(a, attr) != getattr(b, attr)}
    if joined == "reference":
        if names_alike(a, b, settings.name_similarity):
            return Pair("name-variant", a, b, ["amount", "reference", "supplier (alike names)"], differing), ""
        return None, "one reference, unrelated suppliers"
    if a.rkey and a.rkey == b.rkey:
        if a.sha == b.sha and a.expense_type and b.expense_type and a.expense_type != b.expense_type:
            return None, "split invoice lines (one file, one reference, other expense types)"
        if a.ref != b.ref:
            return Pair("reference-variant", a, b, ["supplier", "amount", "reference once punctuation "
                        "is ignored"], differing, "punctuation"), ""
        return Pair("exact", a, b, ["supplier", "amount", "reference"], differing), ""
    if a.rkey and b.rkey:
        how = reference_variant(a.rkey, b.rkey, settings.min_reference_length)
        if how:
            return Pair("reference-variant", a, b, ["supplier", "amount"], differing, how), ""
        return Pair("same-amount", a, b, ["supplier", "amount"], differing), "unrelated references"
    return Pair("no-reference", a, b, ["supplier", "amount"], differing), ""


def row_of(record: dict, prefix: str = "", shas: dict[str, str] | None = None) -> Row:
    g = [record[f"{prefix}{c}"] for c in _SIDE]
    if shas is not None:  # one string per file, not one per line: a national scan keeps many rows
        g[0] = shas.setdefault(g[0], g[0])
    return Row((g[0], g[1]), *g)


