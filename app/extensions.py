"""One place for the Flask extensions, created unbound and initialised in create_app."""

from flask_appbuilder import Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

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
