"""The landing page's to-do list: what is waiting for the signed-in user, built from the
service layer's own questions (awaiting_approval_clause, answerable_transfers_clause,
the deadline clauses on Case) and the user's scope — never a second rule. Every list
counts open work as of today; each line opens its case."""

import datetime
from dataclasses import dataclass, field

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, distinct, func, literal, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.domain import lifecycle
from app.extensions import db
from app.models import Case, EscalationRequest, Transfer
from app.security.scope import current_scope
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
    rows = db.session.scalars(statement.options(
        selectinload(model.case).joinedload(Case.place)).limit(LINES)).all()
    return total, rows


@dataclass
class _Due:
    """A section of open cases in the user's scope meeting ``where`` (and
    ``bound(due column)``, a condition on the effective due date), due first first."""

    key: str
    title: object
    where: tuple = ()
    bound: object = None
    states: tuple = lifecycle.OPEN_STATES

    def parts(self, scope_clause, states=None):
        """(condition, due column), one per open state (Case.due_parts): each is one
        index range, where the due date as one expression made both engines read and
        sort every open case in scope. ``states``: the only states the scope's cases
        are in, when known (a department's); no part for the others."""
        for state, due in Case.due_parts():
            if state in self.states and (states is None or state in states):
                bound = [self.bound(due)] if self.bound is not None else []
                yield and_(Case.state == state, *self.where, *bound, scope_clause), due


def department_cases_by_state(department_id) -> dict[str, int]:
    """{state: how many of the department's cases are in it}, from its transfers' copy of
    their case's state (ix_transfer_department_state, index-only), where reading the
    states of the cases transferred to it read them all; asked once per request."""
    memo = g.setdefault("daiban_department_states", {})
    if department_id not in memo:
        memo[department_id] = dict(db.session.execute(
            select(Transfer.case_state, func.count(distinct(Transfer.case_id)))
            .where(Transfer.department_id == department_id)
            .group_by(Transfer.case_state)).all())
    return memo[department_id]


def _counts(statements: list) -> list[int]:
    """How many rows each select gives, in one statement (one round trip)."""
    if not statements:
        return []
    return list(db.session.execute(select(*(
        select(func.count()).select_from(stmt.order_by(None).subquery()).scalar_subquery()
        for stmt in statements))).one())


def _due_sections(dues: list[_Due], also=()) -> tuple[list[TodoSection | None], list[int]]:
    """The due sections, counted together (one statement: a count per part) and their
    lines read together (one statement: the first LINES of each non-empty part, tagged
    with the part, and their cases) — the landing page asked some thirty questions one
    at a time. The scope is tested per row (``Case.scope_clause(per_row=True)``): each
    part is already an index range. ``also``: other selects counted in the same
    statement; their counts come second."""
    scope = current_scope()
    scope_clause = Case.scope_clause(scope, per_row=True)
    # a department's cases are in a few states, which its transfers know: the parts of
    # the others would probe each of the banner's cases in them for a transfer (27 ms)
    states = department_cases_by_state(scope.department_id) if scope.department_only else None
    parts = [(n, condition, due) for n, d in enumerate(dues)
             for condition, due in d.parts(scope_clause, states)]
    counts = _counts([select(Case.id).where(condition) for _n, condition, _due in parts]
                     + list(also))
    counts, also_counts = counts[:len(parts)], counts[len(parts):]
    firsts = [select(Case.id.label("id"), literal(i).label("part"))
              .where(condition).order_by(due.asc().nulls_last(), Case.id).limit(LINES)
              .subquery() for i, (_n, condition, due) in enumerate(parts) if counts[i]]
    lines = [[] for _ in dues]
    if firsts:
        tagged = union_all(*(select(first.c.id, first.c.part) for first in firsts)).subquery()
        for case, part in db.session.execute(
                select(Case, tagged.c.part).join(tagged, tagged.c.id == Case.id)
                .options(joinedload(Case.place))):
            lines[parts[part][0]].append(case)
    sections = []
    for n, d in enumerate(dues):
        total = sum(counts[i] for i, part in enumerate(parts) if part[0] == n)
        if not total:
            sections.append(None)
            continue
        mine = sorted(lines[n], key=lambda c: (c.effective_due_on is None,
                                               c.effective_due_on, c.id))[:LINES]
        sections.append(TodoSection(d.key, d.title, total,
                                    [TodoLine(c, c.effective_due_on) for c in mine]))
    return sections, also_counts


def open_transfers(user):
    """The transfers to ``user``'s department still waiting for its reply, by reply-by
    date: one range of ix_transfer_department_open_due, in its order."""
    return (select(Transfer).where(case_service.answerable_transfers_clause(user),
                                   Transfer.status == "open")
            .order_by(Transfer.due_on, Transfer.id))


def todo_for(user) -> list[TodoSection]:
    today = datetime.date.today()
    person_id = getattr(user, "person_id", None)
    soon = today + datetime.timedelta(days=current_app.config.get("DUE_SOON_DAYS", 5))
    dues = []
    if person_id is not None:
        dues += [_Due("mine", _l("Cases I carry as agent"), (Case.agent_id == person_id,)),
                 _Due("leading", _l("Cases I lead as case-responsible leader"),
                      (Case.case_leader_id == person_id,))]
    if case_service.permitted(user, "accept") or case_service.permitted(user, "decline"):
        dues.append(_Due("screen", _l("Cases to screen"), states=("registered",)))
    dues += [_Due("overdue", _l("Overdue cases in my area"), bound=lambda due: due < today),
             _Due("due_soon", _l("Cases due soon in my area"),
                  bound=lambda due: due.between(today, soon))]
    transfers = open_transfers(user)
    # my escalation requests that were sent back lately
    since = datetime.datetime.now() - datetime.timedelta(days=SENT_BACK_DAYS)
    sent_back = (select(EscalationRequest)
                 .where(EscalationRequest.requested_by_id == user.id,
                        EscalationRequest.status == "sent_back",
                        EscalationRequest.decided_at >= since)
                 .order_by(EscalationRequest.decided_at.desc(), EscalationRequest.id))
    due_sections, (n_transfers, n_sent_back) = _due_sections(dues, also=[transfers,
                                                                         sent_back])
    due = {d.key: section for d, section in zip(dues, due_sections, strict=True)}
    sections = [due.get("mine"), due.get("leading")]
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
    transfers = _first_and_count(transfers, total=n_transfers)
    if transfers:
        sections.append(TodoSection(
            "transfers", _l("Transfers awaiting my department's reply"), transfers[0],
            [TodoLine(t.case, t.due_on) for t in transfers[1]]))
    sent_back = _first_and_count(sent_back, total=n_sent_back)
    if sent_back:
        sections.append(TodoSection(
            "sent_back", _l("My escalations sent back (last 30 days)"), sent_back[0],
            [TodoLine(e.case, e.case.effective_due_on, e.comment or "")
             for e in sent_back[1]]))
    sections += [due.get("screen"), due["overdue"], due["due_soon"]]
    return [s for s in sections if s is not None]
