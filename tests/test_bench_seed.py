"""The benchmark's seed (bench/seed.py) builds the register the app would have built: the
same schema and search index, counts that agree with the cases. On SQLite a second
process makes half the cases, the FTS5 index and the counts in files of its own, which
are copied in; on PostgreSQL two connections write side by side."""

import os

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench import seed
from tests.conftest import PG_URL

N = 3000


@pytest.fixture()
def register_url(engine_name, tmp_path):
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'bench.db'}"
    # a database of its own (the seed creates it): the seed empties its schema
    url = make_url(PG_URL)
    return url.set(database=f"{url.database}_bench_seed").render_as_string(
        hide_password=False)


def test_the_seed_builds_a_register_whose_search_and_counts_agree_with_its_cases(
        register_url, tmp_path):
    result = seed.seed(register_url, N, log=lambda *_: None)
    assert result["rows"]["cases"] == N
    assert result["rows"]["case_event"] > N  # registered, accepted, concluded
    assert result["rows"]["case_stat"] > 0 and result["rows"]["case_stat_town"] > 0

    from app.cockpit import rollup

    engine = seed.engine_for(register_url)
    with engine.connect() as conn:
        # the counts per village and per township are those of the cases
        assert rollup.differences(conn) == {}
        ids = conn.execute(text("SELECT id FROM cases ORDER BY id")).scalars().all()
        assert ids == list(range(1, N + 1))
        # search: every topic in both languages, the index answers as a scan would
        for zh, mn in seed.TOPICS[:3]:
            for needle in (zh[:4], mn.split()[0]):
                scanned = conn.scalar(text(
                    "SELECT count(*) FROM cases WHERE title LIKE :p OR description LIKE :p"),
                    {"p": f"%{needle}%"})
                assert scanned > 0, needle
                if conn.dialect.name == "sqlite":
                    indexed = conn.scalar(text(
                        "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH :q"),
                        {"q": '"' + needle + '"'})
                    assert indexed == scanned, needle
        if conn.dialect.name == "sqlite":
            # FTS5 compares its index with the cases it was built from: raises if not
            conn.exec_driver_sql(
                "INSERT INTO cases_fts(cases_fts, rank) VALUES ('integrity-check', 1)")
            # the triggers that keep it in step are back, and work
            conn.exec_driver_sql("UPDATE cases SET title = 'ᠰᠢᠨ᠎ᠡ 新的标题' WHERE id = 7")
            assert conn.scalar(text(
                "SELECT rowid FROM cases_fts WHERE cases_fts MATCH '\"新的标题\"'")) == 7
            conn.rollback()
            # nothing of the second process is left behind
            path = register_url.split("///", 1)[1]
            assert sorted(os.listdir(os.path.dirname(path))) == sorted(
                n for n in os.listdir(os.path.dirname(path)) if n.startswith("bench.db"))
            assert not os.path.exists(path + ".side") and not os.path.exists(path + ".cases")
    engine.dispose()
