"""The landing page's to-do list: what is waiting for the signed-in user, built from the
service layer's own questions (awaiting_approval_clause, answerable_transfers_clause,
the deadline clauses on Case) and the user's scope — never a second rule. Every list
counts open work as of today; each line opens its case."""

import datetime
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app.domain import lifecycle
from app.extensions import db
from app.models import Case, EscalationRequest, Transfer
from app.security.scope import scoped
from app.services import cases as case_service

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


def _open():
    return Case.state.in_(tuple(lifecycle.OPEN_STATES))


def _case_section(key, title, where, order) -> TodoSection | None:
    statement = scoped(select(Case).where(where), Case)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    if not total:
        return None
    cases = db.session.scalars(statement.order_by(*order).limit(LINES)).all()
    return TodoSection(key, title, total, [TodoLine(c, c.effective_due_on) for c in cases])


def todo_for(user) -> list[TodoSection]:
    today = datetime.date.today()
    due = Case.effective_due_on_sql()
    sections = []
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        sections.append(_case_section(
            "mine", _l("Cases I carry as agent"),
            and_(Case.agent_id == person_id, _open()), (due.asc(), Case.id)))
        sections.append(_case_section(
            "leading", _l("Cases I lead as case-responsible leader"),
            and_(Case.case_leader_id == person_id, _open()), (due.asc(), Case.id)))
    # escalations this user may decide (the approvals inbox's own clause)
    approvals = db.session.scalars(
        scoped(select(EscalationRequest).join(Case, EscalationRequest.case_id == Case.id)
               .where(case_service.awaiting_approval_clause(user)), Case)
        .order_by(EscalationRequest.requested_at)).all()
    if approvals:
        sections.append(TodoSection(
            "approvals", _l("Escalations awaiting my approval"), len(approvals),
            [TodoLine(e.case, e.case.effective_due_on, e.reason) for e in approvals[:LINES]]))
    # transfers to my department: pending ones by reply-by date
    transfers = db.session.scalars(
        select(Transfer).where(case_service.answerable_transfers_clause(user),
                               Transfer.status == "open")
        .order_by(Transfer.due_on, Transfer.id)).all()
    if transfers:
        sections.append(TodoSection(
            "transfers", _l("Transfers awaiting my department's reply"), len(transfers),
            [TodoLine(t.case, t.due_on) for t in transfers[:LINES]]))
    # my escalation requests that were sent back lately
    since = datetime.datetime.now() - datetime.timedelta(days=SENT_BACK_DAYS)
    sent_back = db.session.scalars(
        select(EscalationRequest).where(EscalationRequest.requested_by_id == user.id,
                                        EscalationRequest.status == "sent_back",
                                        EscalationRequest.decided_at >= since)
        .order_by(EscalationRequest.decided_at.desc())).all()
    if sent_back:
        sections.append(TodoSection(
            "sent_back", _l("My escalations sent back (last 30 days)"), len(sent_back),
            [TodoLine(e.case, e.case.effective_due_on, e.comment or "")
             for e in sent_back[:LINES]]))
    if case_service.permitted(user, "accept") or case_service.permitted(user, "decline"):
        sections.append(_case_section(
            "screen", _l("Cases to screen"), Case.state == "registered",
            (Case.acceptance_due_on.asc(), Case.id)))
    soon = today + datetime.timedelta(days=current_app.config.get("DUE_SOON_DAYS", 5))
    sections.append(_case_section("overdue", _l("Overdue cases in my area"),
                                  Case.due_before_clause(today), (due.asc(), Case.id)))
    sections.append(_case_section("due_soon", _l("Cases due soon in my area"),
                                  Case.due_between_clause(today, soon), (due.asc(), Case.id)))
    return [s for s in sections if s is not None]
