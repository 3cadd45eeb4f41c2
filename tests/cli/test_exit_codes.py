"""Exit statuses a script can act on: a rejected file (1) is told apart from an internal error (3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from openbook.cli import app

SPEND = "Body Name,Date,Supplier,Amount\nTrafford Council,0{month}/04/2024,Acme Ltd,1{month}.00\n"


@pytest.fixture
def three_files(tmp_path: Path) -> list[Path]:
    paths = []
    for month, name in enumerate(("a.csv", "b.csv", "c.csv"), start=1):
        path = tmp_path / name
        path.write_text(SPEND.replace("0{month}/04", f"02/0{month + 3}").replace("{month}", str(month)))
        paths.append(path)
    return paths


@pytest.fixture
def failing_reader(monkeypatch):
    import openbook.ingest.pipeline as pipeline

    real = pipeline.iter_csv

    def failing(path, *args, **kwargs):
        if Path(path).name == "b.csv":
            raise RuntimeError("reader fault")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "iter_csv", failing)


def test_an_internal_error_in_one_file_exits_3_after_loading_the_others(runner, tmp_path, three_files,
                                                                       failing_reader):
    book = tmp_path / "book.duckdb"
    result = runner.invoke(app, ["ingest", *map(str, three_files), "--book", str(book), "--jobs", "1", "--json"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output and "unexpected error" not in result.output
    import json

    reports = json.loads(result.stdout)
    assert [(Path(r["path"]).name, r["status"], r["accepted"]) for r in reports] == [
        ("a.csv", "loaded", 1), ("b.csv", "rejected", 0), ("c.csv", "loaded", 1)]
    assert reports[1]["rejection"]["code"] == "internal-error"
    assert reports[1]["rejection"]["message"] == "RuntimeError: reader fault"


def test_the_traceback_of_an_internal_error_is_shown_with_debug_only(runner, tmp_path, three_files, failing_reader):
    plain = runner.invoke(app, ["validate", str(three_files[1])])
    assert plain.exit_code == 3 and "internal-error RuntimeError: reader fault" in " ".join(plain.output.split())
    assert "Traceback" not in plain.output
    debug = runner.invoke(app, ["--debug", "validate", str(three_files[1])])
    assert debug.exit_code == 3 and "Traceback" in debug.output and "in failing" in debug.output


def test_a_rejected_file_still_exits_1_and_clean_files_0(runner, tmp_path, three_files):
    book = str(tmp_path / "book.duckdb")
    assert runner.invoke(app, ["ingest", *map(str, three_files), "--book", book, "--jobs", "1"]).exit_code == 0
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    assert runner.invoke(app, ["ingest", str(empty), "--book", book]).exit_code == 1


def test_the_exit_statuses_are_in_the_help(runner):
    for command in ("ingest", "validate"):
        text = " ".join(runner.invoke(app, [command, "--help"]).output.split())
        assert "3 an internal error" in text and "1 some file was rejected" in text
