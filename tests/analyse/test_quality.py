"""Publication quality on a tiny book of real ingested files: Trafford publishes January, February
and April 2024 (no March), one bad row in February, one line with a sub-penny amount (a warning) in
January, and a nil return for May; Darlington publishes January only, so with Trafford's April the
book's latest month, Darlington is three months behind."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openbook.analyse.findings import Finding, save_findings
from openbook.analyse.quality import quality
from openbook.ingest import ingest_file

HEADER = "Date,Supplier,Amount,Expense Type\n"


@pytest.fixture
def tiny(book, tmp_path):
    files = {
        "t-2024-01.csv": HEADER + "2024-01-10,Acme Ltd,100.005,IT software\n2024-01-11,Beta plc,200.00,Agency staff\n",
        "t-2024-02.csv": HEADER + "2024-02-10,Acme Ltd,300.00,IT software\n2024-02-11,Beta plc,not money,Agency\n",
        "t-2024-04.csv": HEADER + "2024-04-10,Acme Ltd,400.00,Stationery\n",
        "t-2024-05.csv": "Trafford Council\nSpend over £500 - May 2024\n\nNIL RETURN\n",
    }
    reports = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        reports[name] = ingest_file(book, tmp_path / name, org="Trafford Council")
    (tmp_path / "b-2024-01.csv").write_text(HEADER + "2024-01-05,Gamma Ltd,50.00,Rent\n", encoding="utf-8")
    reports["b"] = ingest_file(book, tmp_path / "b-2024-01.csv", org="Darlington Borough Council")
    assert [r.status for r in reports.values()] == ["loaded", "loaded", "loaded", "rejected", "loaded"]
    return book, reports


def _row(book, name):
    org_id = book.resolve_org(name)
    rows = quality(book, org=org_id)
    assert len(rows) == 1
    return rows[0]


def test_coverage_names_the_gap_month_and_the_nil_return(tiny):
    book, _ = tiny
    row = _row(book, "Trafford Council")
    assert (row["first_month"], row["last_month"]) == (date(2024, 1, 1), date(2024, 4, 1))
    assert row["months_expected"] == 4 and row["months_published"] == 3
    assert row["missing_months"] == [date(2024, 3, 1)]
    assert row["months_behind"] == 0
    assert (row["files"], row["nil_returns"], row["files_rejected"]) == (4, 1, 0)
    assert row["datasets"] == {"spend": 4} and row["missing_datasets"] == ["organogram", "contracts"]
    darlington = _row(book, "Darlington Borough Council")
    assert darlington["months_behind"] == 3 and darlington["missing_months"] == []


def test_quarantine_share_timeliness_and_classification(tiny):
    book, _ = tiny
    row = _row(book, "Trafford Council")
    # 4 accepted + 1 quarantined rows over the three loaded files.
    assert (row["rows_accepted"], row["rows_quarantined"]) == (4, 1)
    assert row["quarantine_share"] == pytest.approx(0.2)
    # Loaded today: the delay is today minus the last day of each file's month.
    today = date.today()
    delays = sorted((today - d).days for d in (date(2024, 1, 31), date(2024, 2, 29), date(2024, 4, 30)))
    assert row["median_days_to_load"] == delays[1] and row["max_days_to_load"] == delays[2]
    assert row["lines"] == 4 and row["gbp_gross"] == Decimal("1000.00")  # 100.005 is read as 100.00, with a warning
    assert 0 <= row["lines_classified"] <= row["lines"]
    assert row["gbp_classified"] <= row["gbp_gross"]


def test_share_of_findings_resting_on_warned_rows(tiny):
    book, reports = tiny
    trafford = book.resolve_org("Trafford Council")
    jan, feb = reports["t-2024-01.csv"].sha256, reports["t-2024-02.csv"].sha256
    warned = book.query("SELECT source_sha256, source_line, code FROM quarantine WHERE severity = 'warning'")
    assert warned == [(jan, 2, "amount-rounded")]
    save_findings(book, "test", [
        Finding("test-kind", "test", [trafford], "rests on the sub-penny line", Decimal("300"), "f", 0.9,
                [(jan, 2), (jan, 3)]),
        Finding("test-kind", "test", [trafford], "rests on clean lines", Decimal("100"), "f", 0.9, [(feb, 2)]),
    ])
    row = _row(book, "Trafford Council")
    assert (row["findings"], row["findings_on_warned_rows"]) == (2, 1)
    assert row["findings_gbp"] == Decimal("400.00") and row["findings_gbp_on_warned_rows"] == Decimal("300.00")
    assert row["warned_share_gbp"] == pytest.approx(0.75)
    assert _row(book, "Darlington Borough Council")["warned_share_gbp"] is None  # no findings: no share, not 0
