def test_demo_book_has_rows_and_findings(demo_book):
    from openbook.store import Book
    with Book(demo_book, read_only=True) as b:
        assert b.query("select count(*) from spend_current")[0][0] > 10000
        assert b.query("select count(*) from finding")[0][0] > 0
