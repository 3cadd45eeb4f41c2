"""The measures, scorecard, value index and alerts pages and their API, against the demo book.

Figures are checked against the analyse functions run directly on the same book (the measures
runner, the value index, publication quality, stored alerts), and the index under changed weights
against its weighted mean worked out here by hand from the inputs the page shows.
"""

from __future__ import annotations

import csv
import io
import math
import re
import shutil
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from openbook.analyse import value_index
from openbook.analyse.alerts import stored_alerts
from openbook.analyse.measures import load_measures
from openbook.analyse.measures.runner import choose_period, run
from openbook.analyse.quality import quality
from openbook.analyse.review import review
from openbook.store import Book
from openbook.web import create_app

MEASURE = "it-cost-per-employee"


@pytest.fixture(scope="module")
def client(demo_book):
    with TestClient(create_app(demo_book, read_only=True)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def book(client):
    cursor = client.app.state.book.cursor()
    yield cursor
    cursor.con.close()


@pytest.fixture(scope="module")
def sector_run(book):
    return run(book, comparator="sector")


def _period_rows(results, measure_id: str) -> list[dict]:
    rows = [r for r in results.rows if r["measure_id"] == measure_id]
    year = choose_period(rows)
    return [r for r in rows if r["period"] == year]


def test_measures_page_lists_every_declared_measure_with_its_review(client):
    page = client.get("/measures")
    assert page.status_code == 200
    measures = load_measures()
    assert len(measures) >= 5
    for measure in measures:
        assert f'href="/measures/{measure.id}"' in page.text
        assert str(measure.next_review) in page.text
    listed = client.get("/api/v1/measures").json()
    assert {r["id"] for r in listed["rows"]} == {m.id for m in measures}
    assert {r["direction"] for r in listed["rows"]} <= {"lower", "higher", "none"}


def test_measure_page_ranks_every_body_with_the_runners_figures_and_totals_the_savings(client, sector_run):
    expected = _period_rows(sector_run, MEASURE)
    assert len(expected) >= 10, "the demo book should give most bodies an IT cost per employee"
    shown = client.get(f"/measures/{MEASURE}?format=json").json()
    assert [r["org_id"] for r in shown] == [r["org_id"] for r in sorted(expected, key=lambda r: (r["value"], r["org_id"]))]
    by_org = {r["org_id"]: r for r in expected}
    for row in shown:
        assert row["value"] == pytest.approx(by_org[row["org_id"]]["value"])
        assert row["decile"] == by_org[row["org_id"]]["decile"]
    counted = sum((r["saving_gbp"] for r in expected if r["saving_counted"]), Decimal(0))
    page = client.get(f"/measures/{MEASURE}")
    assert re.search(r'id="savings-total">£([\d,]+)<', page.text).group(1) == f"{counted:,.0f}"
    assert "Basis shown: per employee (FTE)" in page.text
    assert "bodies of the same sector" in page.text


def test_a_saving_is_the_gap_to_the_target_centile_times_the_denominator(client):
    """Worked by hand from the row's own figures: (value − target) × denominator, never below zero."""
    rows = client.get(f"/api/v1/measures/{MEASURE}").json()["rows"]
    priced = [r for r in rows if r["saving_gbp"] is not None]
    assert priced
    for row in priced:
        gap = max(row["value"] - row["target_value"], 0)
        assert float(row["saving_gbp"]) == pytest.approx(gap * row["denominator"], abs=0.01)
    assert any(float(r["saving_gbp"]) > 0 for r in priced) and any(float(r["saving_gbp"]) == 0 for r in priced)


def test_measure_page_picks_out_the_chosen_body_and_follows_the_comparator(client, sector_run, book):
    org_id = _period_rows(sector_run, MEASURE)[0]["org_id"]
    page = client.get(f"/measures/{MEASURE}?org={org_id}&peers=neighbours")
    assert page.status_code == 200
    assert f'class="chosen" aria-current="true" data-org="{org_id}"' in page.text
    assert '"flag": "this body"' in page.text or "this body" in page.text
    neighbours = run(book, measures=[m for m in load_measures() if m.id == MEASURE], comparator="neighbours")
    api = client.get(f"/api/v1/measures/{MEASURE}?peers=neighbours").json()
    assert api["peers"] == "neighbours" and "nearest neighbours" in api["peers_text"]
    expected = {r["org_id"]: r["percentile"] for r in _period_rows(neighbours, MEASURE)}
    assert {r["org_id"]: r["percentile"] for r in api["rows"]} == pytest.approx(expected)


def test_unknown_measure_and_body_are_404s_in_words(client):
    assert client.get("/measures/no-such-measure").status_code == 404
    answer = client.get("/api/v1/measures/no-such-measure")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not-found"
    assert client.get("/api/v1/scorecard/NO-SUCH-BODY").json()["error"]["code"] == "not-found"
    assert client.get("/measures/it-cost-per-employee?peers=everyone").status_code == 422


def test_scorecard_shows_the_bodys_measures_alerts_quality_and_findings(client, sector_run, book):
    alerted = stored_alerts(book)
    assert alerted, "the demo book stores its alerts"
    org_id = alerted[0]["org_id"]
    page = client.get(f"/bodies/{org_id}/scorecard")
    assert page.status_code == 200
    mine = {r["measure_id"]: r for r in client.get(f"/bodies/{org_id}/scorecard?table=measures&format=json").json()
            if r["status"] in ("ranked", "not ranked")}
    for measure_id in mine:
        expected = next(r for r in _period_rows(sector_run, measure_id) if r["org_id"] == org_id)
        assert mine[measure_id]["value"] == pytest.approx(expected["value"])
        assert mine[measure_id]["percentile"] == pytest.approx(expected["percentile"])
    assert mine
    assert alerted[0]["title"] in page.text.replace("&#39;", "'")
    published = quality(book, org_id)[0]
    assert f"<dd>{published['months_published']} of {published['months_expected']}</dd>" in page.text
    findings = client.get(f"/bodies/{org_id}/scorecard?table=findings&format=json").json()
    stored = book.findings(org=org_id)
    assert stored, "the alerted body has findings in the demo book"
    assert sorted(f["finding_id"] for f in findings) == sorted(f["finding_id"] for f in stored)
    assert f'href="/bodies/{org_id}/scorecard"' in client.get(f"/bodies/{org_id}").text


def test_a_scorecard_lists_the_largest_findings_and_its_download_holds_them_all(client, book, monkeypatch):
    from openbook.web import pages_measures

    org_id, count = book.query("SELECT o, count(*) FROM (SELECT unnest(org_ids) AS o FROM finding) "
                               "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")[0]
    assert count > 2
    monkeypatch.setattr(pages_measures, "SCORECARD_FINDINGS", 2)
    page = client.get(f"/bodies/{org_id}/scorecard", headers={"Cache-Control": "no-cache"}).text
    listed = page.split('id="scorecard-findings"')[1].split("</table>")[0]
    largest = book.findings(org=org_id, limit=2)
    assert [f'href="/findings/{f["finding_id"]}"' in listed for f in largest] == [True, True]
    assert listed.count('<a href="/findings/') == 2 and f"{count} findings, the 2 largest shown" in page
    assert len(client.get(f"/bodies/{org_id}/scorecard?table=findings&format=json").json()) == count


def test_index_matches_the_value_index_and_shows_its_weights(client, book):
    weights = value_index.load_weights()
    expected = value_index.compute(book, run(book, comparator="sector"), weights)["body"]
    shown = client.get("/index?format=json").json()
    assert [r["key"] for r in shown] == [e["key"] for e in expected]
    assert [r["index"] for r in shown] == pytest.approx([e["index"] for e in expected])
    page = client.get("/index")
    assert "Weights used: cost efficiency 0.4, duplication 0.2, openness 0.2, blocks 0.2" in page.text
    for level in ("function", "sector", "service"):
        assert client.get(f"/api/v1/index?level={level}").json()["count"] > 0


def test_changing_a_weight_recomputes_the_index_as_the_weighted_mean_of_its_inputs(client):
    published = {r["key"]: r for r in client.get("/api/v1/index").json()["rows"]}
    answer = client.get("/api/v1/index?openness=0&blocks=5")
    assert answer.json()["weights"] == {"cost_efficiency": 0.4, "duplication": 0.2, "openness": 0.0, "blocks": 5.0}
    assert answer.json()["weights_source"] == "the weights given on this page"
    changed = answer.json()["rows"]
    for row in changed:
        inputs = {"cost_efficiency": 0.4, "duplication": 0.2, "blocks": 5.0}
        # An input that does not apply is left out; a missing one counts at the level's worst score.
        present = {k: w for k, w in inputs.items() if row[f"{k}_status"] != "not applicable"}
        assert all(row[f"{k}_scored_as"] is not None for k in present)
        by_hand = math.fsum(w * row[f"{k}_scored_as"] for k, w in present.items()) / math.fsum(present.values())
        assert row["index"] == pytest.approx(by_hand)
        assert row["index"] != pytest.approx(published[row["key"]]["index"]) or row["blocks"] is None
    assert [r["key"] for r in changed] != list(published), "weighting blocks heavily should reorder the bodies"
    page = client.get("/index?openness=0&blocks=5")
    assert "Weights used: cost efficiency 0.4, duplication 0.2, openness 0, blocks 5" in page.text
    assert client.get("/index?cost_efficiency=0&duplication=0&openness=0&blocks=0").status_code == 400
    assert client.get("/api/v1/index?cost_efficiency=0&duplication=0&openness=0&blocks=0").json()["error"][
        "code"] == "invalid-request"


def test_alerts_page_and_api_show_the_stored_alerts_in_words(client, book):
    alerted = stored_alerts(book)
    page = client.get("/alerts")
    for alert in alerted:
        assert f'data-alert="{alert["alert_id"]}"' in page.text
    api = client.get("/api/v1/alerts").json()
    assert [r["alert_id"] for r in api["rows"]] == [a["alert_id"] for a in alerted]
    one = alerted[0]["org_id"]
    assert {r["org_id"] for r in client.get(f"/api/v1/alerts?org={one}").json()["rows"]} == {one}


def test_downloads_return_the_rows_shown(client, book):
    text = client.get("/api/v1/quality?format=csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["org_id"] for r in rows] == [q["org_id"] for q in quality(book)]
    index_csv = list(csv.DictReader(io.StringIO(client.get("/index?format=csv").text)))
    assert [r["key"] for r in index_csv] == [r["key"] for r in client.get("/api/v1/index").json()["rows"]]
    for fmt in ("parquet", "xlsx"):
        answer = client.get(f"/api/v1/measures/{MEASURE}?format={fmt}")
        assert answer.status_code == 200 and f"measure-{MEASURE}.{fmt}" in answer.headers["content-disposition"]


def test_finding_page_shows_its_review_history(demo_book, tmp_path):
    copy = tmp_path / "reviewed.duckdb"
    shutil.copy(demo_book, copy)
    with Book(copy) as book:
        finding_id = book.findings(limit=1)[0]["finding_id"]
        review(book, finding_id, "false", "A. Reviewer", "a refund, not a second payment")
        review(book, finding_id, "explained", "B. Checker", "the refund was re-issued on purpose")
    with TestClient(create_app(copy, read_only=True)) as reviewed:
        page = reviewed.get(f"/findings/{finding_id}")
        assert "2 verdicts, oldest first" in page.text
        assert page.text.index("A. Reviewer") < page.text.index("B. Checker")
        assert re.search(r'<tr class="latest">.*?explained', page.text)
        rows = reviewed.get(f"/api/v1/reviews?finding={finding_id}").json()["rows"]
        assert [r["outcome"] for r in rows] == ["false", "explained"] and [r["latest"] for r in rows] == [False, True]


def test_measure_page_shows_a_funnel_plot_rank_intervals_and_control_limits(client, sector_run):
    rows = _period_rows(sector_run, MEASURE)
    page = client.get(f"/measures/{MEASURE}?peers=sector")
    assert page.status_code == 200 and 'id="funnel"' in page.text and "99.8%" in page.text
    shown = {r["org_id"]: r for r in client.get(f"/api/v1/measures/{MEASURE}?peers=sector").json()["rows"]}
    for row in rows:
        if row["percentile"] is None:
            continue
        mine = shown[row["org_id"]]
        assert mine["limits"] == row["limits"] and mine["rank"] == row["rank"]
        assert mine["rank_best"] <= mine["rank"] <= mine["rank_worst"] <= mine["peers"]
        assert 0 <= mine["lower_998"] <= mine["lower_95"] <= mine["peer_median"] <= mine["upper_95"] < mine["upper_998"]
        assert mine["rank_text"].startswith(f"ranked {mine['rank']}")
        assert mine["rank_text"] in page.text.replace("&ndash;", "–")


def test_measure_findings_are_raised_only_outside_the_control_limits(book):
    from openbook.analyse.measures import limits
    from openbook.analyse.measures.centile_savings import counted_latest

    results = run(book, comparator="kind")
    outside = {(r["org_id"], r["saving_gbp"]) for r in counted_latest(results.rows)
               if limits.is_outlier(r["limits"], results.measures[r["measure_id"]].direction)}
    inside = [r for r in counted_latest(results.rows) if (r["org_id"], r["saving_gbp"]) not in outside]
    stored = [f for f in book.findings(kind="measure-above-target-centile")]
    # The demo build stores the measures detector's findings: each one is a body outside its limits.
    assert {(f["org_ids"][0], f["gbp_at_stake"]) for f in stored} <= outside
    assert all("above the 99.8% control limit" in f["description"] for f in stored)
    assert not {(f["org_ids"][0], f["gbp_at_stake"]) for f in stored} & {(r["org_id"], r["saving_gbp"]) for r in inside}


def test_profile_page_and_api_show_each_measure_against_peers_without_a_composite(client, sector_run):
    org_id = next(r["org_id"] for r in _period_rows(sector_run, MEASURE) if r["percentile"] is not None)
    page = client.get(f"/bodies/{org_id}/profile?peers=sector")
    assert page.status_code == 200
    answer = client.get(f"/api/v1/profile/{org_id}?peers=sector").json()
    assert "index" not in answer and all("index" not in r for r in answer["rows"])
    assert {i["input"] for i in answer["inputs"]} == set(value_index.INPUTS)
    assert {r["measure_id"] for r in answer["rows"]} <= set(m.id for m in load_measures())
    mine = next(r for r in answer["rows"] if r["measure_id"] == MEASURE)
    expected = next(r for r in _period_rows(sector_run, MEASURE) if r["org_id"] == org_id)
    assert mine["value"] == pytest.approx(expected["value"]) and mine["limits"] == expected["limits"]
    assert mine["position"].startswith(mine["rank_text"]) and mine["position"] in page.text
    statuses = {r["status"] for r in answer["rows"]}
    assert statuses <= {"ranked", "not ranked", "missing", "not applicable"}
    for row in answer["rows"]:
        assert f'data-measure="{row["measure_id"]}" data-status="{row["status"]}"' in page.text
        if row["status"] in ("missing", "not applicable"):
            assert row["value"] is None and row["position"].startswith(row["status"])
    assert "index-score" not in page.text and 'id="profile-inputs"' in page.text  # inputs apart, no index
    assert client.get(f"/bodies/{org_id}/profile?format=csv&table=inputs").status_code == 200
    for hostile in ("/bodies/NOPE/profile", "/api/v1/profile/NOPE", "/bodies/%00/profile",
                    f"/bodies/{org_id}/profile?peers=evil", f"/api/v1/profile/{org_id}?peers=evil"):
        assert 400 <= client.get(hostile).status_code < 500, hostile


def test_missing_and_not_applicable_inputs_are_told_apart_on_the_index(client):
    rows = client.get("/api/v1/index?level=function").json()["rows"]
    assert rows and all(r["openness_status"] == "not applicable" and r["weight_openness"] is None for r in rows)
    page = client.get("/index?level=function").text
    assert "n/a" in page and "scored as the worst at this level" in page


def test_body_page_and_api_show_coverage_of_published_totals(client, book):
    from openbook.analyse.coverage import coverage

    expected = [r for r in coverage(book) if r["files_with_total"]]
    assert expected, "the demo's files carry total rows"
    row = expected[0]
    api = client.get(f"/api/v1/coverage?org={row['org_id']}").json()["rows"]
    mine = next(r for r in api if r["period"] == row["period"])
    assert mine["files_coverage"] == pytest.approx(row["files_coverage"])
    assert Decimal(mine["files_total_gbp"]) == row["files_total_gbp"]
    # Independently: the lines of the files that state a total, against those totals.
    page = client.get(f"/bodies/{row['org_id']}").text
    assert 'id="published-totals"' in page and f"{row['files_coverage']:.1%}" in page
    assert client.get("/api/v1/coverage?org=NOPE").status_code == 404
    assert client.get("/api/v1/coverage?format=evil").status_code == 422
