"""Deadline arithmetic: statutory limits, local urgency limits, working days, month and
year ends, and an extension."""

import datetime as dt

import pytest

from app.domain import deadlines as dl
from app.domain.errors import RuleBroken

pytestmark = pytest.mark.any_engine  # nothing of the engine under test

CAL = dl.DeadlineRules()
LOCAL = dl.DeadlineRules(urgency_limits={"red": 7, "yellow": 15, "blue": None})
WORK = dl.DeadlineRules(day_kind="working")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 20), dt.date(2026, 2, 4)),
        (dt.date(2026, 2, 20), dt.date(2026, 3, 7)),  # February has 28 days
        (dt.date(2028, 2, 20), dt.date(2028, 3, 6)),  # leap year
        (dt.date(2026, 12, 25), dt.date(2027, 1, 9)),  # across the year end
        (dt.date(2026, 12, 31), dt.date(2027, 1, 15)),
    ],
)
def test_acceptance_within_15_calendar_days(received, due):
    assert dl.acceptance_due(received, CAL) == due


def test_conclusion_within_60_days_across_year_end():
    assert dl.conclusion_due(dt.date(2026, 11, 30), "blue", CAL) == dt.date(2027, 1, 29)
    assert dl.conclusion_due(dt.date(2026, 12, 31), None, CAL) == dt.date(2027, 3, 1)


def test_urgency_colours_carry_local_shorter_limits():
    accepted = dt.date(2026, 1, 28)
    assert dl.conclusion_due(accepted, "red", LOCAL) == dt.date(2026, 2, 4)
    assert dl.conclusion_due(accepted, "yellow", LOCAL) == dt.date(2026, 2, 12)
    assert dl.conclusion_due(accepted, "blue", LOCAL) == dt.date(2026, 3, 29)


def test_local_limit_never_longer_than_the_statute():
    rules = dl.DeadlineRules(urgency_limits={"blue": 90})
    assert dl.conclusion_limit("blue", rules) == 60


def test_one_extension_of_at_most_30_days():
    due = dl.conclusion_due(dt.date(2026, 11, 2), "blue", CAL)
    assert due == dt.date(2027, 1, 1)
    assert dl.extended_due(due, 30, False, CAL) == dt.date(2027, 1, 31)
    with pytest.raises(RuleBroken):
        dl.extended_due(due, 31, False, CAL)
    with pytest.raises(RuleBroken):
        dl.extended_due(due, 0, False, CAL)
    with pytest.raises(RuleBroken):
        dl.extended_due(due, 10, True, CAL)


def test_extension_across_month_end_in_february():
    assert dl.extended_due(dt.date(2026, 1, 31), 30, False, CAL) == dt.date(2026, 3, 2)


def test_working_days_skip_weekends_and_holidays():
    # Friday 2026-12-25 + 5 working days: Mon 28 … Fri 1 Jan 2027
    assert dl.add_days(dt.date(2026, 12, 25), 5, WORK) == dt.date(2027, 1, 1)
    holidays = dl.DeadlineRules(day_kind="working", holidays=frozenset({dt.date(2027, 1, 1)}))
    assert dl.add_days(dt.date(2026, 12, 25), 5, holidays) == dt.date(2027, 1, 4)


def test_working_day_acceptance_and_extension():
    received = dt.date(2026, 11, 27)  # a Friday
    assert dl.acceptance_due(received, WORK) == dt.date(2026, 12, 18)
    due = dl.conclusion_due(dt.date(2026, 11, 30), "blue", WORK)  # Monday
    assert due == dt.date(2027, 2, 22)  # twelve weeks later, a Monday
    assert dl.extended_due(due, 30, False, WORK) == dt.date(2027, 4, 5)


def test_review_and_re_review_windows():
    reply = dt.date(2026, 12, 15)
    asked_by = dl.review_request_due(reply, CAL)
    assert asked_by == dt.date(2027, 1, 14)
    assert dl.review_answer_due(asked_by, CAL) == dt.date(2027, 2, 13)


def test_days_left_and_status():
    today = dt.date(2026, 12, 30)
    rules = dl.DeadlineRules(due_soon_days=5)
    assert dl.days_left(dt.date(2027, 1, 4), today) == 5
    assert dl.deadline_status(dt.date(2027, 1, 4), today, rules) == dl.DUE_SOON
    assert dl.deadline_status(dt.date(2027, 1, 5), today, rules) == dl.ON_TIME
    assert dl.deadline_status(today, today, rules) == dl.DUE_SOON
    assert dl.deadline_status(dt.date(2026, 12, 29), today, rules) == dl.OVERDUE
    assert dl.deadline_status(None, today, rules) is None


def test_rules_from_config_and_bad_day_kind():
    rules = dl.DeadlineRules.from_config(
        {"DEADLINE_DAY_KIND": "working", "URGENCY_LIMIT_DAYS": {"red": 7}, "DUE_SOON_DAYS": 3}
    )
    assert rules.day_kind == "working" and rules.due_soon_days == 3
    assert dl.conclusion_limit("red", rules) == 7
    with pytest.raises(ValueError):
        dl.DeadlineRules(day_kind="lunar")


def test_review_window_is_30_days_after_the_answer():
    answered = dt.date(2026, 12, 20)
    dl.check_review_window(answered, dt.date(2027, 1, 19), CAL)
    with pytest.raises(RuleBroken, match="ended"):
        dl.check_review_window(answered, dt.date(2027, 1, 20), CAL)
    with pytest.raises(RuleBroken):
        dl.check_review_window(answered, dt.date(2026, 12, 19), CAL)
