"""Candidate pairs of payments that may be one invoice paid twice, and the rules that judge them.

A payment is not a line: the lines of one file that share a date, a reference and a supplier are one payment coded to
several cost centres or expense types, and are summed before anything is compared. Candidates come from two self-joins
of those payments written as Ibis expressions, so they run unchanged on DuckDB and Spark: payments sharing body,
amount and normalised reference (any dates), and payments sharing body, amount and supplier key within a window of
days (dates known to the day only). Neither join needs a window function. The few candidate pairs are then judged in
Python (transposed or prefixed references, supplier-name similarity with rapidfuzz), and a pair needs independent
evidence: not the same line re-published in another file, not two neighbouring ledger numbers, not a reference many
suppliers share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import ibis
from rapidfuzz import fuzz, utils

from openbook.store.book import Book

# One regular expression pass: word-level legal forms and 'the', then anything not a letter or
# digit. Written for RE2 (DuckDB) and java.util.regex (Spark) alike: \b is ASCII in both.
_LEGAL_FORMS = r"\b(the|ltd|limited|plc|llp|cic)\b|[^a-z0-9]+"
# Payees a publisher withheld: redacted, withheld (or 'witheld'), removed, personal data or
# expenses, an individual, not disclosed. Written for RE2 and java.util.regex alike, on lower case.
_WITHHELD = (r"redact|withh?eld|name removed|not disclosed|undisclosed|anonymi[sz]ed|data protection"
             r"|personal (data|information|details|expenses?)|^(a |private )?individuals?$|^confidential"
             r"|^x[x ]+x$|^\*[* ]+\*$")  # a name typed over with x's or asterisks ('xx x xxxx')
# Suppliers that share one reference in a body before it stops being evidence of one document.
SHARED_REFERENCE_SUPPLIERS = 3
# Two pure-number references closer than this are neighbouring entries of one ledger run.
LEDGER_NEIGHBOURS = 1000
CONFIDENCE = {
    "exact": 0.95,                # same supplier, amount and reference, as written
    "reference-variant": 0.85,    # same supplier and amount; the reference re-keyed
    "name-variant": 0.85,         # same amount and reference; the supplier spelt another way
    "no-reference": 0.5,          # same supplier and amount within the window; a reference missing
    "same-amount": 0.25,          # same supplier and amount within the window; references unrelated
}
# Rules whose findings cannot reach 0.9 precision from published data alone: without a reference
# nothing tells a second invoice of the same amount (a weekly care package, a monthly fee) from a
# copy. Their findings say "needs review", rank below the rest and are counted in no saving.
NEEDS_REVIEW = frozenset({"no-reference", "same-amount"})


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
    day_known: bool = True
    """False when the date is a month (the file dates everything the 1st, or gives a month)."""
    parts: int = 1
    """Lines of the file summed into this payment (one payment over several coding lines)."""
    shared_ref: bool = False
    """The reference is used by many suppliers in the body ('BACS', '3', 'N/A'): no evidence."""
    refs_published: bool = True
    """The file gives a reference on at least half its lines (a missing one is then a gap)."""


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
        a, b = (f"{files.get(r.sha, r.sha[:12])}:{r.line}" + (f" (a payment of {r.parts} lines)" if r.parts > 1 else "")
                for r in (self.a, self.b))
        return f"{self.rule}{how}: {a} and {b}; same {', '.join(self.matching)}; differ in {differ}; {days}"


# ---- candidate generation (Ibis, engine-neutral) -------------------------------------------

def name_key(name: ibis.Value) -> ibis.Value:
    """The supplier name without case, punctuation, spaces, 'the' and legal forms ('&' read as
    'and'): 'The Acme & Co Ltd.' and 'ACME AND CO' agree."""
    return name.lower().replace("&", "and").re_replace(_LEGAL_FORMS, "").nullif("")


def withheld(name: ibis.Value) -> ibis.Value:
    """True for a payee the publisher withheld ('REDACTED', 'Name withheld - data protection',
    'Personal expenses', 'Individual'): such payees are not one supplier and never match."""
    return name.lower().strip().re_search(_WITHHELD).fill_null(False)


# A reference a spreadsheet rounded into scientific notation ('6.1511E+11'): every long number of
# that size reads the same, so it tells no two documents apart and counts as no reference.
_ROUNDED_REFERENCE = r"^\s*\d(\.\d+)?[Ee]\+?\d+\s*$"


def reference_key(ref: ibis.Value) -> ibis.Value:
    """The reference upper-cased without spaces or punctuation ('PINV/0038' → 'PINV0038'); none for
    a reference rounded into scientific notation."""
    key = ref.upper().re_replace("[^A-Z0-9]+", "").nullif("")
    return ibis.ifelse(ref.re_search(_ROUNDED_REFERENCE), ibis.null("string"), key)


# Candidate pairs brought into Python at a time.
CANDIDATE_BATCH = 50_000
_SIDE = ("sha", "line", "org_id", "amount", "paid_on", "skey", "rkey", "name", "ref", "etype", "sref",
         "day_known", "parts", "shared_ref", "refs_published")
# Least dated lines for a file whose dates are all the 1st to count as dated by month only.
MONTH_ONLY_LINES = 5


def payments(book: Book, settings: DuplicateSettings, org: str | None = None):
    """Current payments of at least the minimum amount (either sign) with their supplier key.

    A payment is the lines of one file sharing a date, a reference and a supplier key, summed
    (lines without a reference are a payment each). The supplier key is the resolved supplier
    when set, else the name key, and none for a withheld payee; it is worked out once per
    distinct name (a body writes each supplier's name the same way thousands of times). A date
    is known to the day unless the book says it is a month, or the file dates every line the 1st.
    A file publishes references when at least half its lines carry one.
    """
    spend = book.ibis().table("spend_current")
    if org:
        spend = spend.filter(spend.org_id == org)
    names = spend.select(name=spend.supplier_name).distinct()
    names = names.select("name", name_key=name_key(names.name), withheld=withheld(names.name))
    keyed = spend.left_join(names, spend.supplier_name == names.name)
    lines = keyed.select(
        sha=keyed.source_sha256, line=keyed.source_line, org_id=keyed.org_id, amount=keyed.amount_gbp,
        paid_on=keyed.paid_on, name=keyed.supplier_name, etype=keyed.expense_type,
        sref=keyed.supplier_ref, by_day=keyed.date_precision.fill_null("day") == "day",
        # A reference without a digit ('#', 'NONE', 'BACS', 'N/A') is no document number.
        ref=ibis.ifelse(keyed.txn_ref.re_search("[0-9]").fill_null(False), keyed.txn_ref, ibis.null("string")),
        skey=ibis.ifelse(keyed.withheld.fill_null(False), ibis.null("string"),
                         ibis.coalesce(keyed.supplier_id.cast("string"), keyed.name_key)),
    )
    # A line without a reference is a payment on its own: its line number keeps it apart.
    lines = lines.mutate(solo=ibis.ifelse(lines.ref.isnull(), lines.line, -1))
    files = lines.group_by("sha").aggregate(
        dated_lines=lines.paid_on.count(), off_first=(lines.paid_on.day() != 1).cast("int64").sum(),
        with_ref=lines.ref.count(), all_lines=lines.count())
    files = files.select(file_sha="sha", refs_published=files.with_ref * 2 >= files.all_lines,
                         month_only=(files.dated_lines >= MONTH_ONLY_LINES) & (files.off_first.fill_null(0) == 0))
    grouped = lines.group_by(["org_id", "sha", "paid_on", "ref", "skey", "solo"]).aggregate(
        line=lines.line.min(), amount=lines.amount.sum(), name=lines.name.min(),
        etype=lines.etype.min(), sref=lines.sref.min(), by_day=lines.by_day.min(), parts=lines.count())
    grouped = grouped.filter(grouped.amount.abs() >= ibis.literal(settings.min_amount, grouped.amount.type()))
    out = grouped.join(files, grouped.sha == files.file_sha)
    return out.select("sha", "line", "org_id", "amount", "paid_on", "skey", "name", "ref", "etype", "sref", "parts",
                      "refs_published", day_known=out.by_day & ~out.month_only & out.paid_on.notnull())


def candidate_pairs(book: Book, settings: DuplicateSettings, org: str | None = None):
    """Both candidate joins as one Ibis expression: columns a_* and b_*, and `joined` ('supplier'
    or 'reference'); a is the lower row id.

    Grouping first keeps the joins small: only payments whose (body, amount, supplier key) or
    (body, amount, reference as written) occurs more than once take part, so the joins (and any
    copy the engine makes of their input) hold a few percent of the payments. The supplier join
    keeps pairs whose references agree once normalised (any dates) or that lie within the window
    (both dated to the day); the reference join keeps pairs of two different supplier keys.
    """
    found = payments(book, settings, org)
    columns = found.columns
    for key, hit in (("skey", "skey_hit"), ("ref", "ref_hit")):
        present = found.filter(found[key].notnull())
        groups = (present.group_by(["org_id", "amount", key]).aggregate(copies=present.count())
                  .filter(lambda t: t.copies > 1))
        groups = groups.select(**{f"{hit}_org": groups.org_id, f"{hit}_amount": groups.amount,
                                  f"{hit}_key": groups[key]})
        found = found.view()  # the same tables underneath: a view tells them apart
        found = found.left_join(groups, [found.org_id == groups[f"{hit}_org"], found.amount == groups[f"{hit}_amount"],
                                         found[key] == groups[f"{hit}_key"]])
        found = found.select(*columns, **{hit: found[f"{hit}_key"].notnull()})
        columns = found.columns
    found = found.filter(found.skey_hit | found.ref_hit)
    found = found.mutate(rkey=reference_key(found.ref))
    # A reference many suppliers share in one body ('BACS', '3') is not a document number.
    every = payments(book, settings, org)
    every = every.mutate(rkey=reference_key(every.ref))
    every = every.filter(every.rkey.notnull() & every.skey.notnull())
    shared = (every.group_by(["org_id", "rkey"]).aggregate(suppliers=every.skey.nunique())
              .filter(lambda t: t.suppliers >= SHARED_REFERENCE_SUPPLIERS)
              .select(shared_org="org_id", shared_rkey="rkey"))
    columns = found.columns
    found = found.left_join(shared, [found.org_id == shared.shared_org, found.rkey == shared.shared_rkey])
    found = found.select(*columns, shared_ref=found.shared_rkey.notnull())

    def pairs(side, key: str, conditions):
        a, b = side.view(), side.view()
        first = (a.sha < b.sha) | ((a.sha == b.sha) & (a.line < b.line))
        joined = a.join(b, [a.org_id == b.org_id, a.amount == b.amount, a[key] == b[key], first,
                            *conditions(a, b)])
        unrelated = unrelated_references(a, b) if key == "skey" else ibis.literal(False)
        return joined.select(joined=ibis.literal("supplier" if key == "skey" else "reference"),
                             **{f"a_{c}": a[c] for c in _SIDE}, **{f"b_{c}": b[c] for c in _SIDE},
                             unrelated=unrelated)

    within = settings.window_days
    by_supplier = pairs(found.filter(found.skey_hit), "skey", lambda a, b: [
        (a.rkey == b.rkey) | (a.day_known & b.day_known & (a.paid_on.delta(b.paid_on, unit="day").abs() <= within))])
    by_reference = pairs(found.filter(found.ref_hit), "ref", lambda a, b: [
        (a.skey != b.skey) | a.skey.isnull() | b.skey.isnull()])
    return by_supplier.union(by_reference)


def unrelated_references(a, b) -> ibis.Value:
    """True for a supplier pair that `judge` can only call `same-amount` with "unrelated references":
    two different references, neither shared by many suppliers, and no way one is the other
    re-keyed (`reference_variant` needs one to start or end with the other, or both to hold the
    same characters). The scan counts such pairs without bringing them into Python unless that
    rule is on; at 1M real lines they are 99% of the candidates. Checked in a way that errs
    towards False: a pair it leaves is judged in Python as before."""
    same_characters = (a.rkey.length() == b.rkey.length()) & (a.rkey.split("").sort() == b.rkey.split("").sort())
    return (a.rkey.notnull() & b.rkey.notnull() & (a.rkey != b.rkey) & ~a.shared_ref & ~b.shared_ref
            & ~a.rkey.startswith(b.rkey) & ~b.rkey.startswith(a.rkey)
            & ~a.rkey.endswith(b.rkey) & ~b.rkey.endswith(a.rkey) & ~same_characters).fill_null(False)


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
    """Two supplier names that are one firm spelt two ways (word order, typos, legal form); never
    two withheld payees (their supplier key is empty)."""
    if a.skey is None or b.skey is None:
        return False
    if a.supplier_ref and a.supplier_ref == b.supplier_ref:
        return True
    score = max(fuzz.ratio(a.skey or "", b.skey or ""),
                fuzz.token_sort_ratio(a.name or "", b.name or "", processor=utils.default_process))
    return score >= threshold


_NUMBERED = re.compile(r"^([A-Z]*)(\d+)([A-Z]*)$")


def ledger_number(ref: str) -> tuple[str, int] | None:
    """A reference as (its letters, its number) when it is one number with letters at most around it
    ('SIV107635' → ('SIV|', 107635)); None for anything else."""
    found = _NUMBERED.match(ref)
    return (f"{found[1]}|{found[3]}", int(found[2])) if found else None


def neighbouring_ledger_numbers(x: str, y: str) -> bool:
    """Two references of one form whose numbers are close together ('7730121' and '7731021',
    'SIV-107635' and 'SIV-107653'): entries of one ledger run, not one document.

    >>> neighbouring_ledger_numbers("7730121", "7731021"), neighbouring_ledger_numbers("4012433", "4102433")
    (True, False)
    """
    a, b = ledger_number(x), ledger_number(y)
    return a is not None and b is not None and a[0] == b[0] and abs(a[1] - b[1]) < LEDGER_NEIGHBOURS


def amount_appended(x: str, y: str, amount) -> bool:
    """One reference is the other with the payment's amount written on (a merged column), which is
    no sign of a re-keyed document ('160914' and '1609142845300' for £28,453.00)."""
    short, long_ = sorted((x, y), key=len)
    extra = long_[len(short):] if long_.startswith(short) else long_[:len(long_) - len(short)]
    pence = f"{abs(amount):.2f}".replace(".", "")
    return extra in (pence, pence.rstrip("0"), f"{abs(amount):.0f}")


def same_date_either_order(x: date | None, y: date | None) -> bool:
    """One date, or one date read day-first in one file and month-first in another (7 May, 5 July).

    >>> same_date_either_order(date(2014, 5, 7), date(2014, 7, 5)), same_date_either_order(date(2014, 5, 7), date(2014, 7, 6))
    (True, False)
    """
    if x is None or y is None:
        return False
    return x == y or (x.year == y.year and x.day == y.month and x.month == y.day)


def republished(a: Row, b: Row) -> bool:
    """The same line in two files of one body (next month's file repeating last month's), its date
    perhaps read the other way round in one of them."""
    return (a.sha != b.sha and same_date_either_order(a.paid_on, b.paid_on) and a.ref is not None
            and a.ref == b.ref and a.skey is not None and a.skey == b.skey and a.amount == b.amount)


def judge(joined: str, a: Row, b: Row, settings: DuplicateSettings) -> tuple[Pair | None, str]:
    """The rule a candidate pair meets, or None and why it was set aside."""
    differing = {f: (getattr(a, attr), getattr(b, attr)) for f, attr in
                 (("supplier name", "name"), ("reference", "ref"), ("paid on", "paid_on"))
                 if getattr(a, attr) != getattr(b, attr)}
    if republished(a, b):
        return None, "re-published in another file (same supplier, amount, date and reference)"
    shared = a.shared_ref or b.shared_ref
    if joined == "reference":
        if shared:
            return None, "reference shared by many suppliers"
        if names_alike(a, b, settings.name_similarity):
            return Pair("name-variant", a, b, ["amount", "reference", "supplier (alike names)"], differing), ""
        return None, "one reference, unrelated suppliers"
    if shared:  # what is left is one supplier and amount, the evidence of the `same-amount` rule
        return None, "reference shared by many suppliers"
    if a.rkey and a.rkey == b.rkey:
        if a.sha == b.sha and a.expense_type and b.expense_type and a.expense_type != b.expense_type:
            return None, "split invoice lines (one file, one reference, other expense types)"
        if a.ref != b.ref:
            return Pair("reference-variant", a, b, ["supplier", "amount", "reference once punctuation "
                        "is ignored"], differing, "punctuation"), ""
        return Pair("exact", a, b, ["supplier", "amount", "reference"], differing), ""
    if a.rkey and b.rkey:
        how = reference_variant(a.rkey, b.rkey, settings.min_reference_length)
        if how == "adjacent characters swapped" and neighbouring_ledger_numbers(a.rkey, b.rkey):
            return None, "neighbouring ledger numbers"
        if how and how != "adjacent characters swapped" and amount_appended(a.rkey, b.rkey, a.amount):
            return None, "reference with the amount appended"
        if how:
            return Pair("reference-variant", a, b, ["supplier", "amount"], differing, how), ""
        return Pair("same-amount", a, b, ["supplier", "amount"], differing), "unrelated references"
    if not (a.refs_published or b.refs_published):
        return None, "no references in the publication (same supplier and amount only)"
    return Pair("no-reference", a, b, ["supplier", "amount"], differing), ""


def row_of(record: dict, prefix: str = "", shas: dict[str, str] | None = None) -> Row:
    g = [record.get(f"{prefix}{c}") for c in _SIDE]
    if shas is not None:  # one string per file, not one per line: a national scan keeps many rows
        g[0] = shas.setdefault(g[0], g[0])
    day_known, parts, shared, refs = g[11:]
    g[11:] = [day_known is not False, parts or 1, bool(shared), refs is not False]
    return Row((g[0], g[1]), *g)


