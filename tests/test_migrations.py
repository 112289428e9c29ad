"""Migrations build the schema the models describe, from an empty database, on the
engine of this run (SQLite or PostgreSQL), and survive a downgrade/upgrade round trip —
the way a newcomer installs and an administrator upgrades (`flask db upgrade`, then
`flask sync-roles`). The commands run in a `flask` process of the database's own
(tests/flask_process.py)."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.extensions import db, normalise_database_url
from app.models.search import SEARCH_OBJECTS, SQLITE_TRIGGERS
from tests.conftest import PG_URL
from tests.flask_process import close, flask


def _modelled(obj, name, type_, reflected, compare_to):
    """The search indexes (an FTS5 table, trigram GIN indexes) live outside the
    SQLAlchemy metadata, built by DDL (app/models/search.py): not a difference."""
    return name not in SEARCH_OBJECTS


COMPARE = {"compare_type": True, "include_object": _modelled}


@pytest.fixture()
def empty_database(engine_name, tmp_path):
    """The URL of a database with nothing in it: a new SQLite file, or a PostgreSQL
    database of its own (<test database>_mig), created for the test and dropped after."""
    if engine_name == "sqlite":
        url = "sqlite:///" + str(tmp_path / "fresh.db")
        yield url
        close(url)
        return
    server = make_url(normalise_database_url(PG_URL))
    name = f"{server.database}_mig"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        close(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tables(url: str) -> set[str]:
    engine = create_engine(normalise_database_url(url))
    try:
        return set(inspect(engine).get_table_names()) - SEARCH_OBJECTS
    finally:
        engine.dispose()


def schema_differences(url: str) -> list:
    """What Alembic's autogenerate would still add or change to reach the models."""
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts=COMPARE)
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def objects_outside_the_metadata(conn) -> set:
    """What the models' DDL builds beside the tables: on SQLite the FTS5 tables and every
    trigger (those keep the search index in step with the cases); on PostgreSQL the
    trigram indexes, the extended statistics, the triggers (the audit trail's and the
    case events' append-only guard) and daiban's functions."""
    if conn.dialect.name == "sqlite":
        return set(conn.execute(text(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE type = 'trigger' OR name LIKE 'cases_fts%'")).all())
    return set(conn.execute(text(
        "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND indexname LIKE '%trgm%' "
        "UNION SELECT 'statistics', stxname, '', '' FROM pg_statistic_ext "
        "UNION SELECT 'trigger', t.tgname, c.relname, pg_get_triggerdef(t.oid) "
        "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
        "UNION SELECT 'function', p.proname, '', pg_get_functiondef(p.oid) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND NOT EXISTS ("
        "  SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')")).all())


def test_upgrade_from_empty_builds_exactly_the_models(empty_database, db_app):
    assert tables(empty_database) == set()
    flask(empty_database, "db", "upgrade")
    model_tables = set(db.metadata.tables)
    assert tables(empty_database) == model_tables | {"alembic_version"}
    assert schema_differences(empty_database) == []
    # and the same objects beside the tables as create_all() — Alembic's batch mode on
    # SQLite once dropped the FTS5 triggers (0014, 0015): new cases went missing from
    # search
    migrated = create_engine(normalise_database_url(empty_database))
    try:
        with migrated.connect() as conn:
            built = objects_outside_the_metadata(conn)
    finally:
        migrated.dispose()
    assert built == objects_outside_the_metadata(db.session.connection())
    triggers = {row[1] for row in built if row[0] == "trigger"}
    if db.engine.dialect.name == "sqlite":
        assert triggers == set(SQLITE_TRIGGERS)
    else:
        assert {"audit_log_append_only", "case_event_append_only"} <= triggers


def test_fresh_install_then_roles_sync(empty_database, db_app):
    flask(empty_database, "db", "upgrade")
    output = flask(empty_database, "sync-roles").stdout
    assert "TownshipStaff" in output
    # a second run, as every upgrade does, changes nothing and fails nothing
    assert flask(empty_database, "sync-roles").stdout == output


def test_downgrade_to_base_and_upgrade_again(empty_database, db_app):
    flask(empty_database, "db", "upgrade")
    flask(empty_database, "db", "downgrade", "base")
    assert tables(empty_database) <= {"alembic_version"}
    flask(empty_database, "db", "upgrade")
    assert schema_differences(empty_database) == []
    assert "No new upgrade operations detected" in flask(empty_database, "db", "check").output
    heads = flask(empty_database, "db", "heads").stdout
    current = flask(empty_database, "db", "current").stdout
    assert heads.split()[0] in current


@pytest.mark.clean_slate  # compares the real engine's schema
def test_models_have_no_unmigrated_changes_in_the_test_database(db_app):
    """The schema the other tests run on comes from create_all(); it must not drift
    from what the migrations build (checked above) — nor from the models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=COMPARE)
        assert compare_metadata(context, db.metadata) == []
