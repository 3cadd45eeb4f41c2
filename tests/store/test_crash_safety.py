"""A write killed at any point (SIGKILL: no cleanup, no rollback by Python) loses nothing and invents nothing.

Ingest, analyse and publish are each run in a forked child and killed at a random moment, over a
small generated sector; afterwards the book opens, its counts reconcile, its current read copy
(what a server would be serving) opens and reconciles too, and running the same command again
gives exactly what an uninterrupted run gives. The seed is fixed, so a failure replays.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from openbook import standard
from openbook.store import Book, snapshots

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill test forks (POSIX only)")

SEED = 1729
TRIALS = {"ingest": 12, "analyse": 8, "publish": 10}


def _ingest(files: list[Path]) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        from openbook.ingest.parallel import ingest_paths

        with Book(path) as book:
            list(ingest_paths(book, files, jobs=1))
    return run


def _analyse(path: Path) -> None:
    from openbook.analyse.detectors import run

    with Book(path) as book:
        run(book)


def _publish(upload: Path, org_id: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        from openbook.ingest.publish import publish_file

        target = path.parent / "published" / org_id / upload.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(upload, target)
        with Book(path) as book:
            publish_file(book, target, org_id)
    return run


def _state(con: duckdb.DuckDBPyConnection) -> dict:
    """What a command's result is: rows per table, the money, each file's counts, the findings."""
    state = {table: con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in standard.table_names()}
    state["spend_gbp"] = con.execute("SELECT sum(amount_gbp) FROM spend_current").fetchone()[0]
    state["sources"] = con.execute(
        "SELECT sha256, status, rows_read, rows_accepted, rows_quarantined, rows_structural FROM source "
        "ORDER BY sha256").fetchall()
    state["findings"] = con.execute(
        "SELECT detector, count(*), sum(gbp_at_stake), string_agg(finding_id, ',' ORDER BY finding_id) "
        "FROM finding GROUP BY detector ORDER BY detector").fetchall()
    return state


def _reconciles(con: duckdb.DuckDBPyConnection) -> None:
    """Every file's rows add up, its accepted rows are all there and none twice; no row without its file."""
    unbalanced = con.execute("SELECT sha256 FROM source WHERE rows_read <> rows_accepted + rows_quarantined + "
                             "rows_structural").fetchall()
    assert unbalanced == []
    short = con.execute("""SELECT s.sha256, s.rows_accepted, count(p.source_line) FROM source s
                           LEFT JOIN spend p ON p.source_sha256 = s.sha256 WHERE s.dataset = 'spend'
                           GROUP BY ALL HAVING count(p.source_line) <> s.rows_accepted""").fetchall()
    assert short == []
    twice = con.execute("SELECT source_sha256, source_line FROM spend GROUP BY ALL HAVING count(*) > 1").fetchall()
    assert twice == []
    orphans = con.execute("SELECT count(*) FROM spend WHERE source_sha256 NOT IN (SELECT sha256 FROM source)")
    assert orphans.fetchone()[0] == 0


def _read(path: Path, check: Callable[[duckdb.DuckDBPyConnection], object]):
    with duckdb.connect(str(path), read_only=True) as con:
        return check(con)


@pytest.fixture(scope="module")
def sector(tmp_path_factory):
    """A small sector (generated: 4 bodies, 3 months, planted duplicates), a loaded book, and
    what each command gives when nobody kills it."""
    from openbook.synth import generate

    root = tmp_path_factory.mktemp("crash")
    data = root / "data"
    generate(data, seed=7, rows=1500, bodies=4, months=3, duplicate_rate=0.05, xlsx_share=0, datasets=("spend",))
    spend = sorted(p for p in (data / "spend").rglob("*") if p.is_file())
    held_back = spend.pop()  # published by its body later
    empty, loaded = root / "empty.duckdb", root / "loaded.duckdb"
    Book(empty).close()
    commands = {"ingest": (empty, _ingest([data / "organisations.csv", *spend]))}
    timings = {}
    references = {}
    for name, base in (("ingest", empty),):
        references[name], timings[name] = _reference(base, commands[name][1], root / f"{name}-ref.duckdb")
    shutil.copy(root / "ingest-ref.duckdb", loaded)
    commands["analyse"] = (loaded, _analyse)
    commands["publish"] = (loaded, _publish(held_back, held_back.parent.name))
    for name in ("analyse", "publish"):
        references[name], timings[name] = _reference(loaded, commands[name][1], root / f"{name}-ref.duckdb")
    return root, commands, references, timings


def _reference(base: Path, command, target: Path) -> tuple[dict, float]:
    shutil.copy(base, target)
    started = time.monotonic()
    command(target)
    took = time.monotonic() - started
    return _read(target, _state), took


def _killed(command, path: Path, after: float) -> bool:
    """Run the command in a forked child and SIGKILL it `after` seconds in; True if it was still running."""
    pid = os.fork()
    if pid == 0:  # the child: run, and leave without pytest's teardown
        try:
            command(path)
        finally:
            os._exit(0)
    time.sleep(after)
    finished, _ = os.waitpid(pid, os.WNOHANG)
    if not finished:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0) if not finished else None
    return not finished


@pytest.mark.parametrize("name", list(TRIALS))
def test_a_killed_write_leaves_a_book_that_reconciles_and_a_rerun_completes_it(sector, tmp_path, name):
    root, commands, references, timings = sector
    base, command = commands[name]
    assert _read(base, _state) != references[name]  # the command writes something a kill could break
    if name == "analyse":
        assert references[name]["findings"], "the sector should give the detectors something to find"
    chance = random.Random(f"{SEED}-{name}")
    interrupted = 0
    for trial in range(TRIALS[name]):
        path = tmp_path / f"{name}-{trial}" / "book.duckdb"
        path.parent.mkdir()
        shutil.copy(base, path)
        interrupted += _killed(command, path, chance.uniform(0.0, timings[name] * 0.9))
        copy = snapshots.current(path)
        if copy is not None:  # what a server would serve now: a whole version, old or new
            _read(copy.path, _reconciles)
        with Book(path) as book:  # opens, rolling back what the kill left uncommitted
            _reconciles(book.con)
        command(path)  # the same command again, to the end
        assert _read(path, _state) == references[name], f"{name} trial {trial}"
        assert _read(snapshots.current(path).path, _state) == references[name]  # and the copy served next
    assert interrupted >= TRIALS[name] // 2, f"only {interrupted} of the {name} runs were killed before they ended"
