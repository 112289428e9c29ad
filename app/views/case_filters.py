"""List filters for deadlines: "overdue" and "due soon", computed from the case's
state and its acceptance or conclusion deadline (app/domain/deadlines.py)."""

import datetime

from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterContains
from flask_babel import lazy_gettext as _l

from app import clock
from app.models import Case
from app.models.search import contains_clause
from app.services.cases import deadline_rules


class OverdueFilter(BaseFilter):
    name = _l("Overdue")
    arg_name = "overdue"

    def apply(self, query, value):
        return query.filter(Case.due_before_clause(clock.today()))


class DueSoonFilter(BaseFilter):
    name = _l("Due soon")
    arg_name = "due_soon"

    def apply(self, query, value):
        today = clock.today()
        soon = today + datetime.timedelta(days=deadline_rules().due_soon_days)
        return query.filter(Case.due_between_clause(today, soon))


DEADLINE_FILTERS = {"overdue": OverdueFilter, "due_soon": DueSoonFilter}


class IndexedContains(FilterContains):
    """FAB's "Contains" on a case's title or description, answered by the trigram
    indexes (app/models/search.py) instead of reading every case. A list so filtered
    counts its matches up to DaibanInterface.COUNT_CAP (``capped_count``)."""

    capped_count = True

    def apply(self, query, value):
        value = (value or "").strip()
        if not value:
            return query
        return query.filter(
            contains_clause(getattr(Case, self.column_name), value, query.session))


def index_text_search(filters, datamodel, columns=("title", "description")):
    """Swap FAB's Contains for IndexedContains on the given columns, keeping each filter's
    position (the position is in the URL: ``_flt_2_title``)."""
    for registry in (filters._search_filters, filters._all_filters):
        for column in columns:
            registry[column] = [IndexedContains(column, datamodel)
                                if type(f) is FilterContains else f
                                for f in registry.get(column, [])]
