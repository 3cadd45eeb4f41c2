"""The book in a notebook: `openbook.open(path)` gives an Ibis table for each table of the standard.

Read-only by default, through the book's current read copy (store/snapshots.py): a notebook left
open for an afternoon never holds the book, so the server keeps serving and ingests keep writing.
Money stays exact: the standard's £ fields are DECIMAL(18,2) in the book and Ibis keeps them
decimal (pandas gets `decimal.Decimal` objects, Arrow `decimal128(18, 2)`), never float64.
"""

from __future__ import annotations

from pathlib import Path

from openbook import standard
from openbook.errors import UsageError
from openbook.store import schema, snapshots
from openbook.store.book import DEFAULT_BOOK, Book


class NotebookBook:
    """Ibis tables by name (`book.spend`, `book.table("finding")`, `book.tables`), on one version of the book."""

    def __init__(self, path: Path | str = DEFAULT_BOOK, *, read_only: bool = True):
        import ibis

        path = Path(path)
        try:
            copy = snapshots.refresh(path) if read_only and path.exists() else None
        except OSError:  # a folder this user may not write to: read the book itself
            copy = None
        self.book = Book(path, read_only=read_only, copy=copy)
        self.ibis = ibis.duckdb.from_connection(self.book.con)

    @property
    def version(self) -> int:
        """The read copy's version (0 when the book itself is open): the same version, the same answers."""
        return self.book.snapshot.version if self.book.snapshot else 0

    @property
    def tables(self) -> list[str]:
        """The standard's tables and the views the analyses read (`spend_current`: current publications only)."""
        return [*standard.table_names(), *schema.VIEWS]

    def table(self, name: str):
        """The named table as an Ibis expression; nothing is read until it is executed."""
        if name not in self.tables:
            raise UsageError(f"no table {name!r} in the book; it has {', '.join(self.tables)}")
        return self.ibis.table(name)

    def sql(self, query: str):
        """A SELECT over the book's tables, as an Ibis expression."""
        return self.ibis.sql(query)

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self.tables:
            raise AttributeError(name)
        return self.table(name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.tables})

    def __repr__(self) -> str:
        mode = "read-only" if self.book.read_only else "writable"
        return f"<openbook book {self.book.path} ({mode}, version {self.version}): {', '.join(self.tables)}>"

    def close(self) -> None:
        self.book.close()

    def __enter__(self) -> NotebookBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_book(path: Path | str = DEFAULT_BOOK, *, read_only: bool = True) -> NotebookBook:
    return NotebookBook(path, read_only=read_only)
