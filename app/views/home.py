from flask import g
from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case
from app.models.choices import CASE_STATES
from app.security.scope import scoped
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
            rows = db.session.execute(
                scoped(select(Case.state, func.count()).group_by(Case.state), Case)
            ).all()
            counts = {state: n for state, n in rows}
        states = [(code, CASE_STATES[code], counts.get(code, 0)) for code in CASE_STATES]
        return self.render_template(self.index_template, states=states, user=user,
                                    todo=todo)
