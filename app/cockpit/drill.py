"""Drill-down from a cockpit figure to the case list: FAB filters for what FAB's own
filters cannot say (a period, a place's subtree, overdue, due soon, awaiting
escalation, transferred to a department), and the URL that selects exactly the cases
behind a number."""

import datetime
from urllib.parse import urlencode

from flask import current_app, url_for
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import (
    FilterEqual,
    FilterIn,
    FilterRelationOneToManyEqual,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select

from app import clock
from app.models import Case, EscalationRequest, Place, Transfer
from app.models.stats import CONCLUDED_STATES, OPEN_STATES

PERIOD_SEPARATOR = ".."


def _day(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


class FilterPeriod(BaseFilter):
    """``2026-01-01..2026-03-31``: the date column within the period, both ends
    included. A malformed period selects nothing."""

    name = _l("Within the period")
    arg_name = "period"

    def apply(self, query, value):
        start, _sep, end = str(value).partition(PERIOD_SEPARATOR)
        start, end = _day(start), _day(end)
        if start is None or end is None:
            return query.filter(false())
        return query.filter(getattr(self.model, self.column_name).between(start, end))


class FilterPlaceSubtree(BaseFilter):
    """The case's place is this place or below it (a township's villages and grids)."""

    name = _l("Is in or below")
    arg_name = "subtree"

    def apply(self, query, value):
        if not str(value).isdigit():
            return query.filter(false())
        path = select(Place.path).where(Place.id == int(value)).scalar_subquery()
        subtree = select(Place.id).where(Place.path.like(path + "%"))
        return query.filter(Case.place_id.in_(subtree))


class FilterOverdue(BaseFilter):
    """Open and due before the given day."""

    name = _l("Overdue on")
    arg_name = "overdue_on"

    def apply(self, query, value):
        day = _day(value)
        if day is None:
            return query.filter(false())
        return query.filter(Case.due_before_clause(day))


class FilterDueSoon(BaseFilter):
    """Open and due within DUE_SOON_DAYS from the given day."""

    name = _l("Due soon after")
    arg_name = "due_soon_after"

    def apply(self, query, value):
        day = _day(value)
        if day is None:
            return query.filter(false())
        days = current_app.config.get("DUE_SOON_DAYS", 5)
        return query.filter(Case.due_between_clause(day, day + datetime.timedelta(days=days)))


class FilterEscalationPending(BaseFilter):
    name = _l("Has an escalation awaiting approval")
    arg_name = "escalation_pending"

    def apply(self, query, value):
        pending = select(EscalationRequest.case_id).where(EscalationRequest.status == "pending")
        return query.filter(Case.id.in_(pending))


class FilterTransferOverdue(BaseFilter):
    name = _l("Has a transfer overdue for a reply")
    arg_name = "transfer_overdue"

    def apply(self, query, value):
        day = _day(value) or clock.today()
        late = select(Transfer.case_id).where(Transfer.overdue_clause(day))
        return query.filter(Case.id.in_(late))


class FilterTransferredTo(BaseFilter):
    """``<department id>`` or ``<department id>:<period>``: transferred to that
    department (within the period)."""

    name = _l("Transferred to department")
    arg_name = "transferred_to"

    def apply(self, query, value):
        department, _sep, period = str(value).partition(":")
        if not department.isdigit():
            return query.filter(false())
        transferred = select(Transfer.case_id).where(Transfer.department_id == int(department))
        if period:
            start, _sep, end = period.partition(PERIOD_SEPARATOR)
            start, end = _day(start), _day(end)
            if start is None or end is None:
                return query.filter(false())
            transferred = transferred.where(
                Transfer.assigned_at >= start,
                Transfer.assigned_at < end + datetime.timedelta(days=1))
        return query.filter(Case.id.in_(transferred))


# Columns CaseView must offer in its search for the cockpit's links, and the filters
# added to them. FAB's ModelView has no hook for custom search filters (its
# ``search_filters`` serves the REST API only), so add_filters() appends them to the
# view's Filters; FAB reads one digit of a filter's index from the URL: keep them on
# columns with few filters of their own.
SEARCH_COLUMNS = ["case_leader", "due_on", "concluded_on"]
SEARCH_FILTERS = {
    "received_on": [FilterPeriod],
    # (a one-digit index: due_on's list is full)
    "concluded_on": [FilterPeriod, FilterTransferOverdue],
    "place": [FilterPlaceSubtree],
    "due_on": [FilterOverdue, FilterDueSoon, FilterEscalationPending, FilterTransferredTo],
}


def add_filters(filters, datamodel) -> None:
    """Append the cockpit's filters to a CaseView's Filters (search form and URL args
    use the same index into both lists)."""
    for column, classes in SEARCH_FILTERS.items():
        for registry in (filters.get_search_filters(), filters._all_filters):
            registry[column] = [*registry[column], *(cls(column, datamodel) for cls in classes)]


def _case_view():
    from app.extensions import appbuilder

    return next(v for v in appbuilder.baseviews if type(v).__name__ == "CaseView")


def _index(view, column: str, filter_class) -> int:
    for i, flt in enumerate(view._filters.get_search_filters()[column]):
        if type(flt) is filter_class:
            if i > 9:
                raise LookupError(f"filter {filter_class.__name__} on {column} is #{i}")
            return i
    raise LookupError(f"no {filter_class.__name__} on {column}")


def period_value(start: datetime.date, end: datetime.date) -> str:
    return f"{start.isoformat()}{PERIOD_SEPARATOR}{end.isoformat()}"


def case_list_url(*conditions) -> str:
    """conditions: (column, filter class, value or list of values)."""
    view = _case_view()
    pairs = []
    for column, filter_class, value in conditions:
        arg = f"_flt_{_index(view, column, filter_class)}_{column}"
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((arg, str(item)))
    return url_for("CaseView.list") + "?" + urlencode(pairs)


class Drill:
    """Case-list URLs for the figures of one cockpit filter."""

    def __init__(self, flt, today: datetime.date):
        self.flt, self.today = flt, today

    def base(self, start=None, end=None, township=True):
        out = [("received_on", FilterPeriod,
                period_value(start or self.flt.start, end or self.flt.end))]
        if township and self.flt.township_id is not None:
            out.append(("place", FilterPlaceSubtree, self.flt.township_id))
        return out

    def url(self, *conditions, **base) -> str:
        return case_list_url(*self.base(**base), *conditions)

    def states(self, states) -> str:
        return self.url(("state", FilterIn, list(states)))

    def concluded(self, *more) -> str:
        return self.url(("state", FilterIn, list(CONCLUDED_STATES)), *more)

    def open(self, *more) -> str:
        return self.url(("state", FilterIn, list(OPEN_STATES)), *more)

    def now(self, *conditions) -> str:
        """Open work as of today: the township, whenever received (Cockpit.open_where)."""
        return case_list_url(*self.base(township=True)[1:], *conditions)

    def overdue(self) -> str:
        return self.now(("due_on", FilterOverdue, self.today.isoformat()))

    def due_soon(self) -> str:
        return self.now(("due_on", FilterDueSoon, self.today.isoformat()))

    def escalations(self) -> str:
        return self.now(("due_on", FilterEscalationPending, "y"))

    def transfers_overdue(self) -> str:
        return self.now(("concluded_on", FilterTransferOverdue, self.today.isoformat()))

    def resolved_at(self, level: str) -> str:
        levels = ["banner", "joint_meeting"] if level == "banner" else [level]
        return self.concluded(("resolution_level", FilterIn, levels))

    def satisfied(self, evaluations) -> str:
        return self.concluded(("evaluation", FilterIn, list(evaluations)))

    def township_state(self, township_id: int, state: str) -> str:
        return case_list_url(*self.base(township=False),
                             ("place", FilterPlaceSubtree, township_id),
                             ("state", FilterEqual, state))

    def agent_open(self, person_id: int) -> str:
        return self.open(("agent", FilterRelationOneToManyEqual, person_id))

    def equal(self, column: str, value) -> str:
        return self.url((column, FilterEqual, value))

    def related(self, column: str, pk: int, *more) -> str:
        return self.url((column, FilterRelationOneToManyEqual, pk), *more)

    def flag(self, column: str) -> str:
        return self.url((column, FilterEqual, "y"))

    def department(self, department_id: int) -> str:
        """Cases transferred to the department in the period (whenever received)."""
        value = f"{department_id}:{period_value(self.flt.start, self.flt.end)}"
        conditions = [("due_on", FilterTransferredTo, value)]
        if self.flt.township_id is not None:
            conditions.append(("place", FilterPlaceSubtree, self.flt.township_id))
        return case_list_url(*conditions)

    def month_new(self, start, end) -> str:
        return case_list_url(*self.base(start, end))

    def month_concluded(self, start, end) -> str:
        conditions = [("concluded_on", FilterPeriod, period_value(start, end)),
                      ("state", FilterIn, list(CONCLUDED_STATES))]
        if self.flt.township_id is not None:
            conditions.append(("place", FilterPlaceSubtree, self.flt.township_id))
        return case_list_url(*conditions)
