"""The landing page's to-do list: what is waiting for the signed-in user, built from the
service layer's own questions (awaiting_approval_clause, answerable_transfers_clause,
the deadline clauses on Case) and the user's scope — never a second rule. Every list
counts open work as of today; each line opens its case."""

import datetime
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain import lifecycle
from app.extensions import db
from app.models import Case, EscalationRequest, Transfer
from app.security.scope import current_scope, scoped
from app.services import cases as case_service
from app.views.inboxes import pending_approvals_count

LINES = 10
SENT_BACK_DAYS = 30


@dataclass
class TodoLine:
    case: Case
    due_on: datetime.date | None
    note: str = ""

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < datetime.date.today()


@dataclass
class TodoSection:
    key: str
    title: object
    total: int
    lines: list[TodoLine] = field(default_factory=list)


def _first_and_count(statement, total=None):
    """(how many rows the statement selects, the first LINES of them with their cases),
    or None when there are none: a count and one short page, never every row."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(
            statement.order_by(None).subquery()))
    if not total:
        return None
    model = statement.column_descriptions[0]["entity"]
    rows = db.session.scalars(statement.options(selectinload(model.case))
                              .limit(LINES)).all()
    return total, rows


def _due_section(key, title, *where, bound=None,
                 states=lifecycle.OPEN_STATES) -> TodoSection | None:
    """Open cases in the user's scope meeting ``where`` (and ``bound(due column)``, a
    condition on the effective due date), due first first. Counted and listed one open
    state at a time (Case.due_parts): each part is one index range, where the due date
    as one expression made both engines read and sort every open case in scope."""
    total, lines = 0, []
    for state, due in Case.due_parts():
        if state not in states:
            continue
        part = [Case.state == state, *where] + ([bound(due)] if bound is not None else [])
        n = db.session.scalar(scoped(select(func.count()).select_from(Case)
                                     .where(*part), Case))
        if not n:
            continue
        total += n
        lines += db.session.scalars(scoped(select(Case).where(*part), Case)
                                    .order_by(due.asc().nulls_last(), Case.id)
                                    .limit(LINES)).all()
    if not total:
        return None
    lines.sort(key=lambda c: (c.effective_due_on is None, c.effective_due_on, c.id))
    return TodoSection(key, title, total,
                       [TodoLine(c, c.effective_due_on) for c in lines[:LINES]])


def todo_for(user) -> list[TodoSection]:
    today = datetime.date.today()
    sections = []
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        sections.append(_due_section("mine", _l("Cases I carry as agent"),
                                     Case.agent_id == person_id))
        sections.append(_due_section("leading", _l("Cases I lead as case-responsible leader"),
                                     Case.case_leader_id == person_id))
    # escalations this user may decide (the approvals inbox's own clause and count)
    approvals = _first_and_count(
        select(EscalationRequest).where(
            case_service.awaiting_approval_clause(user, current_scope()))
        .order_by(EscalationRequest.requested_at, EscalationRequest.id),
        total=pending_approvals_count())
    if approvals:
        sections.append(TodoSection(
            "approvals", _l("Escalations awaiting my approval"), approvals[0],
            [TodoLine(e.case, e.case.effective_due_on, e.reason) for e in approvals[1]]))
    # transfers to my department: pending ones by reply-by date
    transfers = _first_and_count(
        select(Transfer).where(case_service.answerable_transfers_clause(user),
                               Transfer.status == "open")
        .order_by(Transfer.due_on, Transfer.id))
    if transfers:
        sections.append(TodoSection(
            "transfers", _l("Transfers awaiting my department's reply"), transfers[0],
            [TodoLine(t.case, t.due_on) for t in transfers[1]]))
    # my escalation requests that were sent back lately
    since = datetime.datetime.now() - datetime.timedelta(days=SENT_BACK_DAYS)
    sent_back = _first_and_count(
        select(EscalationRequest).where(EscalationRequest.requested_by_id == user.id,
                                        EscalationRequest.status == "sent_back",
                                        EscalationRequest.decided_at >= since)
        .order_by(EscalationRequest.decided_at.desc(), EscalationRequest.id))
    if sent_back:
        sections.append(TodoSection(
            "sent_back", _l("My escalations sent back (last 30 days)"), sent_back[0],
            [TodoLine(e.case, e.case.effective_due_on, e.comment or "")
             for e in sent_back[1]]))
    if case_service.permitted(user, "accept") or case_service.permitted(user, "decline"):
        sections.append(_due_section("screen", _l("Cases to screen"),
                                     states=("registered",)))
    soon = today + datetime.timedelta(days=current_app.config.get("DUE_SOON_DAYS", 5))
    sections.append(_due_section("overdue", _l("Overdue cases in my area"),
                                 bound=lambda due: due < today))
    sections.append(_due_section("due_soon", _l("Cases due soon in my area"),
                                 bound=lambda due: due.between(today, soon)))
    return [s for s in sections if s is not None]
