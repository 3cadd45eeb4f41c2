"""The reporting tree: planted cycles, unknown lines and pay bills are found exactly; real files agree.

Crafted snapshots are small organograms written in tmp_path and loaded like any publication;
the real-file check counts unknown reporting lines with Python's csv module.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import pytest

from openbook.analyse.organogram_tree import book_snapshots, snapshots
from openbook.cli import app
from openbook.ingest import ingest_file
from openbook.store import Book

TRIPLESTORE = "datagovuk__organograms/data/dgu/csv-from-triplestore"
SENIOR_HEADER = ("Post Unique Reference,Name,Grade (or equivalent),Job Title,Job/Team Function,Parent Department,"
                 "Organisation,Unit,Contact Phone,Contact E-mail,Reports to Senior Post,Salary Cost of Reports (£),"
                 "FTE,Actual Pay Floor (£),Actual Pay Ceiling (£),,Professional/Occupational Group,Notes,Valid?")
JUNIOR_HEADER = ("Parent Department,Organisation,Unit,Reporting Senior Post,Grade,Payscale Minimum (£),"
                 "Payscale Maximum (£),Generic Job Title,Number of Posts in FTE,Professional/Occupational Group")


def senior_row(ref, reports_to, cost="0"):
    return f"{ref},N/D,SCS1,Deputy Director,Policy,Cabinet Office,Cabinet Office,Unit A,020,a@b,{reports_to},{cost},1,N/D,N/D,,Policy,,"


def junior_row(reports_to, fte):
    return f"Cabinet Office,Cabinet Office,Unit A,{reports_to},EO,25000,30000,Officer,{fte},Operational delivery"


def write(tmp_path, name, *lines):
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


@pytest.fixture
def planted(tmp_path, book):
    """Cabinet Office at 2012-03-31: a top post, a loop of two, a self-loop, a line to nowhere,
    and junior teams whose pay bills do and do not match the published salary cost of reports."""
    senior = write(tmp_path, "co-2012-03-31-senior.csv", SENIOR_HEADER,
                   senior_row("T", "XX", cost="0"),
                   senior_row("A", "T", cost="100000"),      # 3 FTE × 25-30k = 75-90k, small team: ± 50k
                   senior_row("B", "A", cost="900000"),      # 10 FTE × 25-30k = 250-300k: far off
                   senior_row("C", "D"), senior_row("D", "C"),  # C and D report to each other
                   senior_row("E", "E"),                     # E reports to itself
                   senior_row("F", "Z9"),                    # Z9 is no post of the snapshot
                   senior_row("G", "T", cost="N/D"))
    junior = write(tmp_path, "co-2012-03-31-junior.csv", JUNIOR_HEADER,
                   junior_row("A", "3"), junior_row("B", "10"), junior_row("Q", "2"), junior_row("G", "1"))
    for path in (senior, junior):
        assert ingest_file(book, path).status == "loaded"
    return book


def test_planted_problems_are_found_exactly(planted):
    (snap,) = book_snapshots(planted)
    assert (snap.org_id, snap.as_of, snap.senior_posts, snap.junior_groups, snap.junior_fte, snap.top_posts) == \
        ("GB-GOR-D2", date(2012, 3, 31), 8, 4, Decimal("16"), 1)
    found = sorted((i.code, i.post_ref, i.value, i.source_line) for i in snap.issues)
    assert found == [
        ("junior-reports-to-unknown", None, "Q", 4),
        ("reporting-cycle", "C", "C", 5), ("reporting-cycle", "D", "D", 6), ("reporting-cycle", "E", "E", 7),
        ("reports-cost-mismatch", "B", "900000.00", 4),
        ("reports-to-unknown", "F", "Z9", 8),
    ]
    assert snap.layers == 4  # T → A → B, and the junior layer
    by_post = {r.post_ref: r for r in snap.reconciliations}
    assert set(by_post) == {"A", "B", "G"}
    a = by_post["A"]
    assert (a.status, a.junior_fte, a.pay_bill_low, a.pay_bill_high, a.tolerance) == \
        ("reconciled", Decimal("3"), Decimal("75000.00"), Decimal("90000.00"), Decimal("50000"))
    assert (by_post["B"].status, by_post["B"].pay_bill_high) == ("mismatch", Decimal("300000.00"))
    assert by_post["G"].status == "not-published"
    assert snap.summary()["unreconciled"] == 1 and snap.summary()["posts_in_cycles"] == 3


def test_snapshots_are_per_body_and_date_and_unresolved_bodies_keep_their_names():
    def post(ref, reports_to, body, org_id=None, day=date(2011, 9, 30), senior=True):
        return {"org_id": org_id, "body_name": body, "as_of": day, "post_ref": ref, "reports_to": reports_to,
                "is_senior": senior, "is_top": reports_to is None and senior, "fte": 1.0, "source_sha256": "s",
                "source_line": 2}

    found = snapshots([post("1", None, "Office of Imaginary Affairs"), post("2", "1", "Office of Imaginary Affairs"),
                       post("1", None, "Cabinet Office", "GB-GOR-D2"),
                       post("1", None, "Cabinet Office", "GB-GOR-D2", date(2012, 3, 31))])
    assert [(s.org_id, s.body_name, s.as_of, s.senior_posts, s.layers) for s in found] == [
        (None, "Office of Imaginary Affairs", date(2011, 9, 30), 2, 2),
        ("GB-GOR-D2", "Cabinet Office", date(2011, 9, 30), 1, 1),
        ("GB-GOR-D2", "Cabinet Office", date(2012, 3, 31), 1, 1),
    ]


def test_real_unknown_reporting_lines_match_a_count_with_csv(shared_data, tmp_path):
    names = ("ministry_of_justice", "department_for_work_and_pensions", "cabinet_office")
    expected = 0
    book = Book(tmp_path / "real.duckdb")
    try:
        for name in names:
            for kind in ("senior", "junior"):
                ingest_file(book, shared_data / TRIPLESTORE / f"{name}-2011-09-30-{kind}.csv")
            with open(shared_data / TRIPLESTORE / f"{name}-2011-09-30-senior.csv", encoding="utf-8",
                      newline="") as fh:
                rows = list(csv.DictReader(fh))
            refs = {r["Post Unique Reference"] for r in rows}
            expected += sum(1 for r in rows if r["Reports to Senior Post"] not in refs | {"XX"})
        found = book_snapshots(book)
        assert [(s.org_id, s.body_name) for s in found] == [  # ordered by org id
            ("GB-GOR-D10", "Department for Work and Pensions"), ("GB-GOR-D18", "Ministry of Justice"),
            ("GB-GOR-D2", "Cabinet Office")]
        assert sum(s.count("reports-to-unknown") for s in found) == expected == 7
        justice = found[1]
        assert (justice.senior_posts, justice.top_posts, justice.count("reporting-cycle")) == (132, 1, 1)
        assert sum(s.count("junior-reports-to-unknown") for s in found) == 0
    finally:
        book.close()


def test_organograms_command_lists_snapshots_as_a_table_and_json(planted, runner, tmp_path):
    path = str(tmp_path / "test.duckdb")
    planted.close()
    table = runner.invoke(app, ["organograms", "--book", path])
    assert table.exit_code == 0, table.output
    assert "Cabinet Office" in table.stdout and "2012-03-31" in table.stdout and "Traceback" not in table.output
    result = runner.invoke(app, ["organograms", "--book", path, "--org", "GB-GOR-D2", "--json"])
    assert result.exit_code == 0
    (snap,) = json.loads(result.stdout)["snapshots"]
    assert (snap["senior_posts"], snap["junior_fte"], snap["layers"], snap["posts_in_cycles"],
            snap["reports_to_unknown"], snap["unreconciled"]) == (8, "16.0", 4, 3, 1, 1)
    assert json.loads(runner.invoke(app, ["organograms", "--book", path, "--org", "Nobody", "--json"]).stdout) == \
        {"snapshots": []}
