"""Alerts with known answers: a planted step in a hand-made book, a one-month spike and a part-published
month that must not alert, worst-decile runs from hand-made measure rows, the CUSUM docstring's
hand-worked examples, and the demo sector (no planted steps) staying quiet."""

from __future__ import annotations

import doctest
import shutil
from datetime import date, datetime
from decimal import Decimal
from statistics import median

import pytest

from openbook.analyse.alerts import cusum
from openbook.analyse.alerts import (AlertSettings, compute_alerts, latest_stretch, monthly_series, pending, record_delivery,
                                     save_alerts, spend_changes, stored_alerts, subscribe, unsubscribe, worst_decile)
from openbook.errors import UsageError

MONTHS = [date(2024, 4 + i, 1) if i < 9 else date(2025, i - 8, 1) for i in range(12)]  # Apr 2024 .. Mar 2025


def test_cusum_docstring_known_answers_hold():
    result = doctest.testmod(cusum)
    assert result.attempted >= 5 and result.failed == 0


def _month(writer, org, month, amounts, function="digital"):
    writer.add("spend", [{"org_id": org, "paid_on": month.replace(day=10), "date_precision": "day",
                          "amount_gbp": Decimal(a), "supplier_name": "Acme Ltd", "function": function}
                         for a in amounts], file=f"{org}-{month:%Y-%m}.csv")


@pytest.fixture
def stepped(writer):
    """Barnet Test Council pays 12 digital lines of £1,000 a month; from November 2024 they are £2,500.
    Spike Council pays the same but one month (July) is ten times the rest. Thin Council publishes
    only 2 lines in January 2025 (a part-published month) and 12 of £1,000 in every other."""
    writer.organisation("XX-BARNET", "london-borough", name="Barnet Test Council")
    writer.organisation("XX-SPIKE", "london-borough", name="Spike Council")
    writer.organisation("XX-THIN", "london-borough", name="Thin Council")
    for i, month in enumerate(MONTHS):
        _month(writer, "XX-BARNET", month, ["2500" if i >= 7 else "1000"] * 12)
        _month(writer, "XX-SPIKE", month, ["10000" if i == 3 else "1000"] * 12)
        _month(writer, "XX-THIN", month, ["1000"] * (2 if month == date(2025, 1, 1) else 12))
    return writer


def test_a_planted_step_is_found_named_dated_and_sized(stepped, book):
    alerts = {(a.org_id, a.series): a for a in spend_changes(book)}
    assert set(alerts) == {("XX-BARNET", "total"), ("XX-BARNET", "digital")}
    it = alerts[("XX-BARNET", "digital")]
    assert it.title == ("Barnet Test Council's Digital, data and technology spend rose from a typical £12k a month "
                        "to £30k from November 2024")
    assert (it.before_gbp, it.after_gbp, it.change_gbp) == (Decimal("12000.00"), Decimal("30000.00"),
                                                            Decimal("18000.00"))
    assert it.change_share == pytest.approx(1.5) and it.direction == "up" and it.began == date(2024, 11, 1)
    assert "+£18k a month (+150%)" in it.context and "5 months published since (Nov 2024 to Mar 2025)" in it.context
    assert "median of its 6 months published from Apr 2024 to Sep 2024" in it.context
    assert "Lines a month" not in it.context  # 12 lines a month before and after
    # The evidence is the five files from November on, by SHA-256.
    assert it.sources == sorted(stepped.sha(f"XX-BARNET-{m:%Y-%m}.csv") for m in MONTHS[7:])


def test_a_part_published_month_is_left_out_not_read_as_a_fall(stepped, book):
    series = monthly_series(book)
    assert date(2025, 1, 1) not in [m for m, _, _ in series[("XX-THIN", "total")]]
    assert len(series[("XX-THIN", "total")]) == 11
    assert len(series[("XX-SPIKE", "total")]) == 12  # the spike month stays in; it just cannot signal alone


def test_a_gap_of_more_than_three_months_starts_the_series_afresh():
    months = [date(2022, 1, 1), date(2022, 2, 1), date(2022, 7, 1), date(2022, 8, 1), date(2022, 11, 1)]
    points = [(m, Decimal(1), 1) for m in months]
    # Feb → Jul is a gap of four months missing; Aug → Nov leaves Sep and Oct out, within three.
    assert [m for m, _, _ in latest_stretch(points, 3)] == months[2:]
    assert latest_stretch(points, 4) == points


def test_floors_hold_back_small_steps(stepped, book):
    loose = {(a.org_id, a.series) for a in spend_changes(book, AlertSettings(min_change_gbp=Decimal("20000")))}
    assert loose == set()  # an £18k step is under a £20k floor


def test_worst_decile_hand_made_rows():
    # Ten bodies over four quarters; decile = rank. B9 is in decile 10 in all four quarters; B8 is in
    # decile 10 in Q2 and Q3 but 9 in Q4 (the latest), so only B9 has the last 3 periods running.
    rows = []
    for period in ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]:
        for i in range(10):
            decile = i + 1
            if i == 8 and period in ("2024-Q2", "2024-Q3"):
                decile = 10
            rows.append({"org_id": f"B{i}", "measure_id": "it-per-head", "period": period, "value": float(i + 1),
                         "decile": decile})
    alerts = worst_decile(rows, names={"B9": "Body Nine"}, titles={"it-per-head": "IT spend per head"})
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.org_id, a.kind, a.measure_id, a.periods, a.began) == ("B9", "worst-decile", "it-per-head", 4, "2024-Q1")
    assert a.title == "Body Nine has been in the worst tenth of its peers on IT spend per head for 4 periods running " \
                      "(since 2024-Q1)"
    # Latest quarter: B9's value 10 against a peer median of 5.5 over 10 bodies.
    assert (a.value, a.peer_median) == (10.0, 5.5) and "10 bodies compared" in a.context
    assert worst_decile(rows, settings=AlertSettings(persistent_periods=5)) == []  # only four periods exist


def test_worst_decile_reads_what_openbook_measures_stored(stepped, book):
    # Rows as `openbook measures` stores them (decile 10 = highest value). IT cost per employee is
    # better lower, so Barnet's decile 10 is the worst tenth; the top-10 supplier share has no better
    # direction and gives no alert; other comparators and real-terms bases are not read.
    def row(org, measure, period, value, decile, comparator="kind", basis="per-fte"):
        return [measure, org, period, comparator, basis, value, decile, datetime(2026, 11, 1)]

    rows = []
    for period in ("2022-23", "2023-24", "2024-25"):
        for i in range(10):
            org = "XX-BARNET" if i == 9 else f"XX-P{i}"
            rows += [row(org, "it-cost-per-employee", period, float(i), i + 1),
                     row(org, "top10-supplier-share", period, float(i), i + 1),
                     row(org, "it-cost-per-employee", period, float(i), 10 - i, comparator="neighbours"),
                     row(org, "it-cost-per-employee", period, float(i), 10 - i, basis="per-fte+real:2024-25")]
    book.con.executemany("INSERT INTO measure_result (measure_id, org_id, period, comparator, basis, value, decile, "
                         "computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    found = [a for a in compute_alerts(book) if a.kind == "worst-decile"]
    assert [(a.org_id, a.measure_id, a.periods, a.began) for a in found] == [
        ("XX-BARNET", "it-cost-per-employee", 3, "2022-23")]
    assert found[0].title == ("Barnet Test Council has been in the worst tenth of its peers on IT cost per employee "
                              "for 3 periods running (since 2022-23)")
    assert {(a.kind, a.org_id) for a in compute_alerts(book)} >= {("spend-change", "XX-BARNET")}
    # Following the measure brings its worst-decile alerts, not the body's spend changes.
    save_alerts(book, compute_alerts(book))
    subscribe(book, "analyst@example.org", measure_id="it-cost-per-employee")
    (sent,) = pending(book)["analyst@example.org"]
    assert (sent["kind"], sent["org_id"], sent["periods"]) == ("worst-decile", "XX-BARNET", 3)


def test_subscriptions_pending_and_suppression(stepped, book):
    save_alerts(book, spend_changes(book))
    stored = stored_alerts(book)
    assert len(stored) == 2
    subscribe(book, "ann@example.org", org_id="XX-BARNET")
    subscribe(book, "ann@example.org", org_id="XX-BARNET")  # twice is once
    subscribe(book, "bob@example.org", org_id="XX-SPIKE")
    todo = pending(book)
    assert list(todo) == ["ann@example.org"] and len(todo["ann@example.org"]) == 2
    record_delivery(book, "ann@example.org", [a["alert_id"] for a in todo["ann@example.org"]], "outbox", "x.eml")
    assert pending(book) == {}
    # Recomputing gives the same alert ids, so nothing is sent again.
    save_alerts(book, spend_changes(book))
    assert pending(book) == {}
    assert unsubscribe(book, "ann@example.org") == 1
    with pytest.raises(UsageError, match="one body"):
        subscribe(book, "ann@example.org")
    with pytest.raises(UsageError, match="not an email"):
        subscribe(book, "ann at example.org", org_id="XX-BARNET")


def test_the_demo_sector_without_planted_steps_stays_quiet(demo_book, tmp_path):
    # The generator plants no step changes (each body-month's rows are the body's weight ± 10%),
    # so every spend alert on the demo is a false alarm: they must be rare (3 of 67 at seed 42).
    from openbook.store import Book

    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_book, copy)
    with Book(copy, read_only=True) as book:
        settings = AlertSettings()
        judged = [k for k, pts in monthly_series(book, settings).items()
                  if pts and median(n for _, _, n in pts) >= settings.min_lines]
        alerts = spend_changes(book, settings)
    assert len(judged) >= 50
    assert len(alerts) <= 0.1 * len(judged), [a.title for a in alerts]


def test_the_demo_reader_gets_every_demo_alert_in_one_email(demo_book):
    # `openbook demo` subscribes reader@example.org to every body that spends and writes its email
    # to <dir>/outbox: the email lists exactly the alerts stored.
    from email import message_from_bytes, policy

    from openbook.store import Book

    with Book(demo_book, read_only=True) as book:
        stored = stored_alerts(book)
        followed = book.query("SELECT count(*) FROM subscription WHERE email = 'reader@example.org'")[0][0]
        bodies = book.query("SELECT count(DISTINCT org_id) FROM spend_current")[0][0]
        delivered = book.query("SELECT count(*) FROM alert_delivery WHERE email = 'reader@example.org'")[0][0]
    assert followed == bodies > 0 and delivered == len(stored)
    emails = sorted((demo_book.parent / "outbox").glob("*.eml"))
    assert len(emails) == (1 if stored else 0)
    for path in emails:
        body = message_from_bytes(path.read_bytes(), policy=policy.default).get_content()
        assert all(alert["title"] in body for alert in stored)
        assert body.count("Alert id: ") == len(stored)
