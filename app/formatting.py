"""Dates, numbers and percentages in the user's language, for templates (Jinja filters),
exports and chart labels.

Babel cannot do this for the Mongolian UI: `mn` is Cyrillic (Mongolia), `mn_Mong_CN` has
no CLDR date data (it prints `2026 M11 22, Sun`) and `mn_Mong_MN`'s patterns and names
mix format controls, misspellings and letters of other Mongolian-block scripts. So the
Mongolian forms here are explicit, in the style of Inner Mongolian official documents:
Arabic digits with traditional-script words and case suffixes after a narrow no-break
space (U+202F): `2026 ᠣᠨ ᠤ 11 ᠰᠠᠷ᠎ᠠ ᠶᠢᠨ 22` (year's, month's, day). Chinese uses Babel's
`zh` (its date pattern `y年M月d日` written out: a list page formats hundreds of dates).
"""

import datetime

from babel import numbers as babel_numbers

from app.i18n import MONGOLIAN, current_language

NNBSP = "\u202f"
_YEAR = "ᠣᠨ" + NNBSP + "ᠤ"  # year + genitive
_MONTH = "ᠰᠠᠷ\u180eᠠ" + NNBSP + "ᠶᠢᠨ"  # month + genitive
_WEEK = "ᠭᠠᠷᠠᠭ" + NNBSP + "ᠤᠨ"  # week + genitive: "the week's first" = Monday
WEEKDAYS_MN = [f"{_WEEK} {day}" for day in (
    "ᠨᠢᠭᠡᠨ", "ᠬᠣᠶᠠᠷ", "ᠭᠤᠷᠪᠠᠨ", "ᠳᠥᠷᠪᠡᠨ", "ᠲᠠᠪᠤᠨ", "ᠵᠢᠷᠭᠤᠭᠠᠨ", "ᠡᠳᠦᠷ")]
WEEKDAYS_ZH = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]
# Babel locales for digits and separators only (both use Latin digits and ',' '.').
_NUMBER_LOCALE = {MONGOLIAN: "mn_Mong_CN", "zh": "zh_Hans_CN"}


def _language(language: str | None) -> str:
    return language or current_language()


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def format_date(value, form: str = "medium", language: str | None = None) -> str:
    """form: "short" (2026-11-22), "medium" (2026年11月22日), "full" (… 星期日)."""
    if value is None or value == "":
        return ""
    day = _as_date(value)
    if not isinstance(day, datetime.date):
        return str(value)
    if form == "short":
        return day.isoformat()
    if _language(language) == MONGOLIAN:
        text = f"{day.year} {_YEAR} {day.month} {_MONTH} {day.day}"
        weekday = WEEKDAYS_MN[day.weekday()]
    else:
        text = f"{day.year}年{day.month}月{day.day}日"  # Babel's zh "y年M月d日"
        weekday = WEEKDAYS_ZH[day.weekday()]
    return f"{text} {weekday}" if form == "full" else text


def format_month(value, language: str | None = None) -> str:
    """A month: a date, or a year*100+month number (202611) → 2026年11月 /
    `2026 ᠣᠨ ᠤ 11 ᠰᠠᠷ᠎ᠠ` (year's month)."""
    if value is None or value == "":
        return ""
    if isinstance(value, int):
        year, month = divmod(value, 100)
    else:
        year, month = value.year, value.month
    if _language(language) == MONGOLIAN:
        return f"{year} {_YEAR} {month} ᠰᠠᠷ\u180eᠠ"
    return f"{year}年{month}月"


def format_datetime(value, language: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return format_date(value, language=language)
    return f"{format_date(value, language=language)} {value:%H:%M}"


def format_number(value, digits: int | None = None, language: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if digits is None and type(value) is int and -1000 < value < 1000:
        return str(value)  # no group separator; both locales' digits and minus are ASCII
    locale = _NUMBER_LOCALE.get(_language(language), "zh_Hans_CN")
    if digits is None:
        return babel_numbers.format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=locale)


def format_percent(value, digits: int = 1, language: str | None = None) -> str:
    """0.943 → 94.3%."""
    if value is None or value == "":
        return ""
    locale = _NUMBER_LOCALE.get(_language(language), "zh_Hans_CN")
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(value, format=pattern, locale=locale)


FILTERS = {
    "format_date": format_date,
    "format_datetime": format_datetime,
    "format_number": format_number,
    "format_percent": format_percent,
    "format_month": format_month,
}


def register_filters(app) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["widget_locale"] = widget_locale


def widget_locale(language: str | None = None) -> dict:
    """Month and day names and messages for FAB's date picker and select2 widgets, which
    ship no Chinese or Mongolian of their own (used by templates/daiban/base.html)."""
    from flask_babel import gettext

    if _language(language) == MONGOLIAN:
        months = [f"{n} ᠰᠠᠷ\u180eᠠ" for n in range(1, 13)]
        days = [WEEKDAYS_MN[6], *WEEKDAYS_MN[:6]]
        short = [day.split(" ")[-1] for day in days]
    else:
        months = [f"{n}月" for n in range(1, 13)]
        days = [WEEKDAYS_ZH[6], *WEEKDAYS_ZH[:6]]
        short = [day[-1] for day in days]
    return {
        "datepicker": {"days": days, "daysShort": short, "daysMin": short,
                       "months": months, "monthsShort": months, "today": gettext("Today"),
                       "clear": gettext("Clear"), "weekStart": 1},
        "select2": {"noResults": gettext("No records found"),
                    "searching": gettext("Searching…"),
                    "loadingMore": gettext("Loading more results…"),
                    "errorLoading": gettext("The results could not be loaded."),
                    "inputTooShort": gettext("Type more characters to search.")},
    }
