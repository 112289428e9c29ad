"""The cockpit's filters (period and township), read from request arguments and
checked: a malformed date or an unknown township is a clear message, never a 500."""

import datetime
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Place
from app.security.scope import Scope

MAX_YEARS = 10


class FilterError(ValueError):
    """A filter the user gave cannot be used; the message is translated."""


@dataclass(frozen=True)
class CockpitFilter:
    start: datetime.date
    end: datetime.date
    township_id: int | None = None
    township_path: str | None = None

    def args(self) -> dict:
        """The request arguments that reproduce this filter."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.township_id is not None:
            out["township"] = str(self.township_id)
        return out


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The year so far."""
    return today.replace(month=1, day=1), today


def _date(value: str, which: str) -> datetime.date:
    try:
        if len(value) != 10:
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        if which == "from":
            raise FilterError(_('The start of the period, "%(value)s", is not a date '
                                '(write it as 2026-01-31).', value=value)) from None
        raise FilterError(_('The end of the period, "%(value)s", is not a date '
                            '(write it as 2026-01-31).', value=value)) from None


def parse_filter(args, scope: Scope, today: datetime.date | None = None) -> CockpitFilter:
    today = today or clock.today()
    start, end = default_period(today)
    if args.get("from"):
        start = _date(args["from"].strip(), "from")
    if args.get("to"):
        end = _date(args["to"].strip(), "to")
    if start > end:
        raise FilterError(_("The period starts after it ends."))
    if end.year - start.year > MAX_YEARS:
        raise FilterError(_("The period may be at most %(years)d years long.", years=MAX_YEARS))
    township = (args.get("township") or "").strip()
    if not township:
        return CockpitFilter(start, end)
    place = None
    if township.isdigit():
        place = db.session.execute(
            select(Place.id, Place.path).where(
                Place.id == int(township), Place.level == "township", Place.scope_clause(scope)
            )
        ).first()
    if place is None:
        raise FilterError(_('There is no township "%(value)s" in your area.', value=township))
    return CockpitFilter(start, end, place.id, place.path)


def townships_in_scope(scope: Scope) -> list[Place]:
    return list(db.session.scalars(
        select(Place).where(Place.level == "township", Place.scope_clause(scope))
        .order_by(Place.code)
    ))
