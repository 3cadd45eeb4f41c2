"""The demo book `make run` builds: every dataset the generator writes reaches it."""

from openbook.store import Book


def test_demo_book_has_rows_findings_and_every_council_contract_register(demo_book):
    with Book(demo_book, read_only=True) as book:
        assert book.query("SELECT count(*) FROM spend_current")[0][0] > 10_000
        assert book.query("SELECT count(*) FROM finding")[0][0] > 0
        # Registers name their council in the file, as the LGA's contract register schema does.
        unknown = book.query("SELECT path FROM source WHERE rejection_code = 'publisher-unknown'")
        assert unknown == []
        registers = book.query("SELECT count(*) FROM source WHERE path LIKE '%-register.csv' AND status = 'current'")
        assert registers[0][0] > 0
