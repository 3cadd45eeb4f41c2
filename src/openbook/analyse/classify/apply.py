"""Classification: a re-computable pass that sets function and capability on every row it can.

Fast and small at 100M rows because the rules never see a row: the book lists each field's
DISTINCT values, each is matched once in Python, and its winning rules become a small number (a
"pair"). The book then counts rows by their fields' pairs (a few hundred combinations, with their
current rows and £), Python picks each combination's winner, and the mapping of combination →
(function, capability, rule, confidence) goes back to the store, which updates the big table by
joins (`Book.apply_classification`). Listing distinct tuples of the fields instead grew with the
rows (750k tuples from 1M rows) and would not fit in memory at national scale.

Codes a file gave itself are the publisher's and stay ('publisher'). Everything a previous pass
set is recomputed, so changing a rule and running again is all it takes. A user's mapping file
(`openbook classify --mapping FILE`) beats the rules; the book keeps its text and SHA-256 as a
`source` row, and later passes (including the one at the end of `openbook ingest`) reuse it.
Unclassified rows keep a null function: they stay in every total and show in the coverage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from openbook.analyse.classify.rules import FIELDS, Rule, RuleSet, builtin_rules, combine, rank, rules_from_mapping
from openbook.errors import UsageError
from openbook.store.book import Book

# The money column of each table whose rows are classified (None: the table holds no money).
AMOUNTS: dict[str, str | None] = {
    "spend": "amount_gbp", "post": None, "contract": "value_gbp", "system": "annual_cost_gbp",
    "grant": "amount_gbp", "process": "annual_cost_gbp",
}


@dataclass
class RuleUse:
    """How much of the book one rule classified (current rows; £ gross: credits count at their size)."""

    label: str
    table: str
    sets: str  # 'function', 'capability' or 'function+capability'
    code: str
    rows: int = 0
    gbp: Decimal = Decimal(0)


@dataclass
class TableClassification:
    table: str
    rows: int = 0
    rows_classified: int = 0
    gbp: Decimal = Decimal(0)
    gbp_classified: Decimal = Decimal(0)
    by_function: list[dict] = field(default_factory=list)
    rules: list[RuleUse] = field(default_factory=list)


@dataclass
class ClassificationReport:
    tables: list[TableClassification]
    mapping: dict | None  # {'name', 'sha256', 'rules'} of the user mapping applied, if any

    def table(self, name: str) -> TableClassification:
        return next(t for t in self.tables if t.table == name)


def load_mapping(path: Path) -> tuple[str, str, list[Rule]]:
    """(file name, text, rules) of a user's mapping CSV; a bad line stops it with file and line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"no mapping file at {path}") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"{path}: a mapping must be UTF-8 text ({error.reason} at byte {error.start})") from None
    return path.name, text, rules_from_mapping(text, path.name)


def classify_book(book: Book, mapping: Path | None = None, *, drop_mapping: bool = False,
                  new_rows: bool = False) -> ClassificationReport:
    """Classify every table the rules read; returns coverage and the work each rule did.

    With `new_rows` (what `openbook ingest` asks for), a table whose last pass finished under the
    same rules has only its rows no pass has coded looked at: every other row already holds what
    a whole pass would give it, since a row's codes follow from its own fields and the rules, and
    rows are only ever added or deleted, never edited. The report then has the coverage but not
    the work of each rule (`rules` is empty), which needs every row."""
    user_rules: list[Rule] = []
    applied = None
    if mapping is not None:
        name, text, user_rules = load_mapping(mapping)
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        book.record_classification_mapping(name=name, path=str(mapping), sha256=sha, text=text,
                                           rules=len(user_rules))
        applied = {"name": name, "sha256": sha, "rules": len(user_rules)}
    elif drop_mapping:
        book.drop_classification_mapping()
    else:
        stored = book.classification_mapping()
        if stored:
            user_rules = rules_from_mapping(stored["text"], stored["name"])
            applied = {"name": stored["name"], "sha256": stored["sha256"], "rules": len(user_rules)}
    rules = RuleSet([*user_rules, *builtin_rules()])
    book.forget_judged_values(rules.sha256)
    return ClassificationReport([_classify_table(book, rules, table, new_rows) for table in FIELDS],
                                applied)


def _classify_table(book: Book, rules: RuleSet, table: str, new_rows: bool = False) -> TableClassification:
    fields = rules.fields(table)
    # Only the rows no pass has coded, when the last pass over this table finished under these rules.
    new_rows = new_rows and book.classification_pass(table) == rules.sha256
    book.set_classification_pass(table, None)
    uses: dict[tuple[str, str], RuleUse] = {}
    # Each field's distinct values meet the rules once, ever (under the same rules: see
    # store/judged.py); a value's winning (function, capability) rules become a small "pair"
    # number, and the book counts rows by the pairs of their fields.
    pairs: list[list[tuple[Rule | None, Rule | None]]] = []
    matched: list[pa.Table] = []
    for name in fields:
        _judge_new_values(book, rules, table, name, new_rows)
        values, numbered = book.judged_pairs(table, name)
        pairs.append([(_rule(rules, f), _rule(rules, c)) for f, c in numbered])
        matched.append(values)
    combos = book.classification_combos(table, fields, matched, AMOUNTS[table], new_rows) if fields else None
    columns: dict[str, list] = {name: [] for name in [*(f"pair{i}" for i in range(len(fields))), "function",
                                                      "capability", "classified_by", "classification_confidence"]}
    for combo in combos.to_pylist() if combos is not None else []:
        capability_rule = None
        function_rules = []
        for i in range(len(fields)):
            if not combo[f"pair{i}"]:
                continue
            f_rule, c_rule = pairs[i][combo[f"pair{i}"] - 1]
            function_rules.append(f_rule)
            if c_rule and (capability_rule is None or _beats(c_rule, capability_rule, table)):
                capability_rule = c_rule
        function_rule = combine(table, function_rules)
        if function_rule is None and capability_rule is None:
            continue
        for i in range(len(fields)):
            columns[f"pair{i}"].append(combo[f"pair{i}"])
        lead = function_rule or capability_rule
        labels = [lead.label] + ([capability_rule.label] if capability_rule and capability_rule.label != lead.label
                                 else [])
        columns["function"].append(function_rule.function if function_rule else None)
        columns["capability"].append(capability_rule.capability if capability_rule else None)
        columns["classified_by"].append("+".join(labels))
        columns["classification_confidence"].append(lead.confidence)
        for rule, sets in _uses(function_rule, capability_rule):
            use = uses.setdefault((rule.key, sets), RuleUse(rule.key, table, sets, _code(rule, sets)))
            use.rows += combo["rows"]
            use.gbp += combo["gbp"] or Decimal(0)
    mapping = pa.table({name: pa.array(values, pa.int32() if name.startswith("pair") else
                                       pa.float64() if name == "classification_confidence" else pa.string())
                        for name, values in columns.items()})
    book.apply_classification(table, fields, matched, mapping, new_rows)
    book.set_classification_pass(table, rules.sha256)
    coverage = book.classification_coverage(table, AMOUNTS[table])
    result = TableClassification(table, **coverage["overall"])
    result.by_function = book.classification_coverage(table, AMOUNTS[table], by="function")["groups"]
    result.rules = [] if new_rows else sorted(uses.values(), key=lambda u: (-u.gbp, -u.rows, u.label))
    return result


def _judge_new_values(book: Book, rules: RuleSet, table: str, name: str, new_rows: bool) -> None:
    """Judge the values of one field the book has not judged under these rules, and keep them."""
    values = book.unjudged_values(table, name, new_rows).column(0)
    position = {id(rule): index for index, rule in enumerate(rules.rules)}
    functions, capabilities = [], []
    for raw in values.to_pylist():
        function_rule, capability_rule = rules.best(table, name, raw)
        functions.append(position[id(function_rule)] if function_rule else None)
        capabilities.append(position[id(capability_rule)] if capability_rule else None)
    book.keep_judged_values(table, name, rules.sha256, pa.table({
        "value": values, "function_rule": pa.array(functions, pa.int32()),
        "capability_rule": pa.array(capabilities, pa.int32())}))


def _rule(rules: RuleSet, position: int | None) -> Rule | None:
    return None if position is None else rules.rules[position]


def _beats(rule: Rule, other: Rule, table: str) -> bool:
    return rank(rule, table) > rank(other, table)


def _uses(function_rule: Rule | None, capability_rule: Rule | None) -> list[tuple[Rule, str]]:
    if function_rule and capability_rule and function_rule.key == capability_rule.key:
        return [(function_rule, "function+capability")]
    return ([(function_rule, "function")] if function_rule else []) + \
        ([(capability_rule, "capability")] if capability_rule else [])


def _code(rule: Rule, sets: str) -> str:
    return {"function": rule.function, "capability": rule.capability}.get(sets) or \
        f"{rule.function}+{rule.capability}"
