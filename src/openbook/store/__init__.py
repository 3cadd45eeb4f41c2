"""The book: one DuckDB file holding every table of the standard, with provenance."""

from openbook.store.book import Book, DEFAULT_BOOK

__all__ = ["Book", "DEFAULT_BOOK"]
