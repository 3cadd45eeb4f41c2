"""The organisation registry: which public body a name, an abbreviation or an id means.

Published files name a body in many ways ("Leeds City Council", "LEEDS CC", "Leeds", "DWP",
"Dept for Work & Pensions"). A name is looked up in three tiers, each tried only when the one
before knows nothing of it:

1. the body's name, its aliases (spellings from the registers and reviewed ones) and its id;
2. the name with a council's type words taken off ("Leeds" for "Leeds City Council", "Barnet"
   for "London Borough of Barnet", "X LBC", "X MBC", "The Borough of X"), or a company's legal
   form, "for England and Wales" or a bracketed abbreviation ("Skills Service (SS)");
3. abbreviations derived from the name by rule ("DfE", "MoJ", "DWP", "HMRC", "BEIS").

When a tier gives more than one body the name is ambiguous and is never guessed:
``resolve`` raises ``AmbiguousOrganisation`` naming the candidates, and ``get`` returns None.
In tier 3 alone a body the registers mark as closed gives way to a current one, because an
abbreviation is reused when a department is replaced; a full name is never so settled.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from openbook.errors import UsageError

__all__ = [
    "AmbiguousOrganisation",
    "OrgIndex",
    "closed_organisations",
    "find_organisation",
    "listed_only",
    "name_variants",
    "normalise_org_name",
    "organisation_candidates",
    "organisation_details",
    "organisation_registry",
    "parse_aliases",
    "registry_index",
    "derived_abbreviations",
]

_PACKAGE = __name__.rpartition(".")[0]


class AmbiguousOrganisation(UsageError, LookupError):
    """A name that more than one body goes by: the caller must say which."""

    def __init__(self, text: str, candidates: list[tuple[str, str]]):
        self.text, self.candidates = text, candidates
        named = "; ".join(f"{org_id} ({name})" for org_id, name in candidates)
        super().__init__(f"{text!r} could be any of {len(candidates)} bodies: {named}; give the org id instead")


# Words written two ways for the same thing ("Ltd", "United Kingdom", "NHS FT"), on normalised text.
_SAME_WORDS = tuple((re.compile(pattern), same) for pattern, same in (
    (r"\bltd\b", "limited"), (r"\bunited kingdom\b", "uk"), (r"\bnhs ft$", "nhs foundation trust"),
    (r"\bnhs tr$", "nhs trust"), (r"\bfdn\b", "foundation"),
))


def normalise_org_name(name: str) -> str:
    """A body's name reduced to what tells bodies apart, for matching names and aliases.

    Case, '&' versus 'and', punctuation, spacing and a leading 'the' do not distinguish
    one body from another in published files ("The Borough of Calderdale", "Driver &
    Vehicle Licensing Agency", "East - North East Homes Leeds"); nor does "Her Majesty's"
    written out rather than "HM"; nor do "Ltd" for "Limited", "UK" for "United Kingdom", "NHS FT" for
    "NHS Foundation Trust", or an article written after the name ("Pensions Regulator, The").
    """
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = re.sub(r"['\u2019`]", "", text)  # "Children's" -> "childrens", not "children s"
    text = re.sub(r"[\W_]+", " ", text).strip()
    text = re.sub(r"\b(?:her|his) majestys\b", "hm", text)  # "Her Majesty's Revenue and Customs" is HMRC
    text = text.removesuffix(" the")  # "Pensions Regulator, The"
    for pattern, same in _SAME_WORDS:
        text = pattern.sub(same, text)
    return text.removeprefix("the ")


# Words that say what type of council a body is, not which one. Longest first, so that
# "metropolitan borough council" goes whole rather than leaving "metropolitan borough".
_COUNCIL_SUFFIXES = sorted((
    "council", "borough council", "city council", "county council", "district council",
    "metropolitan borough council", "metropolitan district council", "county borough council",
    "city and county council", "city and district council", "borough", "district", "corporation",
    "mbc", "mdc", "lbc", "bc", "cc", "dc", "cbc", "ca", "metropolitan district", "metropolitan borough",
    "combined authority", "county", "council offices",
), key=len, reverse=True)
_COUNCIL_PREFIXES = sorted((
    "london borough of", "royal borough of", "borough of", "city of", "county of", "city and county of",
    "metropolitan borough of", "council of the", "council of", "district of", "lb", "rb", "lb of",
    "borough council of", "city council of", "district council of", "county council of",
    "hm",  # "Land Registry" is "HM Land Registry"
    "corporation of",
), key=len, reverse=True)


# What a body's name may carry that does not say which body it is (tier 2): a company's legal
# form, the jurisdiction a national body serves, its abbreviation in brackets at the end. A bracketed
# qualifier stays: "Department of Education (Northern Ireland)" is not "Department of Education".
_BRACKET_END = re.compile(r"\s*\((?:[A-Z0-9]{2,}|[Tt]he)\)\s*$")
_FORM_END = re.compile(r" (?:limited|plc|llp)$")
_JURISDICTION_END = re.compile(r" (?:for|in|of) england and wales$")
_NATION_END = re.compile(r" (?:for|in|of) (scotland|wales|england|northern ireland)$")  # "of Scotland": "for"


def name_variants(name: str) -> set[str]:
    """A name without words that do not tell bodies apart (tier 2 keys): a council's type words, a
    company's legal form, "for England and Wales", a bracketed abbreviation ("(LSIS)") at the end; "of"
    or "in" a nation is "for" it ("Advocate General of Scotland")."""
    text = normalise_org_name(name)
    variants = {normalise_org_name(_BRACKET_END.sub("", name))} if _BRACKET_END.search(name) else set()
    variants |= {_JURISDICTION_END.sub("", v) for v in (text, *variants) if _JURISDICTION_END.search(v)}
    variants |= {_NATION_END.sub(r" for \1", v) for v in (text, *variants) if _NATION_END.search(v)}
    variants |= {_FORM_END.sub("", v) for v in (text, *variants) if _FORM_END.search(v)}
    variants.discard(text)
    for _ in range(3):
        before = text
        for suffix in _COUNCIL_SUFFIXES:
            if text.endswith(" " + suffix):
                text = text[: -len(suffix) - 1]
                break
        for prefix in _COUNCIL_PREFIXES:
            if text.startswith(prefix + " "):
                text = text[len(prefix) + 1:].removeprefix("the ")
                break
        if text == before:
            break
        variants.add(text)
    return {v for v in variants if v}


_MINOR = {"of", "for", "and", "the", "in", "on", "to", "at", "&"}
_HEADS = ("department for ", "department of ", "ministry of ", "ministry for ", "office of ", "office for ")


def derived_abbreviations(name: str) -> set[str]:
    """Abbreviations a body is commonly known by, derived from its name (tier 3 keys).

    Initials of every word ("Ministry of Justice" → MoJ, "Department for Education" → DfE),
    of the significant words (DWP, DCMS), and of the words after a department's head noun
    (BEIS); a word written in capitals stays whole ("HM Revenue & Customs" → HMRC).
    """
    text = unicodedata.normalize("NFKC", name)
    # A bracketed qualifier stays in the initials ("Department of Health (Northern Ireland)" is
    # not "DH"); a bracketed abbreviation is one ("High Speed Two (HS2) Limited" → HS2).
    bracketed = {b for b in re.findall(r"\(([^)]*)\)", text) if re.fullmatch(r"[A-Z0-9]{2,}", b)}
    words = [w for w in re.split(r"[^\w&]+", text.replace("&", " & ")) if w and w not in bracketed]
    if len(words) < 2:
        return set()

    def initials(chosen: list[str]) -> str:
        return "".join(w if (w.isupper() and len(w) > 1) or w.isdigit() else w[0] for w in chosen if w != "&")

    significant = [w for w in words if w.casefold() not in _MINOR]
    found = {initials(words), initials(significant)}
    lowered = " ".join(words).casefold()
    if lowered.startswith(_HEADS):
        rest = [w for w in words[2:] if w.casefold() not in _MINOR]
        found.add(initials(rest))
    found |= bracketed
    return {normalise_org_name(a) for a in found if len(a) >= 2 and len(significant) >= 2}


@lru_cache(maxsize=100_000)
def _label_keys(label: str) -> tuple[str, frozenset[str]]:
    """Tier 1 and tier 2 keys of one label; cached, as every book indexes the same registry."""
    return normalise_org_name(label), frozenset(name_variants(label))


@lru_cache(maxsize=100_000)
def _abbreviations(name: str) -> frozenset[str]:
    return frozenset(derived_abbreviations(name))


class OrgIndex:
    """Names, aliases and ids of a set of bodies → their org_ids, built once, looked up fast."""

    def __init__(self, rows: Iterable[tuple[str, str, list[str] | None]], *, fold_ids: bool = False,
                 closed: frozenset[str] | None = None, deferring: frozenset[str] = frozenset()):
        """`deferring` names bodies whose derived abbreviations give way to every other body's: a
        body a user adds must not make an abbreviation the registry resolves ("DWP") ambiguous."""
        self.fold_ids = fold_ids
        self.closed = closed_organisations() if closed is None else closed
        self.names: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.tiers: tuple[dict[str, set[str]], ...] = ({}, {}, {})
        self.name_keys: dict[str, str] = {}  # normalised official name → org_id (tier 1 by name, not alias)
        later: list[tuple[str, str]] = []
        for org_id, name, aliases in rows:
            self.names[org_id] = name
            self.name_keys.setdefault(normalise_org_name(name), org_id)
            self.ids[org_id.casefold() if fold_ids else org_id] = org_id
            labels = [name, *(aliases or [])]
            for label in labels:
                key, variants = _label_keys(label)
                self.tiers[0].setdefault(key, set()).add(org_id)
                for variant in variants:
                    self.tiers[1].setdefault(variant, set()).add(org_id)
            if org_id in deferring:
                later.append((org_id, name))
                continue
            for abbreviation in _abbreviations(name):
                self.tiers[2].setdefault(abbreviation, set()).add(org_id)
        held = set(self.tiers[2])
        for org_id, name in later:
            for abbreviation in _abbreviations(name) - held:
                self.tiers[2].setdefault(abbreviation, set()).add(org_id)
        self.tiers[0].pop("", None)

    def candidates(self, text: str) -> list[str]:
        """Every body the text could mean, from the first tier that knows it (sorted)."""
        return self.match(text)[1]

    def match(self, text: str) -> tuple[str, list[str]]:
        """How the text names bodies, and which: ('id' | 'name' | 'alias' | 'variant' |
        'abbreviation', sorted org_ids), or ('', []) when no tier knows it."""
        stripped = text.strip()
        org_id = self.ids.get(stripped.casefold() if self.fold_ids else stripped)
        if org_id:
            return "id", [org_id]
        key = normalise_org_name(stripped)
        if not key:
            return "", []
        found = self.tiers[0].get(key)
        if found:
            named = self.name_keys.get(key)
            return ("name" if len(found) == 1 and named in found else "alias"), sorted(found)
        for variant in (key, *sorted(name_variants(stripped), key=len)):
            # "Student Loans Company Limited" is the body named "Student Loans Company".
            found = self.tiers[1].get(variant) or (self.tiers[0].get(variant) if variant != key else None)
            if found:
                return "variant", sorted(found)
        # "D.W.P." and "D W P" are "DWP": letters written one by one are one abbreviation.
        found = self.tiers[2].get(key.replace(" ", "") if re.fullmatch(r"(\w )+\w", key) else key)
        if found and len(found) > 1:
            current = {o for o in found if o not in self.closed}
            found = current or found
        return ("abbreviation", sorted(found)) if found else ("", [])

    def get(self, text: str) -> str | None:
        """The one body the text means, or None (unknown or ambiguous)."""
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def resolve(self, text: str) -> str | None:
        """The one body the text means; None when unknown; AmbiguousOrganisation when several."""
        found = self.candidates(text)
        if len(found) > 1:
            raise AmbiguousOrganisation(text.strip(), [(o, self.names[o]) for o in found])
        return found[0] if found else None


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def parse_aliases(cell: str) -> list[str]:
    """A Table Schema array cell: a JSON array; a '|'-separated list is read too (hand-made files)."""
    cell = cell.strip()
    if cell.startswith("["):
        return [str(a) for a in json.loads(cell) if str(a).strip()]
    return [alias for alias in cell.split("|") if alias]


@cache
def _registry() -> tuple[dict, ...]:
    rows = []
    for row in _read_csv("organisations.csv"):
        rows.append({
            "org_id": row["org_id"],
            "name": row["name"],
            "kind": row["kind"],
            "parent_id": row["parent_id"] or None,
            "population_served": int(row["population_served"]) if row["population_served"] else None,
            "staff_fte": float(row["staff_fte"]) if row["staff_fte"] else None,
            "aliases": parse_aliases(row["aliases"]),
        })
    return tuple(rows)


def _copy(org: dict) -> dict:
    return {**org, "aliases": list(org["aliases"])}


def organisation_registry() -> list[dict]:
    """Every body in organisations.csv, with aliases as a list and blank numbers as None."""
    return [_copy(org) for org in _registry()]


@cache
def _details() -> dict[str, dict[str, str]]:
    return {row["org_id"]: row for row in _read_csv("organisations_detail.csv")}


def organisation_details(org_id: str) -> dict[str, str] | None:
    """What the registers say of a body beyond the organisation table: GSS code, nation, region,
    ONS sector, dates, successors and the register it came from (organisations_detail.csv)."""
    found = _details().get(org_id)
    return dict(found) if found else None


@cache
def closed_organisations() -> frozenset[str]:
    """The bodies the registers give an end date (abolished, merged or renamed away)."""
    return frozenset(org_id for org_id, row in _details().items() if row["end_date"])


@cache
def registry_index() -> OrgIndex:
    """The index of the shipped registry, built once per process."""
    return OrgIndex(((o["org_id"], o["name"], o["aliases"]) for o in _registry()), closed=closed_organisations(),
                    deferring=listed_only())


@cache
def listed_only() -> frozenset[str]:
    """Bodies known only from ONS's list of public-body accounts: thousands of small bodies, none
    reviewed, so their derived abbreviations give way to those of the registers' bodies ("DH" stays
    the Department of Health, not a committee the list says it sponsors)."""
    return frozenset(org_id for org_id, row in _details().items() if row["register"] == "public-body-account")


def find_organisation(name_or_id: str) -> dict | None:
    """The body with this org_id, name, alias, council short name or abbreviation; None if unknown.

    Raises AmbiguousOrganisation, naming the candidates, for a name several bodies go by.
    """
    org_id = registry_index().resolve(name_or_id)
    if org_id is None:
        return None
    return _copy(_by_id()[org_id])


@cache
def _by_id() -> dict[str, dict]:
    return {org["org_id"]: org for org in _registry()}


def organisation_candidates(text: str) -> list[tuple[str, str]]:
    """(org_id, name) of each registered body a name could mean; more than one means ambiguous."""
    index = registry_index()
    return [(o, index.names[o]) for o in index.candidates(text)]
