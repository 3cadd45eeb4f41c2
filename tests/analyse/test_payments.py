"""Duplicate payments: each rule on a crafted file whose answer is complete, the look-alikes of real
ledgers set aside (and reported again once their tell is taken away), then the generator's
planted duplicates recovered with precision and recall of at least 0.95 per rule and none of its
planted look-alikes reported."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.analyse.detectors.payment_pairs import DuplicateSettings, Row, names_alike, reference_variant
from openbook.analyse.detectors.payments import find_duplicate_payments
from openbook.analyse.findings import save_findings
from openbook.cli import app
from openbook.ingest import ingest_file
from openbook.ingest.paths import expand_paths
from openbook.store import Book
from openbook.synth import generate
from openbook.synth.duplicate_truth import score_against_truth

HEADER = "Body Name,Date Paid,Transaction Number,Supplier Name,Expenses Type,Net Amount\n"
# One council's month. Lines 2-3: exact; 4-5: a transposed reference; 6-7: an 'INV' prefix;
# 8-9: one invoice to two spellings of a firm; 10-12: three copies; 13-15: two copies and a
# cancelling credit note; 16-17: a monthly fee with its own references (not a duplicate);
# 18-19: one invoice split over two expense types at one amount (one payment, not a duplicate);
# 20-21: one payment-run number shared by unrelated firms (not a duplicate);
# 22-23: the same amount to one firm on the same day with unrelated references (not a duplicate).
ROWS = """\
Trafford Council,02/04/2024,4012433,Acme Cleaning Ltd,Cleaning,"1,250.00"
Trafford Council,09/04/2024,4012433,ACME CLEANING LIMITED,Cleaning,1250.00
Trafford Council,03/04/2024,7730121,Borders Transport PLC,Transport,980.40
Trafford Council,10/04/2024,7370121,Borders Transport PLC,Transport,980.40
Trafford Council,04/04/2024,5500917,Castle & Co Ltd,Legal,3100.00
Trafford Council,05/04/2024,INV5500917,Castle and Co,Legal,3100.00
Trafford Council,05/04/2024,6600100,Pemberton Catering Ltd,Catering,445.10
Trafford Council,20/04/2024,6600100,Pembertn Catering Ltd,Catering,445.10
Trafford Council,08/04/2024,8800001,Delta Software Ltd,IT,2000.00
Trafford Council,12/04/2024,8800001,Delta Software Ltd,IT,2000.00
Trafford Council,19/04/2024,8800001,Delta Software Ltd,IT,2000.00
Trafford Council,08/04/2024,9900002,Eagle Print Ltd,Printing,760.00
Trafford Council,15/04/2024,9900002,Eagle Print Ltd,Printing,760.00
Trafford Council,22/04/2024,CN9900002,Eagle Print Ltd,Printing,-760.00
Trafford Council,01/04/2024,1110001,Fern Lettings Ltd,Rent,1500.00
Trafford Council,01/05/2024,1110999,Fern Lettings Ltd,Rent,1500.00
Trafford Council,11/04/2024,2220002,Grange Supplies Ltd,Stationery,333.33
Trafford Council,11/04/2024,2220002,Grange Supplies Ltd,Furniture,333.33
Trafford Council,16/04/2024,BACS0416,Harbour Fuels Ltd,Fuel,612.00
Trafford Council,16/04/2024,BACS0416,Ivy Consultancy LLP,Consultancy,612.00
Trafford Council,17/04/2024,3330001,Juniper Foods Ltd,Catering,500.00
Trafford Council,17/04/2024,3339876,Juniper Foods Ltd,Catering,500.00
"""


@pytest.fixture
def month(book, tmp_path):
    path = tmp_path / "trafford-2024-04.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    report = ingest_file(book, path)
    assert report.accepted == 22 and report.quarantined == 0
    return book


def _lines(finding) -> list[int]:
    return [line for _, line in finding.evidence]


def test_each_rule_finds_its_duplicates_and_nothing_else(month):
    scan = find_duplicate_payments(month)
    found = {tuple(_lines(f)): (f.key, f.gbp_at_stake) for f in scan.findings}
    assert found == {
        (2, 3): ("exact", Decimal("1250.00")),
        (4, 5): ("reference-variant", Decimal("980.40")),
        (6, 7): ("reference-variant", Decimal("3100.00")),
        (8, 9): ("name-variant", Decimal("445.10")),
        (10, 11, 12): ("exact", Decimal("4000.00")),
    }
    # Lines 18-19 are one payment of £666.66 (one file, date and reference): no candidate at all.
    assert scan.set_aside == {"cancelled by credit notes": 1, "unrelated references": 1,
                              "one reference, unrelated suppliers": 1}


def test_findings_explain_the_match_and_the_sum(month):
    by_lines = {tuple(_lines(f)): f for f in find_duplicate_payments(month).findings}
    three = by_lines[(10, 11, 12)]
    assert three.formula == "3 payments × £2,000.00 − 1 expected = 2 × £2,000.00 = £4,000.00"
    assert three.title == "Invoice 8800001 to Delta Software Ltd (£2,000.00) was paid 3 times"
    assert three.kind == "duplicate-payment" and three.detector == "payments" and three.confidence == 0.95
    assert three.org_ids == ["GB-LAE-TRF"]
    transposed = by_lines[(4, 5)]
    assert transposed.description == (
        "reference-variant (adjacent characters swapped): trafford-2024-04.csv:4 and trafford-2024-04.csv:5; "
        "same supplier, amount; differ in reference '7730121' vs '7370121'; paid on '2024-04-03' vs "
        "'2024-04-10'; 7 days apart")
    prefix = by_lines[(6, 7)]
    assert "(prefix 'INV')" in prefix.description and "supplier name 'Castle & Co Ltd' vs 'Castle and Co'" \
        in prefix.description


def test_a_credit_note_cancels_one_copy_only(month, tmp_path):
    extra = tmp_path / "trafford-2024-05.csv"
    # A third copy of the Eagle Print invoice next month: one credit note leaves one copy too many.
    extra.write_text(HEADER + "Trafford Council,02/05/2024,9900002,Eagle Print Ltd,Printing,760.00\n",
                     encoding="utf-8")
    ingest_file(month, extra)
    eagle = [f for f in find_duplicate_payments(month).findings if "Eagle" in f.title]
    assert len(eagle) == 1
    assert eagle[0].gbp_at_stake == Decimal("760.00")
    assert eagle[0].formula == ("3 payments × £760.00 − 1 expected − 1 cancelled by credit note "
                                "= 1 × £760.00 = £760.00")
    assert len(eagle[0].evidence) == 4  # three copies and the credit note


def test_settings_turn_rules_off_and_narrow_the_window(month):
    scan = find_duplicate_payments(month, DuplicateSettings(reference_variant=False, name_variant=False,
                                                            window_days=6))
    assert sorted(tuple(_lines(f)) for f in scan.findings) == [(2, 3), (10, 11, 12)]
    noisy = find_duplicate_payments(month, DuplicateSettings(same_amount=True))
    assert (22, 23) in {tuple(_lines(f)) for f in noisy.findings}
    large = find_duplicate_payments(month, DuplicateSettings(min_amount=Decimal("1000")))
    assert sorted(tuple(_lines(f)) for f in large.findings) == [(2, 3), (6, 7), (10, 11, 12)]


def test_the_scan_is_the_same_whichever_order_the_rows_come_in(book, tmp_path):
    lines = ROWS.splitlines(keepends=True)
    path = tmp_path / "reversed.csv"
    path.write_text(HEADER + "".join(reversed(lines)), encoding="utf-8")
    ingest_file(book, path)
    scan = find_duplicate_payments(book)
    # Line n of the crafted file is line 25 - n here.
    assert sorted(sorted(25 - line for line in _lines(f)) for f in scan.findings) == [
        [2, 3], [4, 5], [6, 7], [8, 9], [10, 11, 12]]


@pytest.mark.parametrize(("x", "y", "how"), [
    ("4012433", "4014233", "adjacent characters swapped"),
    ("INV4012433", "4012433", "prefix 'INV'"),
    ("4012433", "4012433A", "suffix 'A'"),
    ("0004012433", "4012433", "prefix '000'"),
    ("4012433", "4012434", None),      # another invoice
    ("4012433", "4312403", None),      # two digits swapped that are not neighbours
    ("INV", "XINV", None),             # too short and no digits
    ("123", "9123", None),             # shorter than four characters
])
def test_reference_variants(x, y, how):
    assert reference_variant(x, y) == how


def test_supplier_names_alike():
    def row(name, key, ref=None):
        return Row(("s", 1), "s", 1, "O", Decimal(1), None, key, None, name, None, None, ref)
    assert names_alike(row("Pemberton, J", "pembertonj"), row("J Pemberton", "jpemberton"), 85)
    assert names_alike(row("Ashdown Consulting Ltd", "ashdownconsulting"),
                       row("Ashdwn Consulting Ltd", "ashdwnconsulting"), 85)
    assert not names_alike(row("Harbour Fuels Ltd", "harbourfuels"), row("Ivy Consultancy LLP", "ivyconsultancy"), 85)
    assert names_alike(row("Harbour Fuels", "harbourfuels", "V1"), row("HF Group", "hfgroup", "V1"), 85)


def test_cli_saves_findings_and_lists_the_largest(month, runner, tmp_path):
    path = month.path
    month.close()
    result = runner.invoke(app, ["duplicates", "--book", str(path), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "£4,000.00" in result.stdout and "£3,100.00" in result.stdout and "£1,250.00" not in result.stdout
    assert "5 duplicate payments (showing 2), £9,775.50 at stake" in result.stdout
    as_json = runner.invoke(app, ["duplicates", "--book", str(path), "--json", "--window-days", "6"])
    payload = json.loads(as_json.stdout)
    # The window narrows only the supplier join: the transposed reference 7 days apart drops out.
    assert payload["findings"] == 4 and payload["gbp_at_stake"] == "8795.10"
    assert payload["top"][0]["evidence"][0] == {"file": "trafford-2024-04.csv", "source_sha256":
                                                payload["top"][0]["evidence"][0]["source_sha256"], "line": 10}
    with Book(path, read_only=True) as reopened:
        assert [f["gbp_at_stake"] for f in reopened.findings()] == [Decimal(x) for x in ("4000.00", "3100.00",
                                                                                        "1250.00", "445.10")]
    bad = runner.invoke(app, ["duplicates", "--book", str(path), "--org", "Nowhere Council"])
    assert bad.exit_code == 2 and "no body called 'Nowhere Council'" in bad.output and "Traceback" not in bad.output


def test_review_status_carries_over_a_rescan(month):
    scan = find_duplicate_payments(month)
    save_findings(month, "payments", scan.findings)
    first = scan.findings[0].finding_id
    month.con.execute("UPDATE finding SET status = 'confirmed' WHERE finding_id = ?", [first])
    save_findings(month, "payments", find_duplicate_payments(month).findings)
    assert month.query("SELECT status FROM finding WHERE finding_id = ?", [first]) == [("confirmed",)]


@pytest.fixture(scope="module")
def sector(tmp_path_factory):
    out = tmp_path_factory.mktemp("sector")
    generate(out, seed=11, rows=30_000)
    book = Book(out / "book.duckdb")
    for path in expand_paths([str(out / "organisations.csv"), str(out / "spend")]):
        ingest_file(book, path)
    yield out, book
    book.close()


@pytest.mark.slow
def test_planted_duplicates_are_found_with_precision_and_recall_of_095(sector):
    out, book = sector
    scan = find_duplicate_payments(book)
    score = score_against_truth(book, scan, Path(out))
    for kind in ("exact", "name-variant", "reference-variant"):
        rule = score.rules[kind]
        assert rule.planted > 15, kind  # the generator planted enough of each kind to measure
        assert rule.recall >= 0.95, (kind, rule)
        assert rule.precision >= 0.95, (kind, rule)
    assert score.credit_notes > 15 and score.credit_notes_flagged == []
    assert sum(s.claimed for s in score.rules.values()) == len(scan.pairs) > 100
    # The look-alikes real ledgers are full of are planted too, and none is reported.
    assert set(score.look_alikes) == {"look-alike-split", "look-alike-instalment", "look-alike-ledger",
                                      "look-alike-withheld"}
    assert all(n > 5 for n in score.look_alikes.values()), score.look_alikes
    assert {k: v for k, v in score.look_alikes_flagged.items() if v} == {}


def test_every_setting_and_rule_is_documented_for_auditors():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "methodology.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Duplicate payments"):]
    for setting in dataclasses.fields(DuplicateSettings):
        assert f"`{setting.name}`" in section, setting.name
    for rule in ("exact", "reference-variant", "name-variant", "no-reference", "same-amount"):
        assert f"| `{rule}` |" in section, rule


LOOK_ALIKE_HEADER = "Body Name,Date Paid,Transaction Number,Supplier Name,Expenses Type,Expense Area,Net Amount\n"
# What fools a duplicate scan on real ledgers, and one true duplicate among it (lines 15-16).
# 2-4: one payment coded to three libraries; 5-8: a weekly care package without references;
# 9-10: neighbouring ledger numbers that read as a transposition; 11-12: two withheld payees;
# 13-14 and 17-18: '3' written as the reference of three suppliers.
LOOK_ALIKES = """\
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library North,200.00
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library South,200.00
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library East,200.00
Trafford Council,01/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,08/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,15/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,22/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,10/04/2024,8100415,Network Rail Ltd,Loans,Rail,150000000.00
Trafford Council,12/04/2024,8100451,Network Rail Ltd,Loans,Rail,150000000.00
Trafford Council,16/04/2024,,REDACTED,Care,Adults,45.00
Trafford Council,18/04/2024,,Redacted - personal data,Care,Adults,45.00
Trafford Council,02/04/2024,3,Alpha Ltd,Fuel,Fleet,250.00
Trafford Council,29/04/2024,3,Alpha Ltd,Fuel,Fleet,250.00
Trafford Council,09/04/2024,7000123,Zeta Ltd,IT,Digital,500.00
Trafford Council,19/04/2024,7000123,Zeta Ltd,IT,Digital,500.00
Trafford Council,03/04/2024,3,Beta Ltd,Fuel,Fleet,99.00
Trafford Council,04/04/2024,3,Gamma Ltd,Fuel,Fleet,12.00
"""
# Next month's file repeats two of April's lines as they were (a re-publication).
REPUBLISHED = """\
Trafford Council,09/04/2024,7000123,Zeta Ltd,IT,Digital,500.00
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library North,200.00
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library South,200.00
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library East,200.00
Trafford Council,03/05/2024,6001001,Pine Ltd,Parks,Parks,75.00
"""
# A file dated by month only: every line the 1st. Elm's two £80 lines are two payments in June.
MONTHLY = """\
Trafford Council,01/06/2024,,Elm Ltd,Parks,Parks,80.00
Trafford Council,01/06/2024,,Elm Ltd,Parks,Parks,80.00
Trafford Council,01/06/2024,9100001,Ash Ltd,Parks,Parks,81.00
Trafford Council,01/06/2024,9100002,Birch Ltd,Parks,Parks,82.00
Trafford Council,01/06/2024,9100003,Cedar Ltd,Parks,Parks,83.00
"""


@pytest.fixture
def look_alikes(book, tmp_path):
    for name, rows in (("trafford-2024-04.csv", LOOK_ALIKES), ("trafford-2024-05.csv", REPUBLISHED),
                       ("trafford-2024-06.csv", MONTHLY)):
        path = tmp_path / name
        path.write_text(LOOK_ALIKE_HEADER + rows, encoding="utf-8")
        report = ingest_file(book, path)
        assert report.quarantined == 0 and report.accepted == len(rows.splitlines())
    return book


def test_look_alikes_are_not_duplicates_and_the_true_one_is_counted_once(look_alikes):
    scan = find_duplicate_payments(look_alikes)
    assert len(scan.findings) == 1
    zeta = scan.findings[0]
    # Line 15 and its re-publication in May are one payment: two copies, not three.
    assert zeta.title == "Invoice 7000123 to Zeta Ltd (£500.00) was paid 2 times" and zeta.key == "exact"
    assert zeta.formula == "2 payments × £500.00 − 1 expected = 1 × £500.00 = £500.00"
    assert len(zeta.evidence) == 2 and 16 in _lines(zeta)
    assert scan.set_aside == {
        "weekly instalments of one amount to one supplier": 5,  # the pairs of weeks within the window
        "neighbouring ledger numbers": 1,
        "reference shared by many suppliers": 1,
        "re-published in another file (same supplier, amount, date and reference)": 2,
    }


# The same look-alikes with their tell taken away: each is then a duplicate again. 2-3: one
# reference paid on two days; 4-7: an extra payment in week two; 8-9: references a transposition
# apart, not ledger neighbours; 10-11: one named firm; 12-13: '3' written for one supplier only.
WITHOUT_TELLS = """\
Trafford Council,05/04/2024,5551234,Newcastle Books Ltd,Books,Library North,200.00
Trafford Council,12/04/2024,5551234,Newcastle Books Ltd,Books,Library North,200.00
Trafford Council,01/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,08/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,09/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,22/04/2024,,Oak Care Ltd,Care,Adults,350.00
Trafford Council,10/04/2024,8100415,Network Rail Ltd,Loans,Rail,150000000.00
Trafford Council,12/04/2024,8104015,Network Rail Ltd,Loans,Rail,150000000.00
Trafford Council,16/04/2024,,Ruby Care Ltd,Care,Adults,45.00
Trafford Council,18/04/2024,,Ruby Care Ltd,Care,Adults,45.00
Trafford Council,02/04/2024,3,Alpha Ltd,Fuel,Fleet,250.00
Trafford Council,29/04/2024,3,Alpha Ltd,Fuel,Fleet,250.00
Trafford Council,09/04/2024,7000123,Zeta Ltd,IT,Digital,500.00
Trafford Council,19/04/2024,7000123,Zeta Ltd,IT,Digital,500.00
"""


def test_the_same_look_alikes_without_their_tells_are_duplicates(book, tmp_path):
    path = tmp_path / "trafford-2024-04.csv"
    path.write_text(LOOK_ALIKE_HEADER + WITHOUT_TELLS, encoding="utf-8")
    ingest_file(book, path)
    scan = find_duplicate_payments(book)
    assert {tuple(_lines(f)): f.key for f in scan.findings} == {
        (2, 3): "exact", (4, 5, 6, 7): "no-reference", (8, 9): "reference-variant", (10, 11): "no-reference",
        (12, 13): "exact", (14, 15): "exact"}
    assert scan.set_aside == {}


@pytest.mark.parametrize(("name", "withheld"), [
    ("REDACTED", True), ("Redacted - personal data", True), ("Personal expenses name witheld", True),
    ("Name withheld - data protection", True), ("Individual", True), ("NAME REMOVED", True),
    ("Personal Information", True), ("Personal Care Specialists Ltd", False),
    ("Wheels Private Hire", False), ("Disclosure & Barring Service", False), ("Redwood Individual Care", False),
    ("xxxxxx", True), ("*****", True), ("xx x xxxx", True), ("** ****", True), ("Xerox UK Ltd", False),
    ("Max Fox", False),
])
def test_withheld_payees_are_recognised_by_rule(name, withheld):
    import ibis

    from openbook.analyse.detectors.payment_pairs import withheld as is_withheld
    names = ibis.memtable({"n": [name]})
    assert bool(ibis.duckdb.connect().execute(names.select(w=is_withheld(names.n)))["w"][0]) is withheld


@pytest.mark.parametrize(("dates", "cadence"), [
    (["2024-01-01", "2024-01-08", "2024-01-15"], "weekly"),
    (["2024-01-01", "2024-01-15", "2024-01-29", "2024-02-12"], "fortnightly"),
    (["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"], "monthly"),
    (["2024-01-05", "2024-04-05", "2024-07-05"], "quarterly"),
    (["2024-01-01", "2024-01-08"], None),                 # two payments are a pair, not a series
    (["2024-01-01", "2024-01-04", "2024-01-19"], None),   # no beat
    (["2010-04-16", "2010-07-01", "2010-10-01", "2011-02-03"], "periodic"),  # grant stages, once a month at most
    (["2024-01-05", "2024-01-29", "2024-03-01"], None),   # twice in January
])
def test_instalment_cadences(dates, cadence):
    from datetime import date

    from openbook.analyse.detectors.instalments import cadence as found
    result = found([date.fromisoformat(d) for d in dates])
    assert (result[0] if result else None) == cadence


def test_a_reference_with_the_amount_written_on_is_not_re_keyed(book, tmp_path):
    path = tmp_path / "defra-2015-03.csv"
    path.write_text(HEADER + "Defra,17/03/2015,EAGIA15250215,Environment Agency,Grant,31250000.00\n"
                    "Defra,23/03/2015,EAGIA152502153125000000,Environment Agency,Grant,31250000.00\n"
                    "Defra,24/03/2015,# ,Acme Ltd,Grant,10.00\n"
                    "Defra,25/03/2015,#,Acme Ltd,Grant,10.00\n", encoding="utf-8")
    ingest_file(book, path, org="Department for Environment, Food and Rural Affairs")
    scan = find_duplicate_payments(book)
    # '#' is no reference: Acme's two lines are a no-reference pair within the window.
    assert [(_lines(f), f.key) for f in scan.findings] == [([4, 5], "no-reference")]
    assert scan.set_aside == {"reference with the amount appended": 1}


def test_neighbouring_ledger_numbers_are_not_transpositions():
    from openbook.analyse.detectors.payment_pairs import neighbouring_ledger_numbers
    assert neighbouring_ledger_numbers("7730121", "7731021")      # 900 apart
    assert not neighbouring_ledger_numbers("7730121", "7370121")  # 360,000 apart
    # Letters around the number: one ledger run still ('SIV-107635' and 'SIV-107653', 18 apart) ...
    assert neighbouring_ledger_numbers("SIV107635", "SIV107653")
    assert neighbouring_ledger_numbers("130484645REV", "130484654REV")
    # ... but not two different forms, nor a reference with letters inside.
    assert not neighbouring_ledger_numbers("SIV107635", "PIV107653")
    assert not neighbouring_ledger_numbers("PI1V0121", "PI1V0211")


def test_a_line_republished_with_its_date_read_the_other_way_round_is_one_payment(book, tmp_path):
    """The same reference, supplier and amount in two files, dated 07/05 in one and 05/07 in the other:
    one line published twice, its date read day-first once and month-first once."""
    may, july = tmp_path / "spend-2014-05.csv", tmp_path / "spend-2014-07.csv"
    may.write_text(HEADER + "Kew,07/05/2014,MS0233129,Kier Ltd,Maintenance,87690.14\n", encoding="utf-8")
    july.write_text(HEADER + "Kew,2014-07-05,MS0233129,Kier Ltd,Maintenance,87690.14\n"
                    "Kew,2014-07-06,MS0233130,Oak Ltd,Maintenance,10.00\n", encoding="utf-8")
    for path in (may, july):
        ingest_file(book, path, org="Department for Transport")
    scan = find_duplicate_payments(book)
    assert scan.findings == []
    assert scan.set_aside == {"re-published in another file (same supplier, amount, date and reference)": 1}


def test_swapped_references_with_the_suppliers_numbering_between_them_are_two_invoices(book, tmp_path):
    """A care home invoices each resident monthly under a running number: two residents at one rate
    whose numbers read as a swap (106816899 and 106818699, 1,800 apart) are two invoices when the
    home's other invoices run between them; the same swap with nothing between is a re-keyed copy."""
    rows = "".join(f"Council,{d}/12/2019,{ref},{supplier},Residential care,{amount}\n" for d, ref, supplier, amount in (
        ("24", "106816899", "Herncliffe", "1802.64"), ("24", "106818699", "Herncliffe", "1802.64"),
        ("24", "106817450", "Herncliffe", "1650.00"), ("10", "4012433", "Oak Care Ltd", "900.00"),
        ("17", "4014233", "Oak Care Ltd", "900.00"), ("17", "4019999", "Oak Care Ltd", "75.00")))
    path = tmp_path / "care-2019-12.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    ingest_file(book, path, org="Department for Transport")
    scan = find_duplicate_payments(book)
    assert [(_lines(f), f.key) for f in scan.findings] == [([5, 6], "reference-variant")]
    assert scan.set_aside["swapped references with the supplier's own numbering between them"] == 1


def test_a_publication_without_references_gives_no_reference_pairs_no_evidence(book, tmp_path):
    """A care provider paid one rate for two clients on one day, in a file that gives no references."""
    path = tmp_path / "care-2024-04.csv"
    path.write_text("Body Name,Date Paid,Supplier Name,Expenses Type,Net Amount\n"
                    "Trafford Council,08/04/2024,Oak Care Ltd,PHYS SUPP 85+,254.70\n"
                    "Trafford Council,08/04/2024,Oak Care Ltd,PHYS SUPP 75-84,254.70\n"
                    "Trafford Council,09/04/2024,Elm Care Ltd,PHYS SUPP 85+,99.00\n", encoding="utf-8")
    ingest_file(book, path)
    scan = find_duplicate_payments(book)
    assert scan.findings == []
    assert scan.set_aside == {"no references in the publication (same supplier and amount only)": 1}


def test_a_price_paid_many_times_without_references_is_not_a_duplicate(book, tmp_path):
    """A fee paid per report (four times over two months, no beat), in a file that gives references."""
    rows = "".join(f"DfT,{d}/2015,{ref},Insight Diagnostics Ltd,Licences,{amount}\n" for d, ref, amount in (
        ("19/01", "#", "550.00"), ("21/01", "#", "550.00"), ("26/01", "#", "550.00"), ("10/02", "#", "550.00"),
        ("05/01", "9000001", "10.00"), ("06/01", "9000002", "11.00"), ("07/01", "9000003", "12.00"),
        ("08/01", "9000004", "13.00"), ("09/01", "#", "77.00"), ("12/01", "#", "77.00"),
        ("13/01", "9000005", "14.00"), ("14/01", "9000006", "15.00"), ("15/01", "9000007", "16.00")))
    path = tmp_path / "dft-2015-01.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    ingest_file(book, path, org="Department for Transport")
    scan = find_duplicate_payments(book)
    assert [(_lines(f), f.key) for f in scan.findings] == [([10, 11], "no-reference")]  # £77 twice: kept
    assert scan.set_aside == {"a price paid many times, no reference to tell copies apart": 3}


def test_findings_a_rule_cannot_tell_from_look_alikes_need_review(book, tmp_path):
    """No reference, grant tranches under one award reference, or a reference a spreadsheet rounded
    ('6.1511E+11'): what published data cannot settle is stored as needing review and listed last."""
    rows = "".join(f"DfT,{d}/2015,{ref},{supplier},{etype},{amount}\n" for d, ref, supplier, etype, amount in (
        ("05/01", "5500917", "Castle & Co Ltd", "Legal", "3100.00"),        # exact: a reviewed-grade finding
        ("12/01", "5500917", "Castle & Co Ltd", "Legal", "3100.00"),
        ("09/01", "#", "Oak Care Ltd", "Care", "77.00"),                     # no reference: needs review
        ("12/01", "#", "Oak Care Ltd", "Care", "77.00"),
        ("02/01", "EAGIAJAN15", "Rivers Agency", "Grant-in Aid Payments", "50000000.00"),  # tranches
        ("09/01", "EAGIAJAN15", "Rivers Agency", "Grant-in Aid Payments", "50000000.00"),
        ("14/01", "6.1511E+11", "Some Department", "Solicitors", "166250.00"),  # rounded: no reference
        ("16/01", "6.1511E+11", "Some Department", "Solicitors", "166250.00"),
        ("20/01", "832166", "Warrington Borough Council", "Building Management", "204385.14"),  # a bill's
        ("20/02", "832166", "Warrington Borough Council", "Building Management", "204385.14")))  # instalments
    path = tmp_path / "dft-2015-01.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    ingest_file(book, path, org="Department for Transport")
    scan = find_duplicate_payments(book)
    review = {tuple(_lines(f)): (f.key, f.needs_review) for f in scan.findings}
    assert review == {(2, 3): ("exact", False), (4, 5): ("no-reference", True), (6, 7): ("exact", True),
                      (8, 9): ("no-reference", True), (10, 11): ("exact", True)}
    save_findings(book, "payments", scan.findings)
    listed = book.findings(kind="duplicate-payment")
    assert [f["needs_review"] for f in listed] == [False, True, True, True, True]  # largest £ first within each
    assert listed[1]["gbp_at_stake"] > listed[0]["gbp_at_stake"]  # the £50m tranches rank below the £3,100


def _unrelated_in_query_are_unrelated_to_judge(book) -> tuple[int, int]:
    """Every candidate the query marks `unrelated` is one `judge` sets aside as "unrelated
    references"; returns (marked, judged in Python)."""
    from openbook.analyse.detectors.payment_pairs import candidate_pairs, judge, row_of

    settings = DuplicateSettings()
    marked = left = 0
    for record in candidate_pairs(book, settings).to_pyarrow().to_pylist():
        pair, why = judge(record["joined"], row_of(record, "a_"), row_of(record, "b_"), settings)
        if record["unrelated"]:
            marked += 1
            assert (pair.rule, why) == ("same-amount", "unrelated references"), record
        else:
            left += 1
    return marked, left


def test_pairs_counted_in_the_query_are_those_judged_unrelated(month, sector):
    marked, left = _unrelated_in_query_are_unrelated_to_judge(month)
    assert marked == 1 and left >= 5  # 22-23; the variants, swaps and prefixes are left to Python
    marked, left = _unrelated_in_query_are_unrelated_to_judge(sector[1])
    assert left > 100  # the generator plants no same-amount pairs with unrelated references
    # Counted in the query or judged in Python (the same-amount rule on), the same candidates.
    quiet = find_duplicate_payments(month)
    noisy = find_duplicate_payments(month, DuplicateSettings(same_amount=True))
    assert quiet.candidates == noisy.candidates and quiet.set_aside["unrelated references"] == 1
    assert "unrelated references" not in noisy.set_aside
