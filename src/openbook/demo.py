"""The demo sector as a book: generated, loaded, analysed, and its reader's alerts in an outbox.

`openbook demo`, the test suite's demo fixture and the benchmarks build it through here, so the
book a user explores and the book the tests and figures are measured on are made the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openbook.ingest.paths import expand_paths

BOOK_NAME = "openbook.duckdb"
READER = "reader@example.org"
ROWS = 200_000
SEED = 42

Step = Callable[[str], None]
Ingest = Callable[[object, list[Path]], list]


@dataclass
class DemoBook:
    """What one build did: `reports` is empty and `alerts` None when the book was already complete."""

    path: Path
    generated: bool
    loaded: bool
    reports: list = field(default_factory=list)
    alerts: int | None = None
    email: str | None = None


def data_folder(folder: Path) -> Path:
    return Path(folder) / "data"


def is_generated(folder: Path) -> bool:
    return (data_folder(folder) / "organisations.csv").exists()


def sector_files(data: Path) -> list[Path]:
    """Every dataset the generator wrote (spend, organograms, contracts, systems, processes, cost
    registers, grants), organisations first; the truth files stay out of the book."""
    data = Path(data)
    return expand_paths([str(data / "organisations.csv")] + [str(p) for p in sorted(data.iterdir())
                                                             if p.is_dir() and p.name != "truth"])


def is_loaded(book, files: list[Path]) -> bool:
    """Every file's bytes are already recorded in the book and the detectors have run (their step is
    last). By content, not path: the generator writes some files twice over (nil returns), kept once."""
    con = book.ibis()
    if con.table("finding").count().to_pyarrow().as_py() == 0:
        return False
    recorded = set(con.table("source").sha256.to_pyarrow().to_pylist())
    for name in files:
        with open(name, "rb") as fh:
            if hashlib.file_digest(fh, "sha256").hexdigest() not in recorded:
                return False
    return True


def analyse(book, step: Step | None = None) -> None:
    """What a loaded book needs before it is explored: functions classified, suppliers resolved,
    every detector run."""
    from openbook.analyse.classify import classify_book
    from openbook.analyse.detectors import run
    from openbook.analyse.suppliers import resolve

    step = step or _quiet
    step("classifying functions")
    classify_book(book)
    step("resolving suppliers")
    resolve(book)
    run(book, progress=step)


def alert_reader(book, outbox: Path) -> tuple[int, str | None]:
    """The demo's reader follows every body that spends; its email goes to the outbox.
    Returns the count of alerts stored and where the email went (None when none was sent)."""
    from openbook.analyse.alerts import compute_alerts, save_alerts, subscribe
    from openbook.mail import deliver

    for (org_id,) in book.query("SELECT DISTINCT org_id FROM spend_current ORDER BY 1"):
        subscribe(book, READER, org_id=org_id)
    count = save_alerts(book, compute_alerts(book))
    sent = deliver(book, outbox=outbox)
    return count, (sent[0]["where"] if sent else None)


def build(folder: Path, *, rows: int = ROWS, seed: int = SEED, jobs: int | None = None,
          ingest: Ingest | None = None, step: Step | None = None) -> DemoBook:
    """Generate the sector under folder/data (unless there), load it into folder/openbook.duckdb,
    analyse it and alert its reader; a book already holding every file, analysed, is left as it is.

    `ingest(book, files)` replaces the plain ingest (to show progress); `step(name)` hears each
    analysis step as it starts."""
    from openbook.store import Book

    step = step or _quiet
    folder = Path(folder)
    data = data_folder(folder)
    generated = not is_generated(folder)
    if generated:
        from openbook.synth import generate

        generate(data, seed=seed, rows=rows)
    files = sector_files(data)
    built = DemoBook(folder / BOOK_NAME, generated=generated, loaded=False)
    with Book(built.path) as book:
        if is_loaded(book, files):
            return built
        built.loaded = True
        built.reports = ingest(book, files) if ingest else _ingest(book, files, jobs)
        analyse(book, step)
        step("alerts")
        built.alerts, built.email = alert_reader(book, folder / "outbox")
    return built


def _ingest(book, files: list[Path], jobs: int | None) -> list:
    from openbook.ingest.parallel import ingest_paths

    return list(ingest_paths(book, files, jobs=jobs))


def _quiet(name: str) -> None:
    """A step nobody is shown."""
