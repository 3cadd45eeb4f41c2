"""OCDS releases and records: every real sample loads and reconciles, a named package's count and
values match a reading with the json module, the rules for which releases count hold on crafted
packages, and a large package is read in bounded memory."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.ingest import ingest_file
from openbook.store import Book

OCDS_KINDS = ("OCDS release", "OCDS record")
ARMENIA = "open-contracting__sample-data/real-examples/armenia/sample/releases/6.json"


def _release(ocid: str, rid: str, date: str, tag: str, *, awards=(), contracts=(), buyer="Trafford Council",
             parties=None, **extra) -> dict:
    release = {"ocid": ocid, "id": rid, "date": date, "tag": [tag], "initiationType": "tender",
               "buyer": {"id": "B1", "name": buyer}, "awards": list(awards), "contracts": list(contracts)}
    if parties is not None:
        release["parties"] = parties
    release.update(extra)
    return release


def _award(aid: str, amount, currency="GBP", suppliers=({"id": "S1", "name": "Acme Ltd"},), **extra) -> dict:
    return {"id": aid, "date": "2023-02-01T00:00:00Z", "value": {"amount": amount, "currency": currency},
            "suppliers": list(suppliers), **extra}


def _write(path: Path, document) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _package(*releases) -> dict:
    return {"uri": "https://example.org/p.json", "publishedDate": "2023-05-01T00:00:00Z", "version": "1.1",
            "releases": list(releases)}


# -- the real samples ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ocds_book(shared_data, shared_manifest, tmp_path_factory):
    book = Book(tmp_path_factory.mktemp("ocds") / "ocds.duckdb")
    rows = [r for r in shared_manifest if r["kind"] in OCDS_KINDS]
    reports = {r["local_path"]: ingest_file(book, shared_data / r["local_path"]) for r in rows}
    yield book, reports
    book.close()


def test_every_ocds_sample_loads_and_reconciles(ocds_book, shared_manifest):
    book, reports = ocds_book
    assert len(reports) == sum(1 for r in shared_manifest if r["kind"] in OCDS_KINDS) == 656
    rejected = Counter(r.rejection.code for r in reports.values() if r.status == "rejected")
    assert rejected == {"file-empty": 3}  # three record files of 0 bytes
    loaded = [r for r in reports.values() if r.status == "loaded"]
    assert all(r.reconciles and r.dataset == "contract" for r in loaded)
    totals = [sum(getattr(r, k) for r in loaded) for k in ("rows_read", "accepted", "quarantined", "structural")]
    assert totals == [752, 582, 0, 170]
    # Each accepted release or record has contract rows, and no structural one does.
    assert book.query("""SELECT count(DISTINCT (source_sha256, source_line)) FROM contract""") == [(582,)]
    assert book.query("""SELECT count(*) FROM contract c JOIN quarantine q USING (source_sha256, source_line)
                         WHERE q.severity IN ('error', 'structural')""") == [(0,)]
    # The samples are foreign bodies: kept by name, never given an org_id, each flagged.
    assert book.query("SELECT count(*), count(org_id), count(buyer_name) FROM contract")[0][1] == 0
    assert book.query("SELECT count(*) FROM quarantine WHERE code = 'buyer-not-in-registry'") == [(546,)]


def test_a_named_package_matches_a_reading_with_the_json_module(ocds_book, shared_data):
    book, reports = ocds_book
    package = json.loads((shared_data / ARMENIA).read_text(encoding="utf-8"), parse_float=Decimal)
    releases = package["releases"]
    with_contracts = [r for r in releases if r.get("awards") or r.get("contracts")]
    # A contract's value is its own, else (as some publishers leave it blank) its award's.
    values = []
    for release in releases:
        awards = {a["id"]: a for a in release.get("awards") or []}
        for contract in release.get("contracts") or []:
            amount = (contract.get("value") or {}).get("amount")
            values.append(amount if amount is not None else awards[contract["awardID"]]["value"]["amount"])
        signed = {c.get("awardID") for c in release.get("contracts") or []}
        values += [a["value"]["amount"] for a in awards.values() if a["id"] not in signed]
    expected = sum(Decimal(v) for v in values)
    report = reports[ARMENIA]
    assert (report.rows_read, report.accepted, report.structural) == (
        len(releases), len(with_contracts), len(releases) - len(with_contracts)) == (100, 19, 81)
    rows = book.query("SELECT count(*), sum(value_amount), min(value_currency), max(value_currency), "
                      "sum(value_gbp) FROM contract WHERE source_sha256 = ?", [report.sha256])
    assert rows == [(len(values), expected, "AMD", "AMD", None)]
    assert expected > 0


def test_a_release_keeps_its_supplier_in_org_id_form_and_its_cpv(ocds_book, shared_data):
    book, reports = ocds_book
    sha = reports[ARMENIA].sha256
    (supplier_id, cpv, codes, tags), *_ = book.query(
        "SELECT supplier_id, cpv, cpv_codes, release_tag FROM contract WHERE source_sha256 = ? "
        "ORDER BY source_line LIMIT 1", [sha])
    assert supplier_id.startswith("AM-TIN-") and cpv and cpv == codes[0] and tags == ["tender"]


# -- which releases count -----------------------------------------------------------------

def test_an_award_restated_by_the_contract_release_is_counted_once(book, tmp_path):
    award = _release("ocds-x-1", "r1", "2023-02-01T00:00:00Z", "award", awards=[_award("A1", 1000)])
    contract = _release("ocds-x-1", "r2", "2023-03-01T00:00:00Z", "contract", awards=[_award("A1", 1000)],
                        contracts=[{"id": "C1", "awardID": "A1", "value": {"amount": "1200.50", "currency": "GBP"},
                                    "period": {"startDate": "2023-04-01T00:00:00Z", "endDate": "2025-03-31"}}])
    tender = _release("ocds-x-1", "r0", "2023-01-01T00:00:00Z", "tender", tender={"value": {"amount": 1500}})
    report = ingest_file(book, _write(tmp_path / "p.json", _package(tender, contract, award)))
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (3, 1, 0, 2)
    assert report.amount_pence == 120050
    assert book.query("SELECT source_line, source_item, contract_ref, award_id, value_gbp, start_date::VARCHAR, "
                      "end_date::VARCHAR, org_id FROM contract") == [
        (2, 1, "C1", "A1", Decimal("1200.50"), "2023-04-01", "2025-03-31", "GB-LAE-TRF")]
    assert book.query("SELECT source_line, code FROM quarantine ORDER BY 1") == [
        (1, "ocds-tender-only"), (3, "ocds-release-superseded")]
    assert report.publisher == "GB-LAE-TRF"


def test_a_later_release_of_the_same_award_replaces_the_earlier(book, tmp_path):
    first = _release("ocds-x-2", "r1", "2023-02-01T00:00:00Z", "award", awards=[_award("A1", 900)])
    amended = _release("ocds-x-2", "r2", "2023-06-01T00:00:00Z", "awardUpdate", awards=[_award("A1", 950)])
    report = ingest_file(book, _write(tmp_path / "p.json", _package(amended, first)))
    assert (report.accepted, report.structural, report.amount_pence) == (1, 1, 95000)


def test_several_suppliers_on_one_award_are_one_row_with_the_value_once(book, tmp_path):
    parties = [{"id": "S1", "name": "Acme Ltd", "identifier": {"scheme": "GB-COH", "id": "01234567"}},
               {"id": "S2", "name": "Bravo LLP", "identifier": {"scheme": "", "id": "x"}}]
    suppliers = [{"id": "S1", "name": "Acme Ltd"}, {"id": "S2", "name": "Bravo LLP"}]
    release = _release("ocds-x-3", "r1", "2023-02-01", "award", parties=parties,
                       awards=[_award("A1", 5000, suppliers=suppliers)])
    report = ingest_file(book, _write(tmp_path / "r.json", release))
    assert report.accepted == 1 and report.amount_pence == 500000
    assert book.query("SELECT supplier_id, supplier_name, supplier_names, supplier_ids, value_gbp FROM contract") == [
        ("GB-COH-01234567", "Acme Ltd", ["Acme Ltd", "Bravo LLP"], ["GB-COH-01234567", None], Decimal("5000.00"))]


def test_foreign_currency_has_no_sterling_value_and_an_unknown_buyer_is_kept_by_name(book, tmp_path):
    release = _release("ocds-x-4", "r1", "2023-02-01", "award", buyer="Ministerio de Salud",
                       awards=[_award("A1", 10, currency="USD"), _award("A2", 5, currency=None)])
    report = ingest_file(book, _write(tmp_path / "r.json", release))
    assert (report.accepted, report.amount_pence) == (1, 0)
    assert book.query("SELECT org_id, buyer_name, value_amount, value_currency, value_gbp FROM contract "
                      "ORDER BY source_item") == [
        (None, "Ministerio de Salud", Decimal("10.00"), "USD", None), (None, "Ministerio de Salud", Decimal("5.00"),
                                                                      None, None)]
    assert book.query("SELECT severity, code, column_name, raw_value FROM quarantine ORDER BY code") == [
        ("warning", "buyer-not-in-registry", "buyer.name", "Ministerio de Salud"),
        ("warning", "currency-missing", "awards[1].value.currency", "5")]


def test_a_bad_amount_quarantines_the_release_with_its_json_path(book, tmp_path):
    good = _release("ocds-x-5", "r1", "2023-02-01", "award", awards=[_award("A1", 10)])
    bad = _release("ocds-x-6", "r2", "2023-02-01", "award", awards=[_award("A1", "ten pounds")])
    report = ingest_file(book, _write(tmp_path / "p.json", _package(good, bad)))
    assert (report.accepted, report.quarantined) == (1, 1)
    assert book.query("SELECT source_line, code, column_name, raw_value FROM quarantine WHERE severity = 'error'") == [
        (2, "amount-not-a-number", "awards[0].value.amount", "ten pounds")]


def test_record_packages_read_the_compiled_release(book, tmp_path):
    compiled = _release("ocds-x-7", "r-compiled", "2023-03-01", "compiled", awards=[_award("A1", 70)])
    records = {"uri": "u", "publishedDate": "2023-05-01", "records": [
        {"ocid": "ocds-x-7", "releases": [{"url": "https://example.org/r1"}], "compiledRelease": compiled},
        {"ocid": "ocds-x-8", "releases": [{"url": "https://example.org/r2"}]}]}
    report = ingest_file(book, _write(tmp_path / "records.json", records))
    assert (report.rows_read, report.accepted, report.quarantined) == (2, 1, 1)
    assert book.query("SELECT release_tag, value_gbp FROM contract") == [(["compiled"], Decimal("70.00"))]
    assert book.query("SELECT source_line, code FROM quarantine WHERE severity = 'error'") == [
        (2, "ocds-record-uncompiled")]


def test_json_lines_and_bare_lists_are_read_item_by_item(book, tmp_path):
    releases = [_release(f"ocds-x-{n}", "r", "2023-02-01", "award", awards=[_award("A1", n)]) for n in (1, 2, 3)]
    lines = tmp_path / "releases.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in releases) + "\n", encoding="utf-8")
    report = ingest_file(book, lines)
    assert (report.rows_read, report.accepted, report.amount_pence) == (3, 3, 600)
    listed = ingest_file(book, _write(tmp_path / "list.json", [releases[0], 42, _package()]))
    assert (listed.rows_read, listed.accepted, listed.quarantined) == (3, 1, 2)
    assert book.query("SELECT source_line, code FROM quarantine WHERE source_sha256 = ? ORDER BY 1",
                      [listed.sha256]) == [(2, "ocds-not-a-release"), (3, "ocds-not-a-release")]


def test_broken_or_foreign_json_is_rejected_with_a_reason(book, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"uri": "u", "publishedDate": "d", "releases": [{"ocid": "ocds-1", "tag": ["award"]', "utf-8")
    assert ingest_file(book, broken).rejection.code == "json-invalid"
    empty = ingest_file(book, _write(tmp_path / "empty.json", _package()))
    assert empty.rejection.code == "json-no-records"


# -- memory ------------------------------------------------------------------------------

def _large_package(path: Path, releases: int) -> Path:
    bulk = [{"id": f"d{i}", "title": "x" * 180} for i in range(500)]  # ~100 KB of documents a release
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"uri": "u", "publishedDate": "2023-05-01T00:00:00Z", "releases": [')
        for n in range(releases):
            release = _release(f"ocds-big-{n}", "r", "2023-02-01", "award", awards=[_award("A1", n)],
                               planning={"documents": bulk})
            fh.write(("," if n else "") + json.dumps(release))
        fh.write("]}")
    return path


def _peak(path: Path):
    tracemalloc.start()
    try:
        report = ingest_file(None, path)
        return report, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_large_package_is_read_in_bounded_memory(tmp_path):
    """Doubling a package's size (200 → 400 releases of ~100 KB) leaves the peak where it was:
    the reader holds one release and the small rows, never the document."""
    small, large = _large_package(tmp_path / "small.json", 200), _large_package(tmp_path / "large.json", 400)
    size = large.stat().st_size
    assert size > 35_000_000
    (small_report, small_peak), (report, peak) = _peak(small), _peak(large)
    assert (small_report.accepted, report.rows_read, report.accepted) == (200, 400, 400)
    assert report.amount_pence == sum(range(400)) * 100
    assert peak < size / 3, f"peak {peak:,} bytes for a {size:,}-byte file"
    assert peak - small_peak < 2_000_000, f"peak grew from {small_peak:,} to {peak:,} bytes"
