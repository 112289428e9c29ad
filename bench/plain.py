"""The yardstick: a plain Flask-AppBuilder app over the same tables — one ``ModelView``
of cases with daiban's list columns, search columns, order and page size, FAB's default
security manager, widgets, counting and pagination, and nothing of daiban's (no scope,
no eager loading, no indexes beyond the shared schema). Served by gunicorn from
bench/wsgi.py; logs in as the demo ``admin``."""

import os

from flask import Flask
from flask_appbuilder import AppBuilder, ModelView
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.extensions import db, normalise_database_url

LIST_COLUMNS = ["number", "title", "place", "category", "urgency", "state", "level",
                "received_on", "effective_due_on", "days_left", "agent"]
SEARCH_COLUMNS = ["number", "title", "description", "place", "responsible_place",
                  "category", "channel", "urgency", "state", "level", "received_on",
                  "agent", "is_group", "is_repeat", "skipped_level", "resolution_level",
                  "evaluation", "due_on", "supervised"]


def create_plain_app(url: str | None = None, update_perms: bool = False) -> Flask:
    from app.models import Case

    class PlainCaseView(ModelView):
        datamodel = SQLAInterface(Case)
        list_columns = LIST_COLUMNS
        search_columns = SEARCH_COLUMNS
        show_columns = ["number", "title", "state", "level", "urgency", "category",
                        "channel", "received_on", "petitioner", "place", "description",
                        "demand", "responsible_place", "agent", "due_on", "concluded_on"]
        order_columns = ["number", "received_on", "due_on", "urgency", "state"]
        base_order = ("received_on", "desc")
        page_size = 25

    app = Flask(__name__)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=normalise_database_url(url or os.environ["DATABASE_URL"]),
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-0123456789abcdef0123"),
        AUTH_TYPE=AUTH_DB, FAB_UPDATE_PERMS=update_perms, FAB_CREATE_DB=False,
        WTF_CSRF_ENABLED=True, AUTH_RATE_LIMITED=False, RATELIMIT_ENABLED=False,
        FAB_ADD_SECURITY_API=False,
    )
    with app.app_context():
        db.init_app(app)
        appbuilder = AppBuilder(update_perms=update_perms)
        appbuilder.init_app(app, db.session)
        appbuilder.add_view(PlainCaseView, "Cases")
    return app
