"""Migration 0003 (the cockpit's case_stat and indexes) on an empty database and on one
that already holds cases: upgrade, backfill, models match, downgrade and upgrade again.
Runs `flask db` in a process of its own (tests/flask_process.py), on the engine of this
test run: SQLite in a temporary file, PostgreSQL in a private schema."""

import pytest
from sqlalchemy import create_engine, text

from app.extensions import normalise_database_url
from tests.conftest import PG_URL
from tests.flask_process import close, flask, python

SCHEMA = "mig_cockpit_0003"
CHECK = """
from app.cockpit import rollup
from app.extensions import db
with db.engine.connect() as connection:
    print("DIFFERENCES", len(rollup.differences(connection)))
"""


@pytest.fixture()
def database_url(engine_name, tmp_path):
    if engine_name == "sqlite":
        url = "sqlite:///" + str(tmp_path / "migration.db")
        yield url
        close(url)
        return
    admin = create_engine(normalise_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}"
    yield url
    close(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def _seed_cases(url):
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO place (id, level, code, path, name_zh) VALUES "
                          "(1, 'banner', '150221000000', '/150221000000/', '旗'), "
                          "(2, 'village', '150221100201', '/150221000000/150221100201/', '村')"))
        conn.execute(text("INSERT INTO channel (id, code, name_zh, national_form, sort_order, "
                          "active) VALUES (1, 'visit', '来访', 'visit', 0, true)"))
        conn.execute(text("INSERT INTO category (id, code, name_zh, list, sort_order, active) "
                          "VALUES (1, 'S01', '征地', 'service', 0, true)"))
        conn.execute(text("INSERT INTO petitioner (id, name, place_id) VALUES (1, '群众', 2)"))
        for n, (state, level, concluded) in enumerate([
            ("concluded", "village", "2026-03-20"), ("concluded", "joint_meeting", "2026-04-02"),
            ("in_progress", None, None), ("registered", None, None),
        ]):
            conn.execute(text(
                "INSERT INTO cases (number, petitioner_id, place_id, responsible_place_id, "
                "channel_id, category_id, purpose, urgency, title, description, demand, "
                "is_group, head_count, is_repeat, skipped_level, received_on, registered_at, "
                "state, level, version, supervised, stop_agreement, resolution_level, "
                "concluded_on) VALUES (:number, 1, 2, 2, 1, 1, 'solution', 'red', 't', 'd', "
                "'d', false, 1, :repeat, false, '2026-03-05', '2026-03-05 09:00:00', :state, "
                "'village', 1, false, false, :level, :concluded)"),
                dict(number=f"N{n}", repeat=n == 0, state=state, level=level,
                     concluded=concluded))
    engine.dispose()


def _count(url, sql):
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    engine.dispose()
    return value


def test_upgrade_backfills_case_stat_and_round_trips(database_url):
    flask(database_url, "db", "upgrade", "0001")
    _seed_cases(database_url)
    flask(database_url, "db", "upgrade")
    assert _count(database_url, "SELECT n FROM case_stat WHERE dim = 'state' AND "
                                "key = 'concluded'") == 2
    assert _count(database_url, "SELECT count(*) FROM case_stat WHERE dim = 'concluded_in'") == 2
    assert "DIFFERENCES 0" in python(database_url, CHECK).output
    assert "No new upgrade operations detected" in flask(database_url, "db", "check").output
    flask(database_url, "db", "downgrade", "0001")
    flask(database_url, "db", "upgrade")
    assert "DIFFERENCES 0" in python(database_url, CHECK).output
