"""Every database test runs twice: once on SQLite and once on PostgreSQL, in two pytest
runs (DAIBAN_TEST_DB=sqlite, DAIBAN_TEST_DB=postgresql; scripts/test.sh runs both) —
FAB's AppBuilder is a process-wide singleton, so one process serves one app.

PostgreSQL comes from TEST_DATABASE_URL (default: the local server's `test` database).
Where it is not reachable the PostgreSQL run is skipped with a plain reason, and
scripts/test.sh says so; in CI (.ci/run) a skipped PostgreSQL run is a failure."""

import os
import re

import pytest
from sqlalchemy import Integer, create_engine, text

from tests import clients
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
    from bench.seed import create_database

    try:
        create_database(normalise_database_url(PG_URL))  # a lane's own, the first time
        engine = create_engine(normalise_database_url(PG_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
        return str(err).splitlines()[0]
    return None


_PG_PROBLEM = _pg_available() if ENGINE == "postgresql" else None

# scripts/test.sh runs the suite as three processes ("lanes") side by side on the two
# cores: SQLite, and PostgreSQL split in two lanes on databases of their own. A bare
# `pytest` (no DAIBAN_TEST_LANE) runs every test on its engine.
#   main    every test but the second lane's; on PostgreSQL not the tests marked
#           any_engine either (they build what they test on a SQLite file of their own,
#           or touch no database), on SQLite not the browser tests
#   second  (run on PostgreSQL) the EXHAUSTIVE modules and test_browser.py, chosen so
#           that the two PostgreSQL lanes take about as long
# The browser tests (marker browser) run on PostgreSQL only, the production engine: what
# Chromium draws does not depend on the engine, and every page's server side is tried on
# both engines by the other tests.
# EXHAUSTIVE: three modules that try everything, run once, on PostgreSQL (run on both
# engines they took ~185 s of SQLite's ~380; docs/benchmarks.md, "Test suite"):
# - the two matrices of who may do what to which row. What they try is decided in Python
#   — the authority rule (app/domain/authority.py) and each model's scope clause, a
#   comparison of place paths and ids that SQLAlchemy writes alike for both engines — and
#   the same rule and clauses are tried on both engines by test_authority_web,
#   test_scope, test_role_scope and test_attacks;
# - schemathesis, whose ~3,500 requests are drawn from the OpenAPI spec, which does not
#   depend on the engine. What it found on SQLite alone (ids past SQLite's integers) is
#   kept in test_attacks, and the route fuzzer (test_fuzz_routes) still sends malformed
#   values to every route on both engines.
LANE = os.environ.get("DAIBAN_TEST_LANE", "")
EXHAUSTIVE = {"test_schemathesis.py", "test_authority_matrix.py", "test_idor_matrix.py"}
SECOND_LANE = EXHAUSTIVE | {"test_browser.py"}


def pytest_collection_modifyitems(config, items):
    if not LANE:
        return

    def wanted(item):
        if LANE == "second":
            return item.path.name in SECOND_LANE
        if ENGINE == "postgresql":
            return item.path.name not in SECOND_LANE and not item.get_closest_marker(
                "any_engine")
        return item.path.name not in EXHAUSTIVE and not item.get_closest_marker("browser")

    kept, dropped = [], []
    for item in items:
        (kept if wanted(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


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
        tables = list(reversed(_world_tables()))
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


class _SharedDatabase:
    """One connection per test module holding an outer transaction that is never
    committed: the world is built once in it (under a SAVEPOINT of its own), each test runs
    under a SAVEPOINT rolled back after it, and the module's end rolls everything back.

    Every session of the app — the test's, each request's (tests/clients.py runs each
    request in its own app context, so its own session), FAB's — and ``db.engine`` itself
    are this connection while a module shares it (``db.engines[None]`` is swapped), and
    sessions join it with ``join_transaction_mode="create_savepoint"``: a service's
    ``commit()`` releases a SAVEPOINT, nothing reaches the database for good.

    Tests that need real commits or other connections (threads, a served app, migrations,
    CLI commands, the CSV export's own session) carry ``@pytest.mark.clean_slate``: they
    get the old path, an emptied database and a world of their own, committed."""

    def __init__(self, app):
        self.app = app
        self.connection = None
        self.world = None  # the world's rows as (class, identity), see _freeze
        self.world_builders = None
        self.world_token = None
        self.world_savepoint = None

    def start(self):
        from app.extensions import db

        _clear_data(self.app)
        with self.app.app_context():
            engines = db.engines
            connection = engines[None].connect()
            # what FAB reads of its session's bind as of an engine
            connection.name, connection.url = engines[None].name, engines[None].url
            if connection.dialect.name == "sqlite":
                # pysqlite begins transactions itself, late, and not for SAVEPOINT: let
                # it leave them to us and open the outer one with a real BEGIN
                driver = connection.connection.driver_connection
                self.sqlite_isolation = driver.isolation_level
                driver.isolation_level = None
            self.outer = connection.begin()
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN")
            self.engine = engines[None]
            engines[None] = connection
            factory = db.session.session_factory
            self.factory_kw = dict(factory.kw)
            factory.configure(join_transaction_mode="create_savepoint")
        self.connection = connection

    def stop(self):
        from app.extensions import db

        if self.connection is None:
            return
        with self.app.app_context():
            db.session.remove()
            db.engines[None] = self.engine
            db.session.session_factory.kw = self.factory_kw
        self.outer.rollback()
        if self.connection.dialect.name == "sqlite":
            self.connection.connection.driver_connection.isolation_level = \
                self.sqlite_isolation
        self.connection.close()
        clients.REUSE["cookies"].clear()
        self.connection = self.world = self.world_savepoint = self.world_builders = None
        self.world_token = None

    def prepare(self, world):
        """Before a test's SAVEPOINT: the world built (once) when the test asks for it,
        ``world`` being the builders that extend it (a ``world_with`` marker), and gone
        when it does not (such a test starts from empty tables, as before)."""
        from app.extensions import db

        if self.connection is None:
            self.start()
        if self.world is not None and self.world_builders != world:
            self.world_savepoint.rollback()
            self.world = self.world_savepoint = self.world_builders = None
            self.world_token = None
        if world is not None and self.world is None:
            self.world_savepoint = self.connection.begin_nested()
            with self.app.app_context():
                self.world = _world_in(world, lambda: self.connection, db.session.remove)
                self.world_builders = world
                self.world_token = object()  # sign-ins are kept for this world only

    def thaw_world(self):
        return _thaw_world(self.world)


def _thaw_world(frozen):
    """A World of the frozen world's rows, loaded into the current session."""
    from tests.world import World

    values = _thaw(frozen)
    names = set(World.__dataclass_fields__)
    world = World(**{k: v for k, v in values.items() if k in names})
    for k, v in values.items():
        if k not in names:
            setattr(world, k, v)
    return world


def _build_world(builders):
    world = build_world()
    for builder in builders:
        builder(world)
    return world


# What each world (or other state, see copy_of) left in the tables the first time the
# session built it (the builders → every table's rows, in primary-key order, and the
# frozen world naming its rows). Later builds of the same world insert those rows again,
# table by table in one statement each: building it through the services costs 0.3–3 s
# (sign-in hashes, events, counts), 86 times a lane; inserting its rows a few ms. None: a
# world that changed the permission tables (kept between tests, see _clear_data), which
# is built every time.
_COPIES: dict = {}


def copy_of(key, build, connection, settle):
    """What ``build()`` returns, and the rows it leaves in the emptied tables: built the
    first time a session asks for ``key``, its rows inserted again after that (see
    _COPIES). ``connection()`` is the connection the test's database is written through;
    ``settle()`` ends the build (the rows stay)."""
    snapshot = _COPIES.get(key)
    if snapshot is not None:
        rows, value = snapshot
        _insert_rows(connection(), rows)
        settle()
        return value
    before = _kept_counts(connection())
    value = build()
    settle()
    if key not in _COPIES:  # (a key kept as None is built every time)
        _COPIES[key] = ((_table_rows(connection()), value)
                        if _kept_counts(connection()) == before else None)
    return value


def _world_in(builders, connection, settle):
    """The world of ``builders`` in the emptied tables (the permission tables as
    sync_roles left them), frozen (see _freeze)."""
    return copy_of(builders, lambda: _freeze(vars(_build_world(builders))), connection,
                   settle)


def _world_tables():
    """Every table a test may fill, parents first: all but the permission tables."""
    from app.extensions import db

    return [t for t in db.metadata.sorted_tables if not _KEEP.match(t.name)]


def _kept_counts(connection) -> tuple:
    from sqlalchemy import func, select

    from app.extensions import db

    return tuple(connection.scalar(select(func.count()).select_from(t))
                 for t in db.metadata.sorted_tables if _KEEP.match(t.name))


def _table_rows(connection) -> dict:
    from sqlalchemy import select

    found = {}
    for table in _world_tables():
        rows = connection.execute(select(table).order_by(*table.primary_key.columns))
        rows = [dict(row) for row in rows.mappings()]
        if rows:
            found[table] = rows
    return found


def _insert_rows(connection, rows: dict) -> None:
    """The rows again, parents first (tables in dependency order, rows in key order), and
    a new generation, so that what the process kept for an earlier world is read again.
    SQLite's search index (cases_fts, not a model's table) is filled by its triggers."""
    from app import generation

    for table, table_rows in rows.items():
        connection.execute(table.insert(), table_rows)
        key = list(table.primary_key.columns)
        if connection.dialect.name == "postgresql" and len(key) == 1 \
                and isinstance(key[0].type, Integer) and key[0].autoincrement is not False:
            # explicit keys leave the sequence behind (TRUNCATE … RESTART IDENTITY reset it)
            connection.execute(text(
                "SELECT setval(seq::regclass, :top) FROM (SELECT "
                "pg_get_serial_sequence(:table, :column) AS seq) AS s WHERE seq IS NOT NULL"),
                {"top": max(row[key[0].key] for row in table_rows),
                 "table": table.name, "column": key[0].name})
    generation.bump(connection)


class _Row:
    __slots__ = ("cls", "identity")

    def __init__(self, cls, identity):
        self.cls, self.identity = cls, identity


def _freeze(value):
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm import InstanceState

    state = sa_inspect(value, raiseerr=False)
    if isinstance(state, InstanceState):
        return _Row(type(value), state.identity)
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_freeze(v) for v in value)
    return value


def _thaw(frozen):
    """The frozen world's rows in the current session, loaded with one query a class."""
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy import select

    from app.extensions import db

    wanted = {}

    def collect(value):
        if isinstance(value, _Row):
            wanted.setdefault(value.cls, set()).add(value.identity[0])
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list | tuple):
            for v in value:
                collect(v)

    def build(value):
        if isinstance(value, _Row):
            return loaded[value.cls][value.identity[0]]
        if isinstance(value, dict):
            return {k: build(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(build(v) for v in value)
        return value

    collect(frozen)
    loaded = {}
    for cls, ids in wanted.items():
        key = sa_inspect(cls).primary_key[0]
        rows = db.session.scalars(select(cls).where(key.in_(ids))).all()
        loaded[cls] = {sa_inspect(row).identity[0]: row for row in rows}
    return build(frozen)


@pytest.fixture(scope="module")
def _shared_database(app):
    shared = _SharedDatabase(app)
    yield shared
    shared.stop()


def _world_builders(request) -> tuple:
    """``@pytest.mark.world_with.with_args(build, ...)``: the world of these tests is
    extended by ``build(world)`` (adding rows and attributes to it), shared as the world
    is (``with_args``: a mark given one function alone would decorate it)."""
    marker = request.node.get_closest_marker("world_with")
    return tuple(marker.args) if marker else ()


def _clean_slate(request) -> bool:
    return request.node.get_closest_marker("clean_slate") is not None


@pytest.fixture()
def db_app(app, request, _shared_database):
    """The app, in an app context, on a database holding nothing but the permission
    tables — or the module's world when the test asks for ``world`` — whatever the tests
    before it did (see _SharedDatabase)."""
    from app.extensions import db

    if _clean_slate(request):
        _shared_database.stop()
        _clear_data(app)
        with app.app_context():
            yield app
        with app.app_context():
            db.session.remove()
        return
    _shared_database.prepare(_world_builders(request) if "world" in request.fixturenames
                             else None)
    savepoint = _shared_database.connection.begin_nested()
    clients.REUSE["world"] = _shared_database.world_token
    try:
        with app.app_context():
            yield app
            db.session.remove()
    finally:
        clients.REUSE["world"] = None
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture()
def world(db_app, request, _shared_database):
    """A small banner: two townships (A, B), villages, grids, dictionaries, people and
    one login per role (see tests/world.py). Built once per module (its rows loaded
    afresh into each test's session) or, under clean_slate, for the test."""
    if _clean_slate(request):
        from app.extensions import db

        frozen = _world_in(_world_builders(request), db.session.connection, db.session.commit)
        return _thaw_world(frozen)
    return _shared_database.thaw_world()


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
