"""Organograms into the post table: the real Cabinet Office and Trafford files, and crafted defects.

Known answers come from outside openbook: data.gov.uk's own post counts
(compare_post_counts.csv) and sums computed here with Python's csv module and Decimal.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from openbook.ingest import ingest_file
from openbook.ingest.snapshots import snapshot_from_name
from openbook.store import Book

TRIPLESTORE = "datagovuk__organograms/data/dgu/csv-from-triplestore"
TRAFFORD = "traffordDataLab__council_open_data/transparency_code"
SENIOR_HEADER = ("Post Unique Reference,Name,Grade (or equivalent),Job Title,Job/Team Function,Parent Department,"
                 "Organisation,Unit,Contact Phone,Contact E-mail,Reports to Senior Post,Salary Cost of Reports (£),"
                 "FTE,Actual Pay Floor (£),Actual Pay Ceiling (£),,Professional/Occupational Group,Notes,Valid?")
JUNIOR_HEADER = ("Parent Department,Organisation,Unit,Reporting Senior Post,Grade,Payscale Minimum (£),"
                 "Payscale Maximum (£),Generic Job Title,Number of Posts in FTE,Professional/Occupational Group")


def senior_row(ref, reports_to, floor="N/D", ceiling="N/D", *, fte="1", cost="0", name="N/D",
               body="Cabinet Office", title="Director"):
    return (f'{ref},{name},SCS2,{title},Policy,Cabinet Office,{body},Unit A,020,a@b,{reports_to},{cost},{fte},'
            f'"{floor}","{ceiling}",,Policy,,')


def junior_row(reports_to, fte="3", floor="25000", ceiling="30000", body="Cabinet Office"):
    return f"Cabinet Office,{body},Unit A,{reports_to},EO,{floor},{ceiling},Officer,{fte},Operational delivery"


def write(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def posts(book: Book, sha: str) -> list[dict]:
    return book._dicts("SELECT * FROM post WHERE source_sha256 = ? ORDER BY source_line", [sha])


def problems(book: Book, sha: str) -> list[tuple]:
    return book.query("SELECT source_line, column_name, column_number, code FROM quarantine "
                      "WHERE source_sha256 = ? ORDER BY source_line, code", [sha])


# -- the real files -------------------------------------------------------------------------

def _organogram_rows(manifest):
    return [r for r in manifest if r["kind"] == "organogram"]


@pytest.fixture(scope="module")
def organogram_book(shared_data, shared_manifest, tmp_path_factory):
    book = Book(tmp_path_factory.mktemp("organograms") / "posts.duckdb")
    reports = {}
    for row in _organogram_rows(shared_manifest):
        reports[row["local_path"]] = ingest_file(book, shared_data / row["local_path"])
    yield book, reports
    book.close()


def test_every_organogram_file_loads_and_reconciles(organogram_book, shared_data, shared_manifest):
    book, reports = organogram_book
    published = 0
    for row in _organogram_rows(shared_manifest):
        with open(shared_data / row["local_path"], encoding="utf-8", newline="") as fh:
            published += sum(1 for _ in csv.reader(fh)) - 1  # every file has one header row
    assert len(reports) == len(_organogram_rows(shared_manifest)) == 346
    assert {r.status for r in reports.values()} == {"loaded"}
    assert all(r.dataset == "post" and r.reconciles for r in reports.values())
    # Line by line: every read row is a post, a quarantined row or a structural one, never two.
    assert book.query("""
        SELECT count(*) FROM source s WHERE dataset = 'post' AND rows_read !=
            (SELECT count(*) FROM post p WHERE p.source_sha256 = s.sha256)
          + (SELECT count(DISTINCT source_line) FROM quarantine q WHERE q.source_sha256 = s.sha256
             AND severity IN ('error', 'structural'))""") == [(0,)]
    totals = book.query("SELECT sum(rows_read), sum(rows_accepted), sum(rows_quarantined), sum(rows_structural) "
                        "FROM source WHERE dataset = 'post'")[0]
    # Every row is a post, stored with its body, or quarantined whole because its body is not a registered one.
    unknown = book.query("SELECT count(DISTINCT (source_sha256, source_line)) FROM quarantine "
                         "WHERE severity = 'error'")[0][0]
    assert book.query("SELECT DISTINCT code FROM quarantine WHERE severity = 'error'") == [("unknown-organisation",)]
    assert totals == (published + 346, published - unknown, unknown, 346)
    assert (published, unknown) == (53768, 1054)
    assert book.query("SELECT count(*) FROM post WHERE org_id IS NULL OR org_id = ''") == [(0,)]


def _halves() -> dict[tuple[str, str], str]:
    """tests/data/publisher-split.csv: (publisher, origin repository) → tuning | check."""
    with open(Path(__file__).parents[1] / "data" / "publisher-split.csv", encoding="utf-8", newline="") as fh:
        return {(r["publisher"], r["origin_repo"]): r["half"] for r in csv.DictReader(fh)}


def test_tuning_half_organograms_load_with_every_post_under_its_body(organogram_book, shared_manifest):
    book, reports = organogram_book
    halves = _halves()
    tuning = [r["local_path"] for r in _organogram_rows(shared_manifest)
              if halves.get((r["publisher"], "") if r["publisher"] else ("", r["origin_repo"])) == "tuning"]
    assert len(tuning) == 145 and {reports[p].status for p in tuning} == {"loaded"}
    shas = [reports[p].sha256 for p in tuning]
    stored, bodiless = book.query("SELECT count(*), count(*) FILTER (WHERE org_id IS NULL OR org_id = '') "
                                  "FROM post WHERE list_contains(?, source_sha256)", [shas])[0]
    held = book.query("SELECT count(DISTINCT (source_sha256, source_line)) FROM quarantine "
                      "WHERE code = 'unknown-organisation' AND list_contains(?, source_sha256)", [shas])[0][0]
    assert (stored + held, bodiless) == (sum(reports[p].rows_read - reports[p].structural for p in tuning), 0)


def test_post_counts_agree_with_data_gov_uk_own_counts(organogram_book, shared_data):
    """compare_post_counts.csv: data.gov.uk's triplestore counts per body for 2011-09-30."""
    book, _ = organogram_book
    with open(shared_data / "datagovuk__organograms/compare_post_counts.csv", encoding="utf-8", newline="") as fh:
        published = {(r["body_title"], kind): int(r[f"{kind}_posts_triplestore"])
                     for r in csv.DictReader(fh) if r["graph"] == "2011-09-30"
                     for kind in ("senior", "junior") if r[f"{kind}_posts_triplestore"]}
    counted = Counter()
    for body, senior, n in book.query(
            "SELECT body_name, is_senior, count(*) FROM post WHERE as_of = DATE '2011-09-30' GROUP BY ALL"):
        counted[(body, "senior" if senior else "junior")] += n
    for body, senior, n in book.query(  # posts held back because their body is not in the registry
            "SELECT q.raw_value, s.file_name LIKE '%-senior.csv', count(*) FROM quarantine q "
            "JOIN source s ON s.sha256 = q.source_sha256 WHERE q.code = 'unknown-organisation' GROUP BY ALL"):
        counted[(body, "senior" if senior else "junior")] += n
    overlap = published.keys() & counted.keys()
    assert len(overlap) == 346
    differ = {key: (counted[key], published[key]) for key in overlap if counted[key] != published[key]}
    # Four senior files hold one row more than the triplestore counted; openbook keeps every published row.
    assert differ == {("Cabinet Office", "senior"): (235, 234),
                      ("Department for Work and Pensions", "senior"): (209, 208),
                      ("Department of Health", "senior"): (313, 312),
                      ("Ministry of Justice", "senior"): (132, 131)}


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def test_work_and_pensions_figures_match_the_file_read_with_csv(organogram_book, shared_data):
    book, reports = organogram_book
    senior_path = f"{TRIPLESTORE}/department_for_work_and_pensions-2011-09-30-senior.csv"
    junior_path = f"{TRIPLESTORE}/department_for_work_and_pensions-2011-09-30-junior.csv"
    with open(shared_data / senior_path, encoding="utf-8", newline="") as fh:
        senior = list(csv.DictReader(fh))
    with open(shared_data / junior_path, encoding="utf-8", newline="") as fh:
        junior = list(csv.DictReader(fh))
    floors = [r["Actual Pay Floor (£)"] for r in senior]
    withheld = sum(1 for f in floors if f == "N/D")
    numbers = [_number(f) for f in floors if _number(f) is not None]
    fte = sum((Decimal(r["Number of Posts in FTE"]) for r in junior), Decimal(0))

    assert reports[senior_path].publisher == "GB-GOR-D10"
    rows = book.query("""SELECT count(*), count(pay_floor_gbp), sum(pay_floor_gbp),
                                count(*) FILTER (WHERE withheld->>'pay_floor_gbp' = 'N/D'),
                                count(*) FILTER (WHERE is_top)
                         FROM post WHERE source_sha256 = ?""", [reports[senior_path].sha256])[0]
    assert rows == (len(senior), len(numbers), sum(numbers), withheld, 1)
    assert (len(senior), withheld) == (209, 151)
    junior_rows = book.query("SELECT count(*), sum(fte)::DECIMAL(18,2), bool_and(NOT is_senior) FROM post "
                             "WHERE source_sha256 = ?", [reports[junior_path].sha256])[0]
    assert junior_rows == (len(junior), fte.quantize(Decimal("0.01")), True)
    source = book.source(reports[senior_path].sha256)
    dialect = json.loads(source["dialect"]) if isinstance(source["dialect"], str) else source["dialect"]
    assert dialect["as_of_from"] == ["file name"] and dialect["as_of"] == ["2011-09-30"]


def test_pay_written_as_a_grade_slug_is_flagged_and_kept(organogram_book, shared_data):
    """The triplestore export gives some junior pay scales as grade slugs ('eo', 'band-2')."""
    book, reports = organogram_book
    path = f"{TRIPLESTORE}/rural_payments_agency-2011-09-30-junior.csv"
    with open(shared_data / path, encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    sha = reports[path].sha256
    flagged = book.query("SELECT source_line, column_name, column_number, raw_value FROM quarantine "
                         "WHERE source_sha256 = ? AND code = 'pay-not-a-number' ORDER BY 1, 3 LIMIT 2", [sha])
    assert flagged == [(2, "Payscale Minimum (£)", 6, first["Payscale Minimum (£)"]),
                       (2, "Payscale Maximum (£)", 7, first["Payscale Maximum (£)"])]
    assert book.query("SELECT pay_floor_gbp, withheld->>'pay_floor_gbp' FROM post WHERE source_sha256 = ? "
                      "AND source_line = 2", [sha]) == [(None, first["Payscale Minimum (£)"])]


def test_metadata_files_are_rejected_not_read_as_posts(shared_data, shared_manifest, book):
    rows = [r for r in shared_manifest if r["kind"] in ("organogram index/validation", "organogram (XLSX)")]
    reports = {r["local_path"].rsplit("/", 1)[-1]: ingest_file(book, shared_data / r["local_path"]) for r in rows}
    assert len(reports) == 7
    assert {r.status for r in reports.values()} == {"rejected"}
    codes = {name: r.rejection.code for name, r in reports.items()}
    assert codes["mod.xlsx"] == codes["compare_post_counts.csv"] == codes["uploads_report.csv"] == "metadata-not-data"
    assert set(codes.values()) <= {"metadata-not-data", "no-header-found"}
    assert book.query("SELECT count(*) FROM post") == [(0,)]


def test_trafford_organisation_chart_and_senior_salaries(shared_data, book):
    chart_path = shared_data / TRAFFORD / "organisation_chart/trafford_council_organisation_structure.csv"
    with open(chart_path, encoding="utf-8", newline="") as fh:
        chart = list(csv.DictReader(fh))
    report = ingest_file(book, chart_path)
    assert (report.status, report.dataset, report.publisher) == ("loaded", "post", "GB-LAE-TRF")
    assert (report.rows_read, report.accepted, report.structural) == (len(chart) + 1, len(chart), 1)
    vacant = sum(1 for r in chart if r["Vacancy"] == "Vacant")
    banded = [r["SalaryBand"] for r in chart if r["SalaryBand"] != "NA"]
    assert book.query("""SELECT count(*) FILTER (WHERE is_vacant), count(*) FILTER (WHERE is_top),
                                count(pay_floor_gbp), max(level), min(as_of), max(as_of),
                                count(*) FILTER (WHERE withheld->>'pay_floor_gbp' = 'NA')
                         FROM post WHERE source_sha256 = ?""", [report.sha256]) == [
        (vacant, 1, len(banded), 4, date(2025, 7, 1), date(2025, 7, 1), len(chart) - len(banded))]
    top = book._dicts("SELECT * FROM post WHERE source_sha256 = ? AND is_top", [report.sha256])[0]
    assert (top["name"], top["pay_floor_gbp"], top["pay_ceiling_gbp"], top["unit"]) == \
        ("Sara Todd", Decimal("195000.00"), Decimal("199999.00"), None)

    salaries = shared_data / TRAFFORD / "senior_salaries/senior_salaries_employees.csv"
    with open(salaries, encoding="utf-8", newline="") as fh:
        paid = sum(Decimal(r["Salary"]) for r in csv.DictReader(fh))
    loaded = ingest_file(book, salaries)
    assert (loaded.status, loaded.accepted, book.source(loaded.sha256)["adapter"]) == \
        ("loaded", 8, "lga-organisation-chart")
    assert book.query("SELECT sum(pay_floor_gbp), bool_and(is_senior) FROM post WHERE source_sha256 = ?",
                      [loaded.sha256]) == [(paid, True)]


# -- crafted files --------------------------------------------------------------------------

def test_withheld_pay_is_kept_as_written_and_pound_signs_are_read(tmp_path, book):
    path = write(tmp_path, "co-2012-03-31-senior.csv", SENIOR_HEADER,
                 senior_row("1", "XX", "£65,000", "65000.00", name="Jane Smith"),
                 senior_row("2", "1"),
                 senior_row("3", "1", "lots", "70000", name="Vacant"),
                 senior_row("4", "1", fte="x"))
    report = ingest_file(book, path)
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (5, 3, 1, 1)
    rows = {p["post_ref"]: p for p in posts(book, report.sha256)}
    assert (rows["1"]["pay_floor_gbp"], rows["1"]["pay_ceiling_gbp"]) == (Decimal("65000.00"), Decimal("65000.00"))
    assert (rows["1"]["is_top"], rows["1"]["reports_to"], rows["1"]["withheld"]) == (True, None, None)
    assert rows["2"]["pay_floor_gbp"] is None and json.loads(rows["2"]["withheld"]) == {
        "pay_floor_gbp": "N/D", "pay_ceiling_gbp": "N/D"}
    assert rows["2"]["name"] == "N/D" and rows["3"]["is_vacant"] is True
    assert json.loads(rows["3"]["withheld"]) == {"pay_floor_gbp": "lots"}
    assert rows["1"]["as_of"] == date(2012, 3, 31) and rows["1"]["org_id"] == "GB-GOR-D2"
    assert problems(book, report.sha256) == [
        (1, None, None, "header-row"),
        (4, "Actual Pay Floor (£)", 14, "pay-not-a-number"),
        (5, "FTE", 13, "type-error"),
    ]


def test_junior_groups_preamble_and_blank_rows(tmp_path, book):
    path = write(tmp_path, "co-2012-03-31-junior.csv", "Organogram of junior staff,,,,,,,,,", "",
                 JUNIOR_HEADER, junior_row("1", "12.5"), ",,,,,,,,,", junior_row("2", "-1"))
    report = ingest_file(book, path)
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (6, 1, 1, 4)
    (group,) = posts(book, report.sha256)
    assert (group["is_senior"], group["fte"], group["reports_to"], group["post_ref"], group["title"]) == \
        (False, 12.5, "1", None, "Officer")
    assert problems(book, report.sha256) == [(1, None, None, "preamble-row"), (2, None, None, "blank-row"),
                                             (3, None, None, "header-row"), (5, None, None, "blank-row"),
                                             (6, "Number of Posts in FTE", 9, "constraint-error")]


def test_a_file_without_a_header_is_read_by_position_and_flagged(tmp_path, book):
    path = write(tmp_path, "acas-2011-09-30-junior.csv", junior_row("2", "2"), junior_row("3", "1.5"))
    report = ingest_file(book, path)
    assert (report.status, report.dataset, report.accepted, report.structural) == ("loaded", "post", 2, 0)
    assert problems(book, report.sha256) == [(1, None, None, "header-inferred")]
    assert [p["fte"] for p in posts(book, report.sha256)] == [2.0, 1.5]


def test_a_post_whose_body_is_unknown_is_quarantined_or_booked_to_org_with_a_warning(tmp_path, book):
    rows = (JUNIOR_HEADER, junior_row("1", body="Office of Imaginary Affairs"),
            junior_row("2", body="Office of Imaginary Affairs"), junior_row("3"))
    report = ingest_file(book, write(tmp_path, "x-2011-09-30-junior.csv", *rows))
    assert (report.status, report.accepted, report.quarantined, report.publisher) == ("loaded", 1, 2, "GB-GOR-D2")
    assert problems(book, report.sha256) == [(1, None, None, "header-row"),
                                             (2, "Organisation", 2, "unknown-organisation"),
                                             (3, "Organisation", 2, "unknown-organisation")]
    assert book.query("SELECT DISTINCT raw_value FROM quarantine WHERE code = 'unknown-organisation'") == [
        ("Office of Imaginary Affairs",)]
    assert [(p["source_line"], p["org_id"]) for p in posts(book, report.sha256)] == [(4, "GB-GOR-D2")]

    placed = ingest_file(book, write(tmp_path, "y-2011-09-30-junior.csv", *rows[:3]), org="Cabinet Office")
    assert (placed.accepted, placed.quarantined, placed.publisher) == (2, 0, "GB-GOR-D2")
    assert {(p["org_id"], p["body_name"]) for p in posts(book, placed.sha256)} == {
        ("GB-GOR-D2", "Office of Imaginary Affairs")}
    assert problems(book, placed.sha256) == [(1, None, None, "header-row"),
                                             (2, "Organisation", 2, "entity-unresolved"),
                                             (3, "Organisation", 2, "entity-unresolved")]
    counted = {(p["severity"], p["code"]): p["rows"] for p in book.status()["problems"]}
    assert (counted[("warning", "entity-unresolved")], counted[("error", "unknown-organisation")]) == (2, 2)
    assert book.query("SELECT count(*) FROM post WHERE org_id IS NULL") == [(0,)]


def test_snapshot_date_from_the_source_file_column_or_a_rejection(tmp_path, book):
    header = JUNIOR_HEADER + ",source_file,source_line"
    dated = write(tmp_path, "acas-junior.csv", header, junior_row("1") + ",/data/acas/2011-09-30/a.xls,juniorPosts2")
    report = ingest_file(book, dated)
    assert report.status == "loaded" and posts(book, report.sha256)[0]["as_of"] == date(2011, 9, 30)
    assert book.source(report.sha256)["period_start"] == date(2011, 9, 30)
    undated = write(tmp_path, "junior.csv", JUNIOR_HEADER, junior_row("1"))
    rejected = ingest_file(book, undated)
    assert (rejected.status, rejected.rejection.code) == ("rejected", "snapshot-date-unknown")
    assert "--as-of" in rejected.rejection.message


@pytest.mark.parametrize(("name", "expected", "source"), [
    ("body-2011-09-30-senior.csv", date(2011, 9, 30), "file name"),
    ("body_30-09-2011_junior.csv", date(2011, 9, 30), "file name"),
    ("body 30.09.2011.csv", date(2011, 9, 30), "file name"),
    ("organogram20110930.csv", date(2011, 9, 30), "file name"),
    ("organogram-31032012.csv", date(2012, 3, 31), "file name"),
    ("Senior staff 31st March 2012.xlsx", date(2012, 3, 31), "file name"),
    ("body-Sep-2011-junior.csv", date(2011, 9, 30), "file name (month: its last day)"),
    ("Organogram september 2011.csv", date(2011, 9, 30), "file name (month: its last day)"),
    ("organogram-2012-mar.csv", date(2012, 3, 31), "file name (month: its last day)"),
    ("posts-2012-02.csv", date(2012, 2, 29), "file name (month: its last day)"),
    ("posts_02-2013.csv", date(2013, 2, 28), "file name (month: its last day)"),
    ("marine-2011.csv", None, None),  # 'mar' inside a word is not March
    ("junior-2011.csv", None, None),  # a year alone is not a snapshot
    ("senior-2011-13.csv", None, None),  # no month 13
    ("junior.csv", None, None),
])
def test_snapshot_date_from_any_common_spelling_in_the_file_name(name, expected, source):
    found = snapshot_from_name(name)
    assert (found.day, found.source) == (expected, source) if expected else found is None


def test_a_month_only_name_dates_the_posts_at_the_months_end_and_says_so(tmp_path, book):
    report = ingest_file(book, write(tmp_path, "body-september-2011-junior.csv", JUNIOR_HEADER, junior_row("1")))
    assert [p["as_of"] for p in posts(book, report.sha256)] == [date(2011, 9, 30)]
    assert json.loads(book.source(report.sha256)["dialect"])["as_of_from"] == ["file name (month: its last day)"]


@pytest.mark.parametrize(("column", "values", "expected"), [
    ("Snapshot date", ["30/09/2011", "30/09/2011"], date(2011, 9, 30)),
    ("Date", ["2012-03-31", "2012-03-31"], date(2012, 3, 31)),
    ("As at", ["Mar-2012", "Mar-2012"], date(2012, 3, 31)),
    ("Published", ["31 March 2013", ""], date(2013, 3, 31)),  # any header, when its values are dates
])
def test_snapshot_date_from_a_column_whose_values_are_all_one_date(tmp_path, book, column, values, expected):
    lines = [f"{JUNIOR_HEADER},{column}"] + [f"{junior_row(str(i + 1))},{v}" for i, v in enumerate(values)]
    report = ingest_file(book, write(tmp_path, "junior.csv", *lines))
    assert report.status == "loaded"
    assert [p["as_of"] for p in posts(book, report.sha256)] == [expected, expected]
    assert json.loads(book.source(report.sha256)["dialect"])["as_of_from"] == [f"'{column}' column"]


@pytest.mark.parametrize(("column", "values"), [
    ("Date", ["30/09/2011", "31/03/2012"]),  # two dates: which one is the snapshot is not said
    ("Count", ["40000", "40000"]),  # equal numbers under a header that names no date are not Excel dates
])
def test_a_column_that_does_not_hold_one_date_gives_no_snapshot(tmp_path, book, column, values):
    lines = [f"{JUNIOR_HEADER},{column}"] + [f"{junior_row(str(i + 1))},{v}" for i, v in enumerate(values)]
    rejected = ingest_file(book, write(tmp_path, "junior.csv", *lines))
    assert (rejected.status, rejected.rejection.code) == ("rejected", "snapshot-date-unknown")


def test_the_snapshot_date_the_user_gives_is_used_only_where_the_file_says_none(tmp_path, book):
    undated = write(tmp_path, "junior.csv", JUNIOR_HEADER, junior_row("1"))
    report = ingest_file(book, undated, as_of=date(2024, 3, 31))
    assert report.status == "loaded" and posts(book, report.sha256)[0]["as_of"] == date(2024, 3, 31)
    source = book.source(report.sha256)
    assert json.loads(source["options"]) == {"as_of": "2024-03-31"}
    assert json.loads(source["dialect"])["as_of_from"] == ["--as-of"]
    named = ingest_file(book, write(tmp_path, "b-2011-09-30-junior.csv", JUNIOR_HEADER, junior_row("2")),
                        as_of=date(2024, 3, 31))
    assert posts(book, named.sha256)[0]["as_of"] == date(2011, 9, 30)


def test_ingest_as_of_on_the_command_line(tmp_path, runner):
    from openbook.cli import app

    undated = write(tmp_path, "junior.csv", JUNIOR_HEADER, junior_row("1"))
    target = tmp_path / "cli.duckdb"
    refused = runner.invoke(app, ["ingest", str(undated), "--book", str(target)])
    assert refused.exit_code == 1 and "--as-of" in refused.output
    bad = runner.invoke(app, ["ingest", str(undated), "--book", str(target), "--as-of", "31/03/2024"])
    assert bad.exit_code == 2 and "not a date like 2024-03-31" in bad.output
    done = runner.invoke(app, ["ingest", str(undated), "--book", str(target), "--as-of", "2024-03-31"])
    assert done.exit_code == 0, done.output
    with Book(target, read_only=True) as opened:
        assert opened.query("SELECT as_of, count(*) FROM post GROUP BY ALL") == [(date(2024, 3, 31), 1)]


COMBINED_HEADER = ("Type,Post Unique Reference,Name,Grade,Job Title,Parent Department,Organisation,Unit,"
                   "Reports to Senior Post,FTE,Actual Pay Floor (£),Actual Pay Ceiling (£)")


def test_a_combined_file_told_apart_by_its_type_column_loads_both_kinds(tmp_path, book):
    path = write(tmp_path, "co-2012-03-31-organogram.csv", COMBINED_HEADER,
                 "Senior,1,Jane Smith,SCS3,Permanent Secretary,Cabinet Office,Cabinet Office,Unit A,XX,1,180000,184999",
                 "Junior,,,EO,Officer,Cabinet Office,Cabinet Office,Unit A,1,12.5,25000,30000",
                 "senior staff,2,N/D,SCS1,Deputy Director,Cabinet Office,Cabinet Office,Unit A,1,1,N/D,N/D",
                 "junior staff,,,HEO,Adviser,Cabinet Office,Cabinet Office,Unit A,2,3,31000,36000")
    report = ingest_file(book, path)
    assert (report.status, report.rows_read, report.accepted, report.quarantined) == ("loaded", 5, 4, 0)
    assert [(p["is_senior"], p["post_ref"], p["reports_to"], p["title"], p["fte"], p["pay_floor_gbp"])
            for p in posts(book, report.sha256)] == [
        (True, "1", None, "Permanent Secretary", 1.0, Decimal("180000.00")),
        (False, None, "1", "Officer", 12.5, Decimal("25000.00")),
        (True, "2", "1", "Deputy Director", 1.0, None),
        (False, None, "2", "Adviser", 3.0, Decimal("31000.00"))]
    assert json.loads(book.source(report.sha256)["dialect"])["layouts"] == ["senior+junior"]


def test_a_combined_file_without_a_type_column_is_told_apart_by_its_columns_and_grades(tmp_path, book):
    header = COMBINED_HEADER.replace("Type,", "") + ",Reporting Senior Post,Number of Posts in FTE"
    path = write(tmp_path, "co-2012-03-31-all.csv", header,
                 "1,Jane Smith,SCS3,Permanent Secretary,Cabinet Office,Cabinet Office,Unit A,XX,1,180000,184999,,",
                 ",,EO,Officer,Cabinet Office,Cabinet Office,Unit A,,,25000,30000,1,12.5",
                 ",N/D,SCS1,Deputy Director,Cabinet Office,Cabinet Office,Unit A,1,1,N/D,N/D,,")
    report = ingest_file(book, path)
    assert (report.accepted, report.quarantined) == (2, 1)
    assert [(p["source_line"], p["is_senior"], p["reports_to"], p["fte"]) for p in posts(book, report.sha256)] == [
        (2, True, None, 1.0), (3, False, "1", 12.5)]
    # An SCS grade marks a senior row, and a senior row must name its post reference.
    assert problems(book, report.sha256)[-1] == (4, "Post Unique Reference", 1, "value-missing")


def test_a_senior_table_followed_by_a_junior_table_in_one_file_loads_both(tmp_path, book):
    path = write(tmp_path, "co-2012-03-31.csv", SENIOR_HEADER, senior_row("1", "XX"), senior_row("2", "1"), "",
                 JUNIOR_HEADER, junior_row("1", "4"), junior_row("2", "2.5"))
    report = ingest_file(book, path)
    assert (report.status, report.rows_read, report.accepted, report.structural) == ("loaded", 7, 4, 3)
    assert [(p["source_line"], p["is_senior"], p["fte"]) for p in posts(book, report.sha256)] == [
        (2, True, 1.0), (3, True, 1.0), (6, False, 4.0), (7, False, 2.5)]
    assert problems(book, report.sha256) == [(1, None, None, "header-row"), (4, None, None, "blank-row"),
                                             (5, None, None, "header-row")]


def test_a_leading_index_column_is_set_aside_not_mapped(tmp_path, book):
    indexed = write(tmp_path, "co-2012-03-31-junior.csv", "," + JUNIOR_HEADER, "0," + junior_row("1", "2"),
                    "1," + junior_row("1", "x"), "2," + junior_row("2", "1.5"))
    report = ingest_file(book, indexed)
    assert (report.accepted, report.quarantined) == (2, 1)
    assert [(p["reports_to"], p["fte"], p["parent_department"]) for p in posts(book, report.sha256)] == [
        ("1", 2.0, "Cabinet Office"), ("2", 1.5, "Cabinet Office")]
    # Column numbers stay those of the file as published: FTE is its 10th column.
    assert problems(book, report.sha256)[-1] == (3, "Number of Posts in FTE", 10, "type-error")
    assert book.query("SELECT raw_row FROM quarantine WHERE code = 'type-error' AND source_sha256 = ?",
                      [report.sha256]) == [(["1", *next(csv.reader([junior_row("1", "x")]))],)]
    dialect = json.loads(book.source(report.sha256)["dialect"])
    assert dialect["sheets"][0]["index_column"] is True
    assert dialect["sheets"][0]["columns"][0] == ["Parent Department", "parent_department"]

    headerless = write(tmp_path, "acas-2011-09-30-junior.csv", "Unnamed: 0," + JUNIOR_HEADER,
                       "1," + junior_row("3", "2"), "2," + junior_row("3", "1"))
    assert ingest_file(book, headerless).accepted == 2
    bare = write(tmp_path, "dfe-2011-09-30-junior.csv", "0," + junior_row("4", "2"), "1," + junior_row("4", "3"))
    loaded = ingest_file(book, bare)
    assert (loaded.status, loaded.dataset, loaded.accepted) == ("loaded", "post", 2)
    assert [p["fte"] for p in posts(book, loaded.sha256)] == [2.0, 3.0]


def test_a_workbook_with_senior_and_junior_sheets_loads_both(tmp_path, book):
    workbook = openpyxl.Workbook()
    senior = workbook.active
    senior.title = "(final data) senior"
    senior.append(next(csv.reader([SENIOR_HEADER])))
    senior.append(next(csv.reader([senior_row("1", "XX", "100000", "104999")])))
    junior = workbook.create_sheet("(final data) junior")
    junior.append(JUNIOR_HEADER.split(","))
    junior.append(junior_row("1", "4", "20000", "25000").split(","))
    junior.append(junior_row("1", "1", "30000", "35000").split(","))
    path = tmp_path / "body-2013-03-31.xlsx"
    workbook.save(path)
    report = ingest_file(book, path)
    assert (report.status, report.rows_read, report.accepted, report.structural) == ("loaded", 5, 3, 2)
    lines = [(p["source_line"], p["is_senior"]) for p in posts(book, report.sha256)]
    assert lines == [(2, True), (4, False), (5, False)]  # the junior sheet's lines follow the senior sheet's

    other = openpyxl.Workbook()
    other.active.append(["Organogram notes"])
    other.active.append(["Fill in the senior and junior sheets"])
    notes = tmp_path / "notes-2013-03-31.xlsx"
    other.save(notes)
    rejected = ingest_file(book, notes)
    assert (rejected.status, rejected.rejection.code) == ("rejected", "not-an-organogram")


def test_loading_the_same_organogram_twice_changes_nothing(tmp_path, book):
    senior = write(tmp_path, "b-2011-09-30-senior.csv", SENIOR_HEADER, senior_row("1", "XX"))
    counts = Counter()
    for path in (senior, senior):
        counts[ingest_file(book, path).status] += 1
    assert counts == {"loaded": 1, "unchanged": 1}
