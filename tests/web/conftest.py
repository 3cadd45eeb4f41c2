"""A web app over a small ingested book, and a client for it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.web import create_app


@pytest.fixture
def web_book(tmp_path, fixtures):
    path = tmp_path / "web.duckdb"
    with Book(path) as book:
        for name in ("amount-styles.csv", "everything-wrong.csv", "preamble-rows.csv"):
            ingest_file(book, fixtures / name)
    return path


@pytest.fixture
def client(web_book):
    with TestClient(create_app(web_book)) as test_client:
        yield test_client
