"""Classification rules: reviewable data that turns published words into function and capability codes.

The rules live in `standard/classification/<table>.toml`, one file per source table, reviewed like
code. A user's own mapping (a CSV) is read into the same `Rule` shape and always beats them.

A rule reads one field of one table, normalises the value (`normalise`) and matches it `exact`,
by `prefix`, by `word` (the pattern's words as a whole-word phrase) or by `regex`. Several rules
may match one row; the winner for function, and separately for capability, is chosen by `rank`:

1. a user's mapping beats every built-in rule;
2. then the higher confidence wins;
3. on equal confidence the field earlier in the table's `FIELDS` order wins (for spend the
   expense type says what was bought; the expense area only where the team spent it; the body
   last, as the purpose of a single-purpose body);
4. then the more specific kind (exact, prefix, word, regex), then the longer pattern, then the
   rule that comes first in its file.

Across a row's fields two more rules apply (`combine`). On spend, what was bought (the expense
type or description; a publisher's category column is read as its expense type) beats a rule on
the supplier's name whatever their confidence: a name says what a supplier usually sells, the
publisher's words what it sold this time. And money that passes through the body
(a function of kind 'transfer': grants, loans, financing, balance-sheet and control accounts,
insurance, the employer's share of pay) is never administration. If any field says transfer, an
admin function from another field is dropped; a frontline purpose (the body's, the team's) stands,
as the grant money is classified by its purpose, and otherwise the line is a transfer.

Every detector and model that reads classified lines uses one floor, `floor.CONFIDENCE_FLOOR`: lines
classified less surely than it are left out of function costs, measures and savings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from openbook import standard
from openbook.errors import UsageError

# The fields rules may read, per table, in precedence order (see rank, point 3).
FIELDS: dict[str, tuple[str, ...]] = {
    "spend": ("expense_type", "description", "supplier_name", "expense_area", "org_id"),
    "post": ("profession", "title", "unit", "org_id"),
    "contract": ("cpv", "title", "description", "supplier_name", "org_id"),
    "system": ("product", "vendor", "name"),
    "grant": ("programme", "title", "org_id"),
    "process": ("process_code", "name"),
}
KINDS = ("exact", "prefix", "word", "regex")
# On spend, a rule on what was bought beats one on the payee's name (`combine`).
_WHAT_WAS_BOUGHT = {"spend": ("expense_type", "description")}
_PAYEE = {"spend": "supplier_name"}
_TEAM = {"spend": "expense_area"}
# Ledger codes publishers put in front of a name ('265000-IT & Telecommunications', 'ZZ900-MoJ HQ')
# say nothing about what was bought; only these fields lose them.
_CODED_FIELDS = {"expense_type", "expense_area", "unit"}
_LEDGER_CODE = re.compile(r"^[a-z]{0,3}\d{3,}[a-z]?\s*[-:]\s*")


def normalise(text: str | None, field_name: str = "") -> str:
    """What a rule compares: casefolded, '&' read as 'and', punctuation as spaces, one space between words.

    >>> normalise("265000-IT & Telecommunications", "expense_type")
    'it and telecommunications'
    """
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", text).casefold().strip()
    if field_name in _CODED_FIELDS:
        value = _LEDGER_CODE.sub("", value)
    value = value.replace("&", " and ")
    value = re.sub(r"['\u2019`]", "", value)
    return re.sub(r"[\W_]+", " ", value).strip()


@dataclass(frozen=True)
class Rule:
    id: str
    tables: tuple[str, ...]
    field: str
    match: str
    pattern: str
    function: str | None = None
    capability: str | None = None
    confidence: float = 0.5
    note: str = ""
    example: str = ""
    order: int = 0
    origin: str = "rules"  # 'rules' or 'user:<file name>'
    _normal: str = field(default="", compare=False, repr=False)
    _compiled: re.Pattern | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_normal", self.pattern if self.match == "regex" else normalise(self.pattern, self.field))

    @property
    def label(self) -> str:
        """What `classified_by` records: 'rules:<id>' or 'user:<file name>'."""
        return f"rules:{self.id}" if self.origin == "rules" else self.origin

    @property
    def key(self) -> str:
        return f"{self.origin}:{self.id}" if self.origin != "rules" else self.label

    @property
    def normalised_pattern(self) -> str:
        """The pattern as values are compared (a regex is kept as written and sees normalised text)."""
        return self._normal

    def matches(self, value: str) -> bool:
        """Whether this rule matches an already normalised value."""
        pattern = self.normalised_pattern
        if not value or not pattern:
            return False
        if self.match == "exact":
            return value == pattern
        if self.match == "prefix":
            return value.startswith(pattern)
        return self.regex().search(value) is not None

    def regex(self) -> re.Pattern:
        """The rule as a regex over normalised values (a prefix or word rule too)."""
        if self._compiled is None:
            escaped = re.escape(self.normalised_pattern)
            text = {"regex": self.pattern, "prefix": f"^{escaped}", "exact": f"^{escaped}$"}.get(
                self.match, rf"(?<!\w){escaped}(?!\w)")
            object.__setattr__(self, "_compiled", re.compile(text))
        return self._compiled


def rank(rule: Rule, table: str) -> tuple:
    """Larger wins: user first, then confidence, field precedence, specificity, file order."""
    fields = FIELDS[table]
    return (rule.origin != "rules", rule.confidence,
            -fields.index(rule.field), -KINDS.index(rule.match), len(rule.pattern), -rule.order)


@cache
def function_kinds() -> dict[str, str]:
    """Each function code's kind: 'admin', 'frontline' or 'transfer'."""
    return {row["code"]: row["kind"] for row in standard.code_list("functions")}


def combine(table: str, candidates: Iterable[Rule]) -> Rule | None:
    """The function rule that wins a row, from each field's winner (see the module's last rule).

    A rule on what was bought silences one on the payee's name, and, when it names an admin
    function, a team rule naming another admin function. A transfer in any field vetoes
    administration: the best frontline rule wins if there is one, else the best transfer rule.
    Without a transfer the best ranked rule wins.
    """
    found = [rule for rule in candidates if rule is not None and rule.function]
    if not found:
        return None
    kinds = function_kinds()
    bought = [rule for rule in found if rule.field in _WHAT_WAS_BOUGHT.get(table, ())]
    if bought:
        found = [rule for rule in found if rule.field != _PAYEE.get(table) or rule.origin != "rules"]
    if any(kinds.get(rule.function) == "admin" for rule in bought):
        # Both say administration: what was bought names the function, the team only paid for it.
        found = [rule for rule in found if not (rule.field == _TEAM.get(table) and rule.origin == "rules"
                                                and kinds.get(rule.function) == "admin")]
    if any(kinds.get(rule.function) == "transfer" for rule in found if rule.origin == "rules"):
        users = [rule for rule in found if rule.origin != "rules"]
        frontline = [rule for rule in found if kinds.get(rule.function) == "frontline"]
        transfers = [rule for rule in found if kinds.get(rule.function) == "transfer"]
        found = users or frontline or transfers
    return max(found, key=lambda rule: rank(rule, table))


class FieldRules:
    """Every rule on one field of one table, ordered so the first match is the winner.

    Exact rules are a dictionary lookup; the others are tried best-ranked first, and only on a
    value that one combined regex says at least one of them matches.
    """

    def __init__(self, table: str, rules: Iterable[Rule]):
        self.table = table
        self.exact: dict[str, list[Rule]] = {}
        others: list[Rule] = []
        for rule in rules:
            if rule.match == "exact":
                self.exact.setdefault(rule.normalised_pattern, []).append(rule)
            else:
                others.append(rule)
        self.ordered = sorted(others, key=lambda r: rank(r, table), reverse=True)
        self.any = re.compile("|".join(f"(?:{r.regex().pattern})" for r in self.ordered)) if others else None

    def best(self, value: str) -> tuple[Rule | None, Rule | None]:
        """The winning rule for function and for capability on one normalised value.

        Function rules are read until one settles it (a user's, or a frontline purpose); while only
        admin or transfer rules matched, the rest are read too, as `combine` lets a transfer veto
        administration and a frontline purpose classify a transfer.
        """
        functions: list[Rule] = []
        best_capability = None
        for rule in self.exact.get(value, ()):
            if rule.function:
                functions.append(rule)
            if rule.capability and (best_capability is None
                                    or rank(rule, self.table) > rank(best_capability, self.table)):
                best_capability = rule
        if self.any is None or not value or not self.any.search(value):
            return combine(self.table, functions), best_capability
        settled = any(_settles(rule) for rule in functions)
        found_capability = False
        for rule in self.ordered:
            if settled and found_capability:
                break
            wants_function = rule.function and not settled
            wants_capability = rule.capability and not found_capability
            if not (wants_function or wants_capability) or not rule.matches(value):
                continue
            if wants_function:
                functions.append(rule)
                settled = _settles(rule)
            if wants_capability:
                found_capability = True
                if best_capability is None or rank(rule, self.table) > rank(best_capability, self.table):
                    best_capability = rule
        return combine(self.table, functions), best_capability


def _settles(rule: Rule) -> bool:
    """Whether no later (lower-ranked) function rule could change a field's winner."""
    return rule.origin != "rules" or function_kinds().get(rule.function) == "frontline"


class RuleSet:
    """The built-in rules plus any user mapping, ready to classify rows of any table."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules = list(rules)
        self._fields: dict[tuple[str, str], FieldRules] = {}
        for table, fields in FIELDS.items():
            for name in fields:
                chosen = [r for r in self.rules if table in r.tables and r.field == name]
                if chosen:
                    self._fields[(table, name)] = FieldRules(table, chosen)

    @cached_property
    def sha256(self) -> str:
        """A fingerprint of what decides a value's winners: every rule, in order, and the code
        that normalises and matches (this module) with its Unicode tables. Values judged under
        another fingerprint are judged again (store/judged.py)."""
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(unicodedata.unidata_version.encode())
        for rule in self.rules:
            digest.update(repr((rule.id, rule.tables, rule.field, rule.match, rule.pattern, rule.function,
                                rule.capability, rule.confidence, rule.order, rule.origin)).encode())
        return digest.hexdigest()

    def fields(self, table: str) -> list[str]:
        """The fields of a table that at least one rule reads, in precedence order."""
        return [name for name in FIELDS[table] if (table, name) in self._fields]

    def best(self, table: str, field_name: str, raw: str | None) -> tuple[Rule | None, Rule | None]:
        rules = self._fields.get((table, field_name))
        if rules is None or raw is None:
            return None, None
        return rules.best(normalise(raw, field_name))

    def classify(self, table: str, values: dict[str, str | None]) -> tuple[Rule | None, Rule | None]:
        """The winning (function rule, capability rule) for one row's field values."""
        function_rules = []
        best_capability = None
        for name in self.fields(table):
            function_rule, capability_rule = self.best(table, name, values.get(name))
            function_rules.append(function_rule)
            if capability_rule and (best_capability is None
                                    or rank(capability_rule, table) > rank(best_capability, table)):
                best_capability = capability_rule
        return combine(table, function_rules), best_capability


# -- loading -----------------------------------------------------------------------------------

def _codes(name: str) -> set[str]:
    return {row["code"] for row in standard.code_list(name)}


def _check(rule: Rule, where: str) -> None:
    """A rule that could not work is refused with where it is and why."""
    problems = []
    if not rule.tables or any(t not in FIELDS for t in rule.tables):
        problems.append(f"table must be one of {', '.join(FIELDS)}")
    elif any(rule.field not in FIELDS[t] for t in rule.tables):
        problems.append(f"field {rule.field!r} is not read by rules on {', '.join(rule.tables)} "
                        f"(choose from {', '.join(FIELDS[rule.tables[0]])})")
    if rule.match not in KINDS:
        problems.append(f"match must be one of {', '.join(KINDS)}, not {rule.match!r}")
    if not rule.pattern.strip():
        problems.append("the value or pattern is empty")
    if rule.match == "regex":
        try:
            re.compile(rule.pattern)
        except re.error as error:
            problems.append(f"the regex does not compile: {error}")
    if not (rule.function or rule.capability):
        problems.append("it sets neither a function nor a capability")
    if rule.function and rule.function not in _codes("functions"):
        problems.append(f"function {rule.function!r} is not in codes/functions.csv")
    if rule.capability and rule.capability not in _codes("capabilities"):
        problems.append(f"capability {rule.capability!r} is not in codes/capabilities.csv")
    if not 0 < rule.confidence <= 1:
        problems.append(f"confidence must be above 0 and at most 1, not {rule.confidence}")
    if problems:
        raise UsageError(f"{where}: {'; '.join(problems)}")


def rules_from_toml(text: str, source: str, start: int = 0) -> list[Rule]:
    """Rules from one TOML file: `[defaults]` (table, field, match, confidence) and `[[rule]]` entries."""
    data = tomllib.loads(text)
    defaults = data.get("defaults", {})
    rules = []
    for offset, entry in enumerate(data.get("rule", [])):
        merged = {**defaults, **entry}
        tables, fields = merged.get("table", ()), merged.get("field", "")
        # A rule may read several fields (say, expense type and description): one Rule per field,
        # sharing the id, so precedence between fields still applies.
        for name in (fields,) if isinstance(fields, str) else fields:
            rule = Rule(
                id=merged.get("id", ""), tables=(tables,) if isinstance(tables, str) else tuple(tables),
                field=name, match=merged.get("match", "word"), pattern=merged.get("pattern", ""),
                function=merged.get("function") or None, capability=merged.get("capability") or None,
                confidence=float(merged.get("confidence", 0.5)), note=merged.get("note", ""),
                example=merged.get("example", ""), order=start + offset)
            _check(rule, f"{source}: rule {rule.id or offset + 1}")
            rules.append(rule)
    return rules


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """Every rule in standard/classification/*.toml, in file-name then file order; ids are unique."""
    folder = resources.files(standard).joinpath("classification")
    rules: list[Rule] = []
    seen: set[str] = set()
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found = rules_from_toml(entry.read_text(encoding="utf-8"), f"classification/{entry.name}", len(rules))
            ids = {rule.id for rule in found}
            if len(ids) != len({rule.order for rule in found}) or ids & seen or "" in ids:
                raise ValueError(f"classification/{entry.name}: every rule needs an id used nowhere else")
            seen |= ids
            rules += found
    return tuple(rules)


MAPPING_COLUMNS = ("table", "field", "match", "value", "function", "capability", "note")


def rules_from_mapping(text: str, name: str) -> list[Rule]:
    """A user's mapping CSV (table, field, [match,] value, function, capability[, note]) as rules.

    Every line becomes a rule with confidence 1 that beats the built-in rules. A line that could
    not work stops the whole mapping, naming the file, the line and the reason.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("table", "field", "value") if c not in header]
    if missing or not ({"function", "capability"} & set(header)):
        raise UsageError(f"{name}:1: a mapping needs the columns table, field, value and function and/or "
                         f"capability (optional: match, note); found {', '.join(header) or 'none'}")
    rules = []
    for row in reader:
        line = reader.line_num
        cells = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        if not any(cells.values()):
            continue
        rule = Rule(id=f"line-{line}", tables=(cells["table"],), field=cells["field"],
                    match=cells.get("match") or "exact", pattern=cells["value"],
                    function=cells.get("function") or None, capability=cells.get("capability") or None,
                    confidence=1.0, note=cells.get("note", ""), example=cells["value"], order=line,
                    origin=f"user:{name}")
        _check(rule, f"{name}:{line}")
        rules.append(rule)
    return rules
