"""The one clock every rule reads "today" and "now" from. By default the machine's;
set ``DAIBAN_CLOCK`` (configuration or the environment variable of the same name) to a
date ``2026-11-03`` or a moment ``2026-11-03T09:30`` and deadlines, overdue replies,
review windows, the cockpit and the bulletin all run on that day — stories across
weeks in tests and demos, without faking the system clock. A date alone keeps the
machine's time of day, so events of one day stay in order."""

import datetime

from flask import current_app, has_app_context

CONFIG_KEY = "DAIBAN_CLOCK"


class ClockError(ValueError):
    pass


def _set_to() -> datetime.datetime | datetime.date | None:
    if not has_app_context():
        return None
    value = current_app.config.get(CONFIG_KEY)
    if not value or isinstance(value, datetime.date):
        return value or None
    try:
        text = str(value).strip()
        if "T" in text or " " in text:
            return datetime.datetime.fromisoformat(text)
        return datetime.date.fromisoformat(text)
    except ValueError as err:
        raise ClockError(f"{CONFIG_KEY}={value!r} is neither a date nor a moment") from err


def now() -> datetime.datetime:
    """The present moment (naive local time, to the second)."""
    real = datetime.datetime.now().replace(microsecond=0)
    moment = _set_to()
    if moment is None:
        return real
    if isinstance(moment, datetime.datetime):
        return moment.replace(microsecond=0, tzinfo=None)
    return datetime.datetime.combine(moment, real.time())


def today() -> datetime.date:
    return now().date()
