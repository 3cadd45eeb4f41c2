"""Every detector openbook runs, by name: `openbook analyse` runs them all and stores their findings.

A detector is a function `findings(book) -> list[Finding]` in its own module; they are named
here by dotted path so that one failing to import names itself instead of stopping the rest.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from openbook.analyse.findings import Finding, save_findings
from openbook.store.book import Book


@dataclass(frozen=True)
class Detector:
    name: str
    question: str
    target: str  # "module:function"

    def load(self) -> Callable[[Book], list[Finding]]:
        module, function = self.target.split(":")
        return getattr(importlib.import_module(module), function)


DETECTORS = (
    Detector("payments", "Which payments did a body make twice (exact and near duplicates)?",
             "openbook.analyse.detectors:_payments"),
    Detector("functions", "Which bodies pay more than their peers for the same administrative function?",
             "openbook.analyse.functions:findings"),
    Detector("workforce", "Which units are top-heavy, and which senior roles are repeated in many bodies?",
             "openbook.analyse.workforce:findings"),
    Detector("systems", "Which capabilities are bought separately many times, and at what price per user?",
             "openbook.analyse.systems:findings"),
    Detector("margins", "Which suppliers' open-book margins, overheads or rates exceed what was agreed?",
             "openbook.analyse.detectors:_margins"),
    Detector("prices", "Which bodies pay the same supplier far more per unit of need than their peers?",
             "openbook.analyse.prices:findings"),
    Detector("measures", "Which bodies would save most at their peers' 10th centile on the declared cost measures?",
             "openbook.analyse.measures.findings:findings"),
)


def detector_names() -> list[str]:
    return [d.name for d in DETECTORS]


def run(book: Book, only: list[str] | None = None, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Run the detectors (all, or those named) and store their findings; returns counts per detector."""
    unknown = sorted(set(only or []) - set(detector_names()))
    if unknown:
        raise ValueError(f"unknown detector {unknown[0]!r}; choose from {', '.join(detector_names())}")
    counts = {}
    for detector in DETECTORS:
        if only and detector.name not in only:
            continue
        if progress:
            progress(detector.name)
        counts[detector.name] = save_findings(book, detector.name, detector.load()(book))
    return counts


def _payments(book: Book) -> list[Finding]:
    from openbook.analyse.payments import find_duplicate_payments

    return find_duplicate_payments(book).findings


def _margins(book: Book) -> list[Finding]:
    from openbook.analyse.margins import check_margins

    return list(check_margins(book, save=False).findings)
