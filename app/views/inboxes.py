"""What waits for whom: an approver's pending escalations (with a count in the menu), a
包案领导's own cases, and the transfers addressed to a stationed department. Plain FAB
list views over the same scoped models; each row leads to the case's page, where the
action is taken."""

from flask import g, has_request_context, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.sql.elements import False_

from app.extensions import db
from app.models import Case, EscalationRequest, Transfer
from app.models.choices import CASE_LEVELS, CASE_STATES, TRANSFER_STATUSES
from app.security.scope import SCOPE_FILTER, current_scope
from app.services import cases as case_service
from app.views.base import DaibanInterface, ScopedModelView, choice_formatter, interface
from app.views.labels import LABELS


def case_link(case) -> Markup:
    if case is None:
        return Markup("")
    return Markup('<a href="{}">{}</a>').format(url_for("CaseView.show", pk=case.id),
                                                 escape(str(case)))


class AwaitingMyApprovalFilter(BaseFilter):
    """The escalations the signed-in user may decide (the one authority, as SQL), within
    their data scope: the scope is tested in the clause's own probe of the case (as the
    navbar's count does), where ScopeFilter beside it made a second probe of the same
    case that PostgreSQL planned as a join of the township's cases with themselves
    (38 ms for a clerk at 1,000,000 cases)."""

    name = _l("Awaiting my approval")
    arg_name = "approvable"

    def apply(self, query, value):
        return query.filter(case_service.awaiting_approval_clause(g.user, current_scope()))


class AnsweredByMeFilter(BaseFilter):
    name = _l("Addressed to my department")
    arg_name = "mydept"

    def apply(self, query, value):
        return query.filter(case_service.answerable_transfers_clause(g.user))


def pending_approvals_count() -> int:
    """Shown twice on every page (the menu entry and the Cases menu): counted once."""
    if not has_request_context() or not current_user.is_authenticated:
        return 0
    if "daiban_pending_approvals" not in g:
        clause = case_service.awaiting_approval_clause(current_user, current_scope())
        # one who approves nothing (an agent, a grid worker) waits for nothing: no count
        g.daiban_pending_approvals = 0 if isinstance(clause, False_) else db.session.scalar(
            select(func.count(EscalationRequest.id)).where(clause))
    return g.daiban_pending_approvals


class CountedLabel:
    """A menu label that shows how many items wait, e.g. "Escalation approvals (3)"."""

    def __init__(self, text, count):
        self.text = text
        self.count = count

    def __str__(self) -> str:
        n = self.count()
        return f"{self.text} ({n})" if n else str(self.text)

    def __html__(self) -> str:
        return str(escape(str(self)))


class InboxView(ScopedModelView):
    """A read-only list of what waits for the user; a row opens its case page."""

    base_permissions = ["can_read"]
    muldelete = None  # read-only: no bulk delete action inherited

    def case_id_of(self, item):
        return item.case_id

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            return redirect(url_for(".list"))
        return redirect(url_for("CaseView.show", pk=self.case_id_of(item)))


class EscalationInboxView(InboxView):
    datamodel = interface(EscalationRequest)
    class_permission_name = "EscalationInbox"
    route_base = "/escalations"
    list_title = _l("Escalations awaiting my approval")
    label_columns = {**LABELS, "case": _l("Case"), "from_level": _l("From level"),
                     "to_level": _l("To level"), "reason": _l("Reason"),
                     "requested_by": _l("Requested by"), "requested_at": _l("Requested at")}
    list_columns = ["case", "from_level", "to_level", "reason", "requested_by", "requested_at"]
    search_columns = ["to_level", "requested_at"]
    base_filters = [["to_level", AwaitingMyApprovalFilter, None]]  # the scope is in it
    base_order = ("requested_at", "asc")
    formatters_columns = {"case": case_link, "from_level": choice_formatter(CASE_LEVELS),
                          "to_level": choice_formatter(CASE_LEVELS)}


def _my_person_id():
    return getattr(g.user, "person_id", None) or -1


class MyCasesView(InboxView):
    """包案领导: the cases the joint meeting made mine."""

    datamodel = interface(Case)
    class_permission_name = "MyCases"
    route_base = "/mycases"
    list_title = _l("My cases")
    label_columns = {**LABELS, "effective_due_on": _l("Due on"), "days_left": _l("Days left")}
    list_columns = ["number", "title", "state", "level", "responsible_place",
                    "effective_due_on", "days_left"]
    search_columns = ["number", "title", "state"]
    base_filters = [*SCOPE_FILTER, ["case_leader_id", FilterEqualFunction, _my_person_id]]
    base_order = ("received_on", "desc")
    formatters_columns = {"state": choice_formatter(CASE_STATES),
                          "level": choice_formatter(CASE_LEVELS)}

    def case_id_of(self, item):
        return item.id


class PendingFirstInterface(DaibanInterface):
    """Transfers in reply-by order with the pending ones first: a new transfer is on
    the first page, not behind the replied ones."""

    def apply_order_by(self, query, order_column, order_direction, *args, **kwargs):
        if order_column == "due_on":
            query = query.order_by((Transfer.status != "open").asc())
        return super().apply_order_by(query, order_column, order_direction, *args, **kwargs)


class TransferInboxView(InboxView):
    """A stationed department's transfers, to be answered before their deadline."""

    datamodel = PendingFirstInterface(Transfer)
    class_permission_name = "TransferInbox"
    route_base = "/transfers"
    list_title = _l("Transfers to my department")
    label_columns = {**LABELS, "case": _l("Case"), "assigned_at": _l("Transferred at"),
                     "due_on": _l("Reply by"), "status": _l("Status"),
                     "overdue": _l("Overdue")}
    list_columns = ["case", "department", "assigned_at", "due_on", "status", "overdue"]
    search_columns = ["status", "due_on"]
    base_filters = [*SCOPE_FILTER, ["department_id", AnsweredByMeFilter, None]]
    base_order = ("due_on", "asc")
    formatters_columns = {"case": case_link, "status": choice_formatter(TRANSFER_STATUSES),
                          "overdue": lambda v: _("Overdue") if v else ""}
