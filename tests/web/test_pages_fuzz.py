"""Every page route fuzzed with the API's generator (schemathesis over an OpenAPI document of the
pages, built from their routes): no server error, ever; a malformed path segment is a 404."""

from __future__ import annotations

import copy

import pytest
import schemathesis
from fastapi.openapi.utils import get_openapi
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from starlette.routing import Mount

from openbook.web import create_app
from tests.web.conftest import ROOT, copy_book

PAGE_MODULES = ("pages", "pages_docs", "pages_explore", "pages_findings", "pages_measures", "pages_savings")


def _page_routes() -> list:
    import importlib

    routes = []
    for name in PAGE_MODULES:
        for route in importlib.import_module(f"openbook.web.{name}").router.routes:
            documented = copy.copy(route)
            documented.include_in_schema = True
            routes.append(documented)
    return routes


OPERATIONS = sorted((method, route.path) for route in _page_routes() for method in route.methods if method == "GET")


@pytest.fixture(scope="module")
def fuzz_book(demo_book, tmp_path_factory):
    return copy_book(demo_book, tmp_path_factory.mktemp("pages-fuzz"))


@pytest.fixture
def app(fuzz_book):
    return create_app(fuzz_book, read_only=True, scenarios=ROOT / "scenarios")


@pytest.fixture
def pages_schema(app):
    document = get_openapi(title="openbook pages", version="1", routes=_page_routes())
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    return schema


def test_every_page_route_is_fuzzed(app):
    served = {route.path for route in app.routes if not isinstance(route, Mount) and "GET" in getattr(route, "methods", ())
              and not route.path.startswith("/api/")}
    assert served - {"/docs/oauth2-redirect"} <= {path for _, path in OPERATIONS}
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_page_answers_without_a_server_error(pages_schema, method, path, mode):
    operation = pages_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def call(case):
        response = case.call()
        assert response.status_code < 500, (case.formatted_path, case.query, response.text[:300])

    try:
        call()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip("every input this page takes is valid (free-text path parameters only)")


MALFORMED = ["%00", "x%00", "%00x", "%FF", "%C3%28", "%ED%A0%80", "a%0Ab", "%7F", "%E2%80%8F%00"]


@pytest.mark.parametrize("segment", MALFORMED)
@pytest.mark.parametrize("template", ["/bodies/{}", "/suppliers/{}", "/bodies/{}/scorecard", "/functions/{}",
                                      "/measures/{}", "/findings/{}", "/sources/{}", "/methodology/{}"])
def test_a_malformed_path_segment_is_a_404(app, template, segment):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        response = client.get(template.format(segment))
    assert response.status_code == 404, response.text[:300]
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("url", ["/search?q=%00", "/suppliers?q=a%00b", "/bodies?sort=%00", "/sources?file=%00"])
def test_a_nul_in_a_query_is_refused_not_a_server_error(app, url):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        response = client.get(url)
    assert response.status_code == 400, response.text[:300]
