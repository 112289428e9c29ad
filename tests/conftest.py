"""Every database test runs twice: once on SQLite and once on PostgreSQL, in two pytest
runs (DAIBAN_TEST_DB=sqlite, DAIBAN_TEST_DB=postgresql; scripts/test.sh runs both) —
FAB's AppBuilder is a process-wide singleton, so one process serves one app.

PostgreSQL comes from TEST_DATABASE_URL (default: the local server's `test` database).
Where it is not reachable the PostgreSQL run is skipped with a plain reason, and
scripts/test.sh says so; in CI (.ci/run) a skipped PostgreSQL run is a failure."""

import os
import re

import pytest
from sqlalchemy import create_engine, text

from tests.clients import IsolatedClient, sign_in
from tests.world import build_world


def _compile_catalogs() -> None:
    """Compile translations/*/messages.po into .mo when missing or older (scripts/test.sh
    does it with pybabel; this keeps a bare `pytest` run translated too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "translations")
    for lang in os.listdir(root):
        po = os.path.join(root, lang, "LC_MESSAGES", "messages.po")
        mo = po[:-2] + "mo"
        if os.path.exists(po) and (not os.path.exists(mo)
                                   or os.path.getmtime(mo) < os.path.getmtime(po)):
            with open(po, "rb") as src, open(mo, "wb") as dst:
                write_mo(dst, read_po(src, locale=lang))


_compile_catalogs()

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
ENGINE = os.environ.get("DAIBAN_TEST_DB", "sqlite")


def _pg_available() -> str | None:
    from app.extensions import normalise_database_url

    try:
        engine = create_engine(normalise_database_url(PG_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
        return str(err).splitlines()[0]
    return None


_PG_PROBLEM = _pg_available() if ENGINE == "postgresql" else None


def database_url(engine: str, tmp_path_factory) -> str:
    if engine == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    return PG_URL


@pytest.fixture(scope="session")
def engine_name():
    if ENGINE == "postgresql" and _PG_PROBLEM:
        pytest.skip(f"PostgreSQL half skipped: not reachable ({_PG_PROBLEM})")
    return ENGINE


def _reset_schema(app):
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        from app.extensions import appbuilder

        appbuilder.sm.sync_roles()


@pytest.fixture(scope="session")
def app(engine_name, tmp_path_factory):
    from app import create_app

    url = database_url(engine_name, tmp_path_factory)
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "AUTH_RATE_LIMITED": False,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "BULLETIN_DIR": str(tmp_path_factory.mktemp("bulletins")),
            # scrypt costs 0.2 s a user and a login; tests need no strong hashes
            "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    application.test_client_class = IsolatedClient
    _reset_schema(application)
    return application


_KEEP = re.compile(r"^ab_(permission|view_menu|permission_view|role|permission_view_role)$")


def _clear_data(app):
    """Empty every table but the permission tables, between tests."""
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if not _KEEP.match(t.name)]
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        with db.engine.connect() as conn:
            # rows of the place tree and of users refer to each other in cycles
            # (the driver opens its transaction at the first DELETE, after the PRAGMA)
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.execute(table.delete())
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


@pytest.fixture()
def db_app(app):
    _clear_data(app)
    with app.app_context():
        yield app
    from app.extensions import db

    with app.app_context():
        db.session.remove()


@pytest.fixture()
def world(db_app):
    """A small banner: two townships (A, B), villages, grids, dictionaries, people and
    one login per role (see tests/world.py)."""
    return build_world()


@pytest.fixture()
def login(db_app):
    """login("username") → a test client signed in as that user."""

    def _login(username, password="password"):
        return sign_in(db_app, username, password)

    return _login


@pytest.fixture()
def english_ui(db_app, monkeypatch):
    """Behaviour tests that read pages by their English msgids: show the UI untranslated
    (a locale with no catalog). The catalogs and both languages are tested on their own
    (test_catalogs, test_language, test_no_english_left, test_browser)."""
    from app.extensions import appbuilder

    monkeypatch.setattr(type(appbuilder.bm), "babel_default_locale", property(lambda self: "en"))
    return "en"


@pytest.fixture()
def clock(db_app, monkeypatch):
    """Set the app's today: ``clock("2026-11-03")``, later ``clock("2026-12-20")``."""

    def set_today(value):
        monkeypatch.setitem(db_app.config, "DAIBAN_CLOCK", value)

    return set_today


from tests.write_guard import one_way_to_write_a_case  # noqa: E402,F401  (autouse)
