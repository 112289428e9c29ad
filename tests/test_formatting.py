"""Dates, numbers and percentages in the Mongolian UI: traditional script, never
Cyrillic, never Babel's `M11` fallback."""

import datetime
import re

import pytest

from app.formatting import format_date, format_datetime, format_number, format_percent

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
FALLBACK = re.compile(r"\bM\d{1,2}\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b")
MONGOLIAN = re.compile(r"[\u1820-\u18aa]")


def every_day_of(year):
    day = datetime.date(year, 1, 1)
    while day.year == year:
        yield day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize("form", ["medium", "full"])
def test_mongolian_dates_are_traditional_script(form):
    for day in every_day_of(2026):
        text = format_date(day, form, language="mn")
        assert not CYRILLIC.search(text) and not FALLBACK.search(text), text
        assert MONGOLIAN.search(text)
        assert f"{day.year} ᠣᠨ\u202fᠤ {day.month} ᠰᠠᠷ\u180eᠠ\u202fᠶᠢᠨ {day.day}" in text


def test_chinese_dates():
    assert format_date(datetime.date(2026, 11, 22), language="zh") == "2026年11月22日"
    sunday = format_date(datetime.date(2026, 11, 22), "full", language="zh")
    assert sunday == "2026年11月22日 星期日"
    assert format_datetime(datetime.datetime(2026, 11, 22, 9, 5), language="zh") == (
        "2026年11月22日 09:05")


def test_weekdays_in_mongolian():
    sunday = format_date(datetime.date(2026, 11, 22), "full", language="mn")
    monday = format_date(datetime.date(2026, 11, 23), "full", language="mn")
    assert sunday.endswith("ᠭᠠᠷᠠᠭ\u202fᠤᠨ ᠡᠳᠦᠷ") and monday.endswith("ᠭᠠᠷᠠᠭ\u202fᠤᠨ ᠨᠢᠭᠡᠨ")


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_numbers_and_percentages(language):
    assert format_number(1157, language=language) == "1,157"
    assert [format_number(n, language=language) for n in (-999, -5, 0, 999, 1000)] == [
        "-999", "-5", "0", "999", "1,000"]
    assert format_number(2.5, 2, language=language) == "2.50"
    assert format_percent(197 / 209, language=language) == "94.3%"
    assert format_percent(0.95, 0, language=language) == "95%"
    big = format_number(1234567.891, language=language)
    for text in (big, format_percent(1, language=language)):
        assert not CYRILLIC.search(text)


def test_empty_values():
    assert format_date(None) == "" and format_number(None) == "" and format_percent("") == ""


def test_pages_show_mongolian_dates(world, login):
    client = login("clerkA")
    client.get("/lang/mn")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert "2026 ᠣᠨ\u202fᠤ 11 ᠰᠠᠷ\u180eᠠ\u202fᠶᠢᠨ 2" in page
    assert not CYRILLIC.search(page)
    assert not re.search(r"\d{4} M\d{1,2} \d", page)


def test_template_filters(db_app):
    from flask import render_template_string
    from flask_babel import refresh

    with db_app.test_request_context("/?_l_=mn"):
        refresh()
        out = render_template_string("{{ d|format_date }} {{ 0.5|format_percent }}",
                                     d=datetime.date(2026, 1, 5))
    assert out == "2026 ᠣᠨ\u202fᠤ 1 ᠰᠠᠷ\u180eᠠ\u202fᠶᠢᠨ 5 50.0%"
