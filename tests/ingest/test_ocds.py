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
UK_CONTRACTS_FINDER = "open-contracting__sample-data/real-examples/uk-contracts-finder/"
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
    # 36 Paraguayan contract and award releases, one per file, name no buyer (their tender release, in
    # another file, does): a contract of nobody's is quarantined, not counted against a blank body.
    assert totals == [752, 546, 36, 170]
    assert Counter(code for (code,) in book.query("SELECT code FROM quarantine WHERE severity = 'error'")) == {
        "buyer-missing": 36, "file-empty": 1}
    # Each accepted release or record has contract rows, and no structural one does.
    assert book.query("""SELECT count(DISTINCT (source_sha256, source_line)) FROM contract""") == [(546,)]
    assert book.query("""SELECT count(*) FROM contract c JOIN quarantine q USING (source_sha256, source_line)
                         WHERE q.severity IN ('error', 'structural')""") == [(0,)]
    # The samples are foreign bodies: a buyer with an org-id identifier (AM-…, MX-…, UA-…) is a body of
    # the book under it, added by the importer; one known only by its name is kept by name, flagged.
    contracts, with_body = book.query("SELECT count(*), count(org_id) FROM contract")[0]
    added = book.query("SELECT count(*) FROM organisation o WHERE o.kind = 'other' AND EXISTS "
                       "(SELECT 1 FROM contract c WHERE c.org_id = o.org_id)")[0][0]
    assert (contracts, with_body) == (660, 418) and added > 0
    assert book.query("SELECT count(*) FROM contract WHERE org_id IS NULL AND buyer_name IS NULL") == [(0,)]
    unnamed = book.query("SELECT count(DISTINCT (source_sha256, source_line)) FROM contract WHERE org_id IS NULL")
    assert book.query("SELECT count(*) FROM quarantine WHERE code = 'buyer-not-in-registry'") == unnamed


def test_the_uk_samples_give_the_rows_and_totals_they_gave_before(ocds_book):
    book, reports = ocds_book
    uk = [r for path, r in reports.items() if path.startswith(UK_CONTRACTS_FINDER)]
    # Measured before buyers were identified by org-id: every UK release is a tender notice.
    assert len(uk) == 21
    assert [sum(getattr(r, k) for r in uk) for k in ("rows_read", "accepted", "quarantined", "structural",
                                                      "amount_pence")] == [21, 0, 0, 21, 0]


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


# -- any publisher: currencies, parties, tender notices -----------------------------------------

def _foreign_package() -> dict:
    """A non-UK publisher: a buyer named by its XI-EIKA identifier, euros, a tender notice, a bad code."""
    parties = [{"id": "buyer-1", "name": "Ministry of Health", "roles": ["buyer"],
                "identifier": {"scheme": "XI-EIKA", "id": "188"}},
               {"id": "sup-1", "name": "Acme Oy", "roles": ["supplier"],
                "identifier": {"scheme": "FI-PRO", "id": "1234567-8"}}]
    supplier = ({"id": "sup-1", "name": "Acme Oy"},)
    buyer = {"id": "buyer-1", "name": "Ministry of Health"}
    return _package(
        _release("ocds-eu-1", "r1", "2024-01-02", "award", parties=parties, buyer="",
                 awards=[_award("A1", 1000.50, currency="EUR", suppliers=supplier)]) | {"buyer": buyer},
        _release("ocds-eu-2", "r2", "2024-01-03", "tender", parties=parties,
                 tender={"id": "t2", "value": {"amount": 90000, "currency": "EUR"}}) | {"buyer": buyer},
        _release("ocds-eu-3", "r3", "2024-01-04", "award", parties=parties,
                 awards=[_award("A3", 70, currency="EURO", suppliers=supplier)]) | {"buyer": buyer},
        _release("ocds-eu-4", "r4", "2024-01-05", "award", parties=parties,
                 awards=[_award("A4", 250, currency="eur", suppliers=supplier)]) | {"buyer": buyer},
        _release("ocds-eu-5", "r5", "2024-01-06", "award", awards=[_award("A5", 5, currency="EUR")]) | {"buyer": {}},
    )


def test_a_foreign_package_keeps_euros_and_adds_its_buyer_by_org_id(book, tmp_path):
    report = ingest_file(book, _write(tmp_path / "eu.json", _foreign_package()))
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (5, 2, 2, 1)
    assert report.amount_pence == 0  # euros are never added as pounds
    assert report.publisher == "XI-EIKA-188"
    assert book.query("SELECT source_line, org_id, buyer_name, supplier_id, value_amount, value_currency, value_gbp "
                      "FROM contract ORDER BY source_line") == [
        (1, "XI-EIKA-188", "Ministry of Health", "FI-PRO-1234567-8", Decimal("1000.50"), "EUR", None),
        (4, "XI-EIKA-188", "Ministry of Health", "FI-PRO-1234567-8", Decimal("250.00"), "EUR", None)]
    assert book.query("SELECT source_line, severity, code, raw_value FROM quarantine ORDER BY 1") == [
        (2, "structural", "ocds-tender-only", None), (3, "error", "currency-invalid", "EURO"),
        (5, "error", "buyer-missing", None)]
    assert book.query("SELECT name, kind FROM organisation WHERE org_id = 'XI-EIKA-188'") == [
        ("Ministry of Health", "other")]
    (dialect,), = book.query("SELECT dialect FROM source WHERE sha256 = ?", [report.sha256])
    dialect = json.loads(dialect)
    assert dialect["tender_only"] == 1 and dialect["bodies_added"] == ["XI-EIKA-188"]
    assert dialect["currencies"] == {"EUR": {"rows": 2, "amount": "1250.50", "without_gbp": 2}}
    # A second file of the same buyer finds the body the first added, by its identifier.
    again = _release("ocds-eu-6", "r6", "2024-02-01", "award", buyer="Ministry of Health",
                     awards=[_award("A6", 10, currency="EUR")]) | {
        "buyer": {"id": "b", "name": "Ministry of Health", "identifier": {"scheme": "xi-eika", "id": "188"}}}
    second = ingest_file(book, _write(tmp_path / "eu2.json", again))
    assert second.accepted == 1 and second.publisher == "XI-EIKA-188"
    assert book.query("SELECT count(*) FROM organisation WHERE org_id = 'XI-EIKA-188'") == [(1,)]
    assert json.loads(book.query("SELECT dialect FROM source WHERE sha256 = ?", [second.sha256])[0][0])[
        "bodies_added"] == []


def test_a_rate_the_user_gives_makes_pounds_and_is_recorded_with_the_source(book, tmp_path):
    report = ingest_file(book, _write(tmp_path / "eu.json", _foreign_package()), fx={"EUR": "0.86"})
    assert (report.accepted, report.amount_pence) == (2, 86043 + 21500)
    assert book.query("SELECT value_amount, value_gbp FROM contract ORDER BY source_line") == [
        (Decimal("1000.50"), Decimal("860.43")), (Decimal("250.00"), Decimal("215.00"))]
    assert json.loads(book.query("SELECT options FROM source")[0][0]) == {"fx": {"EUR": "0.86"}}


def test_a_release_without_a_buyer_takes_it_from_its_ocids_other_release(book, tmp_path):
    award = _release("ocds-eu-7", "r1", "2024-01-02", "award", awards=[_award("A1", 100, currency="EUR")]) | {
        "buyer": {"id": "b", "name": "Comune di Roma", "identifier": {"scheme": "IT-CF", "id": "02438750586"}}}
    contract = _release("ocds-eu-7", "r2", "2024-02-02", "contract",
                        contracts=[{"id": "C1", "awardID": "A1", "value": {"amount": 120, "currency": "EUR"}}])
    del contract["buyer"]
    tender = _release("ocds-eu-8", "r3", "2024-01-01", "tender", buyer="Comune di Nessuno")
    signed = _release("ocds-eu-8", "r4", "2024-03-01", "award", awards=[_award("A8", 8, currency="EUR")])
    del signed["buyer"]
    report = ingest_file(book, _write(tmp_path / "p.json", _package(award, contract, tender, signed)))
    assert (report.accepted, report.quarantined, report.structural) == (2, 0, 2)
    assert book.query("SELECT source_line, org_id, buyer_name, value_amount FROM contract ORDER BY 1") == [
        (2, "IT-CF-02438750586", "Comune di Roma", Decimal("120.00")), (4, None, "Comune di Nessuno", Decimal("8.00"))]
    # A buyer lent by name alone is flagged on the release that borrowed it, as if it had named it.
    assert book.query("SELECT source_line, code, raw_value FROM quarantine WHERE severity = 'warning'") == [
        (4, "buyer-not-in-registry", "Comune di Nessuno")]


def test_a_tender_value_in_no_iso_currency_is_left_blank_and_the_contract_kept(book, tmp_path):
    release = _release("ocds-mx-1", "r1", "2024-01-02", "award", buyer="Secretaría",
                       awards=[_award("A1", 100, currency="MXN")], tender={"value": {"amount": 90, "currency": "MNX"}})
    report = ingest_file(book, _write(tmp_path / "mx.json", release))
    assert (report.accepted, report.quarantined) == (1, 0)
    assert book.query("SELECT value_currency, tender_value_amount, tender_value_currency FROM contract") == [
        ("MXN", None, None)]
    assert book.query("SELECT code, column_name FROM quarantine WHERE code = 'value-not-read'") == [
        ("value-not-read", "tender.value.currency")]


def test_rates_come_from_pairs_or_a_file_and_a_bad_one_is_refused(tmp_path):
    from openbook.errors import UsageError
    from openbook.ingest.money import read_rates

    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\n# pounds per unit, 2024-01-31\nusd,0.79\n", encoding="utf-8")
    assert read_rates(["EUR=0.86", str(rates), "GBP=1"]) == {"EUR": "0.86", "USD": "0.79"}
    for bad in ("EUR=x", "EURO=0.86", "EUR=-1", "EUR"):
        with pytest.raises(UsageError, match="EUR=0.86"):
            read_rates([bad])


def test_ingest_says_what_the_pounds_leave_out_and_takes_rates_with_fx(runner, tmp_path):
    from openbook.cli import app

    package = _write(tmp_path / "eu.json", _foreign_package())
    plain = runner.invoke(app, ["ingest", str(package), "--book", str(tmp_path / "a.duckdb"), "--jobs", "1"])
    assert plain.exit_code == 0, plain.output
    assert "leaves out amounts in other currencies" in plain.output and "EUR 1,250.50" in plain.output
    rated = runner.invoke(app, ["ingest", str(package), "--book", str(tmp_path / "b.duckdb"), "--jobs", "1",
                                "--fx", "EUR=0.86", "--json"])
    assert rated.exit_code == 0, rated.output
    assert json.loads(rated.stdout)[0]["amount_gbp"] == "1075.43"
    refused = runner.invoke(app, ["ingest", str(package), "--book", str(tmp_path / "c.duckdb"), "--fx", "EUR=?"])
    assert refused.exit_code == 2 and "e.g. EUR=0.86" in refused.output


def test_a_party_known_by_an_additional_identifier_is_identified_by_it(book, tmp_path):
    parties = [{"id": "p1", "name": "Stadt Wien", "identifier": {"scheme": "internal", "id": "17"},
                "additionalIdentifiers": [{"scheme": "AT-FB", "id": "FN 123 x"}, {"scheme": "AT-UID", "id": "U1"}]},
               {"id": "p2", "name": "Bau GmbH", "identifier": {"scheme": "local", "id": "9"},
                "additionalIdentifiers": [{"scheme": "AT-FB", "id": "FN9"}]}]
    release = _release("ocds-at-1", "r1", "2024-01-02", "award", parties=parties,
                       awards=[_award("A1", 9, currency="EUR", suppliers=({"id": "p2", "name": "Bau GmbH"},))]) | {
        "buyer": {"id": "p1", "name": "Stadt Wien"}}
    report = ingest_file(book, _write(tmp_path / "at.json", release))
    assert report.accepted == 1
    # "internal" and "local" are no org-id schemes, and "AT-FB-FN 123 x" holds spaces (no body's id can):
    # the next additional identifier names the buyer.
    assert book.query("SELECT org_id, buyer_id, supplier_id FROM contract") == [("AT-UID-U1", "AT-UID-U1", "AT-FB-FN9")]


def test_files_read_in_parallel_add_their_buyer_once_and_keep_the_rate(book, tmp_path):
    from openbook.ingest.parallel import ingest_paths

    paths = []
    for n in range(3):
        release = _release(f"ocds-eu-p{n}", f"r{n}", "2024-01-02", "award",
                           awards=[_award(f"A{n}", 100 + n, currency="EUR")]) | {
            "buyer": {"id": "b", "name": "Ministry of Health", "identifier": {"scheme": "XI-EIKA", "id": "188"}}}
        paths.append(_write(tmp_path / f"p{n}.json", release))
    reports = list(ingest_paths(book, paths, jobs=2, fx={"EUR": "0.5"}))
    assert [(r.status, r.accepted, r.publisher) for r in reports] == [("loaded", 1, "XI-EIKA-188")] * 3
    assert sum(r.amount_pence for r in reports) == 5000 + 5050 + 5100
    assert book.query("SELECT count(*) FROM organisation WHERE org_id = 'XI-EIKA-188'") == [(1,)]
    assert book.query("SELECT count(*) FROM contract WHERE org_id = 'XI-EIKA-188' AND value_gbp IS NOT NULL") == [(3,)]
