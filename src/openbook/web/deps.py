"""What routes depend on: the app's book, as a cursor of its own for each request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from openbook.store.book import Book


def book_for_request(request: Request) -> Iterator[Book]:
    """A cursor on the app's book for this request only (DuckDB connections are not shared across threads)."""
    book = request.app.state.book.cursor()
    try:
        yield book
    finally:
        book.con.close()


BookDep = Annotated[Book, Depends(book_for_request)]
