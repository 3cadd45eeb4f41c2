"""Council contract registers: crafted registers in the column names councils use (the shared
data holds no real one), each defect coded at its line and column; registers never take spend
files, and spend never takes registers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook

from openbook.ingest import ingest_file
from openbook.ingest.pipeline import choose_importer

# A Transparency Code register as a district council publishes it: a title row, the Code's ten
# items under their usual names, a withheld value, a blank line, then a row with a letter O in
# its value, a 31 February start and a VCSE cell that is neither yes nor no.
CODE_REGISTER = (
    "Contracts Register - Testshire Borough Council,,,,,,,,,,,,,\n"
    "Reference Number,Title of Agreement,Responsible Department,Description of goods or services,Supplier Name,"
    "Company Number,Contract Value (£),Irrecoverable VAT,Start Date,End Date,Review Date,Procurement Route,SME,VCSE\n"
    'CR-001,Grounds maintenance,Environment,Parks grass cutting,Green Acre Ltd,01234567,"£125,000.00",0,'
    "01/04/2023,31/03/2026,30/09/2025,Published invitation to tender,Yes,No\n"
    "CR-002,Payroll bureau,Finance,Payroll processing,Pay Co Ltd,07654321,Commercially sensitive,,01/05/2023,"
    "30/04/2025,,Invitation to quote,No,No\n"
    ",,,,,,,,,,,,,\n"
    "CR-003,Youth club,Children's Services,Youth provision,Kids First,,12O00,,31/02/2023,01/01/2024,,"
    "Direct award,Y,Maybe\n"
    "CR-004,Legal advice,Legal,Counsel,,,5000,,01/06/2023,01/05/2023,,Quote,,\n"
)

# The LGA contracts schema's names: the body is named in the file, so no --org is needed.
LGA_REGISTER = (
    "OrganisationLabel,OrganisationURI,ContractReference,ContractTitle,ServiceLabel,SupplierName,"
    "SupplierCompanyNumber,CPV Code,ContractValue,AnnualValue,StartDate,EndDate,ReviewDate,ProcurementType,"
    "SMEFlag,VCSEType,OCID\n"
    "Trafford Council,http://opendatacommunities.org/id/metropolitan-district-council/trafford,TMBC-77,"
    "Home care framework,Adult Social Care,Care Partners Ltd,09876543,85000000-9 Health services,2400000,"
    "600000,2022-04-01,2026-03-31,2024-03-31,Open,Y,Not VCSE,ocds-abc-77\n"
)


def test_a_code_register_codes_each_defect_at_its_line_and_column(book, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(CODE_REGISTER, encoding="utf-8")
    report = ingest_file(book, path, org="Trafford Council")
    assert (report.dataset, report.status) == ("contract", "loaded")
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (7, 2, 2, 3)
    assert book.query("SELECT source_line, column_number, column_name, severity, code FROM quarantine "
                      "WHERE severity <> 'structural' ORDER BY 1, 2") == [
        (4, 7, "Contract Value (£)", "warning", "value-not-read"),
        (6, 7, "Contract Value (£)", "error", "amount-not-a-number"),
        (6, 9, "Start Date", "error", "date-invalid"),
        (6, 14, "VCSE", "warning", "value-not-read"),
        (7, 5, "Supplier Name", "error", "supplier-missing"),
        (7, 10, "End Date", "warning", "dates-reversed")]
    assert book.query("SELECT source_line, code FROM quarantine WHERE severity = 'structural' ORDER BY 1") == [
        (1, "preamble-row"), (2, "header-row"), (5, "blank-row")]
    assert report.amount_pence == 12_500_000


def test_a_code_register_row_fills_the_contract_table(book, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(CODE_REGISTER, encoding="utf-8")
    ingest_file(book, path, org="GB-LAE-TRF")
    rows = book._dicts("SELECT * FROM contract ORDER BY source_line")
    assert [r["contract_ref"] for r in rows] == ["CR-001", "CR-002"]
    first, withheld = rows
    assert {k: first[k] for k in ("org_id", "buyer_name", "title", "department", "supplier_name",
                                  "supplier_company_number", "value_amount", "value_currency", "value_gbp",
                                  "vat_irrecoverable_gbp", "start_date", "end_date", "review_date",
                                  "procurement_method", "supplier_sme", "supplier_vcse", "source_item")} == {
        "org_id": "GB-LAE-TRF", "buyer_name": "Trafford Metropolitan Borough Council",
        "title": "Grounds maintenance", "department": "Environment", "supplier_name": "Green Acre Ltd",
        "supplier_company_number": "01234567", "value_amount": Decimal("125000.00"), "value_currency": "GBP",
        "value_gbp": Decimal("125000.00"), "vat_irrecoverable_gbp": Decimal("0.00"),
        "start_date": date(2023, 4, 1), "end_date": date(2026, 3, 31), "review_date": date(2025, 9, 30),
        "procurement_method": "Published invitation to tender", "supplier_sme": True, "supplier_vcse": False,
        "source_item": 1}
    assert (withheld["value_amount"], withheld["value_gbp"], withheld["value_currency"]) == (None, None, None)


def test_an_lga_register_names_its_body_and_needs_no_org(book, tmp_path):
    path = tmp_path / "lga.csv"
    path.write_text(LGA_REGISTER, encoding="utf-8")
    report = ingest_file(book, path)
    assert (report.accepted, report.publisher, report.amount_pence) == (1, "GB-LAE-TRF", 240_000_000)
    assert book.query("SELECT org_id, ocid, cpv, cpv_codes, annual_value_amount, supplier_sme, supplier_vcse, "
                      "department FROM contract") == [
        ("GB-LAE-TRF", "ocds-abc-77", "85000000-9", ["85000000-9"], Decimal("600000.00"), True, False,
         "Adult Social Care")]


def test_a_register_that_names_no_body_needs_org(book, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(CODE_REGISTER, encoding="utf-8")
    report = ingest_file(book, path)
    assert (report.status, report.rejection.code) == ("rejected", "publisher-unknown")


def test_an_xlsx_register_with_typed_dates_and_numbers(book, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Contract Ref", "Contract Title", "Supplier", "Total Contract Value", "Contract Start Date",
                  "Contract End Date"])
    sheet.append(["X-1", "Cleaning", "Shine Ltd", 48000.005, date(2024, 1, 1), date(2027, 12, 31)])
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    report = ingest_file(book, path, org="GB-LAE-TRF")
    assert (report.dataset, report.accepted) == ("contract", 1)
    assert book.query("SELECT value_gbp, start_date, end_date FROM contract") == [
        (Decimal("48000.00"), date(2024, 1, 1), date(2027, 12, 31))]
    assert book.query("SELECT code, column_number FROM quarantine WHERE severity = 'warning'") == [
        ("amount-rounded", 4)]


@pytest.mark.parametrize(("header", "importer"), [
    (["Body Name", "Date", "Supplier", "Amount", "Expense Type", "Transaction Number"], "uk-spend"),
    (["Department family", "Entity", "Date", "Expense type", "Expense area", "Supplier", "Transaction number",
      "Amount", "Description", "Contract ID"], "uk-spend"),
    (["Reference Number", "Title", "Supplier Name", "Value", "Start Date", "End Date"], "contracts-register"),
    (["Identifier", "Title", "Currency", "Amount Awarded", "Award Date", "Recipient Org:Name"], "grants-360"),
])
def test_each_header_goes_to_its_own_importer(header, importer):
    assert choose_importer([header]).name == importer
