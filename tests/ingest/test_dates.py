"""Dates in every UK publishing style; day-first unless the file proves month-first."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openbook.ingest.dates import DateError, numeric_order_evidence, parse_date

DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2069, 12, 31))


@given(DAYS)
def test_every_style_of_a_day_reads_back_to_it(day):
    excel_serial = (day - date(1899, 12, 30)).days
    styles = [
        day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d-%b-%y"), day.strftime("%d-%b-%Y"),
        day.strftime("%d %B %Y"), day.strftime("%d/%m/%y"), f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d.%m.%Y"), f"{day.isoformat()} 00:00:00", f"{day.isoformat()}T13:45:00",
        str(excel_serial), day.strftime("%Y%m%d"),
    ]
    for text in styles:
        assert parse_date(text)[:2] == (day, "day"), text


@given(DAYS)
def test_month_first_files_read_month_first_and_flag_ambiguity(day):
    text = f"{day.month:02d}/{day.day:02d}/{day.year}"
    parsed = parse_date(text, month_first=True)
    assert (parsed.day, parsed.precision) == (day, "day")
    both_readable = day.day <= 12 and day.day != day.month
    assert (parsed.flag == "date-ambiguous") == both_readable


def test_the_file_window_settles_a_date_that_reads_both_ways():
    june = (date(2010, 6, 1), date(2010, 6, 30))
    assert parse_date("1/6/2010", month_first=True, window=june)[:3] == (date(2010, 6, 1), "day", "date-ambiguous")
    assert parse_date("1/6/2010", window=june)[:3] == (date(2010, 6, 1), "day", "")
    january = (date(2010, 1, 1), date(2010, 1, 31))
    assert parse_date("1/6/2010", window=january)[:3] == (date(2010, 1, 6), "day", "date-ambiguous")


def test_a_value_only_readable_month_first_is_read_so_and_flagged():
    parsed = parse_date("04/20/2015")
    assert (parsed.day, parsed.flag) == (date(2015, 4, 20), "date-month-first")
    mixed = parse_date("04/05/2015", mixed=True)
    assert (mixed.day, mixed.flag) == (date(2015, 5, 4), "date-ambiguous")


@pytest.mark.parametrize("text,expected", [
    ("Apr-19", date(2019, 4, 1)), ("April 2019", date(2019, 4, 1)), ("2019-04", date(2019, 4, 1)),
    ("04/2019", date(2019, 4, 1)), ("Sept 2019", date(2019, 9, 1)),
])
def test_month_only_dates_keep_month_precision(text, expected):
    assert parse_date(text)[:2] == (expected, "month")


@pytest.mark.parametrize("text,code", [
    ("", "date-missing"), ("31/02/2024", "date-invalid"), ("2024-13-01", "date-invalid"),
    ("N/A", "date-invalid"), ("12/04/1901", "date-out-of-range"), ("13/13/2024", "date-invalid"),
    ("31/31/2024", "date-invalid"),
    ("32-Foo-19", "date-invalid"),
])
def test_bad_dates_are_coded_errors(text, code):
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert caught.value.code == code


def test_future_dates_beyond_the_limit_are_out_of_range():
    limit = date(2026, 1, 1)
    with pytest.raises(DateError) as caught:
        parse_date("2091-01-01", latest=limit)
    assert caught.value.code == "date-out-of-range"
    assert parse_date((limit - timedelta(days=1)).isoformat(), latest=limit)[0] == date(2025, 12, 31)


@pytest.mark.parametrize("text,evidence", [("13/04/2024", "dmy"), ("04/13/2024", "mdy"), ("04/05/2024", ""),
                                           ("2024-04-13", "")])
def test_numeric_order_evidence(text, evidence):
    assert numeric_order_evidence(text) == evidence
