"""Detectors: each module answers one question about duplication or waste with `findings(book)`.

openbook's own detectors register through the `register_detectors` hook, as a plugin's do;
`openbook analyse` runs every registered detector (or those named) and stores its findings.
A new detector is a module here with `findings(book) -> list[Finding]`, listed below; the
measures detector's findings live with the measures (analyse/measures/findings.py).
"""

from __future__ import annotations

from collections.abc import Callable

from openbook.analyse.findings import Detector, save_findings
from openbook.errors import UsageError
from openbook.plugins.manager import detectors, hookimpl
from openbook.store.book import Book


@hookimpl
def register_detectors() -> list[Detector]:
    """The built-in detectors, in the order `openbook analyse` runs them."""
    from openbook.analyse.detectors import functions, margins, payments, prices, systems, workforce
    from openbook.analyse.measures import findings as measures

    return [
        Detector("payments", "Which payments did a body make twice (exact and near duplicates)?", payments.findings),
        Detector("functions", "Which bodies pay more than their peers for the same administrative function?",
                 functions.findings),
        Detector("workforce", "Which units are top-heavy, and which senior roles are repeated in many bodies?",
                 workforce.findings),
        Detector("systems", "Which capabilities are bought separately many times, and at what price per user?",
                 systems.findings),
        Detector("margins", "Which suppliers' open-book margins, overheads or rates exceed what was agreed?",
                 margins.findings),
        Detector("prices", "Which bodies pay the same supplier far more per unit of need than their peers?",
                 prices.findings),
        Detector("measures", "Which bodies would save most at their peers' 10th centile on the declared cost measures?",
                 measures.findings),
    ]


def detector_names() -> list[str]:
    return [d.name for d in detectors()]


def run(book: Book, only: list[str] | None = None, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Run the detectors (all, or those named) and store their findings; returns counts per detector."""
    registered = detectors()
    names = [d.name for d in registered]
    unknown = sorted(set(only or []) - set(names))
    if unknown:
        raise UsageError(f"unknown detector {unknown[0]!r}; choose from {', '.join(names)}")
    counts = {}
    if not only or "systems" in only:
        # The systems detector and every page after it read the systems inferred from spend.
        from openbook.analyse.systems_inference import refresh

        if progress:
            progress("systems inferred from spend")
        refresh(book)
    for detector in registered:
        if only and detector.name not in only:
            continue
        if progress:
            progress(detector.name)
        counts[detector.name] = save_findings(book, detector.name, detector.findings(book))
    return counts
