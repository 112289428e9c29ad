"""Default configuration. Secrets never live here: they come from the environment,
from ``instance/daiban.cfg``, or (for SECRET_KEY on a developer's machine) from a key
generated once into ``instance/secret_key``."""

import os

from flask_appbuilder.const import AUTH_DB

BASEDIR = os.path.abspath(os.path.dirname(__file__))

APP_NAME = "daiban"
APP_ICON = "/static/img/daiban.svg"
APP_THEME = ""

# --- database -------------------------------------------------------------------------
# SQLite under instance/ unless DATABASE_URL names another database (PostgreSQL in
# production). The URL is normalised in app/extensions.py (psycopg 3 driver).
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_TRACK_MODIFICATIONS = False

# Schema comes from Alembic only (migrations/ holds FAB's ab_* tables too); permissions
# are synchronised by `flask daiban sync-roles`, not at every start.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False

# --- security -------------------------------------------------------------------------
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
AUTH_RATE_LIMITED = True
RATELIMIT_ENABLED = True
AUTH_RATE_LIMIT = "10 per 20 second"
RATELIMIT_STORAGE_URI = "memory://"
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = 8 * 3600
FAB_ADD_SECURITY_API = False
FAB_API_SWAGGER_UI = True
FAB_API_MAX_PAGE_SIZE = 100
FAB_API_SHOW_STACKTRACE = False

# --- languages ------------------------------------------------------------------------
BABEL_DEFAULT_LOCALE = "zh"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
# Absolute: Flask-Babel resolves relative directories against the app package (app/).
# FAB puts its own catalog before this one and ours is merged over it (app/language.py).
BABEL_TRANSLATION_DIRECTORIES = os.path.join(BASEDIR, "translations")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "中文"},
    "mn": {"flag": "cn", "name": "ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ"},
}

# --- case deadlines (《信访工作条例》, local limits are configuration) -------------------
# Days allowed by urgency colour for conclusion after acceptance; None = the statutory 60.
URGENCY_LIMIT_DAYS = {"red": 7, "yellow": 15, "blue": None}
# "calendar" or "working": how deadline days are counted (see docs/deadlines.md)
DEADLINE_DAY_KIND = "calendar"
DUE_SOON_DAYS = 5
# a received date before this is a typing error, not a case (registration refuses it)
CASE_EARLIEST_RECEIVED_ON = "2005-01-01"

# --- bulletin -------------------------------------------------------------------------
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_FROM = "daiban@localhost"
BULLETIN_RECIPIENTS = []
BULLETIN_DIR = os.path.join(BASEDIR, "instance", "bulletins")

# Page size bounds for list views (FAB leaves psize_ unbounded).
PAGE_SIZE_MAX = 100
