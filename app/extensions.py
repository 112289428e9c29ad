"""One place for the Flask extensions, created unbound and initialised in create_app."""

import sqlite3

from flask_appbuilder import Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.language import DaibanAppBuilder

# model_class=Model: our metadata is FAB's, so Alembic sees the ab_* tables as ours.
db = SQLAlchemy(model_class=Model)
migrate = Migrate()
csrf = CSRFProtect()
appbuilder = DaibanAppBuilder(update_perms=False)


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given in the usual short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record):
    """SQLite ignores foreign keys unless told, per connection: without this a place
    still holding people could be deleted, and ON DELETE CASCADE did nothing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
