"""Migration 0003 (the cockpit's case_stat and indexes) on an empty database and on one
that already holds cases: upgrade, backfill, models match, downgrade and upgrade again.
Runs `flask db` in a subprocess (one AppBuilder per process), on the engine of this
test run: SQLite in a temporary file, PostgreSQL in a private schema."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from app.extensions import normalise_database_url
from tests.conftest import PG_URL

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = "mig_cockpit_0003"
CHECK = """
from app import create_app
from app.cockpit import rollup
from app.extensions import db
app = create_app()
with app.app_context():
    with db.engine.connect() as connection:
        print("DIFFERENCES", len(rollup.differences(connection)))
"""


@pytest.fixture()
def database_url(engine_name, tmp_path):
    if engine_name == "sqlite":
        yield "sqlite:///" + str(tmp_path / "migration.db")
        return
    admin = create_engine(normalise_database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{SCHEMA}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    admin.dispose()


def flask(url, *args, code=None):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x" * 40}
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    if code is not None:
        command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


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
    assert "DIFFERENCES 0" in flask(database_url, code=CHECK)
    assert "No new upgrade operations detected" in flask(database_url, "db", "check")
    flask(database_url, "db", "downgrade", "0001")
    flask(database_url, "db", "upgrade")
    assert "DIFFERENCES 0" in flask(database_url, code=CHECK)
