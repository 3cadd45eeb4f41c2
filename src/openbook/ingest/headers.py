"""Finding the header row and mapping its columns onto the standard's fields, with a score.

The synonyms live in `spend_headers.toml` (and the organogram and contracts-register tables) so
that a reviewer can read and extend them without touching code; this module only applies them.
Publishers write the same field in many ways ("1. Amount (£)", "AmountGBP", "Amt - sterling"),
so a header cell is normalised before matching (`header_key`), and matched in three tiers:
exact, same words in another order, then a close spelling (rapidfuzz) above FUZZY_MIN. Each
field is taken by at most one column; what matched how well is kept, to be shown and stored.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

_PUNCT = re.compile(r"[^0-9a-z]+")
FUZZY_MIN = 0.86  # a close spelling maps from here; below it is only named as the nearest candidate
_FUZZY_SHORTEST = 5  # shorter names differ in too few letters to tell a typo from another word
EXACT, TOKENS, FUZZY, USER = "exact", "same-words", "close-spelling", "given"
SAME_WORDS_SCORE = 0.95  # the synonym's words in another order, or with words like 'of' and 'the'

# Leading numbering: "1 ", "1.", "1)", "01 -", "2.3 ", "(a)", "a)", "(iv)".
_NUMBERING = re.compile(r"^\s*(?:\(\s*(?:\d{1,3}|[a-z]|[ivx]{1,4})\s*\)|\d{1,3}(?:\.\d{1,3})+(?=\s)"
                        r"|(?:\d{1,3}(?:\.\d{1,3})*|[a-z])\s*[.)]|\d{1,3}\s*[-–—:]|\d{1,3}(?=\s))\s*", re.I)
_BRACKETED = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|\{[^}]*\}?")
_TYPE_WORDS = (r"(?:text|string|str|number|numeric|integer|int|decimal|currency|date|datetime|gbp|£|pounds?|"
               r"sterling|dd\W*mm\W*yy(?:yy)?|yyyy\W*mm\W*dd|mm\W*dd\W*yyyy|ex(?:cl?\.?)?\s*vat|inc(?:l?\.?)?\s*vat)")
# A bracketed type, unit or format: "(text)", "[dd/mm/yyyy]", "(£)"; other bracketed words may be meaning.
_ANNOTATION = re.compile(r"[(\[{]\s*" + _TYPE_WORDS + r"\s*[)\]}]", re.I)
# A trailing one after a separator: "Value - GBP", "Supplier: text".
_TRAILING = re.compile(r"\s*[-–—:|/]\s*" + _TYPE_WORDS + r"\s*$", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_CURRENCY = {"gbp", "sterling", "pounds", "pound", "stg"}
_FORMAT_WORDS = {"dd", "mm", "yy", "yyyy", "ddmmyyyy", "ddmmyy", "yyyymmdd"}
_ABBREVIATIONS = {
    "no": "number", "num": "number", "nbr": "number", "nos": "number", "ref": "reference",
    "refs": "reference", "amt": "amount", "desc": "description", "descr": "description",
    "dept": "department", "txn": "transaction", "trans": "transaction", "inv": "invoice",
    "pmt": "payment", "pymt": "payment", "organization": "organisation", "org": "organisation",
}
_STOPWORDS = {"of", "the", "for", "to", "a", "an", "on", "by", "and", "in"}
_EXTRA_WORDS = {"payment", "date", "number", "name", "supplier", "transaction", "invoice", "amount",
                "value", "total", "reference", "code", "type", "area", "description", "vendor", "paid",
                "expense", "expenditure", "account", "cost", "centre", "service", "department", "vat",
                "net", "gross", "id", "registration", "postcode", "company", "charity", "family"}


@lru_cache(maxsize=65536)
def normalise_header(name: str) -> str:
    """The header as published, only lower-cased with punctuation and '£' as spaces."""
    return _PUNCT.sub(" ", str(name).casefold().replace("£", " ")).strip()


@lru_cache(maxsize=65536)
def header_key(name: str) -> str:
    """The words a header cell means, without its numbering, annotations, currency or spelling style."""
    return _key(str(name), _segment_words())


@lru_cache(maxsize=65536)
def header_key_with_brackets(name: str) -> str:
    """As header_key, but words in brackets that are no type or unit stay ('Supplier ID(T)')."""
    return _key(str(name), _segment_words(), keep_brackets=True)


def _key(text: str, vocabulary: frozenset[str], keep_brackets: bool = False) -> str:
    """header_key's steps; an empty vocabulary leaves run-together words whole (to build the vocabulary)."""
    text = text.replace("\ufeff", "").strip()
    stripped = _NUMBERING.sub("", text, count=1)
    text = stripped if _PUNCT.sub("", stripped.casefold()) else text
    text = _ANNOTATION.sub(" ", text)
    without = _BRACKETED.sub(" ", text) if not keep_brackets else re.sub(r"[()\[\]{}]", " ", text)
    text = without if _PUNCT.sub("", without.casefold()) else text
    while (shorter := _TRAILING.sub("", text)) != text and shorter.strip():
        text = shorter
    text = _CAMEL.sub(" ", text).casefold().replace("&", " and ").replace("£", " ")
    text = re.sub(r"\bin\s+(?:pounds?|gbp|sterling)\b", " ", text)
    words: list[str] = []
    for word in _PUNCT.sub(" ", text).split():
        word = _ABBREVIATIONS.get(word, word)
        if word in _CURRENCY or word in _FORMAT_WORDS:
            continue
        words.extend(_split_run_together(word, vocabulary) if vocabulary else [word])
    return " ".join(words) or normalise_header(text)


@lru_cache(maxsize=65536)
def header_forms(name: str) -> frozenset[str]:
    """Every form a cell is compared in: as published (normalised), its key, and both run together."""
    forms = {normalise_header(name), header_key(name), header_key_with_brackets(name)}
    return frozenset(forms | {f.replace(" ", "") for f in forms if f})


def same_header(cell_forms: frozenset[str], synonym: str) -> bool:
    """Whether a cell (given by its forms) is written as this synonym, in any of its spellings."""
    return synonym in cell_forms or header_key(synonym).replace(" ", "") in cell_forms


def _split_run_together(word: str, vocabulary: frozenset[str]) -> list[str]:
    """'transactionnumber' → transaction number, when every piece is a word of the synonym tables."""
    if word in vocabulary or len(word) < 6 or word.isdigit():
        return [word]
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 16), end - 1):
            piece = word[start:end]
            if best[start] is not None and piece in vocabulary:
                candidate = best[start] + [_ABBREVIATIONS.get(piece, piece)]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    found = best[len(word)]
    return found if found and len(found) <= 4 else [word]


TABLES = ("spend_headers.toml", "organogram_headers.toml", "contracts_register_headers.toml")


@cache
def _segment_words() -> frozenset[str]:
    """Words of every synonym table: the only pieces a run-together header is split into."""
    words = set(_EXTRA_WORDS)
    for name in TABLES:
        table = tomllib.loads(resources.files("openbook.ingest").joinpath(name).read_text("utf-8"))
        for text in _strings(table):
            words.update(w for w in _key(text, frozenset()).split() if len(w) >= 2)
    # A run-together synonym ('suppliername') is no word of its own: its pieces are.
    compound = {w for w in words if len(w) >= 8 and len(_split_run_together(w, frozenset(words - {w}))) > 1}
    return frozenset(words - compound)


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    required: bool
    synonyms: tuple[str, ...]


@cache
def spend_fields() -> tuple[FieldSpec, ...]:
    text = resources.files("openbook.ingest").joinpath("spend_headers.toml").read_text("utf-8")
    table = tomllib.loads(text)["fields"]
    return tuple(
        FieldSpec(name, bool(spec.get("required")), tuple(spec["synonyms"]))
        for name, spec in table.items()
    )


@dataclass(frozen=True)
class Match:
    """One column filling one field: how (exact, same-words, close-spelling, given) and how well."""

    column: str
    position: int
    field: str
    score: float
    how: str

    def as_dict(self) -> dict:
        return {"column": self.column, "position": self.position + 1, "field": self.field,
                "score": round(self.score, 2), "how": self.how}


@dataclass
class HeaderMap:
    """Which cell index feeds which field; unmapped columns are listed, not dropped silently."""

    columns: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    matches: dict[str, Match] = field(default_factory=dict)
    table: "SynonymTable | None" = None

    @property
    def unmapped(self) -> list[str]:
        used = set(self.fields.values())
        return [name for i, name in enumerate(self.columns) if i not in used and name.strip()]

    def missing_required(self) -> list[str]:
        specs = self.table.fields if self.table else spend_fields()
        return [f.name for f in specs if f.required and f.name not in self.fields]

    def describe(self) -> list[list[str | None]]:
        """[column name as published, field it fills or None] in file order (names may repeat)."""
        by_index = {i: name for name, i in self.fields.items()}
        return [[col, by_index.get(i)] for i, col in enumerate(self.columns)]

    def scored(self) -> list[dict]:
        """Each column in file order with the field it fills, the score and how it matched."""
        by_index = {m.position: m for m in self.matches.values()}
        rows = []
        for i, col in enumerate(self.columns):
            match = by_index.get(i)
            if match is None and i in self.fields.values():  # filled by inference (see layout.py)
                name = next(f for f, p in self.fields.items() if p == i)
                match = Match(col, i, name, 0.0, "inferred")
            rows.append(match.as_dict() if match else {"column": col, "position": i + 1, "field": None,
                                                        "score": None, "how": None})
        return rows

    def nearest(self, field_name: str) -> tuple[str, float] | None:
        """The free column closest to a field's synonyms, and its score, to name in a rejection."""
        table = self.table or spend_table()
        synonyms = table.keys_of(field_name)
        taken = set(self.fields.values())
        best: tuple[str, float] | None = None
        for i, col in enumerate(self.columns):
            key = header_key(col)
            if i in taken or not key:
                continue
            found = process.extractOne(key, synonyms, scorer=fuzz.ratio)
            if found and (best is None or found[1] / 100 > best[1]):
                best = (col, found[1] / 100)
        return best

    def missing_message(self, missing: list[str]) -> str:
        """'no column for amount_gbp; nearest 'Valeu' (0.80); columns: …' for a rejection."""
        parts = []
        for name in missing:
            near = self.nearest(name)
            parts.append(f"no column for {name}" + (f"; nearest {near[0]!r} ({near[1]:.2f})" if near else ""))
        columns = ", ".join(repr(c) for c in self.columns if c)
        return f"{'; '.join(parts)} (columns: {columns}); name it with --columns {missing[0]}=\"<column>\""


class SynonymTable:
    """A field → synonyms table, keyed for the three tiers of matching."""

    def __init__(self, fields: Iterable[FieldSpec]):
        self.fields = tuple(fields)
        self.published: dict[str, list[tuple[int, int, str]]] = {}
        self.keyed: dict[str, list[tuple[int, int, str]]] = {}
        self.joined: dict[str, list[tuple[int, int, str]]] = {}
        self.tokens: dict[frozenset[str], list[tuple[int, int, str]]] = {}
        self.choices: list[str] = []
        self.choice_fields: list[tuple[int, int, str]] = []
        for order, spec in enumerate(self.fields):
            for rank, synonym in enumerate(spec.synonyms):
                entry = (order, rank, spec.name)
                self.published.setdefault(normalise_header(synonym), []).append(entry)
                key = header_key(synonym)
                self.keyed.setdefault(key, []).append(entry)
                self.joined.setdefault(key.replace(" ", ""), []).append(entry)  # camelCase = run together
                self.tokens.setdefault(_token_set(key), []).append(entry)
                if len(key) >= _FUZZY_SHORTEST:
                    self.choices.append(key)
                    self.choice_fields.append(entry)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def keys_of(self, name: str) -> list[str]:
        spec = next(f for f in self.fields if f.name == name)
        return [header_key(s) for s in spec.synonyms if header_key(s)]

    @lru_cache(maxsize=65536)
    def candidates(self, cell: str) -> tuple[tuple[int, float, int, int, str], ...]:
        """(tier, score, field order, rank, field) for one header cell, best first."""
        found: list[tuple[int, float, int, int, str]] = []
        key = header_key(cell)
        if not key:
            return ()
        exact = {normalise_header(cell), key, header_key_with_brackets(cell)}
        entries = {e for k in exact for e in (*self.published.get(k, ()), *self.keyed.get(k, ()),
                                              *self.joined.get(k.replace(" ", ""), ()))}
        for order, rank, name in entries:
            found.append((1, 1.0, order, rank, name))
        for order, rank, name in self.tokens.get(_token_set(key), ()):
            found.append((2, SAME_WORDS_SCORE, order, rank, name))
        if not found and len(key) >= _FUZZY_SHORTEST and not _looks_like_data(cell, key):
            for _, score, index in process.extract(key, self.choices, scorer=fuzz.ratio,
                                                   score_cutoff=FUZZY_MIN * 100, limit=5):
                order, rank, name = self.choice_fields[index]
                found.append((3, score / 100, order, rank, name))
        return tuple(sorted(found, key=lambda c: (c[0], -c[1], c[2], c[3])))

    def map(self, cells: list[str], given: Mapping[str, str] | None = None) -> HeaderMap:
        """Fields take columns tier by tier: exact first, then same words, then close spellings.

        Within a tier, fields in table order take their best-ranked synonym among the columns
        still free, so a file with 'Amount' and 'Total' reads 'Amount'. Columns the user named
        (`given`, field → column as published) are settled first.
        """
        mapping = HeaderMap(columns=[str(c).strip() for c in cells], table=self)
        taken: set[int] = set()
        for name, column in (given or {}).items():
            position = column_position(mapping.columns, column)
            if position is not None and position not in taken:
                mapping.fields[name] = position
                mapping.matches[name] = Match(mapping.columns[position], position, name, 1.0, USER)
                taken.add(position)
        ranked = sorted(
            (tier, order, rank, -score, position, name, score)
            for position, cell in enumerate(cells) if str(cell).strip()
            for tier, score, order, rank, name in self.candidates(str(cell))
        )
        hows = (EXACT, EXACT, TOKENS, FUZZY)
        for tier, _, _, _, position, name, score in ranked:
            if name not in mapping.fields and position not in taken:
                mapping.fields[name] = position
                mapping.matches[name] = Match(mapping.columns[position], position, name, score, hows[tier])
                taken.add(position)
        return mapping


def _token_set(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if w not in _STOPWORDS) or frozenset(key.split())


def _looks_like_data(cell: str, key: str) -> bool:
    """A value rather than a name (dates, amounts, addresses, sentences): never fuzzily a header."""
    return any(ch.isdigit() for ch in key) or "@" in cell or "://" in cell or len(cell) > 60


def column_position(columns: list[str], wanted: str) -> int | None:
    """Where a user-named column sits: as published, else by its normalised form."""
    stripped = [c.strip() for c in columns]
    if wanted.strip() in stripped:
        return stripped.index(wanted.strip())
    folded = [normalise_header(c) for c in columns]
    if normalise_header(wanted) in folded and normalise_header(wanted):
        return folded.index(normalise_header(wanted))
    return None


@cache
def spend_table() -> SynonymTable:
    return SynonymTable(spend_fields())


def table_of(fields: Mapping[str, Iterable[str]], required: Iterable[str] = ()) -> SynonymTable:
    """A synonym table from field → synonyms (the organogram and contracts-register tables)."""
    need = set(required)
    return SynonymTable(FieldSpec(name, name in need, tuple(s)) for name, s in fields.items())


def map_header(cells: list[str], given: Mapping[str, str] | None = None) -> HeaderMap:
    return spend_table().map(cells, given)


def header_score(cells: list[str]) -> int:
    """How many fields a row would map: the header is the best-scoring early row."""
    if sum(1 for c in cells if str(c).strip()) < 2:
        return 0
    mapped = map_header(cells).fields
    if "amount_gbp" in mapped and {"paid_on", "supplier_name"} & mapped.keys():
        return len(mapped)
    # A header whose amount column is unnamed still names a date, a supplier and more.
    if {"paid_on", "supplier_name"} <= mapped.keys() and len(mapped) >= 4:
        return len(mapped)
    return 0


def spend_field_names() -> list[str]:
    return [f.name for f in spend_fields()]
