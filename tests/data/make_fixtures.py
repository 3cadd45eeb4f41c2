"""Writes the crafted fixtures in this folder; run it after changing one (python make_fixtures.py).

Each file is a few lines named for the defect it carries. The scenario is one small council,
Trafford Council, publishing its April 2024 'spend over £500' in a different dialect per file;
`everything-wrong.csv` packs every row-level problem into one file, and its complete list of
(line, column, code) is asserted in tests/ingest/test_fixtures.py.
"""

from pathlib import Path

HERE = Path(__file__).parent
CRLF = "\r\n"

FIXTURES = {
    "everything-wrong.csv": ("utf-8", "\n", [
        "Spend over £500 - Trafford Council - April 2024",
        "",
        "Body Name,Date,Supplier,Transaction Number,Amount,Expense Type",
        'Trafford Council,01/04/2024,Acme Ltd,T1,"£1,234.56",Stationery',
        "Trafford Council,31/02/2024,Acme Ltd,T2,100.00,Stationery",
        "Trafford Council,02/04/2024,,T3,50.00,Stationery",
        'Trafford Council,03/04/2024,Beta plc,T4,"1,2O0.00",Travel',
        "Trafford Council,,Beta plc,T5,,Travel",
        "Nowhere Parish Council,04/04/2024,Gamma LLP,T6,10.00,Travel",
        "Trafford Council,05/04/2024,Delta Ltd,T7,(250.00),Refund",
        "Trafford Council,06/04/2024,Delta Ltd,T8,99.999,Travel",
        "Trafford Council,07/04/2024,Epsilon,T9,20.00,Travel,surprise",
        "Trafford Council,Apr-24,Zeta Ltd,T10,30.00,Travel",
        "Trafford Council,12/04/1901,Zeta Ltd,T11,30.00,Travel",
        ",,,,,",
        'Total,,,,"1,234.56",',
        "Data excludes payments to individuals",
    ]),
    "preamble-rows.csv": ("utf-8", CRLF, [
        "Trafford Council",
        "Payments to suppliers over £500",
        "April 2024",
        "",
        "Body Name,Payment Date,Supplier Name,Net Amount",
        "Trafford Council,02/04/2024,Acme Ltd,600.00",
        "Trafford Council,03/04/2024,Beta plc,700.50",
    ]),
    "cp1252-pound.csv": ("cp1252", CRLF, [
        "Body Name,Date Paid,Supplier Name,Amount",
        'Trafford Council,02/04/2024,Café Nero Ltd,"£1,000.00"',
        "Trafford Council,03/04/2024,Beta plc,£2.50",
    ]),
    "utf8-bom.csv": ("utf-8-sig", "\n", [
        "Body Name,Date,Supplier,Amount",
        "Trafford Council,2024-04-02,Acme Ltd,10.00",
        "Trafford Council,2024-04-03,Beta plc,-5.25",
    ]),
    "totals-footer.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount",
        "Trafford Council,02/04/2024,Acme Ltd,10.00",
        "Trafford Council,03/04/2024,Beta plc,20.00",
        ",,Grand Total,30.00",
    ]),
    "amount-styles.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount",
        'Trafford Council,02/04/2024,A Ltd,"£1,234.56"',
        "Trafford Council,02/04/2024,B Ltd,(1234.56)",
        "Trafford Council,02/04/2024,C Ltd,-1234.56",
        'Trafford Council,02/04/2024,D Ltd,"1,234.56-"',
        "Trafford Council,02/04/2024,E Ltd,1234.5",
        'Trafford Council,02/04/2024,F Ltd,"1,234.56 CR"',
    ]),
    "date-styles.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount",
        "Trafford Council,12/04/2019,A Ltd,1.00",
        "Trafford Council,12-Apr-19,B Ltd,1.00",
        "Trafford Council,2019-04-12,C Ltd,1.00",
        "Trafford Council,43567,D Ltd,1.00",
        "Trafford Council,12 April 2019,E Ltd,1.00",
        "Trafford Council,12/04/19,F Ltd,1.00",
    ]),
    "month-first-dates.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount",
        "Trafford Council,04/13/2024,A Ltd,1.00",
        "Trafford Council,04/05/2024,B Ltd,1.00",
        "Trafford Council,04/04/2024,C Ltd,1.00",
    ]),
    "semicolon.csv": ("utf-8", "\n", [
        "Body Name;Date;Supplier;Amount",
        "Trafford Council;02/04/2024;Acme Ltd;1234,00".replace("1234,00", "1234.00"),
        "Trafford Council;03/04/2024;Beta plc;5.00",
    ]),
    "no-body-column.csv": ("utf-8", "\n", [
        "Date,Supplier,Amount",
        "02/04/2024,Acme Ltd,10.00",
    ]),
    "nil-return.csv": ("cp1252", CRLF, [
        "Trafford Council",
        "Spend over £500 - May 2024",
        "",
        "NIL RETURN",
    ]),
    "metadata-pasted.csv": ("utf-8", "\n", [
        "Title,Spend over £500",
        "Description,Payments to suppliers",
        "Publisher,Trafford Council",
        "Licence,OGL v3",
        "Update frequency,Monthly",
    ]),
    "supplier-named-total.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount",
        "Trafford Council,02/04/2024,Total Gas & Power Ltd,10.00",
        "Trafford Council,,TOTAL DIAGNOSTICS LTD,20.00",
        "Trafford Council,,,30.00",
    ]),
    "header-only.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount",
    ]),
    "formula-and-script-names.csv": ("utf-8", "\n", [
        "Body Name,Date,Supplier,Amount,Description",
        'Trafford Council,02/04/2024,"=HYPERLINK(""http://x"",""y"")",100.00,Stationery',
        "Trafford Council,03/04/2024,<script>alert(1)</script>,200.00,@SUM(1+1)",
        "Trafford Council,04/04/2024,Acme Ltd,-250.00,+44 161 912 2000",
    ]),
}


def main() -> None:
    for name, (encoding, newline, lines) in FIXTURES.items():
        (HERE / name).write_bytes((newline.join(lines) + newline).encode(encoding))
    # A legacy Excel workbook saved as .csv starts with the OLE2 compound-file signature.
    (HERE / "excel-binary.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))


if __name__ == "__main__":
    main()
