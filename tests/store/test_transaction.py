"""Book.transaction: all or nothing, joined by nested writes; Book.require_org: a body or a sentence."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from openbook.errors import UsageError


def _count(book) -> int:
    return book.query("SELECT count(*) FROM comparator_group")[0][0]


def _insert(book, name: str) -> None:
    book.con.execute("INSERT INTO comparator_group (name, org_id, created_at) VALUES (?, 'GB-LAE-TRF', now())",
                     [name])


def test_a_transaction_commits_what_it_wrote(book):
    with book.transaction():
        _insert(book, "a")
        _insert(book, "b")
    assert _count(book) == 2


def test_a_transaction_that_raises_leaves_the_book_as_it_was(book):
    _insert(book, "kept")
    with pytest.raises(RuntimeError, match="midway"):
        with book.transaction():
            _insert(book, "lost")
            raise RuntimeError("midway")
    assert book.query("SELECT name FROM comparator_group") == [("kept",)]
    with book.transaction():  # and the book takes a new transaction afterwards
        _insert(book, "next")
    assert _count(book) == 2


def test_a_nested_transaction_joins_the_outer_one(book):
    with pytest.raises(RuntimeError):
        with book.transaction():
            with book.transaction():
                _insert(book, "inner")
            assert _count(book) == 1  # not committed yet: the outer transaction holds it
            raise RuntimeError("outer fails")
    assert _count(book) == 0


def test_replace_rows_inside_a_group_is_part_of_the_group(book):
    rows = pa.table({"name": ["g"], "org_id": ["GB-LAE-TRF"],
                     "created_at": pa.array([datetime(2024, 5, 1)], pa.timestamp("us"))})
    with pytest.raises(RuntimeError):
        with book.group():
            book.replace_rows("comparator_group", rows, "name = 'g'")
            raise RuntimeError("a later file fails")
    assert _count(book) == 0


def test_require_org_resolves_an_id_or_a_name(book):
    assert book.require_org("GB-LAE-TRF") == "GB-LAE-TRF"
    assert book.require_org("Trafford Metropolitan Borough Council") == "GB-LAE-TRF"


def test_require_org_names_what_was_given_and_the_option_it_came_from(book):
    with pytest.raises(UsageError, match=r"no body 'Atlantis' in the book \(give an org id or a registered name\)"):
        book.require_org("Atlantis")
    with pytest.raises(UsageError, match=r"^--org 'Atlantis' is not a body in the book$"):
        book.require_org("Atlantis", option="--org")
