"""A web app over a small ingested book, and a client for it."""

from __future__ import annotations

import shutil
from pathlib import Path

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


ROOT = Path(__file__).resolve().parents[2]


def copy_book(source: Path, folder: Path) -> Path:
    """A private copy of a book, so a test may open it writable without touching the session's."""
    target = folder / source.name
    shutil.copy(source, target)
    return target


@pytest.fixture(scope="session")
def demo_client(demo_book, tmp_path_factory):
    """The API over a copy of the demo sector (suppliers, posts, systems, findings all present)."""
    path = copy_book(demo_book, tmp_path_factory.mktemp("web-demo"))
    with TestClient(create_app(path, scenarios=ROOT / "scenarios")) as test_client:
        yield test_client
