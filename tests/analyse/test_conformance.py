"""Certificates in the book: the capability map marks each cell, the plan and the savings model move
a conforming system for less, and each block lists who conforms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from openbook.analyse.conformance import by_block, marks
from openbook.analyse.detectors.systems import capability_map
from openbook.analyse.savings import BlockCost, Phasing, Scenario
from openbook.analyse.savings.model import run
from openbook.analyse.savings.scenarios import Baseline, CostLine
from openbook.analyse.savings.plan import consolidation_plan
from openbook.conform import certificate as cert
from openbook.conform.load import load
from openbook.conform.session import Check, Report
from openbook.errors import UsageError

D = Decimal
BLOCKS = {"payments": BlockCost(per_user_gbp=D(1), migration_per_body_gbp=D(10000), function="finance")}


def _certificate(tmp_path, name, *, failed=False, started=None, body=None, system=None):
    report = Report("payments", "1.0.3", f"https://{name}.example.org", started or f"{date.today()}T09:00:00+00:00")
    report.checks = [Check("create-status", "create a payment", "status", "pass"),
                     Check("retry-same", "retry", "same payment", "fail" if failed else "pass")]
    json_path, _ = cert.write(cert.issue(report, body=body, system=system), tmp_path / name)
    return json_path


@pytest.fixture
def sector(writer):
    for org in ("XX-A", "XX-B", "XX-C"):
        writer.organisation(org, "district")
    writer.add("system", [
        {"org_id": org, "system_ref": "S1", "name": "Pay", "product": "PayCo", "vendor": "V", "capability": "payments",
         "annual_cost_gbp": D(50000), "users": 100} for org in ("XX-A", "XX-B", "XX-C")])
    return writer


def test_loaded_certificates_mark_the_capability_map(sector, book, tmp_path):
    good = _certificate(tmp_path, "good", body="XX-A", system="PayCo")
    bad = _certificate(tmp_path, "bad", failed=True)
    rows = load(book, [good], today=date.today())
    rows += load(book, [bad], org="XX-B", system="PayCo")
    assert [(r["org_id"], r["result"]) for r in rows] == [("XX-A", "conforming"), ("XX-B", "not conforming")]
    cells = {c["org_id"]: c["conformance"] for c in capability_map(book)}
    assert cells == {"XX-A": "conforming", "XX-B": "not conforming", "XX-C": "untested"}
    (payments,) = [b for b in by_block(book) if b["block"] == "payments"]
    assert [x["org_id"] for x in payments["conforming"]] == ["XX-A"]
    assert [x["org_id"] for x in payments["not_conforming"]] == ["XX-B"]
    assert {b["block"] for b in by_block(book)} == {"payments", "notifications", "identity", "booking"}


def test_a_later_certificate_replaces_the_earlier_and_an_expired_one_tests_nothing(sector, book, tmp_path):
    load(book, [_certificate(tmp_path, "first", failed=True)], org="XX-A", system="PayCo")
    load(book, [_certificate(tmp_path, "second")], org="XX-A", system="PayCo")
    assert marks(book) == {("XX-A", "payments"): "conforming"}
    old = (date.today() - timedelta(days=400)).isoformat()
    load(book, [_certificate(tmp_path, "old", started=f"{old}T09:00:00+00:00")], org="XX-C", system="PayCo")
    assert ("XX-C", "payments") not in marks(book)
    assert [x["org_id"] for x in next(b for b in by_block(book) if b["block"] == "payments")["expired"]] == ["XX-C"]


def test_an_edited_or_anonymous_certificate_is_refused(sector, book, tmp_path):
    edited = _certificate(tmp_path, "e2", failed=True)
    edited.write_text(edited.read_text().replace('"result": "not conforming"', '"result": "conforming"'))
    with pytest.raises(UsageError, match="edited since it was issued"):
        load(book, [edited], org="XX-A", system="PayCo")
    with pytest.raises(UsageError, match="names no body or system"):
        load(book, [_certificate(tmp_path, "anon")])
    with pytest.raises(UsageError, match="not a body in the book"):
        load(book, [_certificate(tmp_path, "nobody")], org="XX-NOBODY", system="PayCo")
    assert marks(book) == {}


def test_a_conforming_system_costs_less_to_move_in_the_plan(sector, book, tmp_path):
    scenario = Scenario(reduction=D(1), phasing=Phasing(1))
    _, before = consolidation_plan(book, scenario, BLOCKS, as_of=date.today())
    assert {r.org_id: r.migration_gbp for r in before} == {o: D(10000) for o in ("XX-A", "XX-B", "XX-C")}
    load(book, [_certificate(tmp_path, "good")], org="XX-A", system="PayCo")
    _, after = consolidation_plan(book, scenario, BLOCKS, as_of=date.today())
    assert {r.org_id: r.migration_gbp for r in after} == {"XX-A": D(5000), "XX-B": D(10000), "XX-C": D(10000)}
    _, full = consolidation_plan(book, Scenario(reduction=D(1), phasing=Phasing(1), conforming_migration_factor=D(1)),
                                 BLOCKS, as_of=date.today())
    assert {r.migration_gbp for r in full} == {D(10000)}


def test_the_factor_is_a_share():
    with pytest.raises(UsageError, match="conforming_migration_factor"):
        Scenario(conforming_migration_factor=D("1.5")).validate()


def test_the_savings_model_moves_a_conforming_system_line_for_the_factor_of_its_migration():
    def migration(conforming: bool) -> Decimal:
        line = CostLine("system", D(50000), "XX-A", "finance", "payments", 100, 1, conforming)
        result = run(Baseline("bottom-up", (line,), ()), Scenario(reduction=D(1), phasing=Phasing(1)), BLOCKS)
        return sum(year.migration_cost_gbp for year in result.years)

    assert migration(False) == D(10000) and migration(True) == D(5000)


def test_a_book_made_before_conformance_was_recorded_reads_as_untested(sector, book):
    book.query("DROP TABLE conformance")
    assert marks(book) == {} and {c["conformance"] for c in capability_map(book)} == {"untested"}
    assert all(not b["conforming"] and not b["not_conforming"] for b in by_block(book))
