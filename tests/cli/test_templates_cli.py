"""`openbook template` and `openbook margins` as users meet them."""

from __future__ import annotations

import csv
import json

from openbook.cli import app


def test_template_writes_csv_and_readme_then_refuses_to_overwrite(runner, tmp_path):
    out = tmp_path / "systems.csv"
    result = runner.invoke(app, ["template", "system", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "required: org_id, system_ref, name, capability" in result.output
    assert out.read_text(encoding="utf-8").startswith("org_id,system_ref,name,product,vendor,capability")
    assert (tmp_path / "systems.README.md").exists()
    again = runner.invoke(app, ["template", "system", "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output and "Traceback" not in again.output


def test_template_xlsx_and_unknown_tables(runner, tmp_path):
    result = runner.invoke(app, ["template", "cost_line", "--format", "xlsx", "--out", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "c.xlsx").stat().st_size > 0
    unknown = runner.invoke(app, ["template", "payments"])
    assert unknown.exit_code == 2 and "no template for 'payments'" in unknown.output
    bad_format = runner.invoke(app, ["template", "system", "--format", "ods", "--out", str(tmp_path / "s.ods")])
    assert bad_format.exit_code == 2 and "choose csv or xlsx" in bad_format.output


def test_margins_prints_exceptions_and_their_json_twin(runner, tmp_path):
    template = tmp_path / "register.csv"
    assert runner.invoke(app, ["template", "cost_line", "--out", str(template)]).exit_code == 0
    with open(template, "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["CF-1", "GB-GOR-D9", "", "Acme Ltd", "2024-03", "revenue", "", "", "", "", "",
                         "1000", "8.5", ""])
        writer.writerow(["CF-1", "GB-GOR-D9", "", "Acme Ltd", "2024-03", "subcontract", "", "", "", "", "",
                         "800", "", ""])
    book = tmp_path / "book.duckdb"
    assert runner.invoke(app, ["ingest", str(template), "--book", str(book)]).exit_code == 0
    shown = runner.invoke(app, ["margins", "--book", str(book)])
    assert shown.exit_code == 0, shown.output
    assert "margin-above-agreed" in shown.output and "£115.00" in shown.output  # (20% − 8.5%) × £1,000
    payload = json.loads(runner.invoke(app, ["margins", "--book", str(book), "--json"]).stdout)
    assert payload["registers"] == 1 and payload["gbp_at_stake"] == "115.00"
    assert [f["kind"] for f in payload["findings"]] == ["margin-above-agreed"]
    assert payload["settings"]["overhead_norm_pct"] == "15"
    lenient = json.loads(runner.invoke(app, ["margins", "--book", str(book), "--json",
                                             "--margin-tolerance", "12"]).stdout)
    assert lenient["findings"] == []
