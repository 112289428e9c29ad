"""Deadlines of a case (《信访工作条例》, 2022) and the local, shorter limits.

- acceptance decided within 15 days of receipt (Art. 22, 23);
- concluded within 60 days of acceptance (Art. 34), or the local limit of the case's
  urgency colour when shorter (configuration ``URGENCY_LIMIT_DAYS``);
- one extension of at most 30 days, approved by the unit's head (Art. 34);
- review (复查) requested within 30 days of the written reply and answered within 30
  days (Art. 35); re-review (复核) the same way (Art. 36).

Days are counted as configured (``DEADLINE_DAY_KIND``): ``calendar`` days, or
``working`` days (Monday to Friday, minus the holidays given). As in Chinese law the day
a period starts on is not counted. Plain Python, no Flask: the caller passes the rules.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_

CALENDAR, WORKING = "calendar", "working"
DAY_KINDS = (CALENDAR, WORKING)
ACCEPTANCE_DAYS = 15
CONCLUSION_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_REQUEST_DAYS = 30
REVIEW_ANSWER_DAYS = 30

OVERDUE, DUE_SOON, ON_TIME = "overdue", "due_soon", "on_time"


@dataclass(frozen=True)
class DeadlineRules:
    day_kind: str = CALENDAR
    urgency_limits: Mapping[str, int | None] = field(default_factory=dict)
    due_soon_days: int = 5
    holidays: frozenset = frozenset()

    def __post_init__(self):
        if self.day_kind not in DAY_KINDS:
            raise ValueError(f"DEADLINE_DAY_KIND must be one of {DAY_KINDS}")

    @classmethod
    def from_config(cls, config: Mapping) -> "DeadlineRules":
        return cls(
            day_kind=config.get("DEADLINE_DAY_KIND", CALENDAR),
            urgency_limits=dict(config.get("URGENCY_LIMIT_DAYS") or {}),
            due_soon_days=int(config.get("DUE_SOON_DAYS", 5)),
            holidays=frozenset(config.get("DEADLINE_HOLIDAYS") or ()),
        )


def is_working_day(day: datetime.date, holidays: Iterable[datetime.date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_days(start: datetime.date, days: int, rules: DeadlineRules) -> datetime.date:
    """The last day of a period of ``days`` days starting on ``start`` (not counted)."""
    if rules.day_kind == CALENDAR:
        return start + datetime.timedelta(days=days)
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, rules.holidays):
            remaining -= 1
    return day


def acceptance_due(received_on: datetime.date, rules: DeadlineRules) -> datetime.date:
    return add_days(received_on, ACCEPTANCE_DAYS, rules)


def conclusion_limit(urgency: str | None, rules: DeadlineRules) -> int:
    local = rules.urgency_limits.get(urgency) if urgency else None
    return min(CONCLUSION_DAYS, local) if local else CONCLUSION_DAYS


def conclusion_due(accepted_on: datetime.date, urgency: str | None,
                   rules: DeadlineRules) -> datetime.date:
    return add_days(accepted_on, conclusion_limit(urgency, rules), rules)


def check_extension(days: int, already_extended: bool) -> None:
    if already_extended:
        raise RuleBroken(N_("The deadline has already been extended once."))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise RuleBroken(N_("An extension is between 1 and %(max)s days."),
                         max=MAX_EXTENSION_DAYS)


def extended_due(due_on: datetime.date, days: int, already_extended: bool,
                 rules: DeadlineRules) -> datetime.date:
    check_extension(days, already_extended)
    return add_days(due_on, days, rules)


def review_request_due(replied_on: datetime.date, rules: DeadlineRules) -> datetime.date:
    """The last day to ask for review (复查) or re-review (复核) after a written answer."""
    return add_days(replied_on, REVIEW_REQUEST_DAYS, rules)


def check_review_window(last_answer_on: datetime.date, requested_on: datetime.date,
                        rules: DeadlineRules) -> None:
    """A review is asked for within 30 days of the written answer it contests."""
    last_day = review_request_due(last_answer_on, rules)
    if requested_on > last_day:
        raise RuleBroken(N_("The time to ask for review ended on %(date)s."),
                         date=last_day)
    if requested_on < last_answer_on:
        raise RuleBroken(N_("A review cannot be asked for before the answer it contests."))


def review_answer_due(requested_on: datetime.date, rules: DeadlineRules) -> datetime.date:
    return add_days(requested_on, REVIEW_ANSWER_DAYS, rules)


def days_left(due_on: datetime.date | None, today: datetime.date) -> int | None:
    """Calendar days from today to the due date (negative once overdue)."""
    if due_on is None:
        return None
    return (due_on - today).days


def deadline_status(due_on: datetime.date | None, today: datetime.date,
                    rules: DeadlineRules) -> str | None:
    left = days_left(due_on, today)
    if left is None:
        return None
    if left < 0:
        return OVERDUE
    if left <= rules.due_soon_days:
        return DUE_SOON
    return ON_TIME
