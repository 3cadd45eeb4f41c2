"""The CLI as users meet it: exit codes, one-sentence errors, no tracebacks, JSON twins."""

from __future__ import annotations

import json
import os

from frictionless import Package

from openbook.cli import app


def _ingest(runner, book, *paths, extra=()):
    return runner.invoke(app, ["ingest", *map(str, paths), "--book", str(book), *extra])


def test_ingest_a_folder_reports_reconciliation_and_exits_1_for_rejected_files(runner, tmp_path, fixtures):
    book = tmp_path / "book.duckdb"
    result = _ingest(runner, book, fixtures)
    assert result.exit_code == 1
    assert "Reconciliation" in result.stdout
    assert "Traceback" not in result.output
    assert "nil-return" in result.output and "excel-binary-as-csv" in result.output


def test_ingest_with_quarantine_is_ok_unless_strict(runner, tmp_path, fixtures):
    book = tmp_path / "book.duckdb"
    assert _ingest(runner, book, fixtures / "everything-wrong.csv").exit_code == 0
    strict = _ingest(runner, tmp_path / "other.duckdb", fixtures / "everything-wrong.csv", extra=["--strict"])
    assert strict.exit_code == 1


def test_ingest_json_lists_each_file_with_its_counts(runner, tmp_path, fixtures):
    result = _ingest(runner, tmp_path / "b.duckdb", fixtures / "preamble-rows.csv", extra=["--json"])
    payload = json.loads(result.stdout)
    assert result.exit_code == 0
    assert payload[0]["rows_read"] == 7 and payload[0]["accepted"] == 2 and payload[0]["structural"] == 5
    assert payload[0]["amount_gbp"] == "1300.50" and payload[0]["reconciles"] is True


def test_unknown_org_is_a_usage_error_with_exit_2(runner, tmp_path, fixtures):
    result = _ingest(runner, tmp_path / "b.duckdb", fixtures / "no-body-column.csv", extra=["--org", "Atlantis"])
    assert result.exit_code == 2
    assert "--org 'Atlantis' is not a body in the organisation registry" in result.output
    assert "Traceback" not in result.output


def test_missing_path_is_a_usage_error(runner, tmp_path):
    result = _ingest(runner, tmp_path / "b.duckdb", tmp_path / "nowhere*.csv")
    assert result.exit_code == 2 and "no file matches" in result.output


def test_status_on_a_missing_book_says_how_to_create_one(runner, tmp_path):
    result = runner.invoke(app, ["status", "--book", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "openbook init" in result.output and "Traceback" not in result.output


def test_validate_prints_file_line_column_code_message(runner, fixtures):
    result = runner.invoke(app, ["validate", str(fixtures / "everything-wrong.csv")])
    assert result.exit_code == 1
    assert f"{fixtures / 'everything-wrong.csv'}:7:5 amount-not-a-number" in result.stdout
    as_json = json.loads(runner.invoke(app, ["validate", str(fixtures / "everything-wrong.csv"), "--json"]).stdout)
    assert {(p["line"], p["column_number"], p["code"]) for p in as_json[0]["problems"]} >= {
        (5, 2, "date-invalid"), (9, 1, "unknown-organisation"), (12, 7, "extra-cell")}


def test_status_and_problems_after_a_load(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    _ingest(runner, book, fixtures / "everything-wrong.csv")
    status = json.loads(runner.invoke(app, ["status", "--book", str(book), "--json"]).stdout)
    assert status["lines"] == 4 and status["total_gbp"] == "1114.56"
    codes = {row["code"]: row["rows"] for row in status["problems"]}
    assert codes["date-invalid"] == 1 and codes["blank-row"] == 2
    problems = json.loads(runner.invoke(app, ["problems", "--book", str(book), "--json", "--limit", "3"]).stdout)
    assert problems["total"] == 8 and problems["partial"] is True and len(problems["problems"]) == 3
    only = json.loads(runner.invoke(app, ["problems", "--book", str(book), "--code", "extra-cell", "--json"]).stdout)
    assert [(p["source_line"], p["raw_value"]) for p in only["problems"]] == [(12, "surprise")]


def test_export_writes_a_valid_frictionless_data_package(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    # A rejected file leaves a problem about the whole file, with no line: it validates too.
    _ingest(runner, book, fixtures / "amount-styles.csv", fixtures / "everything-wrong.csv",
            fixtures / "excel-binary.csv")
    out = tmp_path / "package"
    result = runner.invoke(app, ["export", "--book", str(book), "--datapackage", str(out), "--parquet",
                                 str(tmp_path / "parquet")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "parquet" / "datapackage.json").exists()
    package = Package(str(out / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    quarantine = package.get_resource("quarantine").read_rows()
    assert any(r["code"] == "excel-binary-as-csv" and r["source_line"] is None for r in quarantine)
    spend = package.get_resource("spend").read_rows()
    assert len(spend) == 10 and {str(r["amount_gbp"]) for r in spend} >= {"1234.56", "-250.00"}


def test_export_needs_a_format(runner, tmp_path):
    runner.invoke(app, ["init", "--book", str(tmp_path / "b.duckdb")])
    result = runner.invoke(app, ["export", "--book", str(tmp_path / "b.duckdb")])
    assert result.exit_code == 2 and "--parquet" in result.output


def test_demo_generates_ingests_and_shows_where_the_money_goes(runner, tmp_path):
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path / "demo"), "--rows", "3000"])
    assert result.exit_code == 0, result.output
    assert "Where the money goes" in result.stdout and "Top bodies" in result.stdout
    status = json.loads(runner.invoke(app, ["status", "--book", str(tmp_path / "demo" / "openbook.duckdb"),
                                            "--json"]).stdout)
    # --rows spend lines, and each council's payments for its software products (software_spend/)
    assert status["bodies"] == 24 and 3_000 < status["lines"] <= 3_300
    again = runner.invoke(app, ["demo", "--dir", str(tmp_path / "demo"), "--rows", "3000"])
    assert again.exit_code == 0
    assert "already holds every demo file, analysed; nothing to load" in " ".join(again.stdout.split())
    after = json.loads(runner.invoke(app, ["status", "--book", str(tmp_path / "demo" / "openbook.duckdb"),
                                           "--json"]).stdout)
    assert after["lines"] == status["lines"] and after["sources"] == status["sources"]


def test_synth_writes_the_same_bytes_for_the_same_seed(runner, tmp_path):
    for name in ("a", "b"):
        assert runner.invoke(app, ["synth", str(tmp_path / name), "--rows", "2000", "--seed", "9"]).exit_code == 0
    first = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert first and all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in first)


def test_memory_limit_reaches_every_book_and_a_bad_one_is_one_sentence(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBOOK_MEMORY_LIMIT", "")  # so the value the option sets is undone after the test
    book = str(tmp_path / "book.duckdb")
    result = runner.invoke(app, ["--memory-limit", "lots", "init", "--book", book])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "OPENBOOK_MEMORY_LIMIT='lots' is not a valid DuckDB memory_limit" in " ".join(result.output.split())
    result = runner.invoke(app, ["--memory-limit", "1GB", "init", "--book", book])
    assert result.exit_code == 0 and os.environ["OPENBOOK_MEMORY_LIMIT"] == "1GB"
