"""openbook: one open book of what public bodies publish, traceable to the line.

In a notebook: `book = openbook.open("openbook.duckdb")`, then `book.spend`, `book.finding`, … are
Ibis tables (docs/notebook.md). Importing openbook stays light: the notebook API loads on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "open"]


def open(path="openbook.duckdb", *, read_only: bool = True):  # noqa: A001 - `openbook.open` is the API
    """The book for reading in Python: Ibis tables for the standard's tables and findings (see NotebookBook)."""
    from openbook.notebook import open_book

    return open_book(path, read_only=read_only)
