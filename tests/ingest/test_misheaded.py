"""Mis-headed spend files: references under the amount header are never read as pounds.

A real tuning-half publication is rewritten so that its zero-padded transaction references sit
under the 'Amount' header (the layout that read an NHS file's 0080047757 as £80,047,757): the
amounts are found in the column that holds them and the file loads with the same rows and pence,
with a warning; with no column of amounts left, the file is refused with a coded reason. A
generated file whose description holds the money is re-aligned the same way.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.ingest import validate_file
from openbook.ingest.layout import _MONEY

ROWS = 60
AMOUNT = re.compile(r"^amount( in sterling)?$", re.I)
REFERENCE = re.compile(r"^transaction (number|no)$", re.I)


def _rows(path: Path, header: list[str]) -> list[list[str]] | None:
    raw = path.read_bytes()
    text = next((raw.decode(e) for e in ("utf-8-sig", "cp1252") if _decodes(raw, e)), raw.decode("latin-1"))
    found = None
    for row in csv.reader(io.StringIO(text, newline="")):
        cells = [c.strip() for c in row]
        if found is None:
            if cells[:len(header)] == header:
                found = [cells[:len(header)]]
            continue
        if any(cells):
            found.append((cells + [""] * len(header))[:len(header)])
        if len(found) > ROWS:
            break
    return found


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


@pytest.fixture(scope="module")
def real_case(shared_data, publisher_split):
    """(org, rows, amount column, reference column) of the first tuning-half spend file, in path
    order, with an amount and a transaction-number column whose sampled amounts are all money."""
    for row in sorted(publisher_split["tuning"], key=lambda r: r["local_path"]):
        if "spend" not in row["kind"] or not row["header"]:
            continue
        header = [c.strip() for c in row["header"].split(" | ")]
        amount = next((i for i, c in enumerate(header) if AMOUNT.match(c)), None)
        reference = next((i for i, c in enumerate(header) if REFERENCE.match(c)), None)
        if amount is None or reference is None:
            continue
        rows = _rows(shared_data / row["local_path"], header)
        if not rows or len(rows) < ROWS // 2:
            continue
        body = rows[1:]
        if all(_MONEY.match(r[amount]) for r in body) and all(r[reference].isdigit() for r in body):
            return row["publisher"] or None, rows, amount, reference
    pytest.skip("no tuning-half file with money amounts and numeric references")


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    return path


def test_references_under_the_amount_header_are_re_aligned_to_the_real_amounts(real_case, tmp_path):
    org, rows, amount, reference = real_case
    plain = validate_file(_write(tmp_path / "plain.csv", rows), org=org)
    assert plain.status == "checked" and plain.accepted == len(rows) - 1
    # The values sit under each other's headers; the references are zero-padded.
    shifted = [list(r) for r in rows]
    for r in shifted[1:]:
        r[amount], r[reference] = "00" + r[reference], r[amount]
    report = validate_file(_write(tmp_path / "misheaded.csv", shifted), org=org)
    assert report.problem_counts.get("amount-column-realigned") == 1
    assert (report.accepted, report.amount_pence) == (plain.accepted, plain.amount_pence)


def test_a_file_with_no_column_of_amounts_left_is_refused_with_a_code(real_case, tmp_path):
    org, rows, amount, reference = real_case
    refs_only = [list(r) for r in rows]
    for r in refs_only[1:]:
        r[amount] = "00" + r[reference]
    report = validate_file(_write(tmp_path / "refs.csv", refs_only), org=org)
    assert report.status == "rejected" and report.rejection.code == "amount-column-suspect"
    assert rows[0][amount] in report.rejection.message or rows[0][amount] in str(report.rejection.text)
    assert report.amount_pence == 0


def test_a_generated_file_whose_description_holds_the_money_is_re_aligned(tmp_path):
    lines = [["Date", "Supplier", "Transaction Number", "Amount", "Description"]]
    amounts = [Decimal("1234.56") + i * 1000 for i in range(20)]
    for i, value in enumerate(amounts):
        lines.append([f"0{i % 9 + 1}/04/2015", f"Supplier {i}", "", f"{80047757 + i:010d}", f"{value:,.2f}"])
    report = validate_file(_write(tmp_path / "generated.csv", lines), org="GB-GOR-D6")
    assert report.problem_counts.get("amount-column-realigned") == 1
    assert report.accepted == 20 and report.amount_pence == int(sum(amounts) * 100)
    realigned = {c["column"]: c["field"] for c in report.columns}
    assert realigned["Description"] == "amount_gbp" and realigned["Amount"] == "txn_ref"


def test_whole_pound_amounts_with_words_beside_them_are_left_alone(tmp_path):
    lines = [["Date", "Supplier", "Amount", "Description"]]
    lines += [[f"0{i % 9 + 1}/04/2015", f"Supplier {i}", str(25000 + i), "Consultancy"] for i in range(20)]
    report = validate_file(_write(tmp_path / "whole.csv", lines), org="GB-GOR-D6")
    assert "amount-column-realigned" not in report.problem_counts and report.accepted == 20
