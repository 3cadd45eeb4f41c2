"""Top-heavy management from organogram posts, with known answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openbook.analyse.detectors.workforce import (
    WorkforceSettings, body_profile, load_posts, profiles, repeated_role_findings, role_pattern, unit_findings,
)

AS_OF = date(2024, 3, 31)


def senior(ref, reports_to, unit, pay, *, title="Deputy Director", grade="SCS1", function=None, org="XX-A"):
    floor = Decimal(pay) if pay is not None else None
    return {"org_id": org, "as_of": AS_OF, "post_ref": ref, "title": title, "grade": grade, "unit": unit,
            "reports_to": reports_to, "fte": 1.0, "pay_floor_gbp": floor,
            "pay_ceiling_gbp": floor + 10000 if floor is not None else None, "is_senior": True,
            "function": function}


def junior(reports_to, unit, fte, pay, org="XX-A"):
    return {"org_id": org, "as_of": AS_OF, "title": "Officer", "grade": "EO", "unit": unit,
            "reports_to": reports_to, "fte": fte, "pay_floor_gbp": Decimal(pay),
            "pay_ceiling_gbp": Decimal(pay) + 4000, "is_senior": False}


@pytest.fixture
def organogram(writer):
    writer.organisation("XX-A", "ministerial-department")
    writer.add("post", [
        senior("1", None, "Board", 150000, title="Permanent Secretary", grade="SCS4"),
        senior("2", "1", "Finance", 100000, title="Finance Director", grade="SCS2"),
        senior("3", "2", "Finance", 80000),
        senior("4", "2", "Finance", 80000),
        senior("5", "2", "Finance", None),  # pay not disclosed
        junior("3", "Finance", 4.0, 30000),
        senior("6", "1", "Operations", 90000, grade="SCS2"),
        junior("6", "Operations", 60.0, 25000),
    ], file="XX-A-2024-03-31.csv")
    return writer


def test_profile_counts_layers_spans_and_the_senior_pay_share(organogram, book):
    posts = load_posts(book)
    profile = body_profile(posts)
    assert profile["senior_posts"] == 6 and profile["layers"] == 3
    assert profile["staff_fte"] == pytest.approx(6 + 64)
    # Spans: post 1 leads 2 and 6; post 2 leads 3, 4, 5; post 3 leads 4 FTE; post 6 leads 60 FTE.
    assert profile["median_span"] == pytest.approx(3.5)
    senior_pay = Decimal(155000 + 105000 + 85000 + 85000 + 95000)
    pay_bill = senior_pay + 4 * Decimal(32000) + 60 * Decimal(27000)
    assert profile["pay_bill_gbp"] == pay_bill
    assert profile["senior_pay_share"] == pytest.approx(float(senior_pay / pay_bill))
    assert profile["undisclosed_pay_posts"] == 1
    assert profiles(book)[0]["org_id"] == "XX-A"


def test_a_unit_with_more_managers_than_its_staff_need_is_top_heavy(organogram, book):
    found = unit_findings(book, WorkforceSettings(target_span=6))
    assert [f.key for f in found] == ["2024-03-31:Finance"]
    finance = found[0]
    # 4 senior posts lead 4 FTE: ceil(4/6) = 1 manager needed; 3 excess × the median disclosed
    # pay midpoint of £105,000, £85,000, £85,000.
    assert finance.gbp_at_stake == Decimal("255000.00")
    assert "(4 senior posts − ceil(4 staff / 6))" in finance.formula
    assert len(finance.evidence) == 5


def test_the_same_senior_role_in_many_bodies_is_found(writer, book):
    for i, pay in enumerate([90000, 100000, 110000], start=1):
        org = f"XX-B{i}"
        writer.organisation(org, "district-council")
        writer.add("post", [senior("0", None, "Chief Executive's Office", 150000, title="Chief Executive",
                                   grade="Chief Executive", function="finance", org=org),
                            senior("1", "0", "Resources", pay, title=f"Director of Finance{' (interim)' * (i == 2)}",
                                   grade="Director", function="finance", org=org)], file=f"{org}.csv")
    writer.add("post", [senior("1", None, "Resources", 95000, title="Director of Finance", grade="Director",
                               function="finance", org="XX-B1")], file="XX-B1-old.csv")
    found = repeated_role_findings(book)
    # Every body needs its own chief executive: three of them are not a duplicated role.
    assert len(found) == 1
    assert found[0].org_ids == ["XX-B1", "XX-B2", "XX-B3"]
    assert "Director of Finance" in found[0].title
    assert role_pattern("Director of Finance (interim)") == role_pattern("DIRECTOR OF FINANCE") == "director finance"


def test_undisclosed_pay_is_missing_not_nought(writer, book):
    """A band of 0 to 0 (how many publishers write 'not disclosed') never enters a median as £0."""
    writer.organisation("XX-C", "ministerial-department")
    writer.add("post", [
        senior("1", None, "Board", 150000, title="Permanent Secretary", grade="SCS4", org="XX-C"),
        senior("2", "1", "Finance", 100000, org="XX-C"),
        {**senior("3", "1", "Finance", 0, org="XX-C"), "pay_ceiling_gbp": Decimal(0)},
        {**senior("4", "1", "Finance", 0, org="XX-C"), "pay_ceiling_gbp": Decimal(0)},
        junior("2", "Finance", 3.0, 30000, org="XX-C"),
    ], file="XX-C.csv")
    posts = {p.post_ref: p for p in load_posts(book) if p.org_id == "XX-C"}
    assert posts["2"].pay_mid == Decimal("105000") and posts["3"].pay_mid is None
    (finding,) = [f for f in unit_findings(book) if f.org_ids == ["XX-C"]]
    assert "median senior pay £105,000.00" in finding.formula


def test_vacancies_are_no_role_held(writer, book):
    for i in range(1, 4):
        org = f"XX-V{i}"
        writer.organisation(org, "ministerial-department")
        writer.add("post", [senior("0", None, "Board", 150000, title="Permanent Secretary", org=org),
                            senior("1", "0", "Policy", 120000, title="Not in post", grade="SCS1", function="governance",
                                   org=org)], file=f"{org}.csv")
    assert repeated_role_findings(book) == []
