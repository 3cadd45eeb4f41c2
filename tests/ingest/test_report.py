"""The reconciliation rule, checked in one place: a file whose rows do not add up is refused, not loaded."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from openbook.errors import OpenbookError, ReconciliationError
from openbook.ingest.base import IngestContext, load_records
from openbook.ingest.records import Records
from openbook.ingest.report import Counts, IngestReport, report_json
from openbook.ingest.scan import scan_file
from openbook.store.book import SourceRecord


def test_counts_that_add_up_pass_and_others_raise_naming_the_file():
    Counts(rows_read=10, accepted=6, quarantined=3, structural=1).check("may.csv")
    with pytest.raises(ReconciliationError, match=r"^may\.csv: rows read 10 != accepted 6 \+ quarantined 2 \+ "
                                                  r"structural 1$") as raised:
        Counts(rows_read=10, accepted=6, quarantined=2, structural=1).check("may.csv")
    assert isinstance(raised.value, OpenbookError)  # shown to a user as a sentence, never a traceback


def test_the_check_survives_python_dash_o():
    """An `assert` vanishes under -O; the rule must not."""
    code = ("from openbook.ingest.report import Counts\n"
            "try:\n    Counts(3, 1, 1, 0).check('f.csv')\nexcept Exception as e:\n    print(type(e).__name__)\n")
    result = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "ReconciliationError"


def test_a_report_carries_its_counts_and_shows_them_in_json():
    report = IngestReport("may.csv", "abc", "checked")
    report.counts = Counts(5, 3, 1, 1)
    assert (report.rows_read, report.accepted, report.quarantined, report.structural) == (5, 3, 1, 1)
    assert report.reconciles
    report.accepted = 4
    payload = report_json(report)
    assert payload["accepted"] == 4 and payload["reconciles"] is False


def _context(book, path: Path) -> IngestContext:
    scan = scan_file(path)
    record = SourceRecord(scan.sha256, str(path), path.name, scan.size, "contract", "test", "csv")
    report = IngestReport(str(path), scan.sha256, "loaded")
    return IngestContext(book, path, str(path), record, report, iter(()), book.resolve_org, None,
                         date.today() + timedelta(days=366), None, scan)


def test_records_that_do_not_reconcile_are_refused_before_anything_is_written(book, tmp_path):
    path = tmp_path / "contracts.csv"
    path.write_text("id\n1\n2\n")
    records = Records(rows_read=3)  # the header and two lines read, but only one line given a fate
    records.add("organisation", 2, {"org_id": "GB-TEST-1", "name": "Test body", "kind": "district"})
    with pytest.raises(ReconciliationError, match="rows read 3 != accepted 1 \\+ quarantined 0 \\+ structural 0"):
        load_records(_context(book, path), records, "organisation")
    assert book.query("SELECT count(*) FROM source") == [(0,)]
    assert book.query("SELECT count(*) FROM organisation WHERE org_id = 'GB-TEST-1'") == [(0,)]
