"""How well the duplicate-payment scan recovers the duplicates the generator planted.

`openbook synth` writes truth/duplicates.csv: each planted copy (file, line) with the row it
copies and its kind (exact, name-variant, reference-variant), the credit notes planted as
decoys that must not be flagged, and the look-alikes (kinds 'look-alike-*': one payment over
several cost centres, weekly instalments, neighbouring ledger numbers, withheld payees) whose
two rows must never be reported as copies of each other. Findings cite (source_sha256, source_line); the book's
`source` table turns the SHA-256 back into the file path the truth names. The scan is taken as
it comes (its `findings` and `pairs`), so the generator's side imports nothing of the analysis.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


KINDS = ("exact", "name-variant", "reference-variant")
LOOK_ALIKES = ("look-alike-split", "look-alike-instalment", "look-alike-ledger", "look-alike-withheld")

Line = tuple[str, int]  # (file relative to the generated folder, line)


@dataclass
class RuleScore:
    rule: str
    planted: int = 0
    found: int = 0
    claimed: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.claimed if self.claimed else 1.0


@dataclass
class TruthScore:
    rules: dict[str, RuleScore]
    credit_notes: int
    credit_notes_flagged: list[Line]
    look_alikes: dict[str, int] = field(default_factory=dict)
    """Planted look-alike pairs of each kind."""
    look_alikes_flagged: dict[str, list[tuple[Line, Line]]] = field(default_factory=dict)
    """Those reported as copies of one payment (both rows in one finding)."""

    def as_dict(self) -> dict:
        return {"rules": {r: {"planted": s.planted, "found": s.found, "recall": round(s.recall, 4),
                              "claimed": s.claimed, "correct": s.correct, "precision": round(s.precision, 4)}
                          for r, s in self.rules.items()},
                "credit_notes": self.credit_notes, "credit_notes_flagged": len(self.credit_notes_flagged),
                "look_alikes": {k: {"planted": n, "flagged": len(self.look_alikes_flagged.get(k, []))}
                                for k, n in self.look_alikes.items()}}


def score_against_truth(book, scan, generated: Path) -> TruthScore:
    """Recall per planted kind, precision per rule, and the planted credit notes that were flagged."""
    generated = Path(generated).resolve()
    files = {sha: _relative(path, generated) for sha, path in book.query("SELECT sha256, path FROM source")}

    def at(ref: tuple[str, int]) -> Line:
        return (files.get(ref[0], ref[0]), int(ref[1]))

    planted: list[tuple[str, Line, Line]] = []
    credits: list[tuple[Line, Line]] = []
    look_alikes: dict[str, list[tuple[Line, Line]]] = defaultdict(list)
    with open(Path(generated) / "truth" / "duplicates.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            copy, original = (row["file"], int(row["line"])), (row["original_file"], int(row["original_line"]))
            if row["kind"] == "credit-note":
                credits.append((copy, original))
            elif row["kind"].startswith("look-alike-"):
                look_alikes[row["kind"]].append((copy, original))
            else:
                planted.append((row["kind"], copy, original))
    # Copies of one original (or chains of copies) are one family: any two of its rows are a true pair.
    family: dict[Line, Line] = {}
    for _, copy, original in planted:
        root = family.get(original, original)
        family.setdefault(original, root)
        family[copy] = root

    group_of: dict[Line, int] = {}
    for i, finding in enumerate(scan.findings):
        for ref in finding.evidence:
            group_of[at(ref)] = i
    rules = {r: RuleScore(r) for r in (*KINDS, "no-reference", "same-amount")}
    for kind, copy, original in planted:
        score = rules[kind]
        score.planted += 1
        score.found += copy in group_of and group_of.get(copy) == group_of.get(original)
    for pair in scan.pairs:
        a, b = at(pair.a.id), at(pair.b.id)
        if a not in group_of:  # the pair's group was cancelled by credit notes
            continue
        score = rules.setdefault(pair.rule, RuleScore(pair.rule))
        score.claimed += 1
        score.correct += a in family and family.get(a) == family.get(b)
    flagged = [line for copy, original in credits for line in (copy, original) if line in group_of]
    alike_flagged = {kind: [(a, b) for a, b in pairs if a in group_of and group_of.get(a) == group_of.get(b)]
                     for kind, pairs in look_alikes.items()}
    return TruthScore(rules, len(credits), flagged, {k: len(v) for k, v in look_alikes.items()}, alike_flagged)


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return path


def score_table(score: TruthScore) -> list[dict]:
    """Rows for printing: one per rule with planted/found/recall and claimed/correct/precision."""
    out = defaultdict(dict)
    for rule, s in score.rules.items():
        out[rule] = {"rule": rule, "planted": s.planted, "found": s.found, "recall": s.recall,
                     "claimed": s.claimed, "correct": s.correct, "precision": s.precision}
    return list(out.values())
