"""Shared fixtures: the real publications in ../shared/data (skipped cleanly when absent),
fresh books, the crafted fixtures folder and a CLI runner."""

from __future__ import annotations

import csv
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
# ../shared/data beside the project; OPENBOOK_SHARED_DATA points elsewhere (a checkout in another place).
SHARED_DATA = Path(os.environ.get("OPENBOOK_SHARED_DATA", ROOT.parent / "shared" / "data"))
FIXTURES = Path(__file__).parent / "data"


def pytest_configure(config):
    # Installed third-party openbook plugins are not loaded while testing (openbook.plugins.manager).
    sys._called_from_test = True


def pytest_unconfigure(config):
    del sys._called_from_test


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "files.csv").exists():
        pytest.skip("shared data not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_manifest(shared_data: Path) -> list[dict[str, str]]:
    """files.csv: one row per real file, with its kind, publisher, encoding and quirks."""
    with open(shared_data / "files.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def publisher_split(shared_manifest) -> dict[str, list[dict[str, str]]]:
    """files.csv rows by half of tests/data/publisher-split.csv ("tuning", "check"): tune on the
    first, measure on the second. The join lives in benchmarks/generalise.py, which reports the same."""
    spec = importlib.util.spec_from_file_location("generalise", ROOT / "benchmarks" / "generalise.py")
    generalise = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generalise)
    return generalise.split_manifest(shared_manifest, generalise.read_csv(generalise.SPLIT))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def book(tmp_path: Path):
    from openbook.store import Book

    opened = Book(tmp_path / "test.duckdb")
    yield opened
    opened.close()


@pytest.fixture
def hold_book():
    """hold_book(path): another process holds the book for writing, as a long ingest does, until
    hold_book.release() or the test's end."""
    import subprocess

    held = []
    code = "import sys, time, duckdb\ncon = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(300)"

    def hold(path: Path) -> None:
        process = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        held.append(process)
        assert process.stdout.readline().strip() == "holding"

    def release() -> None:
        while held:
            process = held.pop()
            process.kill()
            process.wait()
            process.stdout.close()

    hold.release = release
    yield hold
    release()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def real_book(shared_data, shared_manifest, tmp_path_factory):
    """Every real spend publication ingested once per session: (book, reports by local path)."""
    from openbook.ingest import ingest_file
    from openbook.store import Book

    book = Book(tmp_path_factory.mktemp("real") / "real.duckdb")
    reports = {}
    for row in shared_manifest:
        if "spend" in row["kind"] or "procurement card" in row["kind"]:
            reports[row["local_path"]] = ingest_file(book, shared_data / row["local_path"], org=row["publisher"])
    yield book, reports
    book.close()


DEMO_ROWS = 20_000


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory) -> Path:
    """A small demo sector built exactly as `make run` builds it (generate, ingest, classify, resolve,
    analyse), once per session; the truth files sit beside it under data/truth. Treat it as read-only."""
    from openbook.demo import build

    return build(tmp_path_factory.mktemp("demo"), rows=DEMO_ROWS).path
