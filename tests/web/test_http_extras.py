"""What API clients expect: /api/v1/health, ETags with 304, gzip, a declared bearer-token scheme
and stable operation ids, over the real app (create_app installs http_extras) and a small book."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from openbook.web import create_app


@pytest.fixture
def extras_client(web_book):
    app = create_app(web_book)
    with TestClient(app) as test_client:
        yield test_client


def test_health_answers_with_the_book_reachable(extras_client):
    response = extras_client.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["cache-control"] == "no-store"


def test_an_answer_carries_an_etag_and_a_client_that_has_it_gets_304(extras_client):
    first = extras_client.get("/api/v1/spend", params={"limit": 5})
    tag = first.headers["etag"]
    assert first.status_code == 200 and tag.startswith('W/"')
    again = extras_client.get("/api/v1/spend", params={"limit": 5}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = extras_client.get("/api/v1/spend", params={"limit": 4}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    page = extras_client.get("/")
    assert page.status_code == 200 and extras_client.get("/", headers={"If-None-Match": page.headers["etag"]}
                                                         ).status_code == 304


def test_answers_are_gzipped_and_streamed_downloads_too_without_an_etag(extras_client):
    page = extras_client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and "<html" in page.text.lower()
    download = extras_client.get("/api/v1/spend", params={"format": "csv"}, headers={"Accept-Encoding": "gzip"})
    assert download.headers["content-encoding"] == "gzip" and "etag" not in download.headers
    assert len(download.text.splitlines()) == 13  # the header and the web book's 12 lines


def test_the_openapi_document_declares_the_bearer_token_and_stable_operation_ids(extras_client):
    document = extras_client.get("/api/v1/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["bearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    publish = document["paths"]["/api/v1/publish"]["post"]
    assert publish["security"] == [{"bearerToken": []}] and publish["operationId"] == "postPublish"
    ids = {path: operation["operationId"] for path, item in document["paths"].items() for operation in item.values()}
    assert len(set(ids.values())) == len(ids)
    assert ids["/api/v1/spend"] == "getSpend" and ids["/api/v1/aggregates/spend"] == "getAggregatesSpend"
    assert ids["/api/v1/suppliers/{supplier_id}"] == "getSuppliersBySupplierId"
    assert ids["/api/v1/health"] == "getHealth"
