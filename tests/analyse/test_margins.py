"""Open-book checks on crafted cost registers: known margins, overheads and rates give known £."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from decimal import Decimal

import pytest

from openbook.analyse.detectors.margins import MarginSettings, check_margins, grade_key
from openbook.errors import UsageError
from openbook.ingest import ingest_file
from openbook.ingest.records import to_arrow
from openbook.ingest.templates import template_header
from openbook.store.book import SourceRecord

D9 = "GB-GOR-D9"
# contract_ref, org_id, supplier_name, period, cost_category, grade, civil_service_grade, rate, quantity, unit,
# amount, agreed_margin_pct
REGISTER = [
    ("CF-1", D9, "Acme Ltd", "2024-03", "revenue", "", "", "", "", "", "100000.00", "8.5"),
    ("CF-1", D9, "Acme Ltd", "2024-03", "direct-labour", "Consultant", "Grade 7", "950", "40", "day", "38000", ""),
    ("CF-1", D9, "Acme Ltd", "2024-03", "materials", "", "", "", "", "", "20000", ""),
    ("CF-1", D9, "Acme Ltd", "2024-03", "overhead", "", "", "", "", "", "12000", ""),
    ("CF-1", D9, "Acme Ltd", "2024-03", "financing", "", "", "", "", "", "1000", ""),
    ("CF-1", D9, "Acme Ltd", "2024-03", "margin", "", "", "", "", "", "29000", ""),
    # Exactly the agreed 10%: not an exception.
    ("CF-2", D9, "Acme Ltd", "2024-03", "revenue", "", "", "", "", "", "50000", "10"),
    ("CF-2", D9, "Acme Ltd", "2024-03", "direct-labour", "Analyst", "HEO", "60", "100", "hour", "6000", ""),
    ("CF-2", D9, "Acme Ltd", "2024-03", "direct-labour", "Junior", "HEO", "30", "100", "hour", "3000", ""),
    ("CF-2", D9, "Acme Ltd", "2024-03", "direct-labour", "Officer", "EO", "300", "10", "day", "3000", ""),
    ("CF-2", D9, "Acme Ltd", "2024-03", "subcontract", "", "", "", "", "", "33000", ""),
    # A council with no organogram in the book.
    ("MC-7", "GB-LAE-MAN", "Beta plc", "2024-25", "revenue", "", "", "", "", "", "1000", "5"),
    ("MC-7", "GB-LAE-MAN", "Beta plc", "2024-25", "direct-labour", "Carer", "EO", "500", "1", "day", "500", ""),
]


def load_register(book, tmp_path, rows=REGISTER):
    path = tmp_path / "register.csv"
    header = template_header("cost_line")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            values = dict(zip(["contract_ref", "org_id", "supplier_name", "period", "cost_category", "grade",
                               "civil_service_grade", "rate_gbp", "quantity", "unit", "amount_gbp",
                               "agreed_margin_pct"], row))
            writer.writerow([values.get(name, "") for name in header])
    report = ingest_file(book, path)
    assert report.quarantined == 0 and report.accepted == len(rows), report.problems
    return report.sha256


def add_posts(book, org_id, as_of, posts):
    """An organogram snapshot straight into the book: [(grade, pay ceiling)], lines from 2."""
    sha = hashlib.sha256(f"{org_id} {as_of}".encode()).hexdigest()
    records = [{"org_id": org_id, "as_of": as_of, "title": f"Post {i}", "grade": grade,
                "pay_ceiling_gbp": Decimal(ceiling), "is_senior": False, "source_line": i + 2}
               for i, (grade, ceiling) in enumerate(posts)]
    with book.loading() as loader:
        loader.add_records("post", to_arrow("post", records, sha))
        book.record_source(SourceRecord(sha, "organogram.csv", "organogram.csv", 1, "post", "test", "csv",
                                        rows_read=len(posts) + 1, rows_accepted=len(posts), rows_structural=1))
    return sha


def by_kind(report, kind):
    return sorted((f for f in report.findings if f.kind == kind), key=lambda f: f.key)


def test_margin_above_agreed_is_found_with_the_excess_times_revenue(book, tmp_path):
    sha = load_register(book, tmp_path)
    report = check_margins(book)
    margin, council = by_kind(report, "margin-above-agreed")
    assert (council.key, council.gbp_at_stake) == ("MC-7|2024-25", Decimal("450.00"))  # (50% − 5%) × £1,000
    # revenue 100,000; costs 38,000 + 20,000 + 12,000 + 1,000 = 71,000; margin 29% against 8.5%.
    assert margin.gbp_at_stake == Decimal("20500.00")
    assert margin.org_ids == [D9] and margin.key == "CF-1|2024-03"
    assert margin.formula.startswith("(actual margin 29.00% − agreed 8.50%) × revenue £100,000.00 = £20,500.00")
    assert sorted(margin.evidence) == [(sha, line) for line in range(2, 8)]
    assert margin.title == "Acme Ltd made 29.00% on CF-1 (2024-03), above the agreed 8.50%"


def test_a_margin_at_or_within_the_agreed_one_is_not_flagged(book, tmp_path):
    load_register(book, tmp_path)
    flagged = {f.key for f in check_margins(book).findings if f.kind == "margin-above-agreed"}
    assert "CF-2|2024-03" not in flagged  # exactly 10.00% against 10%
    assert "MC-7|2024-25" in flagged  # 50% against 5%
    lenient = check_margins(book, MarginSettings(margin_tolerance_pp=Decimal("50")))
    assert by_kind(lenient, "margin-above-agreed") == []


def test_overheads_above_the_norm_are_the_excess_over_norm_times_direct_costs(book, tmp_path):
    load_register(book, tmp_path)
    [overhead] = by_kind(check_margins(book), "overhead-above-norm")
    # direct costs 38,000 + 20,000 = 58,000; norm 15% = 8,700; overheads 12,000.
    assert (overhead.key, overhead.gbp_at_stake) == ("CF-1|2024-03", Decimal("3300.00"))
    assert "recovery rate 20.69%" in overhead.formula
    assert by_kind(check_margins(book, MarginSettings(overhead_norm_pct=Decimal("21"))), "overhead-above-norm") == []


def test_labour_rates_are_compared_with_the_bodys_latest_pay_for_the_grade(book, tmp_path):
    load_register(book, tmp_path)
    add_posts(book, D9, date(2023, 3, 31), [("Grade 7", "90000")])  # an older snapshot: not used
    posts = add_posts(book, D9, date(2024, 3, 31), [("G7", "58000"), ("Grade 7", "60000"), ("HEO", "40000")])
    report = check_margins(book)
    rates = by_kind(report, "labour-rate-above-pay")
    assert [(f.key.split("|")[0], f.gbp_at_stake) for f in rates] == [
        # 950 a day against 60,000 × 1.4 / 225 = 373.33…: (950 − 373.333…) × 40 days
        ("CF-1", Decimal("23066.67")),
        # 60 an hour against 40,000 × 1.4 / 225 / 7.4 = 33.63…: (60 − 33.6336…) × 100 hours; 30 an hour is below
        ("CF-2", Decimal("2636.64")),
    ]
    assert rates[0].evidence[1] == (posts, 3)  # the Grade 7 post that set the pay
    assert "in-house £373.33 per day" in rates[0].formula and "'Grade 7' posts of GB-GOR-D9 as of 2024-03-31" in rates[0].formula
    assert f"{D9}: no posts of grade 'EO' in its organogram of 2024-03-31; rates for it not compared" in report.notes


def test_without_posts_for_a_body_the_rates_are_not_guessed(book, tmp_path):
    load_register(book, tmp_path)
    report = check_margins(book)
    assert by_kind(report, "labour-rate-above-pay") == []
    assert any(n.startswith("GB-LAE-MAN: no organogram posts with pay in the book") for n in report.notes)
    assert report.registers == 3


def test_findings_are_stored_and_recomputing_replaces_them(book, tmp_path):
    load_register(book, tmp_path)
    first = check_margins(book)
    again = check_margins(book)
    stored = book.findings()
    assert len(stored) == len(first.findings) == len(again.findings) == 3
    assert {f["detector"] for f in stored} == {"margins"}
    assert stored[0]["kind"] == "margin-above-agreed" and stored[0]["gbp_at_stake"] == Decimal("20500.00")


def test_a_register_without_revenue_or_agreed_margin_says_so(book, tmp_path):
    load_register(book, tmp_path, [
        ("CF-9", D9, "Acme Ltd", "2024-04", "materials", "", "", "", "", "", "10", ""),
        ("CF-8", D9, "Acme Ltd", "2024-04", "revenue", "", "", "", "", "", "10", ""),
    ])
    report = check_margins(book)
    assert report.findings == []
    assert report.notes == [f"{D9} contract CF-8 period 2024-04: no agreed_margin_pct, so the margin is not compared",
                            f"{D9} contract CF-9 period 2024-04: no revenue line, so the margin is not computed"]


def test_settings_come_from_the_environment_with_errors_naming_the_key():
    settings = MarginSettings.from_env({"OPENBOOK_MARGINS_OVERHEAD_NORM_PCT": "12.5"}, pay_on_cost_pct=30)
    assert (settings.overhead_norm_pct, settings.pay_on_cost_pct, settings.working_days) == (
        Decimal("12.5"), Decimal("30"), Decimal("225"))
    with pytest.raises(UsageError, match="OPENBOOK_MARGINS_WORKING_DAYS has value 'many'"):
        MarginSettings.from_env({"OPENBOOK_MARGINS_WORKING_DAYS": "many"})


@pytest.mark.parametrize("spelling", ["Grade 7", "G7", "grade7", "GRADE 7 "])
def test_grade_spellings_meet(spelling):
    assert grade_key(spelling) == "grade-7"
    assert grade_key("SCS Pay Band 1") == grade_key("SCS1") == "scs1"
