"""Classification: the rules are well-formed data, crafted rows get the codes they should, a
user's mapping wins and is kept, re-running changes nothing, coverage adds up to the penny, and
on the real spend files most of the money is classified."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openbook import standard
from openbook.analyse.classify import classify_book
from openbook.analyse.classify.floor import CONFIDENCE_FLOOR
from openbook.analyse.classify.rules import FIELDS, RuleSet, builtin_rules, normalise, rules_from_mapping
from openbook.errors import UsageError
from openbook.store import Book

RULES = builtin_rules()
FUNCTIONS = {row["code"] for row in standard.code_list("functions")}
CAPABILITIES = {row["code"] for row in standard.code_list("capabilities")}


# -- the rules as data ---------------------------------------------------------------------------

def test_there_are_rules_for_every_table_and_their_codes_exist():
    assert len(RULES) > 300
    assert {t for r in RULES for t in r.tables} == set(FIELDS)
    assert {r.function for r in RULES if r.function} <= FUNCTIONS
    assert {r.capability for r in RULES if r.capability} <= CAPABILITIES
    assert all(0 < r.confidence <= 1 and r.example for r in RULES)


def test_rule_ids_are_unique_across_files():
    entries = {(r.id, r.order) for r in RULES}
    assert len({rule_id for rule_id, _ in entries}) == len(entries)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.id}:{r.field}")
def test_every_rule_matches_its_example_and_wins_it(rule):
    """A rule's example is matched by it, and nothing ranked higher takes it elsewhere."""
    assert rule.matches(normalise(rule.example, rule.field))
    rules = RuleSet(RULES)
    for table in rule.tables:
        function_rule, capability_rule = rules.best(table, rule.field, rule.example)
        if rule.function:
            assert function_rule.function == rule.function, function_rule.id
        if rule.capability:
            assert capability_rule.capability == rule.capability, capability_rule.id


def test_normalise_drops_ledger_codes_only_where_publishers_write_them():
    assert normalise("265000-IT & Telecommunications", "expense_type") == "it and telecommunications"
    assert normalise("ZZ900-MoJ HQ", "expense_area") == "moj hq"
    assert normalise("79211110-0", "cpv") == "79211110 0"
    assert normalise("  Children's  Homes ", "description") == "childrens homes"


# -- crafted rows ---------------------------------------------------------------------------------

SPEND = [
    # (line, org_id, expense_type, expense_area, supplier, description, amount, what we expect)
    (2, "GB-LAE-LDS", "IT Software Licences", "Adult Social Care", "MICROSOFT LIMITED", None, "1200.00",
     ("digital", "collaboration")),
    (3, "GB-LAE-LDS", "Nursing Home Payment", "Adult Social Care", "Ashgrove Care Home Ltd", None, "-350.50",
     ("adult-social-care", None)),
    (4, "GB-LAE-LDS", "Agency Staff", "Group Finance", "Hays", None, "999.99", ("finance", None)),
    (5, "GB-GOR-D6", "Grant in aid", "Various", "Someone", None, "5000000.00", ("education", None)),
    (6, "GB-LAE-LDS", "Supplies and Services", "Corporate Budgets", "A N Other Ltd", None, "10.01", (None, None)),
    (7, "GB-LAE-LDS", None, None, None, None, "1.00", (None, None)),
    (8, "GB-LAE-LDS", "Postage Charges", "Corporate Budgets", "ROYAL MAIL GROUP LTD", None, "75.25",
     (None, "print-and-mail")),
]
SHA = "a" * 64


def _insert_spend(book: Book, rows=SPEND, sha: str = SHA) -> None:
    for line, org, etype, area, supplier, description, amount, _ in rows:
        book.con.execute(
            "INSERT INTO spend (org_id, paid_on, amount_gbp, expense_type, expense_area, supplier_name, description, "
            "source_sha256, source_line) VALUES (?, DATE '2019-04-01', ?, ?, ?, ?, ?, ?, ?)",
            [org, Decimal(amount), etype, area, supplier, description, sha, line])


def _codes(book: Book, table: str = "spend") -> dict[int, tuple]:
    capability = "capability" if table in {"spend", "contract", "system", "process"} else "NULL"
    return {line: rest for line, *rest in book.query(
        f'SELECT source_line, function, {capability}, classified_by, classification_confidence FROM "{table}"')}


def test_crafted_spend_rows_get_the_codes_their_words_say(book):
    _insert_spend(book)
    classify_book(book)
    codes = _codes(book)
    for line, *_, expected in SPEND:
        assert tuple(codes[line][:2]) == expected, line
    assert codes[2][2] == "rules:software+rules:vendor-microsoft" and codes[2][3] == 0.8
    assert codes[4][2] == "rules:area-finance"  # agency staff says how, the finance team says what for
    assert codes[5][2] == "rules:body-dfe" and codes[5][3] == 0.3
    assert codes[6][2:] == [None, None] and codes[7][2:] == [None, None]  # unclassified, still there
    assert book.query("SELECT count(*) FROM spend")[0][0] == len(SPEND)


MONEY_PASSING_THROUGH = [
    # (line, org_id, expense_type, expense_area, supplier, description, amount, what we expect)
    (20, "GB-LAE-LDS", "Subscriptions", "Group Finance", "UNITED NATIONS", None, "900000.00", "transfers"),
    (21, "GB-LAE-LDS", "Grants to External Organisations", "Finance and Resources", "A Charity", None, "5000.00",
     "transfers"),
    (22, "GB-LAE-LDS", "Insurance", "Human Resources", "Zurich Municipal", None, "12000.00", "transfers"),
    (23, "GB-LAE-LDS", "Employers Pension Contributions", "Payroll Services", "West Yorkshire Pension Fund", None,
     "80000.00", "transfers"),
    (24, "GB-LAE-LDS", "Loan drawdown", "Corporate Finance", "Network Rail Infrastructure Ltd", None, "1.5E8",
     "transfers"),  # what was bought (a loan) silences the supplier's usual trade (railways)
    (28, "GB-LAE-LDS", "CurrGrtOth to NDPBs", "Group Finance", "HSBC BANK PLC", None, "37125000.00", "transfers"),
    (25, "GB-LAE-LDS", "Purchase Card Settlement", "Procurement", "Barclaycard Commercial", None, "30000.00",
     "transfers"),
    (26, "GB-LAE-LDS", "Suspense Account", "Exchequer", "Various", None, "4000.00", "transfers"),
    (27, "GB-LAE-LDS", "Disabled Facilities Grants", "Finance", "A Builder Ltd", None, "7000.00", "housing"),
]


def test_grants_loans_financing_and_balance_sheet_lines_are_never_administration(book):
    """A transfer in any field drops an admin function from the others; a frontline purpose stands."""
    _insert_spend(book, MONEY_PASSING_THROUGH)
    classify_book(book)
    codes = _codes(book)
    kinds = {row["code"]: row["kind"] for row in standard.code_list("functions")}
    for line, *_, expected in MONEY_PASSING_THROUGH:
        assert codes[line][0] == expected, (line, codes[line])
        assert kinds[codes[line][0]] != "admin"


def test_what_was_bought_outranks_who_was_paid(book):
    """The expense type (or a publisher's category column read as one) silences a supplier-name rule,
    even a more confident one; energy says too little about what it ran to reach the floor."""
    rows = [(30, "GB-LAE-LDS", "Staff Training", "Corporate Budgets", "MICROSOFT LIMITED", None, "500.00", None),
            (32, "GB-LAE-LDS", "Standard Desktop Service", "Finance Group", "FUJITSU SERVICES LTD", None, "1973.22", None),
            (33, "GB-LAE-LDS", "Gas", "Group Finance", "CORONA ENERGY", None, "1690.37", None),
            (34, "GB-LAE-LDS", "Equipment Furniture And Materials", "Adult Social Care", "Sidhil Ltd", None, "616.55",
             None),
            (31, "GB-LAE-LDS", "Utilities", None, "EDF ENERGY", None, "29341.55", None)]
    _insert_spend(book, rows)
    classify_book(book)
    codes = _codes(book)
    assert codes[30][0] == "hr" and codes[30][2].startswith("rules:training")
    assert codes[31][0] == "property" and codes[31][3] < CONFIDENCE_FLOOR
    # Without a rule on what was bought, a known vendor beats the team that paid (0.7 over 0.6).
    assert codes[32][0] == "digital"
    # An expense type naming an admin function beats a team naming another; a frontline team still
    # outranks a generic word.
    assert codes[33][0] == "property" and codes[34][0] == "adult-social-care"


def test_codes_the_publisher_gave_are_kept_and_marked(book):
    _insert_spend(book)
    book.con.execute("UPDATE spend SET function = 'legal' WHERE source_line = 2")
    classify_book(book)
    assert _codes(book)[2] == ["legal", None, "publisher", 1.0]


def test_rerunning_changes_nothing(book):
    _insert_spend(book)
    first = classify_book(book)
    before = _codes(book)
    second = classify_book(book)
    assert _codes(book) == before
    assert [(u.label, u.rows, u.gbp) for u in first.table("spend").rules] == \
        [(u.label, u.rows, u.gbp) for u in second.table("spend").rules]


def test_coverage_adds_up_to_the_penny(book):
    _insert_spend(book)
    report = classify_book(book).table("spend")
    total = sum(abs(Decimal(row[6])) for row in SPEND)
    unclassified = Decimal("10.01") + Decimal("1.00")
    assert (report.gbp, report.gbp_classified) == (total, total - unclassified)
    assert (report.rows, report.rows_classified) == (7, 5)
    by_function = report.by_function
    assert sum(g["gbp"] for g in by_function) == total and sum(g["rows"] for g in by_function) == 7
    assert sum(u.gbp for u in report.rules if "function" in u.sets) == \
        sum(g["gbp"] for g in by_function if g["function"])
    status = book.status()["classification"]
    assert status["overall"]["gbp_classified"] == total - unclassified
    assert [(b["org_id"], b["rows"], b["rows_classified"]) for b in status["bodies"]] == \
        [("GB-GOR-D6", 1, 1), ("GB-LAE-LDS", 6, 4)]


# -- a user's mapping ---------------------------------------------------------------------------

MAPPING = """table,field,match,value,function,capability,note
spend,expense_type,exact,Supplies and Services,governance,,our corporate budget is the council's own running
spend,supplier_name,word,microsoft,digital,documents-records,we use SharePoint only
"""


def test_a_user_mapping_beats_the_rules_and_is_kept_in_the_book(book, tmp_path):
    _insert_spend(book)
    mapping = tmp_path / "ours.csv"
    mapping.write_text(MAPPING, encoding="utf-8")
    report = classify_book(book, mapping)
    codes = _codes(book)
    assert codes[6] == ["governance", None, "user:ours.csv", 1.0]
    assert codes[2][:3] == ["digital", "documents-records", "user:ours.csv"]
    assert report.mapping["rules"] == 2 and report.mapping["name"] == "ours.csv"
    kept = book.classification_mapping()
    assert kept["text"] == MAPPING and kept["sha256"] == report.mapping["sha256"]
    # A later pass (say, at the end of an ingest) applies the kept mapping again.
    classify_book(book)
    assert _codes(book) == codes
    # Until the user drops it: then the rules alone decide, and the mapping stays on record.
    classify_book(book, drop_mapping=True)
    assert _codes(book)[6][:3] == [None, None, None]
    assert book.query("SELECT status FROM source WHERE dataset = 'classification'") == [("superseded",)]


def test_a_bad_mapping_line_names_the_file_line_and_reason():
    with pytest.raises(UsageError, match=r"ours.csv:3: function 'fianance' is not in codes/functions.csv"):
        rules_from_mapping("table,field,value,function\nspend,expense_type,Audit,finance\n"
                           "spend,expense_type,Bank,fianance\n", "ours.csv")
    with pytest.raises(UsageError, match=r"ours.csv:2: field 'colour' is not read by rules on spend"):
        rules_from_mapping("table,field,value,function\nspend,colour,red,finance\n", "ours.csv")
    with pytest.raises(UsageError, match=r"ours.csv:1: a mapping needs the columns"):
        rules_from_mapping("a,b\n1,2\n", "ours.csv")


# -- the other tables (their importers are built elsewhere; rows go in directly) -----------------

def test_posts_contracts_systems_grants_and_processes_are_classified(book):
    book.con.execute("INSERT INTO post (org_id, post_ref, title, profession, unit, source_sha256, source_line) VALUES "
                     "('GB-GOR-D9', '1', 'Head of Payroll', 'Finance', 'Corporate Services', 'p', 2), "
                     "('GB-GOR-D9', '2', 'Policy Adviser', NULL, 'Rail Group', 'p', 3)")
    book.con.execute("INSERT INTO contract (org_id, title, cpv, source_sha256, source_line) VALUES "
                     "('GB-LAE-LDS', 'Audit', '79211110-0', 'c', 2), "
                     "('GB-LAE-LDS', 'Framework for agency staff', '79600000-0', 'c', 3), "
                     "('GB-LAE-LDS', 'Bespoke web platform', '72000000-5', 'c', 4)")
    book.con.execute("INSERT INTO system (org_id, system_ref, name, product, vendor, source_sha256, source_line) "
                     "VALUES ('GB-LAE-LDS', 's1', 'Payroll', 'iTrent', 'MHR', 's', 2), "
                     "('GB-LAE-LDS', 's2', 'Ledger', 'Oracle Fusion', 'Oracle', 's', 3), "
                     "('GB-LAE-LDS', 's3', 'Online payments', 'Civica Pay', 'Civica', 's', 4), "
                     "('GB-LAE-LDS', 's4', 'Bespoke', 'In-house', NULL, 's', 5)")
    book.con.execute("INSERT INTO \"grant\" (org_id, grant_ref, programme, amount_gbp, source_sha256, source_line) "
                     "VALUES ('GB-LAE-LDS', 'g1', 'Stronger Communities', 500.00, 'g', 2)")
    book.con.execute("INSERT INTO process (org_id, process_code, name, source_sha256, source_line) VALUES "
                     "('GB-LAE-LDS', '9.6.2.3', 'Process invoices and track accounts payable', 'x', 2)")
    classify_book(book)
    assert [c[:2] for c in _codes(book, "post").values()] == [["payroll", None], ["governance", None]]
    assert _codes(book, "contract") == {2: ["payroll", "payroll", "rules:cpv-payroll", 0.9],
                                        3: ["hr", None, "rules:cpv-recruitment", 0.9],
                                        4: ["digital", None, "rules:cpv-it-services", 0.9]}
    assert [c[:2] for c in _codes(book, "system").values()] == [
        ["payroll", "payroll"], ["finance", "finance-erp"], ["finance", "payments"], [None, None]]
    assert _codes(book, "grant")[2][:1] == ["planning"]
    assert _codes(book, "process")[2][:3] == ["finance", "finance-erp", "rules:apqc-finance+rules:process-name-invoices"]


# -- the real spend files -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_spend_book(real_book):
    return real_book[0]


def test_most_of_the_real_money_is_classified(real_spend_book):
    """Measured on the 638 real spend files: 98.2% of £ (gross) and 86.9% of lines; floors a little below."""
    report = classify_book(real_spend_book).table("spend")
    assert report.rows > 1_000_000
    assert report.gbp_classified / report.gbp > Decimal("0.97")
    assert report.rows_classified / report.rows > 0.85
    by_function = {g["function"]: g for g in report.by_function}
    assert sum(g["gbp"] for g in report.by_function) == report.gbp
    # Known answers: the DfE's nine redaction lines (£43.9bn, funding for the Education Funding
    # Agency) are education; Leeds' adult social care lines are adult social care.
    assert real_spend_book.query(
        "SELECT DISTINCT function FROM spend_current WHERE org_id = 'GB-GOR-D6' AND expense_type = 'Redactions'") == \
        [("education",)]
    assert by_function["adult-social-care"]["rows"] > 200_000
    top = [u.label for u in report.rules[:5]]
    assert "rules:schools" in top and "rules:transport" in top


def test_updating_block_by_block_gives_the_same_codes(book, monkeypatch):
    # Big books are updated a few million rows per transaction; blocks of 2 rows must change nothing.
    _insert_spend(book)
    classify_book(book)
    whole = _codes(book)
    monkeypatch.setattr("openbook.store.book.UPDATE_BLOCK_ROWS", 2)
    book.con.execute("UPDATE spend SET function = NULL, capability = NULL, classified_by = NULL, "
                     "classification_confidence = NULL")
    classify_book(book)
    assert _codes(book) == whole and any(codes[0] for codes in whole.values())


# -- judging only values not judged before -------------------------------------------------------

LATER = [(9, "GB-LAE-LDS", "IT Software Licences", "Highways", "Hays", "Road gritting", "42.00", None),
         (10, "GB-GOR-D6", "Postage Charges", "Adult Social Care", "MICROSOFT LIMITED", None, "-7.00", None)]


def _report(report) -> list:
    return [(t.table, t.rows, t.rows_classified, t.gbp, t.gbp_classified, t.by_function,
             [(u.label, u.sets, u.code, u.rows, u.gbp) for u in t.rules]) for t in report.tables]


def test_a_pass_after_a_new_file_judges_only_new_values_and_equals_a_pass_from_scratch(book, tmp_path, monkeypatch):
    _insert_spend(book, SPEND[:4])
    classify_book(book)
    judged: list[str | None] = []
    best = RuleSet.best
    monkeypatch.setattr(RuleSet, "best", lambda self, table, name, raw: judged.append(raw) or best(self, table, name, raw))
    _insert_spend(book, SPEND[4:] + LATER, sha="b" * 64)
    incremental = classify_book(book)
    # Values the first pass judged (e.g. "Hays", "Adult Social Care") are not judged again.
    assert judged and "Hays" not in judged and "Adult Social Care" not in judged and "Road gritting" in judged
    assert _codes(book) == _scratch_codes(tmp_path / "scratch.duckdb")
    assert _report(incremental) == _report(classify_book(Book(tmp_path / "scratch.duckdb")))


def _scratch_codes(path) -> dict[int, tuple]:
    """The codes of SPEND and LATER classified in one pass over a fresh book."""
    with Book(path) as scratch:
        _insert_spend(scratch, SPEND[:4])
        _insert_spend(scratch, SPEND[4:] + LATER, sha="b" * 64)
        classify_book(scratch)
        codes = _codes(scratch)
    assert any(code[0] for code in codes.values()) and any(code[0] is None for code in codes.values())
    return codes


def test_the_pass_after_ingest_codes_only_new_rows_and_gives_the_same_codes(book, tmp_path):
    _insert_spend(book, SPEND[:4])
    classify_book(book)
    book.con.execute("UPDATE spend SET classified_by = 'rules:marked' WHERE source_line = 2")
    _insert_spend(book, SPEND[4:] + LATER, sha="b" * 64)
    report = classify_book(book, new_rows=True)
    codes = _codes(book)
    assert codes[2][2] == "rules:marked"  # rows a pass under the same rules coded are left alone
    book.con.execute("UPDATE spend SET classified_by = 'rules:software+rules:vendor-microsoft' WHERE source_line = 2")
    assert _codes(book) == _scratch_codes(tmp_path / "scratch.duckdb")
    full = classify_book(Book(tmp_path / "scratch.duckdb"))
    assert report.table("spend").rules == [] and full.table("spend").rules
    assert [(t.rows, t.rows_classified, t.gbp, t.gbp_classified, t.by_function) for t in report.tables] == \
        [(t.rows, t.rows_classified, t.gbp, t.gbp_classified, t.by_function) for t in full.tables]


def test_after_a_pass_stopped_midway_the_pass_after_ingest_goes_over_every_row(book):
    _insert_spend(book)
    classify_book(book)
    before = _codes(book)
    book.con.execute("UPDATE spend SET function = 'legal', classified_by = 'rules:other' WHERE source_line = 2")
    book.set_classification_pass("spend", None)  # what a pass that did not finish leaves
    classify_book(book, new_rows=True)
    assert _codes(book) == before


def test_changed_rules_judge_every_value_again(book, tmp_path):
    _insert_spend(book)
    classify_book(book)
    mapping = tmp_path / "mine.csv"
    mapping.write_text("table,field,match,value,function,capability,note\n"
                       "spend,supplier_name,exact,Hays,legal,,our agency\n", encoding="utf-8")
    classify_book(book, mapping)
    assert _codes(book)[4][:3] == ["legal", None, "user:mine.csv"]
    classify_book(book, drop_mapping=True)
    assert _codes(book)[4][:3] == ["finance", None, "rules:area-finance"]
