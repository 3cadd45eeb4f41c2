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


def test_the_demo_reads_every_generated_dataset_organisations_first_and_never_the_truth(demo_book):
    from openbook.demo import is_loaded, sector_files

    data = demo_book.parent / "data"
    files = sector_files(data)
    assert files[0] == data / "organisations.csv"
    assert not any("truth" in p.relative_to(data).parts for p in files)
    assert {p.relative_to(data).parts[0] for p in files[1:]} == {
        p.name for p in data.iterdir() if p.is_dir() and p.name != "truth"}
    with Book(demo_book, read_only=True) as book:
        assert is_loaded(book, files)
        # A file the book has never seen (a truth file) means the demo is not fully loaded.
        assert not is_loaded(book, files + sorted((data / "truth").glob("*.csv"))[:1])
