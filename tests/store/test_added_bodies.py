"""The book's rule that every stored row names its body, and bodies users add to it."""

from __future__ import annotations

import pytest

from openbook import standard
from openbook.errors import UsageError
from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.store.added_bodies import LOCAL_SCHEME, local_org_id

SPEND = ("Body Name,Date,Supplier,Transaction Number,Amount\n"
         "Great Fendle Town Council,01/04/2024,Acme Ltd,T1,120.00\n"
         "Great Fendle Town Council,02/04/2024,Beta plc,T2,80.50\n")


def test_no_stored_row_of_the_demo_book_has_an_empty_body(demo_book):
    with Book(demo_book, read_only=True) as book:
        held = {table: book.query(f'SELECT count(*) FROM "{table}"')[0][0] for table in ("spend", "post", "contract")}
        assert all(held.values()), held  # the check below reads real rows, not empty tables
        assert book.rows_without_body() == {}


def test_the_check_finds_every_row_stored_without_a_body(book):
    assert book.rows_without_body() == {}
    book.con.execute("INSERT INTO spend (org_id, source_sha256, source_line) VALUES ('', 'a', 1), ('  ', 'a', 2)")
    book.con.execute("INSERT INTO post (org_id, source_sha256, source_line) VALUES (NULL, 'b', 1)")
    # A contract may name a buyer outside the registry by its own identifier, never by nothing.
    book.con.execute("INSERT INTO contract (org_id, buyer_id, source_sha256, source_line) "
                     "VALUES (NULL, 'XI-EXAMPLE-1', 'c', 1), (NULL, NULL, 'c', 2), ('', 'XI-EXAMPLE-2', 'c', 3)")
    assert book.rows_without_body() == {"spend": 2, "post": 1, "contract": 2}


def test_local_ids_follow_the_name_and_never_collide():
    first = local_org_id("St Mary's & St John's Parish", set())
    assert first == f"{LOCAL_SCHEME}-ST-MARYS-AND-ST-JOHNS-PARISH"
    assert local_org_id("St Mary's and St John's Parish", {first}) == f"{first}-2"
    assert local_org_id("St Marys & St Johns Parish", {first, f"{first}-2"}) == f"{first}-3"
    schemes = {org["org_id"].rsplit("-", 1)[0].split("-")[0] for org in standard.organisation_registry()}
    assert LOCAL_SCHEME.split("-")[0] not in schemes


def test_an_added_body_resolves_through_the_book_and_is_listed_as_added(book):
    assert book.resolve_org("Great Fendle Town Council") is None
    body = book.add_body(name="Great Fendle Town Council", kind="parish-council", added_by="carol", aliases=["GFTC"])
    assert book.resolve_org("Great Fendle Town Council") == body["org_id"] == book.resolve_org("gftc")
    assert [(b["org_id"], b["added_by"]) for b in book.bodies(added_only=True)] == [(body["org_id"], "carol")]
    with pytest.raises(UsageError, match="already names"):
        book.add_body(name="GFTC", kind="other", added_by="carol")


def test_a_failed_reload_leaves_the_earlier_load_as_it_was(book, tmp_path, monkeypatch):
    spend = tmp_path / "fendle.csv"
    spend.write_text(SPEND, encoding="utf-8")
    first = ingest_file(book, spend)
    assert (first.counts.accepted, first.counts.quarantined) == (0, 2)
    book.add_body(name="Great Fendle Town Council", kind="parish-council", added_by="carol")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("openbook.ingest.uk_spend._finish", broken)
    failed = ingest_file(book, spend)  # the run goes on: this file is rejected, the earlier load kept
    assert (failed.status, failed.rejection.code) == ("rejected", "internal-error")
    assert "disk full" in failed.rejection.text
    assert book.query("SELECT rows_accepted, rows_quarantined FROM source") == [(0, 2)]
    assert book.query("SELECT count(*) FROM quarantine WHERE code = 'unknown-organisation'") == [(2,)]
    monkeypatch.undo()
    again = ingest_file(book, spend)
    assert (again.status, again.counts.accepted, again.counts.quarantined) == ("loaded", 2, 0)
    assert book.query("SELECT count(*) FROM spend") == [(2,)]
    assert book.query("SELECT count(*) FROM quarantine WHERE code = 'unknown-organisation'") == [(0,)]


def test_only_a_current_file_is_loaded_again_for_a_body_added_since(book, tmp_path):
    spend = tmp_path / "fendle.csv"
    spend.write_text(SPEND, encoding="utf-8")
    sha = ingest_file(book, spend).sha256
    assert not book.reload_needed(sha)  # nothing added yet: the name still resolves to no body
    book.add_body(name="Great Fendle Town Council", kind="parish-council", added_by="carol")
    assert book.reload_needed(sha)
    book.con.execute("UPDATE source SET status = 'superseded' WHERE sha256 = ?", [sha])
    assert not book.reload_needed(sha)
    assert ingest_file(book, spend).status == "unchanged"


def test_ingest_finds_an_added_body_by_org_and_judges_ambiguity_among_the_books_bodies(book, tmp_path):
    """--org resolves as Book.require_org does: the registry and the bodies users added."""
    spend = tmp_path / "fendle.csv"
    spend.write_text("Date,Supplier,Transaction Number,Amount\n01/04/2024,Acme Ltd,T1,120.00\n", encoding="utf-8")
    with pytest.raises(UsageError, match="not a body"):
        ingest_file(book, spend, org="Great Fendle Town Council")
    town = book.add_body(name="Great Fendle Town Council", kind="parish-council", added_by="carol")
    transport = book.add_body(name="Great Fendle Transport Committee", kind="other", added_by="carol")
    assert standard.organisation_candidates("GFTC") == []  # the registry alone knows neither
    with pytest.raises(UsageError) as ambiguous:
        ingest_file(book, spend, org="GFTC")
    assert town["org_id"] in str(ambiguous.value) and transport["org_id"] in str(ambiguous.value)
    with pytest.raises(UsageError) as same:
        book.require_org("GFTC", option="--org")
    assert str(same.value) == str(ambiguous.value)
    report = ingest_file(book, spend, org="Great Fendle Town Council")
    assert (report.status, report.counts.accepted) == ("loaded", 1)
    assert book.query("SELECT DISTINCT org_id FROM spend") == [(town["org_id"],)]
