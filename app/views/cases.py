from flask import g
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterInFunction, FilterNotEqual
from flask_appbuilder.widgets import ListWidget
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import HiddenField
from wtforms.validators import DataRequired, NumberRange, Optional

from app.cockpit import drill as cockpit_drill
from app.cockpit import rollup
from app.extensions import db
from app.formatting import format_date, format_number
from app.models import Case, CaseEvent, CaseStat, CaseStatTown
from app.models.cases import MAX_REPRESENTATIVES
from app.models.choices import (
    CASE_ACTIONS,
    CASE_LEVELS,
    CASE_STATES,
    EVALUATIONS,
    PURPOSES,
    URGENCY,
)
from app.security.scope import ScopeFilter, current_scope
from app.services import action_inputs
from app.services import cases as case_service
from app.views.base import (
    DaibanInterface,
    ScopedModelView,
    choice_field,
    choice_formatter,
    interface,
    yes_no,
)
from app.views.case_filters import DEADLINE_FILTERS, index_text_search
from app.views.case_lifecycle import CaseLifecycleMixin
from app.views.labels import LABELS


class CaseEventView(ScopedModelView):
    """A case's history: read-only, append-only."""

    datamodel = interface(CaseEvent)
    class_permission_name = "CaseEvent"
    list_title = _l("Case history")
    show_title = _l("Case event")
    label_columns = LABELS
    base_permissions = ["can_read"]
    list_columns = ["at", "action", "from_state", "to_state", "user", "comment"]
    show_columns = ["case", "at", "action", "from_state", "to_state", "user", "comment",
                    "attachment"]
    search_columns = ["action", "at"]
    base_order = ("at", "asc")
    formatters_columns = {
        "action": choice_formatter(CASE_ACTIONS),
        "from_state": choice_formatter(CASE_STATES),
        "to_state": choice_formatter(CASE_STATES),
    }


class CaseListWidget(ListWidget):
    """Rows without an edit link: the case page offers editing when the authority
    allows it for that case."""

    template = "daiban/widgets/case_list.html"


def _case_place_levels():
    return ["village", "grid"]


_REGISTER_COLUMNS = [
    "petitioner", "place", "channel", "category", "purpose", "urgency", "title",
    "description", "demand", "is_group", "head_count", "representatives", "received_on",
    "is_repeat",
    "skipped_level", "accused_department", "accused_place",
]


def _stat_total(stat, *where) -> int:
    """The sum of a count table's counts where ``where`` holds."""
    return db.session.scalar(select(func.coalesce(func.sum(stat.n), 0)).where(*where))


class CaseInterface(DaibanInterface):
    def fast_count(self, filters):
        """The exact count of a banner-wide list with no filter or filtered by one state
        (equal to), from case_stat, kept in the same transaction as the cases: with no
        filter case_stat's "all" rows, one per village (count(*) read a million index
        entries: 3.8 ms on SQLite; PostgreSQL showed the planner's estimate instead); by
        state, case_stat_town's rows for that state over every month, one per township
        (371,000 concluded: 56 ms on PostgreSQL and 24 ms on SQLite by count(*), 2–4 ms
        from the per-village counts of each month).

        A township clerk's list (the scope one township's subtree) likewise, from that
        township's rows of case_stat_town: count(*) read its 30,000 index entries, 8 ms
        of the clerk's 23 ms PostgreSQL list page at 1,000,000 cases."""
        if filters is None:
            return None
        scope, township = current_scope(), None
        if not scope.everything:
            township = case_service.single_township(scope)
            if township is None:
                return None
        chosen = [(f, value) for f, value in zip(filters.filters, filters.values, strict=True)
                  if not isinstance(f, ScopeFilter)]
        state = None
        if len(chosen) == 1 and type(chosen[0][0]) is FilterEqual \
                and chosen[0][0].column_name == "state":
            # FAB keeps a filter's values as a list, each applied (one, in practice)
            values = chosen[0][1] if isinstance(chosen[0][1], list) else [chosen[0][1]]
            if len(values) != 1:
                return None
            state = values[0]
        elif chosen:
            return None
        if township is None and state is None:
            return _stat_total(CaseStat, CaseStat.dim == rollup.ALL)
        where = [CaseStatTown.dim == "state", CaseStatTown.ym == rollup.EVER]
        if township is not None:
            where.append(CaseStatTown.place_id == township)
        if state is not None:
            where.append(CaseStatTown.key == state)
        return _stat_total(CaseStatTown, *where)


class CaseView(CaseLifecycleMixin, ScopedModelView):
    datamodel = CaseInterface(Case)
    class_permission_name = "Case"
    list_title = _l("Cases")
    show_title = _l("Case")
    add_title = _l("Register a case")
    edit_title = _l("Edit case details")
    label_columns = LABELS
    list_columns = ["number", "title", "place", "category", "urgency", "state", "level",
                    "received_on", "effective_due_on", "days_left", "agent"]
    search_columns = ["number", "title", "description", "place", "responsible_place",
                      "category", "channel",
                      "urgency", "state", "level", "received_on", "agent", "is_group",
                      "is_repeat", "skipped_level", "resolution_level", "evaluation",
                      "due_on", "supervised"]
    add_columns = _REGISTER_COLUMNS
    # a case arises in a village or one of its grids (a grid worker registers from
    # their grid); petitioners are searched on their own list, which shows their cases
    add_form_query_rel_fields = {
        "place": [["id", ScopeFilter, None], ["level", FilterInFunction, _case_place_levels]],
        # the accused unit may lie above the registrar's area (a township, the banner)
        "accused_place": [["level", FilterNotEqual, "grid"]],
    }
    edit_form_query_rel_fields = {"accused_place": [["level", FilterNotEqual, "grid"]]}
    # a case's state, level and people change only through actions (app/services); the
    # details through case_service.edit_details (version: the page's, to refuse a stale one)
    edit_columns = ["channel", "category", "purpose", "urgency", "title", "description",
                    "demand", "is_group", "head_count", "representatives", "is_repeat",
                    "skipped_level", "accused_department", "accused_place", "version"]
    show_fieldsets = [
        (_l("Case"), {"fields": ["number", "title", "state", "level", "urgency", "category",
                                 "channel", "purpose", "accused_department",
                                 "accused_place", "received_on", "registered_at",
                                 "registered_by"]}),
        (_l("Who and where"), {"fields": ["petitioner_for_viewer",
                                          "petitioner_phone_for_viewer", "place",
                                          "is_group", "head_count", "is_collective",
                                          "representatives",
                                          "is_repeat",
                                          "skipped_level"]}),
        (_l("Matter"), {"fields": ["description", "demand"]}),
        (_l("Handling"), {"fields": ["responsible_place", "agent", "case_leader",
                                     "entrustment_signer_for_viewer",
                                     "entrustment_signed_on",
                                     "accepted_on", "acceptance_due_on", "due_on",
                                     "extension_days", "supervised"]}),
        (_l("Result"), {"fields": ["concluded_on", "reply", "resolution_level", "evaluation",
                                   "followed_up_on", "followup_note", "stop_agreement",
                                   "decline_reason", "decline_guidance_text",
                                   "archived_on"]}),
    ]
    order_columns = ["number", "received_on", "due_on", "urgency", "state"]
    base_order = ("received_on", "desc")
    label_columns = {**LABELS, "petitioner_phone_masked": _l("Petitioner's phone"),
                     "petitioner_for_viewer": LABELS["petitioner"],
                     "petitioner_phone_for_viewer": _l("Petitioner's phone"),
                     "entrustment_signer_for_viewer": LABELS["entrustment_signer"],
                     "accused_department": _l("Accused department"),
                     "accused_place": _l("Accused place"),
                     "effective_due_on": _l("Due on"), "days_left": _l("Days left"),
                     "decline_guidance_text": LABELS["decline_guidance"],
                     "is_collective": _l("Collective visit")}
    description_columns = {
        "petitioner": _l("Type a name: the list shows village and masked phone or ID "
                         "number. Not recorded yet? Add them under Petitioners (likely "
                         "duplicates are shown there); their page registers a case for "
                         "them."),
        "representatives": _l("A collective visit (more than 5 people) sends 1 to 5 "
                              "representatives."),
    }
    list_template = "daiban/case_list.html"
    list_widget = CaseListWidget
    add_form_extra_fields = {
        "purpose": choice_field(_l("Purpose"), PURPOSES),
        "urgency": choice_field(_l("Urgency"), URGENCY),
    }
    edit_form_extra_fields = {**add_form_extra_fields, "version": HiddenField()}
    validators_columns = {
        "petitioner": [DataRequired()],
        "place": [DataRequired()],
        "channel": [DataRequired()],
        "category": [DataRequired()],
        "head_count": [NumberRange(min=1, max=100000)],
        "representatives": [Optional(), NumberRange(min=1, max=MAX_REPRESENTATIVES)],
    }
    formatters_columns = {
        "state": choice_formatter(CASE_STATES),
        "level": choice_formatter(CASE_LEVELS),
        "resolution_level": choice_formatter(CASE_LEVELS),
        "urgency": choice_formatter(URGENCY),
        "purpose": choice_formatter(PURPOSES),
        "evaluation": choice_formatter(EVALUATIONS),
        "is_group": yes_no,
        "is_collective": yes_no,
        "is_repeat": yes_no,
        "skipped_level": yes_no,
        "supervised": yes_no,
        "stop_agreement": yes_no,
        "days_left": lambda v: "" if v is None else format_number(v),
        "effective_due_on": format_date,
    }
    related_views = [CaseEventView]
    # the cockpit's drill-down links (app/cockpit/drill.py)
    search_columns = [*search_columns, *cockpit_drill.SEARCH_COLUMNS]

    def pre_add(self, item):
        case_service.register(item, g.user)

    def _init_properties(self):
        super()._init_properties()
        # the case page's action forms choose agents, mediators, leaders, people in charge
        self.offered_picks.update(f.duty or "person" for fields in action_inputs.INPUTS.values()
                                  for f in fields if f.kind == action_inputs.PERSON)
        cockpit_drill.add_filters(self._filters, self.datamodel)
        index_text_search(self._filters, self.datamodel)
        # "overdue" and "due soon" join the due date's filters (list and search form)
        for filters in (self._filters._search_filters, self._filters._all_filters):
            filters["due_on"] = [*filters["due_on"],
                                 *(f("due_on", self.datamodel) for f in DEADLINE_FILTERS.values())]

    def deadline_filter_url(self, kind: str) -> str:
        """The list filtered to overdue or due-soon cases (for the quick links)."""
        filters = self._filters._search_filters["due_on"]
        index = next(i for i, f in enumerate(filters) if f.arg_name == kind)
        return f"?_flt_{index}_due_on=1"
