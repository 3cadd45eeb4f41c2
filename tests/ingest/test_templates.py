"""Templates are generated from the schemas, and a filled one loads back exactly (CSV and XLSX)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from openbook import standard
from openbook.ingest import ingest_file, validate_file
from openbook.ingest.registers import check_references
from openbook.ingest.standard_check import check_rows
from openbook.ingest.templates import NOT_IN_TEMPLATES, TEMPLATE_TABLES, readme_markdown, template_header, write_template

SYSTEM_ROWS = [
    ["GB-GOR-D9", "FIN-001", "Oracle Finance", "Oracle EBS", "Oracle UK", "finance-erp", "finance", "saas",
     "450000.10", "2300", "CF-2019-0042", "2026-03-31", "2025-04-01"],
    ["Department for Transport", "HR-001", "iTrent", "iTrent", "MHR", "hr", "hr", "", "0.20", "1", "", "", ""],
]


def fill_csv(path, table, rows):
    write_template(table, path)
    with open(path, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def problems(report):
    return sorted(((p.line, p.column_name, p.code) for p in report.problems), key=lambda t: (t[0], t[1] or "", t[2]))


# -- generated from the schemas ---------------------------------------------------------------

@pytest.mark.parametrize("table", TEMPLATE_TABLES)
def test_template_header_is_the_schema_fields_openbook_does_not_fill(table, tmp_path):
    expected = [f["name"] for f in standard.load_schema(table)["fields"] if f["name"] not in NOT_IN_TEMPLATES]
    assert template_header(table) == expected and "source_sha256" not in expected
    written = write_template(table, tmp_path / f"{table}.csv")
    assert written == [tmp_path / f"{table}.csv", tmp_path / f"{table}.README.md"]
    assert (tmp_path / f"{table}.csv").read_text(encoding="utf-8").splitlines() == [",".join(expected)]
    readme = (tmp_path / f"{table}.README.md").read_text(encoding="utf-8")
    assert readme == readme_markdown(table)
    assert all(f"| {name} |" in readme for name in expected)


def test_readmes_list_every_code_of_the_code_lists_they_use(tmp_path):
    readme = readme_markdown("system")
    assert all(f"`{row['code']}`" in readme for row in standard.code_list("capabilities"))
    assert all(f"`{row['code']}`" in readme for row in standard.code_list("functions"))
    costs = readme_markdown("cost_line")
    assert "## Code list `cost_categories`" in costs and "`direct-labour` | Direct labour" in costs
    assert "| agreed_margin_pct | Agreed margin (%) | number | no |" in costs


def test_xlsx_template_has_the_header_a_readme_sheet_and_drop_downs(tmp_path):
    path = tmp_path / "system.xlsx"
    write_template("system", path, "xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["system", "README", "codes"] and book["codes"].sheet_state == "hidden"
    sheet = book["system"]
    assert [c.value for c in sheet[1]] == template_header("system")
    readme = list(book["README"].iter_rows(values_only=True))
    assert readme[0] == ("field", "title", "type", "required", "description", "example", "allowed values")
    by_field = {row[0]: row for row in readme[1:len(template_header("system")) + 1]}
    assert by_field["capability"][3] == "yes" and by_field["capability"][5] == "finance-erp"
    assert by_field["annual_cost_gbp"][2] == "number (pounds, to the penny)"
    assert by_field["hosting"][6] == "on-premises, private-cloud, public-cloud, saas, shared-service"
    assert by_field["capability"][6].startswith("codes/capabilities.csv: payments, notifications")
    codes = {sheet_col[0].value: [c.value for c in sheet_col[1:] if c.value] for sheet_col in book["codes"].iter_cols()}
    assert codes["capability"] == [row["code"] for row in standard.code_list("capabilities")]
    ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert ranges["F2:F5001"] == f"=codes!$A$2:$A${len(codes['capability']) + 1}"  # capability is column F
    assert len(ranges) == 3  # capability, function, hosting


def test_an_existing_file_is_not_overwritten_without_force(tmp_path):
    from openbook.errors import UsageError

    path = tmp_path / "system.csv"
    write_template("system", path)
    path.write_text("my filled rows", encoding="utf-8")
    with pytest.raises(UsageError, match="already exists"):
        write_template("system", path)
    assert path.read_text(encoding="utf-8") == "my filled rows"
    write_template("system", path, force=True)
    assert path.read_text(encoding="utf-8").startswith("org_id,system_ref")
    with pytest.raises(UsageError, match="choose one of system, process, cost_line, budget"):
        write_template("spend", tmp_path / "spend.csv")


# -- a filled template loads ------------------------------------------------------------------

def test_filled_csv_template_validates_and_loads_with_exact_money(book, tmp_path):
    path = fill_csv(tmp_path / "systems.csv", "system", SYSTEM_ROWS)
    checked = validate_file(path)
    assert (checked.dataset, checked.rows_read, checked.accepted, checked.quarantined) == ("system", 3, 2, 0)
    report = ingest_file(book, path)
    assert (report.status, report.rows_read, report.accepted, report.structural) == ("loaded", 3, 2, 1)
    assert report.amount_pence == 45000030
    rows = book.query("SELECT org_id, system_ref, annual_cost_gbp, users, contract_end, source_line FROM system "
                      "ORDER BY source_line")
    assert rows == [("GB-GOR-D9", "FIN-001", Decimal("450000.10"), 2300, date(2026, 3, 31), 2),
                    ("GB-GOR-D9", "HR-001", Decimal("0.20"), 1, None, 3)]  # a name resolves to the body's id
    assert book.query("SELECT sum(annual_cost_gbp) FROM system") == [(Decimal("450000.30"),)]
    source = book.source(report.sha256)
    assert (source["adapter"], source["dataset"], source["publisher"]) == ("template-system", "system", "GB-GOR-D9")


def test_filled_xlsx_template_loads_with_exact_money_and_real_dates(book, tmp_path):
    path = tmp_path / "costs.xlsx"
    write_template("cost_line", path, "xlsx")
    workbook = load_workbook(path)
    sheet = workbook["cost_line"]
    sheet.append(["CF-1", "GB-GOR-D9", None, "Acme Ltd", "2024-03", "revenue", None, None, None, None, None,
                  1234567.89, 8.5, None])
    sheet.append(["CF-1", "GB-GOR-D9", None, "Acme Ltd", "2024-03", "direct-labour", "Consultant", "Grade 7",
                  950, 12.5, "day", 11875, None, "March"])
    sheet.append(["CF-1", "GB-GOR-D9", None, "Acme Ltd", "2024-03", "materials", None, None, None, None, None,
                  0.1, None, None])
    workbook.save(path)
    report = ingest_file(book, path)
    assert (report.dataset, report.rows_read, report.accepted, report.quarantined) == ("cost_line", 4, 3, 0)
    assert report.problems == []
    rows = book.query("SELECT cost_category, civil_service_grade, rate_gbp, quantity, amount_gbp, agreed_margin_pct "
                      "FROM cost_line ORDER BY source_line")
    assert rows == [("revenue", None, None, None, Decimal("1234567.89"), 8.5),
                    ("direct-labour", "Grade 7", Decimal("950.00"), 12.5, Decimal("11875.00"), None),
                    ("materials", None, None, None, Decimal("0.10"), None)]
    assert report.amount_pence == 1187510  # the register's costs, not its revenue


def test_headers_may_be_titles_in_any_case_and_the_body_may_come_from_org(book, tmp_path):
    path = tmp_path / "processes.csv"
    path.write_text("Process Code,PROCESS NAME,function,  Period ,Annual volume,Annual cost (£),System Reference\n"
                    "9.6.2.3,Pay invoices,finance,2023-24,182000,910000,FIN-001\n", encoding="utf-8")
    report = ingest_file(book, path, org="Manchester City Council")
    assert (report.dataset, report.accepted) == ("process", 1)
    assert book.query("SELECT org_id, process_code, annual_volume, annual_cost_gbp FROM process") == [
        ("GB-LAE-MAN", "9.6.2.3", 182000, Decimal("910000.00"))]


# -- a broken one says where ------------------------------------------------------------------

def test_everything_wrong_in_a_systems_register_is_coded_at_its_line_and_column(book, tmp_path):
    path = tmp_path / "systems.csv"
    path.write_text(
        "Systems register of the Department for Transport\n"                                   # 1 preamble
        "org_id,system_ref,name,product,vendor,capability,function,hosting,annual_cost_gbp,users,"
        "contract_ref,contract_end,as_of\n"                                                     # 2 header
        "GB-GOR-D9,FIN-001,Oracle Finance,,,finance-erp,finance,saas,450000.10,2300,,2026-03-31,\n"  # 3 fine
        "GB-GOR-D9,HR-001,,,,lego-blocks,,,120000,-5,,2026-13-01,\n"                           # 4
        "GB-GOR-D9,FIN-001,Repeat,,,finance-erp,,,1,1,,,\n"                                   # 5 same key as 3
        "Nowhere Council,X-1,Thing,,,hr,,,£12,12.5,,31/03/2026,\n"                             # 6
        ",,,,,,,,,,,,\n"                                                                       # 7 blank
        "GB-GOR-D9,PAY-1,Payroll,,,payroll,,,10.005,,,,,surplus\n"                             # 8
        "GB-GOR-D9,WEB-1,Website,,,web-publishing,,cloud,NaN,,,,\n",                           # 9
        encoding="utf-8")
    report = ingest_file(book, path)
    assert problems(report) == [
        (4, "capability", "unknown-code"), (4, "contract_end", "type-error"), (4, "name", "value-missing"),
        (4, "users", "constraint-error"),
        (5, "system_ref", "key-duplicated"),
        (6, "annual_cost_gbp", "type-error"), (6, "contract_end", "type-error"), (6, "org_id", "unknown-organisation"),
        (6, "users", "type-error"),
        (8, None, "extra-cell"), (8, "annual_cost_gbp", "amount-rounded"),
        (9, "annual_cost_gbp", "type-error"), (9, "hosting", "constraint-error"),
    ]
    columns = {(p.line, p.column_name): p.column_number for p in report.problems}
    assert (columns[(4, "users")], columns[(8, None)], columns[(6, "org_id")], columns[(9, "hosting")]) == (10, 14, 1, 8)
    by_code = {p.code: p for p in report.problems}
    assert by_code["key-duplicated"].message == "column 'system_ref': 'GB-GOR-D9 / FIN-001' repeats the record on line 3"
    assert by_code["amount-rounded"].value == "10.005" and by_code["amount-rounded"].detail == "10.00"
    # Line 8's rounding alone would be a flag, but its extra cell quarantines it: only line 3 loads.
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (9, 1, 5, 3)
    assert book.query("SELECT system_ref FROM system") == [("FIN-001",)]
    stored = book.query("SELECT source_line, column_number, code FROM quarantine WHERE severity = 'error' "
                        "AND code = 'unknown-code'")
    assert stored == [(4, 6, "unknown-code")]


def test_a_fraction_of_a_penny_is_accepted_rounded_half_even_with_a_flag(book, tmp_path):
    path = fill_csv(tmp_path / "systems.csv", "system",
                    [["GB-GOR-D9", "PAY-1", "Payroll", "", "", "payroll", "", "", "10.005", "", "", "", ""]])
    report = ingest_file(book, path)
    assert (report.accepted, problems(report)) == (1, [(2, "annual_cost_gbp", "amount-rounded")])
    assert book.query("SELECT annual_cost_gbp FROM system") == [(Decimal("10.00"),)]


@pytest.mark.parametrize("header, code, message", [
    ("org_id,system_ref,name,capability,colour", "column-unknown", "no column 'colour'"),
    ("org_id,system_ref,name,capability,Name", "column-duplicated", "'Name' names a column already"),
    ("org_id,system_ref,product,capability", "column-missing", "no name column"),
])
def test_a_header_the_template_does_not_know_rejects_the_file(book, tmp_path, header, code, message):
    path = tmp_path / "systems.csv"
    path.write_text(header + "\nGB-GOR-D9,A,B,hr,x\n", encoding="utf-8")
    report = ingest_file(book, path)
    assert (report.status, report.rejection.code) == ("rejected", code)
    assert message in report.rejection.message


def test_a_template_with_no_rows_is_rejected(book, tmp_path):
    path = tmp_path / "system.csv"
    write_template("system", path)
    report = ingest_file(book, path)
    assert (report.status, report.rejection.code) == ("rejected", "no-data-rows")


def test_cost_lines_check_their_arithmetic_and_one_agreed_margin(book, tmp_path):
    path = fill_csv(tmp_path / "costs.csv", "cost_line", [
        ["CF-1", "GB-GOR-D9", "", "Acme", "2024-03", "revenue", "", "", "", "", "", "1000", "8.5", ""],
        ["CF-1", "GB-GOR-D9", "", "Acme", "2024-03", "direct-labour", "Analyst", "HEO", "400", "2", "day", "850", "9", ""],
        ["CF-1", "GB-GOR-D9", "", "Acme", "March 2024", "overhead", "", "", "", "", "", "10", "", ""],
        ["CF-1", "GB-GOR-D9", "", "Acme", "2024-03", "profit", "", "", "", "", "", "10", "", ""],
    ])
    report = ingest_file(book, path)
    assert problems(report) == [(3, "agreed_margin_pct", "agreed-margin-conflict"),
                                (3, "amount_gbp", "amount-differs-from-rate"),
                                (4, "period", "constraint-error"), (5, "cost_category", "unknown-code")]
    assert (report.accepted, report.quarantined) == (2, 2)


def test_a_process_on_a_system_its_body_does_not_have_is_flagged_whichever_loads_first(book, tmp_path):
    processes = fill_csv(tmp_path / "processes.csv", "process", [
        ["GB-GOR-D9", "9.6.2.3", "Pay invoices", "finance", "", "2023-24", "182000", "910000", "FIN-001"],
        ["GB-GOR-D9", "7.1", "Onboard starters", "hr", "", "2023-24", "1200", "80000", "HR-999"],
        ["GB-LAE-MAN", "7.1", "Onboard starters", "hr", "", "2023-24", "1200", "80000", "HR-999"],  # no systems known
    ])
    flagged = "SELECT source_line, column_name, column_number, raw_value, severity FROM quarantine " \
              "WHERE code = 'system-ref-unknown'"
    assert ingest_file(book, processes).accepted == 3
    assert book.query(flagged) == []  # no systems of the body loaded yet: not judged
    ingest_file(book, fill_csv(tmp_path / "systems.csv", "system", SYSTEM_ROWS))
    assert book.query(flagged) == [(3, "system_ref", 9, "HR-999", "warning")]
    assert check_references(book) == 1 and len(book.query(flagged)) == 1  # re-running replaces, never doubles


def test_validate_reads_templates_through_their_importer(tmp_path):
    path = fill_csv(tmp_path / "systems.csv", "system",
                    [["Nowhere Council", "A-1", "Thing", "", "", "hr", "", "", "", "", "", "", ""]])
    report = validate_file(path)
    assert (report.status, problems(report)) == ("checked", [(2, "org_id", "unknown-organisation")])


def test_the_shared_cell_checks_refuse_half_integers_and_non_finite_money():
    rows = [["12.5", "1e3", "NaN"], ["12", "inf", "10.25"], ["0x10", "1e16", "-3"]]
    assert check_rows("system", ["users", "annual_cost_gbp", "annual_cost_gbp"], rows) == {
        0: ["type-error", None, "type-error"], 1: [None, "type-error", None],
        2: ["type-error", "type-error", "constraint-error"]}
