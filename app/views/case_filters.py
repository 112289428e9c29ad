"""List filters for deadlines: "overdue" and "due soon", computed from the case's
state and its acceptance or conclusion deadline (app/domain/deadlines.py)."""

import datetime

from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l

from app import clock
from app.models import Case
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
