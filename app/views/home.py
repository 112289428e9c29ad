from flask import g
from flask_appbuilder import IndexView, expose
from sqlalchemy import distinct, func, select

from app.extensions import db
from app.models import Case, CaseStat, Transfer
from app.models.choices import CASE_STATES
from app.security.scope import current_scope, scoped
from app.views.todo import todo_for


class HomeView(IndexView):
    """The landing page: the signed-in user's to-do list (app/views/todo.py), then how
    their area's cases stand."""

    index_template = "daiban/home.html"

    @expose("/")
    def index(self):
        counts, todo = {}, []
        user = g.user if getattr(g, "user", None) is not None else None
        if user is not None and user.is_authenticated:
            todo = todo_for(user)
            counts = dict(db.session.execute(_state_counts(current_scope())).all())
        states = [(code, CASE_STATES[code], counts.get(code, 0)) for code in CASE_STATES]
        return self.render_template(self.index_template, states=states, user=user,
                                    todo=todo)


def _state_counts(scope):
    """Cases by state in the user's area. Banner-wide, from the cockpit's pre-aggregated
    counts (case_stat, kept in the same transaction): a few thousand rows, where counting
    1,000,000 cases took 100+ ms; a stationed department's, from its transfers, which
    carry their case's state (ix_transfer_department_state, index-only), where reading
    the states of the cases transferred to it read them all; elsewhere an index range
    of the scope (ix_case_township_state_due for a township)."""
    if scope.everything:
        return (select(CaseStat.key, func.sum(CaseStat.n))
                .where(CaseStat.dim == "state").group_by(CaseStat.key))
    if scope.department_only:
        return (select(Transfer.case_state, func.count(distinct(Transfer.case_id)))
                .where(Transfer.department_id == scope.department_id)
                .group_by(Transfer.case_state))
    return scoped(select(Case.state, func.count()).group_by(Case.state), Case)
