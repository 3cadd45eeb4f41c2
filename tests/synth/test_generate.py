"""synth writes what its truth says: re-read every file independently and compare.

The readers here are deliberately naive (csv module, openpyxl, strptime), so they check the
generator without sharing its code: a generator bug shows up as a mismatch, not as the
same mistake made twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
import pytest

from openbook.synth import SynthResult, generate, generate_flat

KINDS = {"ministerial-department", "executive-agency", "executive-ndpb", "county-council",
         "district-council", "metropolitan-district", "unitary-authority", "london-borough",
         "nhs-trust", "nhs-foundation-trust"}
DIALECTS = {"central-25k", "central-25k-titled", "lgtc-500", "sercop-legacy", "nhs-trust"}
AMOUNT_COLUMNS = {"Amount", "Amount in Sterling", "Net Amount", "AP Amount"}
DATE_COLUMNS = {"Date", "Date of Payment", "Date Paid"}
SUPPLIER_COLUMNS = {"Supplier", "Supplier Name"}
ENTITY_COLUMNS = {"Entity", "Body Name", "Body name", "Trust"}
TXN_COLUMN = "Transaction Number"
ROWS = 8_000


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> SynthResult:
    """One default-shaped sector, with rates raised so every planted kind appears."""
    out = tmp_path_factory.mktemp("synth") / "sector"
    return generate(out, seed=7, rows=ROWS, duplicate_rate=0.02, bad_row_rate=0.01)


def _csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def files(sample) -> list[dict]:
    return _csv(sample.truth_dir / "files.csv")


def read_rows(out: Path, f: dict) -> list[list]:
    """Every physical line (CSV) or sheet row (XLSX) as a list of cells; index 0 is line 1."""
    path = out / f["file"]
    if f["format"] == "xlsx":
        ws = openpyxl.load_workbook(path).active
        return [["" if c is None else c for c in r] for r in ws.iter_rows(values_only=True)]
    text = path.read_bytes().decode(f["encoding"])  # 'utf-8-sig' drops the BOM
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=f["delimiter"]))


def parse_amount(cell) -> int:
    """Pence from any style the publishers use; ValueError if it is not a number."""
    if isinstance(cell, (int, float)):
        return int(Decimal(repr(cell)) * 100)
    s = str(cell).strip().replace("£", "").replace(",", "")
    neg = s.startswith("(") and s.endswith(")")
    s = s.strip("()")
    if not re.fullmatch(r"-?\d+(\.\d{1,2})?", s):
        raise ValueError(cell)
    try:
        p = int(Decimal(s) * 100)
    except InvalidOperation as e:
        raise ValueError(cell) from e
    return -p if neg else p


def parse_date(cell) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    s = str(cell).strip()
    if re.fullmatch(r"\d{5}", s):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(s))
    for fmt in ("%d/%m/%Y", "%d-%b-%y", "%d-%b-%Y", "%Y-%m-%d", "%d %B %Y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise ValueError(cell)


def is_data(row: list) -> bool:
    """A payment record: several filled cells, not a totals line (notes have one cell)."""
    filled = [c for c in row if c != ""]
    return len(filled) >= 3 and row[0] != "Total"


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


# ---- determinism -----------------------------------------------------------------------

def test_same_arguments_give_the_same_bytes(tmp_path):
    args = dict(seed=3, rows=2_500, months=3, bodies=12)
    a = generate(tmp_path / "a", **args)
    b = generate(tmp_path / "b", **args)
    generate(tmp_path / "c", **{**args, "seed": 4})
    assert a.files == b.files == 36
    assert tree_hash(tmp_path / "a") == tree_hash(tmp_path / "b")
    assert tree_hash(tmp_path / "a") != tree_hash(tmp_path / "c")


def test_worker_count_does_not_change_the_output(tmp_path):
    args = dict(seed=5, rows=3_000, months=2, bodies=8)
    generate(tmp_path / "one", workers=1, **args)
    generate(tmp_path / "two", workers=2, **args)
    assert tree_hash(tmp_path / "one") == tree_hash(tmp_path / "two")


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.csv").write_text("x")
    with pytest.raises(FileExistsError):
        generate(tmp_path, rows=10)


# ---- counts and shapes -----------------------------------------------------------------

def test_row_and_file_counts_add_up(sample, files):
    assert sample.rows == ROWS == sum(int(f["data_rows"]) for f in files)
    assert sample.files == len(files) == 24 * 12
    nil = [f for f in files if f["dialect"] == "nil-return"]
    assert 1 <= len(nil) <= 10
    assert all(f["data_rows"] == "0" and f["amount_good_pence"] == "0" for f in nil)
    for f in files:
        assert int(f["rows_read"]) == int(f["data_rows"]) + int(f["structural_rows"])
        assert Path(f["file"]).suffix == "." + f["format"]


def test_every_dialect_and_style_appears(files):
    assert {f["dialect"] for f in files} == DIALECTS | {"nil-return"}
    csvs = [f for f in files if f["format"] == "csv"]
    assert {f["encoding"] for f in csvs} == {"utf-8", "utf-8-sig", "cp1252"}
    assert {f["line_ending"] for f in csvs} == {"CRLF", "LF"}
    assert {f["date_style"] for f in csvs} >= {"dmy_slash", "dmy_abbr", "iso", "dmy_long", "serial"}
    assert {f["amount_style"] for f in csvs} >= {"gbp", "thousands", "plain", "accounting", "general"}
    assert any(f["format"] == "xlsx" for f in files)
    assert len({f["org_id"] for f in csvs if f["delimiter"] == ";"}) == 1


def test_rows_read_is_the_physical_line_count(sample, files):
    for f in files:
        path = sample.out_dir / f["file"]
        if f["format"] == "xlsx":
            assert openpyxl.load_workbook(path).active.max_row == int(f["rows_read"]), f["file"]
            continue
        data = path.read_bytes()
        assert data.endswith(b"\n")
        assert data.count(b"\n") == int(f["rows_read"]), f["file"]
        crlf = data.count(b"\r\n")
        assert crlf == (data.count(b"\n") if f["line_ending"] == "CRLF" else 0), f["file"]
        assert data.startswith(b"\xef\xbb\xbf") == (f["encoding"] == "utf-8-sig")


def test_cp1252_files_are_not_utf8(sample, files):
    pound = [f for f in files if f["encoding"] == "cp1252" and f["amount_style"] == "gbp"]
    assert pound, "expected a cp1252 body writing £ amounts"
    data = (sample.out_dir / pound[0]["file"]).read_bytes()
    assert b"\xa3" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_header_line_holds_the_header_and_the_body_names_itself(sample, files):
    orgs = {o["org_id"]: o for o in _csv(sample.organisations_csv)}
    for f in files:
        rows = read_rows(sample.out_dir, f)
        header = [str(c) for c in rows[int(f["header_line"]) - 1]]
        entity = ENTITY_COLUMNS.intersection(header)
        assert len(entity) == 1 and AMOUNT_COLUMNS.intersection(header), f["file"]
        names = {orgs[f["org_id"]]["name"], *orgs[f["org_id"]]["aliases"].split("|")}
        col = header.index(entity.pop())
        for row in rows[int(f["header_line"]):]:
            if is_data(row):
                assert row[col] in names, (f["file"], row[col])


def test_organisations_are_fictional_and_complete(sample):
    orgs = _csv(sample.organisations_csv)
    assert list(orgs[0]) == ["org_id", "name", "kind", "parent_id", "population_served", "staff_fte", "aliases"]
    ids = {o["org_id"] for o in orgs}
    assert len(ids) == len(orgs) == 24
    assert all(re.fullmatch(r"XX-SYNTH-[A-Za-z0-9]+", i) for i in ids)
    assert {o["kind"] for o in orgs} == KINDS
    for o in orgs:
        assert float(o["staff_fte"]) > 0
        if o["kind"] == "executive-agency":
            assert o["parent_id"] in ids
        assert bool(o["population_served"]) == ("council" in o["kind"] or o["kind"] in
                                                {"metropolitan-district", "unitary-authority", "london-borough"})
    names = [n for o in orgs for n in [o["name"], *o["aliases"].split("|")]]
    assert len(names) == len(set(names)), "a name or alias must point at one body"
    spend_orgs = {p.name for p in (sample.out_dir / "spend").iterdir()}
    assert spend_orgs <= ids


# ---- money, defects, duplicates -------------------------------------------------------

def test_amounts_and_bad_rows_match_an_independent_reparse(sample, files):
    bad = {}
    for b in _csv(sample.truth_dir / "bad_rows.csv"):
        bad[(b["file"], int(b["line"]))] = b
    variants = {v["variant_name"] for v in _csv(sample.truth_dir / "suppliers.csv")}
    checked = Counter()
    for f in files:
        rows = read_rows(sample.out_dir, f)
        assert len(rows) == int(f["rows_read"])
        h = int(f["header_line"])
        header = [str(c) for c in rows[h - 1]]
        amount = header.index(AMOUNT_COLUMNS.intersection(header).pop())
        date = header.index(DATE_COLUMNS.intersection(header).pop())
        supplier = header.index(SUPPLIER_COLUMNS.intersection(header).pop())
        total = n_data = n_bad = 0
        for line, row in enumerate(rows[h:], start=h + 1):
            if not is_data(row):
                continue
            n_data += 1
            b = bad.get((f["file"], line))
            if b is None:
                total += parse_amount(row[amount])
                parse_date(row[date])
                assert row[supplier] in variants, row[supplier]
                continue
            n_bad += 1
            cell = row[header.index(b["column_name"])]
            if b["code"].endswith("-missing"):
                assert cell == "", (f["file"], line, b)
            elif b["code"] == "amount-not-a-number":
                with pytest.raises(ValueError):
                    parse_amount(cell)
            elif b["code"] == "date-invalid":
                with pytest.raises(ValueError):
                    parse_date(cell)
            else:
                pytest.fail(f"unknown code {b['code']}")
            checked[b["code"]] += 1
        assert n_data == int(f["data_rows"]), f["file"]
        assert n_bad == int(f["bad_rows"]), f["file"]
        assert total == int(f["amount_good_pence"]), f["file"]
    assert sum(checked.values()) == len(bad)
    assert set(checked) == {"amount-not-a-number", "amount-missing", "date-invalid",
                            "date-missing", "supplier-missing"}


def test_duplicates_point_at_matching_payments(sample, files):
    by_file = {f["file"]: f for f in files}
    cache: dict[str, tuple] = {}

    def cells(file: str, line: int) -> dict:
        if file not in cache:
            f = by_file[file]
            rows = read_rows(sample.out_dir, f)
            cache[file] = (rows, [str(c) for c in rows[int(f["header_line"]) - 1]])
        rows, header = cache[file]
        return dict(zip(header, rows[line - 1]))

    suppliers = {v["variant_name"]: v["supplier_key"] for v in _csv(sample.truth_dir / "suppliers.csv")}
    dups = _csv(sample.truth_dir / "duplicates.csv")
    assert {d["kind"] for d in dups} == {"exact", "reference-variant", "name-variant", "credit-note",
                                         *LOOK_ALIKES}
    assert any(d["file"] != d["original_file"] for d in dups), "expected next-month duplicates"
    for d in dups:
        copy, orig = cells(d["file"], int(d["line"])), cells(d["original_file"], int(d["original_line"]))
        pick = lambda row, cols: next(row[c] for c in cols if c in row)  # noqa: E731
        a_copy, a_orig = parse_amount(pick(copy, AMOUNT_COLUMNS)), parse_amount(pick(orig, AMOUNT_COLUMNS))
        s_copy, s_orig = pick(copy, SUPPLIER_COLUMNS), pick(orig, SUPPLIER_COLUMNS)
        assert a_copy == parse_amount(d["amount"])
        if d["kind"] in LOOK_ALIKES:
            _assert_look_alike(d["kind"], copy, orig, a_copy, a_orig, suppliers[s_copy], suppliers[s_orig])
            continue
        assert suppliers[s_copy] == suppliers[s_orig] == d["supplier_key"]
        assert (d["file"], int(d["line"])) > (d["original_file"], int(d["original_line"])) or d["file"] > d["original_file"]
        if d["kind"] == "credit-note":
            assert a_copy == -a_orig < 0
            continue
        assert a_copy == a_orig
        assert (s_copy != s_orig) == (d["kind"] == "name-variant")
        assert (copy[TXN_COLUMN] != orig[TXN_COLUMN]) == (d["kind"] == "reference-variant")


LOOK_ALIKES = ("look-alike-split", "look-alike-instalment", "look-alike-ledger", "look-alike-withheld")


def _assert_look_alike(kind, copy, orig, a_copy, a_orig, s_copy, s_orig) -> None:
    """Each look-alike has the one amount a duplicate would have, and the tell that it is not one."""
    assert a_copy == a_orig
    ref_copy, ref_orig = copy.get(TXN_COLUMN), orig.get(TXN_COLUMN)
    if kind == "look-alike-withheld":
        assert s_copy.startswith("withheld:") and s_orig.startswith("withheld:")
        assert ref_copy == ref_orig == ""
        return
    assert s_copy == s_orig
    if kind == "look-alike-split":
        assert ref_copy == ref_orig != ""
    elif kind == "look-alike-instalment":
        assert ref_copy == ref_orig == ""
    else:
        digits = lambda r: "".join(c for c in r if c.isalnum())  # noqa: E731
        assert digits(ref_copy).isdigit() and 0 < abs(int(digits(ref_copy)) - int(digits(ref_orig))) < 1000


def test_supplier_variants_map_to_one_supplier(sample):
    rows = _csv(sample.truth_dir / "suppliers.csv")
    names = [r["variant_name"] for r in rows]
    assert len(names) == len(set(names))
    canon = {r["supplier_key"]: r["canonical_name"] for r in rows}
    assert len(canon) >= 300
    assert all(re.fullmatch(r"(\d{8}|[A-Z]{2}\d{6})?", r["company_number"]) for r in rows)


def test_no_defects_means_no_bad_rows_and_no_nil_returns(tmp_path):
    res = generate(tmp_path / "clean", rows=3_000, months=3, bodies=12, defects=False)
    assert _csv(res.truth_dir / "bad_rows.csv") == []
    assert all(f["dialect"] != "nil-return" for f in _csv(res.truth_dir / "files.csv"))


# ---- generate_flat ---------------------------------------------------------------------

def test_flat_file_and_its_error_list(tmp_path):
    path = tmp_path / "flat.csv"
    assert generate_flat(path, rows=5_000, seed=1, errors=60) == 5_000
    errors = {(int(e["line"]), e["column"]): e for e in _csv(Path(str(path) + ".errors.csv"))}
    assert len(errors) == 60
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["org_id", "paid_on", "amount_gbp", "supplier_name", "txn_ref",
                       "expense_type", "expense_area", "description"]
    assert len(rows) == 5_001
    found = set()
    for line, row in enumerate(rows[1:], start=2):
        cell = dict(zip(rows[0], row))
        if not re.fullmatch(r"XX-SYNTH-[A-Za-z0-9]+", cell["org_id"]):
            found.add((line, "org_id"))
        try:
            dt.date.fromisoformat(cell["paid_on"])
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell["paid_on"])
        except ValueError:
            found.add((line, "paid_on"))
        if not re.fullmatch(r"-?\d+\.\d{2}", cell["amount_gbp"]):
            found.add((line, "amount_gbp"))
        if cell["supplier_name"] == "":
            found.add((line, "supplier_name"))
    assert found == set(errors)
    for (line, column), e in errors.items():
        assert rows[line - 1][rows[0].index(column)] == e["value"]


def test_flat_without_errors_writes_no_error_file(tmp_path):
    path = tmp_path / "flat.csv"
    generate_flat(path, rows=100, seed=1)
    assert not Path(str(path) + ".errors.csv").exists()


def test_progress_reports_every_row_and_the_module_runs(tmp_path, capsys):
    from openbook.synth.__main__ import main

    seen = []
    res = generate(tmp_path / "p", rows=1_234, months=2, bodies=5, progress=seen.append)
    assert sum(seen) == res.rows == 1_234
    assert main([str(tmp_path / "m"), "--rows", "500", "--months", "2", "--bodies", "4"]) == 0
    assert "500 rows" in capsys.readouterr().out
    assert main([str(tmp_path / "m"), "--rows", "10"]) == 1  # not empty any more
