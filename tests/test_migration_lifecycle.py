"""Migration 0002 (case reviews): an empty database upgrades to head, downgrades to 0001
and upgrades again, and the models then match the schema (SQLite, in a subprocess so the
test database is untouched; PostgreSQL was checked the same way by hand)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _flask(*args, url):
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "x" * 40}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(os.environ.get("DAIBAN_TEST_DB", "sqlite") != "sqlite",
                    reason="runs once, on a scratch SQLite file")
def test_upgrade_downgrade_round_trip(tmp_path):
    url = "sqlite:///" + str(tmp_path / "m.db")
    for args in (("db", "upgrade"), ("db", "downgrade", "0001"), ("db", "upgrade"),
                 ("db", "check")):
        result = _flask(*args, url=url)
        assert result.returncode == 0, result.stderr[-2000:]
    assert "No new upgrade operations detected" in result.stdout + result.stderr
    current = _flask("db", "current", url=url)
    assert "(head)" in current.stdout
