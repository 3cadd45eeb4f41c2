"""`openbook classify`, the pass at the end of `openbook ingest`, and coverage in `openbook status`."""

from __future__ import annotations

import json

from openbook.cli import app


def _ingest(runner, book, *paths):
    return runner.invoke(app, ["ingest", *map(str, paths), "--book", str(book)])


def test_ingest_classifies_and_status_reports_coverage(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    result = _ingest(runner, book, fixtures / "amount-styles.csv")
    assert result.exit_code == 0, result.output
    status = json.loads(runner.invoke(app, ["status", "--book", str(book), "--json"]).stdout)
    overall = status["classification"]["overall"]
    assert overall["rows"] == status["lines"] > 0
    assert int(overall["rows_classified"]) <= overall["rows"]
    assert [b["org_id"] for b in status["classification"]["bodies"]]
    table = runner.invoke(app, ["status", "--book", str(book)])
    assert "Spend classified by function or capability" in table.stdout


def test_classify_json_adds_up_and_lists_rules(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    _ingest(runner, book, fixtures / "amount-styles.csv", fixtures / "everything-wrong.csv")
    result = runner.invoke(app, ["classify", "--book", str(book), "--json"])
    assert result.exit_code == 0, result.output
    spend = next(t for t in json.loads(result.stdout)["tables"] if t["table"] == "spend")
    assert float(spend["gbp_classified"]) + float(spend["gbp_unclassified"]) == float(spend["gbp"]) > 0
    assert spend["rows_classified"] + spend["rows_unclassified"] == spend["rows"]
    assert sum(g["rows"] for g in spend["by_function"]) == spend["rows"]
    plain = runner.invoke(app, ["classify", "--book", str(book)])
    assert "Classification coverage" in plain.stdout and "by function" in plain.stdout


def test_classify_with_a_mapping_reports_it_and_a_bad_one_is_a_usage_error(runner, tmp_path, fixtures):
    book = tmp_path / "b.duckdb"
    _ingest(runner, book, fixtures / "amount-styles.csv")
    good = tmp_path / "ours.csv"
    good.write_text("table,field,value,function\nspend,org_id,GB-LAE-LDS,governance\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", "--book", str(book), "--mapping", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mapping"]["name"] == "ours.csv"
    bad = tmp_path / "bad.csv"
    bad.write_text("table,field,value,function\nspend,expense_type,Audit,auditing\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", "--book", str(book), "--mapping", str(bad)])
    assert result.exit_code == 2
    assert "bad.csv:2: function 'auditing' is not in codes/functions.csv" in result.output
    assert "Traceback" not in result.output
    both = runner.invoke(app, ["classify", "--book", str(book), "--mapping", str(good), "--no-mapping"])
    assert both.exit_code == 2
