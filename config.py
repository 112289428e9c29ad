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
# DAIBAN_ENV=production: demo data (and its known passwords) refused, cookies Secure
PRODUCTION = os.environ.get("DAIBAN_ENV") == "production"
AUTH_TYPE = AUTH_DB
AUTH_ROLE_ADMIN = "Admin"
AUTH_ROLE_PUBLIC = "Public"
AUTH_USER_REGISTRATION = False
AUTH_RATE_LIMITED = True
RATELIMIT_ENABLED = True
AUTH_RATE_LIMIT = "10 per 20 second"
# per process unless shared: e.g. DAIBAN_RATELIMIT_STORAGE=redis://127.0.0.1:6379/0
RATELIMIT_STORAGE_URI = os.environ.get("DAIBAN_RATELIMIT_STORAGE", "memory://")
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Secure cookies when served over HTTPS (set DAIBAN_HTTPS=1 or in instance/daiban.cfg)
SESSION_COOKIE_SECURE = PRODUCTION or os.environ.get("DAIBAN_HTTPS") == "1"
# idle timeout: the session cookie expires this long after the last request
PERMANENT_SESSION_LIFETIME = 30 * 60
# absolute lifetime of a sign-in, however active
SESSION_ABSOLUTE_SECONDS = 12 * 3600
JWT_ACCESS_TOKEN_EXPIRES = 15 * 60
JWT_REFRESH_TOKEN_EXPIRES = 12 * 3600
# passwords and lockout (app/security/accounts.py)
PASSWORD_MIN_LENGTH = 8
PASSWORD_HISTORY = 5
PASSWORD_MAX_AGE_DAYS = 90
LOCKOUT_THRESHOLD = 5
LOCKOUT_ADDRESS_THRESHOLD = 20
LOCKOUT_SECONDS = 15 * 60
# FAB calls app.security.accounts.password_policy from every password form
FAB_PASSWORD_COMPLEXITY_ENABLED = True
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
# The app's "today" (app/clock.py): unset = the machine's; "2026-11-03" or
# "2026-11-03T09:30" for demos and stories across weeks
DAIBAN_CLOCK = os.environ.get("DAIBAN_CLOCK") or None
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
