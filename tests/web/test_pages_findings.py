"""The findings pages without a browser: what publishers wrote is escaped, empty books say what to run,
and the savings form's figures are the model's, with JavaScript or without."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from openbook.analyse import savings as model
from openbook.analyse.findings import save_findings
from openbook.analyse.detectors.payments import DETECTOR, find_duplicate_payments
from openbook.ingest import ingest_file
from openbook.store import Book
from openbook.web import create_app
from openbook.formatting import pounds

SCRIPT = "<script>alert(1)</script>"


def test_a_supplier_named_like_a_script_is_shown_as_text(tmp_path):
    published = tmp_path / "spend.csv"
    published.write_text("Body Name,Date,Supplier,Amount,Transaction Number\n"
                         f"Trafford Council,02/04/2024,{SCRIPT},\"£1,234.56\",INV-1001\n"
                         f"Trafford Council,03/04/2024,{SCRIPT},\"£1,234.56\",INV-1001\n", encoding="utf-8")
    with Book(tmp_path / "b.duckdb") as book:
        assert ingest_file(book, published).accepted == 2
        saved = save_findings(book, DETECTOR, find_duplicate_payments(book).findings)
    assert saved == 1
    with TestClient(create_app(tmp_path / "b.duckdb")) as client:
        listing = client.get("/duplicates")
        finding_id = re.search(r'href="/findings/([^"#?]+)"', listing.text).group(1)
        for page in (listing, client.get(f"/findings/{finding_id}")):
            assert page.status_code == 200
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            assert SCRIPT not in page.text


def test_pages_over_a_book_without_findings_say_which_command_fills_them(client, tmp_path):
    lines = client.get("/api/v1/spend", params={"limit": 1000}).json()["count"]
    page = client.get("/duplicates")
    assert lines > 0 and page.status_code == 200
    assert f"holds {lines:,} payment lines" in page.text and "openbook duplicates" in page.text
    assert "£ at stake" not in page.text

    with TestClient(create_app(tmp_path / "empty.duckdb")) as empty:
        assert "openbook demo" in empty.get("/duplicates").text
        assert "openbook template system" in empty.get("/capabilities").text
        savings = empty.get("/savings")
        assert "evidences no duplicated administrative cost" in savings.text and 'id="net-saving"' not in savings.text


def test_an_unknown_finding_or_body_is_a_page_that_says_so(client):
    missing = client.get("/findings/duplicate-payment-000000000000")
    assert missing.status_code == 404 and "openbook analyse" in missing.text
    nobody = client.get("/duplicates", params={"org": "No Such Council"})
    assert nobody.status_code == 404 and "No Such Council" in nobody.text


@pytest.fixture(scope="module")
def demo_client(demo_book):
    with TestClient(create_app(demo_book, read_only=True)) as test_client:
        yield test_client


def _figure(html: str, name: str) -> str:
    return re.search(rf'id="{name}">([^<]*)<', html).group(1)


def test_the_savings_form_works_without_javascript(demo_client, demo_book):
    page = demo_client.get("/savings", params={"reduction": "25", "years": "3", "profile": "front",
                                                "cost_per_post": "40000"})
    assert page.status_code == 200
    scenario = replace(model.Scenario(), reduction=Decimal("0.25"), phasing=model.Phasing(3, "front"),
                       cost_per_post_gbp=Decimal(40000))
    with Book(demo_book, read_only=True) as book:
        expected = model.run(model.baseline_for(book, scenario), scenario)
    assert expected.run_rate.net_saving_gbp > 0
    assert _figure(page.text, "net-saving") == pounds(expected.run_rate.net_saving_gbp)
    assert _figure(page.text, "posts") == f"{expected.run_rate.posts:,.0f}"
    assert _figure(page.text, "npv") == pounds(expected.npv_gbp)
    assert 'value="25"' in page.text and '<option value="front" selected>' in page.text


def test_the_savings_form_refuses_an_impossible_input_with_a_sentence(demo_client):
    page = demo_client.get("/savings", params={"reduction": "140"})
    assert page.status_code == 422 and "between 0% and 100%" in page.text
    assert demo_client.get("/savings", params={"cost_per_post": "0"}).status_code == 422


def test_choosing_another_scenario_shows_it_as_written(demo_client):
    page = demo_client.get("/savings", params={"scenario": "manifesto-2018", "from": "bottom-up", "reduction": "10"})
    assert _figure(page.text, "net-saving") == "£46,000,000,000"  # the manifesto's own 40%, not the 10%
    assert "not sourced" in page.text


def test_the_baseline_figure_downloads_as_the_lines_it_sums(demo_client, demo_book):
    page = demo_client.get("/savings")
    link = re.search(r'href="(/savings/baseline\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    lines = list(csv.DictReader(io.StringIO(demo_client.get(link).text)))
    with Book(demo_book, read_only=True) as book:
        expected = model.baseline_for(book, model.Scenario())
    assert len(lines) == len(expected.lines) > 0
    assert sum(Decimal(r["annual_cost_gbp"]) for r in lines) == sum(
        (line.annual_cost_gbp.quantize(Decimal("0.01")) for line in expected.lines), Decimal(0))
    assert {r["kind"] for r in lines} <= set(model.KINDS)


def test_findings_that_need_review_are_labelled_and_listed_after_the_confident_ones(tmp_path):
    """A no-reference pair of £9,000 ranks below an exact copy of £100 on the home page and the
    duplicates page, and says it needs review there and on its own page."""
    published = tmp_path / "spend.csv"
    published.write_text("Body Name,Date,Supplier,Amount,Transaction Number\n"
                         "Trafford Council,02/04/2024,Acme Ltd,100.00,INV-1001\n"
                         "Trafford Council,09/04/2024,Acme Ltd,100.00,INV-1001\n"
                         "Trafford Council,03/04/2024,Oak Care Ltd,9000.00,\n"
                         "Trafford Council,05/04/2024,Oak Care Ltd,9000.00,\n"
                         "Trafford Council,06/04/2024,Elm Ltd,5.00,INV-7\n", encoding="utf-8")
    with Book(tmp_path / "b.duckdb") as book:
        ingest_file(book, published)
        save_findings(book, DETECTOR, find_duplicate_payments(book).findings)
        review = [f["finding_id"] for f in book.findings() if f["needs_review"]]
    assert len(review) == 1
    with TestClient(create_app(tmp_path / "b.duckdb")) as client:
        text = client.get("/duplicates").text
        assert text.index("Acme Ltd") < text.index("Oak Care Ltd") and "needs review" in text
        # The home page's largest findings are headlined ones only: the larger unreviewed pair is left out.
        home = client.get("/").text
        assert "Acme Ltd" in home and "Oak Care Ltd" not in home
        assert "Needs review." in client.get(f"/findings/{review[0]}").text
    with Book(tmp_path / "b.duckdb") as book:
        from openbook.analyse.review import review as verdict

        verdict(book, review[0], "confirmed", "auditor")
    with TestClient(create_app(tmp_path / "b.duckdb")) as client:
        home = client.get("/").text
        assert home.index("Oak Care Ltd") < home.index("Acme Ltd"), "once confirmed it headlines by its £"
