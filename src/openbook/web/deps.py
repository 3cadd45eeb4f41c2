"""What routes depend on: the book version the request leased (web/cache.py), as a cursor of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from openbook.store.book import Book


def book_for_request(request: Request) -> Iterator[Book]:
    """A cursor on the version this request leased (DuckDB connections are not shared across threads)."""
    lease = getattr(request.state, "book_lease", None)
    book = (lease.book if lease else request.app.state.reader.book).cursor()
    try:
        yield book
    finally:
        book.con.close()


BookDep = Annotated[Book, Depends(book_for_request)]
