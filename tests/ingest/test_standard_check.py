"""Files in the standard's own layout are checked by SQL generated from the Table Schema."""

from __future__ import annotations

import csv

from openbook.ingest import validate_file
from openbook.ingest.standard_check import standard_table_of
from openbook.synth import generate_flat


def test_generated_errors_are_found_cell_for_cell(tmp_path):
    path = tmp_path / "spend.csv"
    generate_flat(path, rows=5_000, seed=5, errors=40)
    with open(f"{path}.errors.csv", encoding="utf-8", newline="") as fh:
        planted = {(int(r["line"]), r["column"]) for r in csv.DictReader(fh)}
    assert standard_table_of(path) == "spend"
    report = validate_file(path)
    assert {(p.line, p.column_name) for p in report.problems} == planted
    assert report.rows_read == 5_001 and report.quarantined == len({line for line, _ in planted})
    assert set(report.problem_counts) <= {"type-error", "constraint-error", "value-missing"}


def test_line_numbers_survive_a_quoted_line_break(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text('org_id,paid_on,amount_gbp,supplier_name,description\n'
                    'GB-LAE-TRF,2024-04-01,10.00,Acme Ltd,"two\nlines"\n'
                    'GB-LAE-TRF,2024-04-31,10.00,Acme Ltd,bad date\n'
                    'bad id,2024-04-02,ten,,\n', encoding="utf-8")
    report = validate_file(path)
    assert sorted((p.line, p.column_name, p.code) for p in report.problems) == [
        (4, "paid_on", "type-error"), (5, "amount_gbp", "type-error"), (5, "org_id", "constraint-error"),
        (5, "supplier_name", "value-missing")]
    assert (report.rows_read, report.accepted, report.quarantined) == (4, 1, 2)
