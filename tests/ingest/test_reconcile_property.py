"""For any messy file, every physical row ends in exactly one place and the money adds up."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbook.ingest import ingest_file
from openbook.store import Book

GOOD_DATES = ["02/04/2024", "2024-04-03", "4-Apr-24", "45386"]
BAD_DATES = ["", "31/02/2024", "N/A"]
GOOD_AMOUNTS = [("£1,234.56", Decimal("1234.56")), ("(20.00)", Decimal("-20.00")), ("-5", Decimal("-5.00")),
                ("7.1", Decimal("7.10"))]
BAD_AMOUNTS = ["", "TBC", "1,2O0"]

row = st.one_of(
    st.tuples(st.just("good"), st.sampled_from(GOOD_DATES), st.sampled_from(GOOD_AMOUNTS), st.text("ab ", min_size=1)
              .filter(str.strip)),
    st.tuples(st.just("bad-date"), st.sampled_from(BAD_DATES), st.sampled_from(GOOD_AMOUNTS), st.just("Acme")),
    st.tuples(st.just("bad-amount"), st.sampled_from(GOOD_DATES), st.sampled_from(BAD_AMOUNTS), st.just("Acme")),
    st.tuples(st.just("blank"), st.just(""), st.just(""), st.just("")),
    st.tuples(st.just("total"), st.just(""), st.sampled_from(GOOD_AMOUNTS), st.just("")),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(preamble=st.integers(0, 3), rows=st.lists(row, min_size=1, max_size=40), crlf=st.booleans())
def test_rows_read_equals_accepted_quarantined_structural(tmp_path_factory, preamble, rows, crlf):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    for i in range(preamble):
        writer.writerow([f"Trafford Council spend, part {i}"])
    writer.writerow(["Body Name", "Date", "Supplier", "Amount"])
    expected_total, expected_good = Decimal(0), 0
    for kind, day, amount, supplier in rows:
        text = amount[0] if isinstance(amount, tuple) else amount
        if kind == "blank":
            writer.writerow(["", "", "", ""])
        elif kind == "total":
            writer.writerow(["", "", "Total", text])
        else:
            writer.writerow(["Trafford Council", day, supplier, text])
        if kind == "good":
            expected_total += amount[1]
            expected_good += 1
    folder = tmp_path_factory.mktemp("prop")
    path = folder / "spend.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with Book(folder / "book.duckdb") as book:
        report = ingest_file(book, path)
        if expected_good == 0 and not any(k in {"bad-date", "bad-amount"} for k, *_ in rows):
            assert report.status == "rejected"
            return
        assert report.rows_read == preamble + 1 + len(rows)
        assert report.rows_read == report.accepted + report.quarantined + report.structural
        assert report.accepted == expected_good
        assert report.quarantined == sum(1 for k, *_ in rows if k in {"bad-date", "bad-amount"})
        stored = book.query("SELECT coalesce(sum(amount_gbp), 0), count(*) FROM spend")[0]
        assert stored == (expected_total, expected_good)
