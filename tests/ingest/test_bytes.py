"""One spend file written many ways reads to the same rows; a file that makes a reader fail ends alone.

Each rewrite is named for the defect it carries (line endings, encoding, delimiter, workbook
format, an overlong cell) and must give the accepted rows and pence of the plain UTF-8 comma
original, whose answer is spelled out in full in ORIGINAL_ROWS.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from openbook.ingest import ingest_file
from openbook.ingest.parallel import ingest_paths
from openbook.ingest.paths import expand_paths
from openbook.ingest.scan import scan_file
from openbook.ingest.sniff import sniff_delimiter, utf16_encoding

TRAFFORD = "GB-LAE-TRF"
HEADER = ["Body Name", "Date", "Supplier", "Amount", "Description"]
ROWS = [
    ["Trafford Council", "02/04/2024", "Acme Ltd", "1234.56", "Repairs, phase 1"],
    ["Trafford Council", "03/04/2024", "Café Nero Ltd", "-5.25", "Refund; late | partial"],
    ["Trafford Council", "04/04/2024", "Beta plc", "10.00", "Desks\tand chairs"],
]
ORIGINAL_ROWS = [
    (date(2024, 4, 2), "Acme Ltd", Decimal("1234.56"), TRAFFORD),
    (date(2024, 4, 3), "Café Nero Ltd", Decimal("-5.25"), TRAFFORD),
    (date(2024, 4, 4), "Beta plc", Decimal("10.00"), TRAFFORD),
]


def _text(delimiter: str = ",", rows: list[list[str]] = ROWS, ending: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=ending).writerows([HEADER, *rows])
    return out.getvalue()


def _mixed_endings(text: str) -> str:
    lines = text.split("\n")
    endings = ["\r\n", "\r", "\n"]
    return "".join(line + endings[i % 3] for i, line in enumerate(lines[:-1]))


REWRITES = {
    "cr-only-line-endings": lambda: _text(ending="\r").encode("utf-8"),
    "mixed-line-endings": lambda: _mixed_endings(_text()).encode("utf-8"),
    "utf8-bom": lambda: _text().encode("utf-8-sig"),
    "utf16-le-bom": lambda: _text(ending="\r\n").encode("utf-16"),  # Python writes little-endian here
    "utf16-be-bom": lambda: b"\xfe\xff" + _text().encode("utf-16-be"),
    "utf16-le-no-bom": lambda: _text().encode("utf-16-le"),
    "utf16-be-no-bom-cr-only": lambda: _text(ending="\r").encode("utf-16-be"),
    "cp1252": lambda: _text(ending="\r\n").encode("cp1252"),
    # 0x81 is undefined in cp1252, so only latin-1 decodes the file (the byte sits in a description).
    "latin1-beyond-cp1252": lambda: _text(rows=[r[:4] + [r[4] + "\x81"] for r in ROWS]).encode("latin-1"),
    "semicolon-delimited": lambda: _text(";").encode("utf-8"),
    "tab-delimited": lambda: _text("\t").encode("utf-8"),
    "pipe-delimited": lambda: _text("|").encode("cp1252"),
}

ENCODINGS = {"utf8-bom": "utf-8-sig", "utf16-le-bom": "utf-16", "utf16-be-bom": "utf-16",
             "utf16-le-no-bom": "utf-16-le", "utf16-be-no-bom-cr-only": "utf-16-be", "cp1252": "cp1252",
             "pipe-delimited": "cp1252", "latin1-beyond-cp1252": "latin-1"}


def _accepted(book, sha: str) -> list[tuple]:
    return book.query("SELECT paid_on, supplier_name, amount_gbp, org_id FROM spend WHERE source_sha256 = ? "
                      "ORDER BY source_line", [sha])


def test_the_plain_original_reads_to_the_expected_rows(book, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_bytes(_text().encode("utf-8"))
    report = ingest_file(book, path)
    assert (report.status, report.rows_read, report.accepted, report.structural) == ("loaded", 4, 3, 1)
    assert _accepted(book, report.sha256) == ORIGINAL_ROWS
    assert report.amount_pence == 123_931


@pytest.mark.parametrize("defect", sorted(REWRITES))
def test_a_rewritten_file_gives_the_rows_and_pence_of_the_original(book, tmp_path, defect):
    path = tmp_path / f"{defect}.csv"
    path.write_bytes(REWRITES[defect]())
    report = ingest_file(book, path)
    assert report.rejection is None
    assert report.encoding == ENCODINGS.get(defect, "utf-8")
    assert (report.status, report.rows_read, report.accepted, report.quarantined) == ("loaded", 4, 3, 0)
    assert _accepted(book, report.sha256) == ORIGINAL_ROWS
    assert report.amount_pence == 123_931


def test_a_cell_longer_than_a_read_block_keeps_the_file_whole(book, tmp_path):
    long_rows = [row[:4] + [row[4] * 400_000] if i == 1 else row for i, row in enumerate(ROWS)]
    path = tmp_path / "long-description.csv"
    path.write_text(_text(rows=long_rows), encoding="utf-8")
    assert scan_file(path).longest_line > 8 << 20
    report = ingest_file(book, path)
    assert (report.status, report.accepted, report.quarantined) == ("loaded", 3, 0)
    assert _accepted(book, report.sha256) == ORIGINAL_ROWS


def test_utf16_is_told_from_its_nuls_with_or_without_a_byte_order_mark():
    text = "Body Name,Amount\r\nTrafford Council,1.00\r\n"
    assert utf16_encoding(text.encode("utf-16-le")) == "utf-16-le"
    assert utf16_encoding(text.encode("utf-16-be")) == "utf-16-be"
    assert utf16_encoding(b"\xff\xfe" + text.encode("utf-16-le")) == "utf-16"
    assert utf16_encoding(text.encode("utf-8")) is None
    assert utf16_encoding("£ and é".encode("cp1252")) is None


def test_the_delimiter_is_sniffed_past_delimiters_inside_quotes():
    assert sniff_delimiter('a;b;c\r"1,5";"2,5";x\r"3,1";"4,2";y\r') == ";"
    assert sniff_delimiter('a|b\n"x|y"|z\n') == "|"
    assert sniff_delimiter('a,b,c\n"x;y;z",1,2\n"p;q;r",3,4\n') == ","


def _xls(path: Path) -> None:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("April")
    for r, row in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(row):
            sheet.write(r, c, float(value) if r and c == 3 else value)
    workbook.save(str(path))


def _ods(path: Path) -> None:
    """A minimal OpenDocument spreadsheet: the mimetype first and stored, then the content."""
    def cell(r: int, c: int, value: str) -> str:
        if r and c == 3:
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    rows = "".join("<table:table-row>" + "".join(cell(r, c, v) for c, v in enumerate(row)) + "</table:table-row>"
                   for r, row in enumerate([HEADER, *ROWS]))
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="April">{rows}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                         compress_type=zipfile.ZIP_STORED)
        package.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("name,write,kind", [("april.xls", _xls, "xls"), ("april.ods", _ods, "ods")])
def test_legacy_and_open_document_workbooks_read_to_the_rows_of_the_csv(book, tmp_path, name, write, kind):
    path = tmp_path / name
    write(path)
    report = ingest_file(book, path)
    assert report.rejection is None
    assert (report.status, report.format, report.accepted, report.quarantined) == ("loaded", kind, 3, 0)
    assert _accepted(book, report.sha256) == ORIGINAL_ROWS


def test_a_workbook_that_cannot_be_read_is_rejected_with_its_code(book, tmp_path):
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    report = ingest_file(book, path)
    assert (report.status, report.rejection.code) == ("rejected", "unsupported-format")
    assert "cannot be read" in report.rejection.message


def test_json_in_a_folder_is_taken_when_an_importer_recognises_it(tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "spend.csv").write_text(_text(), encoding="utf-8")
    (folder / "tenders.json").write_text(json.dumps({"releases": [{"ocid": "ocds-x-1", "tag": ["award"]}],
                                                     "publishedDate": "2024-04-01T00:00:00Z"}))
    (folder / "grants.json").write_text(json.dumps({"grants": [{"id": "360G-x-1", "amountAwarded": 5}]}),
                                        encoding="utf-16")
    (folder / "datapackage.json").write_text(json.dumps({"name": "spend", "resources": []}))
    found = [p.name for p in expand_paths([str(folder)])]
    assert found == ["grants.json", "spend.csv", "tenders.json"]


def _three_files(tmp_path: Path) -> list[Path]:
    paths = []
    for index, name in enumerate(("a.csv", "b.csv", "c.csv")):
        # One month each, so that no file is taken for a republication of another.
        rows = [[body, day.replace("/04/", f"/{4 + index:02d}/"), supplier, amount, note]
                for body, day, supplier, amount, note in ROWS]
        path = tmp_path / name
        path.write_text(_text(rows=rows), encoding="utf-8")
        paths.append(path)
    return paths


def test_a_file_that_makes_the_reader_fail_is_rejected_alone_and_the_run_goes_on(book, tmp_path, monkeypatch):
    import openbook.ingest.pipeline as pipeline

    real = pipeline.iter_csv

    def failing(path, *args, **kwargs):
        if Path(path).name == "b.csv":
            raise RuntimeError("reader fault")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "iter_csv", failing)
    reports = list(ingest_paths(book, _three_files(tmp_path), jobs=1))
    assert [r.status for r in reports] == ["loaded", "rejected", "loaded"]
    assert (reports[1].rejection.code, reports[1].rejection.message) == ("internal-error", "RuntimeError: reader fault")
    assert "Traceback" in reports[1].traceback
    stored = book.query("SELECT path, status, rejection_code, rejection_message FROM source ORDER BY path")
    assert [(Path(p).name, s, c, m) for p, s, c, m in stored] == [
        ("a.csv", "current", None, None), ("b.csv", "rejected", "internal-error", "RuntimeError: reader fault"),
        ("c.csv", "current", None, None)]
    assert book.query("SELECT count(*), sum(amount_gbp) FROM spend") == [(6, Decimal("2478.62"))]


def test_a_file_that_cannot_be_written_after_a_worker_read_it_is_rejected_alone(book, tmp_path, monkeypatch):
    import openbook.ingest.parallel as parallel

    real = parallel.write_prepared

    def failing(book, report, collected):
        if Path(report.path).name == "b.csv":
            raise ValueError("writer fault")
        return real(book, report, collected)

    monkeypatch.setattr(parallel, "write_prepared", failing)
    reports = list(ingest_paths(book, _three_files(tmp_path), jobs=2))
    assert [(Path(r.path).name, r.status) for r in reports] == [("a.csv", "loaded"), ("b.csv", "rejected"),
                                                                 ("c.csv", "loaded")]
    assert reports[1].rejection.message == "ValueError: writer fault"
    assert book.query("SELECT rejection_code FROM source WHERE status = 'rejected'") == [("internal-error",)]
    assert book.query("SELECT count(*) FROM spend") == [(6,)]


def test_inside_an_open_transaction_the_failure_reaches_its_opener_which_rolls_it_back(book, tmp_path, monkeypatch):
    import openbook.ingest.uk_spend as uk_spend

    def failing(*args, **kwargs):
        raise RuntimeError("writer fault")

    first, second, _ = _three_files(tmp_path)
    monkeypatch.setattr(uk_spend, "_finish", failing)
    with pytest.raises(RuntimeError, match="writer fault"), book.group():
        ingest_file(book, first)
    assert book.query("SELECT count(*) FROM source") == [(0,)]
    report = ingest_file(book, second)  # on its own, the file's own transaction rolls back, then it is rejected
    assert (report.status, report.rejection.code) == ("rejected", "internal-error")
    assert book.query("SELECT status, rejection_code FROM source") == [("rejected", "internal-error")]
    assert book.query("SELECT count(*) FROM spend") == [(0,)]


class _DyingPool:
    """Stands in for the worker pool, in this process: b.csv's worker dies, then no file can be handed out."""

    def __init__(self, jobs, mp_context=None, initializer=None, initargs=()):
        initializer(*initargs)
        self.broken = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, path, *args):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        if self.broken:
            raise BrokenProcessPool("the pool is broken")
        future = Future()
        if path.name == "b.csv":
            self.broken = True
            future.set_exception(BrokenProcessPool("a worker died"))
        else:
            future.set_result(fn(path, *args))
        return future


def test_files_whose_worker_died_or_could_not_start_are_read_here(book, tmp_path, monkeypatch):
    import openbook.ingest.parallel as parallel

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", _DyingPool)
    monkeypatch.setattr(parallel, "READ_AHEAD", 1)  # c.csv is handed out after b.csv's worker died
    files = _three_files(tmp_path) + [tmp_path / "d.csv"]
    files[3].write_text(_text(rows=[[b, d.replace("/04/", "/08/"), s, a, n] for b, d, s, a, n in ROWS]))
    reports = list(ingest_paths(book, files, jobs=2))
    assert [(Path(r.path).name, r.status, r.accepted) for r in reports] == [
        ("a.csv", "loaded", 3), ("b.csv", "loaded", 3), ("c.csv", "loaded", 3), ("d.csv", "loaded", 3)]
    assert book.query("SELECT count(*) FROM spend") == [(12,)]
