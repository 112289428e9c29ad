"""Seed a region-sized database for bench/run.py: the demo banner's people, logins and
dictionaries (``seed-demo --cases 0``), widened to 50 townships and ~700 villages, then N
cases written by the database itself (``INSERT … SELECT`` over a number series — no
Python row objects), their history, escalations and transfers, ``case_stat`` rebuilt,
``ANALYZE``.

Distributions (deterministic, from the row number):
- cases over villages by weighted slots: the clerk's township (``clerk1``'s) gets 3 %,
  the other townships 0.5–4 % each;
- received 2019-01-01 → 2026-11-28, growing over the years; the last 60 days mostly
  open, older ones 90 % concluded (followed up, archived…), ~1 % open and overdue;
- 70 % of titles in Chinese, 30 % in traditional Mongolian: "<village> <topic>", with
  a longer description; level village 78 %, township 16 %, banner 6 %;
- events: register, accept (accepted cases), conclude (concluded ones); escalation
  requests for cases above village level (2 % of open ones pending); transfers for
  transferred cases and 6 % of others."""

import datetime
import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, event, text

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START = datetime.date(2019, 1, 1)
TODAY = datetime.date(2026, 11, 28)
SLOTS = 1000
CLERK_SLOTS = 30  # 3 % of all cases in the clerk's township
TOWNSHIPS = 50
CASE_LEADERS = 60

# (Chinese, traditional Mongolian) petition topics; the searches in run.py use them
TOPICS = [
    ("草场边界纠纷", "ᠪᠡᠯᠴᠢᠭᠡᠷ ᠤᠨ ᠬᠢᠯ ᠤᠨ ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    ("土地承包经营权争议", "ᠭᠠᠵᠠᠷ ᠠᠵᠢᠯᠯᠠᠭ᠎ᠠ ᠶᠢᠨ ᠡᠷᠬᠡ"),
    ("拖欠农民工工资", "ᠠᠵᠢᠯᠴᠢᠨ ᠤ ᠴᠠᠯᠢᠩ ᠤᠳᠠᠭᠠᠰᠤ"),
    ("低保资格认定", "ᠠᠮᠢᠳᠤᠷᠠᠯ ᠤᠨ ᠪᠠᠲᠤᠯᠠᠭ᠎ᠠ"),
    ("征地补偿款发放", "ᠭᠠᠵᠠᠷ ᠲᠠᠲᠠᠯᠭ᠎ᠠ ᠶᠢᠨ ᠨᠥᠬᠥᠪᠥᠷᠢ"),
    ("医疗保险报销", "ᠡᠮᠨᠡᠯᠭᠡ ᠶᠢᠨ ᠳᠠᠭᠠᠳᠬᠠᠯ"),
    ("危房改造补助", "ᠪᠠᠢᠰᠢᠩ ᠰᠡᠯᠪᠢᠨ ᠵᠠᠰᠠᠬᠤ"),
    ("邻里宅基地纠纷", "ᠬᠥᠷᠱᠢ ᠶᠢᠨ ᠮᠠᠷᠭᠤᠭᠠᠨ"),
    ("饮水工程质量", "ᠤᠮᠳᠠᠭᠠᠨ ᠤᠰᠤ ᠶᠢᠨ ᠲᠥᠰᠥᠯ"),
    ("生态补奖资金发放", "ᠡᠺᠣᠯᠣᠭᠢ ᠶᠢᠨ ᠰᠢᠭᠠᠩᠨᠠᠯ"),
    ("道路修建占地", "ᠵᠠᠮ ᠪᠠᠷᠢᠬᠤ ᠭᠠᠵᠠᠷ"),
    ("婚姻家庭矛盾", "ᠭᠡᠷ ᠪᠦᠯᠢ ᠶᠢᠨ ᠵᠥᠷᠢᠴᠡᠯᠳᠦᠭᠡᠨ"),
]
ZH_SUFFIX = "，请求有关部门依法协调处理并答复。"
MN_SUFFIX = " ᠬᠠᠷᠢᠭᠤ ᠥᠭᠬᠦ ᠶᠢ ᠭᠤᠶᠤᠴᠢᠯᠠᠨ᠎ᠠ"

DIALECT = {
    "postgresql": dict(
        series="generate_series({lo}::bigint, {hi}) AS s(i)",
        day="DATE '{start}' + {offset}",
        ts="(d + TIME '09:30')", plus="(d + CAST({days} AS integer))", false="false",
        true="true",
        concat="||", intdiv="/",
    ),
    "sqlite": dict(
        series="(WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM s "
               "WHERE i < {hi}) SELECT i FROM s) AS s",
        day="date('{start}', '+' || ({offset}) || ' days')",
        ts="(d || ' 09:30:00')", plus="date(d, '+' || ({days}) || ' days')", false="0",
        true="1", concat="||", intdiv="/",
    ),
}


# the app's own commands, in one process (one app start instead of three)
COMMANDS = """
import sys
from app import create_app
app = create_app()
runner = app.test_cli_runner()
for args in (["db", "upgrade"], ["sync-roles"], ["seed-demo", "--cases", "0"]):
    result = runner.invoke(args=args)
    if result.exit_code:
        sys.stderr.write(f"flask {' '.join(args)} failed:\\n{result.output}\\n")
        if result.exception is not None:
            raise result.exception
        sys.exit(result.exit_code)
"""


def schema_and_demo(url):
    """`flask db upgrade`, `flask sync-roles`, `flask seed-demo --cases 0`."""
    env = {**os.environ, "DATABASE_URL": url,
           "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret-key-0123456789abcdef0123")}
    subprocess.run([sys.executable, "-c", COMMANDS], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def empty(url):
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    create_database(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def create_database(url):
    """A PostgreSQL database (the bench's, a test lane's), created on a server that does
    not have it yet."""
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                               {"name": target.database}):
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def engine_for(url, bulk: bool = False):
    """An engine on the bench database; ``bulk``: settings for loading and indexing a
    million rows at once (PostgreSQL: memory for sorts and index builds; SQLite: a large
    page cache, temporary b-trees in memory, sorts on two threads, no fsync — a seed is
    rebuilt, not kept)."""
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        if bulk:
            return create_engine(url, connect_args={"options": (
                "-c maintenance_work_mem=1GB -c work_mem=256MB "
                "-c max_parallel_maintenance_workers=2")})
        return create_engine(url)
    engine = create_engine(url)
    if bulk:
        @event.listens_for(engine, "connect")
        def _bulk_pragmas(dbapi_connection, record):
            cursor = dbapi_connection.cursor()
            # threads: the sorter's helper threads for CREATE INDEX (two cores)
            for pragma in ("synchronous = OFF", "cache_size = -1000000",
                           "temp_store = MEMORY", "threads = 2"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
    return engine


def seed(url: str, n: int, log=print) -> dict:
    """Build the database from nothing; returns timings and the ids run.py needs."""
    timings = {}
    t0 = time.perf_counter()
    empty(url)
    schema_and_demo(url)
    timings["schema_and_demo_s"] = round(time.perf_counter() - t0, 1)
    engine = engine_for(url, bulk=True)
    dialect = engine.dialect.name
    t1 = time.perf_counter()
    # PostgreSQL writes the cases in two halves on two connections (two cores), then
    # the history's statements two at a time; SQLite has one writer
    workers = 2 if dialect == "postgresql" else 1
    with engine.begin() as conn:
        if dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        _widen_places(conn)
        _case_leaders(conn)
        _slots(conn)
        _topics(conn)
        rebuild = _drop_indexes(conn, dialect, ("cases", "case_event"))
    side = None
    if dialect == "sqlite":
        _sqlite_cases(engine, n)
        # the FTS5 index and the counts read only the cases: made beside the history
        # and the indexes, by the second process (the second core)
        side = _start_side("search_and_counts", _sqlite_path(engine),
                           _sqlite_path(engine) + ".side")
    else:
        halves = [(1, n // 2), (n // 2 + 1, n)] if n > 1 else [(1, n)]
        _run_all(engine, [_Bulk(_cases, dialect, n, lo, hi) for lo, hi in halves], workers)
    timings["cases_s"] = round(time.perf_counter() - t1, 1)
    t2 = time.perf_counter()
    _run_all(engine, [_Bulk(_history_statement, dialect, k)
                      for k in range(len(_HISTORY))], workers)
    timings["history_s"] = round(time.perf_counter() - t2, 1)
    with engine.begin() as conn:
        _fix_sequences(conn, dialect)
    # the indexes and the cockpit's counts (which read only the table) in one queue, on
    # two connections at once on PostgreSQL
    t2 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(_rollup().STAT.delete())
        conn.execute(_rollup().TOWN.delete())
    if dialect == "sqlite":
        ran = sorted(_run_all(engine, rebuild, 1) + _take_side(engine, side), reverse=True)
    else:
        ran = _run_all(engine, [*rebuild, *_rollup().rebuild_statements()], workers)
        # the counts per township, summed from the complete case_stat
        ran = sorted(ran + _run_all(engine, _rollup().town_statements(), 1), reverse=True)
    timings["slowest_statements"] = ran[:5]
    timings["indexes_and_case_stat_s"] = round(time.perf_counter() - t2, 1)
    t4 = time.perf_counter()
    if dialect == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    timings["analyze_s"] = round(time.perf_counter() - t4, 1)
    timings["seed_total_s"] = round(time.perf_counter() - t0, 1)
    timings["seed_cases_only_s"] = round(time.perf_counter() - t1, 1)
    with engine.connect() as conn:
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in
                  ("cases", "case_event", "escalation_request", "transfer", "place",
                   "case_stat", "case_stat_town")}
    engine.dispose()
    log(f"seeded {counts} in {timings}")
    return {"timings": timings, "rows": counts}


def _drop_indexes(conn, dialect, tables) -> list[str]:
    """Bulk loading is faster without secondary indexes and search triggers: drop them,
    return the statements that build them again."""
    again = []
    for table in tables:
        if dialect == "sqlite":
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                "AND type IN ('index', 'trigger')", (table,)).all()
            for name, sql in rows:
                kind = "TRIGGER" if sql.upper().startswith("CREATE TRIGGER") else "INDEX"
                conn.exec_driver_sql(f"DROP {kind} {name}")
                again.append(sql)
        else:
            rows = conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t AND "
                "indexname NOT IN (SELECT conname FROM pg_constraint)"), {"t": table}).all()
            for name, sql in rows:
                conn.execute(text(f'DROP INDEX "{name}"'))
                again.append(sql)
    if dialect == "sqlite":
        return again  # the FTS5 table is filled by the second process (_side)
    # the trigram indexes take longest: start them first
    return sorted(again, key=lambda statement: " gin " not in statement.lower())


def _widen_places(conn):
    """Add townships (with villages) to the demo banner up to TOWNSHIPS."""
    banner_id, banner_path = conn.execute(text(
        "SELECT id, path FROM place WHERE parent_id IS NULL")).one()
    existing = conn.scalar(text("SELECT count(*) FROM place WHERE level = 'township'"))
    code_base = int(banner_path.strip("/")[:6])
    next_id = conn.scalar(text("SELECT max(id) FROM place")) + 1
    rows = []
    for t in range(existing, TOWNSHIPS):
        t_code = f"{code_base}{200 + t:03d}000"
        t_path = f"{banner_path}{t_code}/"
        t_id = next_id
        next_id += 1
        rows.append(dict(id=t_id, level="township", code=t_code, parent_id=banner_id,
                         path=t_path, name_zh=f"第{t + 1}苏木", name_mn=f"ᠰᠤᠮᠤ {t + 1}"))
        for v in range(8 + (t * 7) % 13):
            v_code = f"{t_code[:9]}{v + 1:03d}"
            rows.append(dict(id=next_id, level="village", code=v_code, parent_id=t_id,
                             path=f"{t_path}{v_code}/", name_zh=f"第{t + 1}苏木{v + 1}嘎查",
                             name_mn=f"ᠭᠠᠴᠠᠭ᠎ᠠ {t + 1}-{v + 1}"))
            next_id += 1
    conn.execute(text("INSERT INTO place (id, level, code, parent_id, path, name_zh, name_mn) "
                      "VALUES (:id, :level, :code, :parent_id, :path, :name_zh, :name_mn)"),
                 rows)
    # one petitioner for each village that has none
    conn.execute(text("""
        INSERT INTO petitioner (name, place_id, phone)
        SELECT '村民' || p.code, p.id, '13900000000' FROM place p
        WHERE p.level = 'village'
          AND NOT EXISTS (SELECT 1 FROM petitioner x WHERE x.place_id = p.id)"""))


def _case_leaders(conn):
    """Case-responsible leaders up to CASE_LEADERS, at the banner: a region's banner-level
    cases are led by many leaders, a few hundred cases each over the years (four leaders
    for 60,000 cases made every leader's index range look as wide as a township's)."""
    banner_id = conn.scalar(text("SELECT id FROM place WHERE parent_id IS NULL"))
    existing = conn.scalar(text("SELECT count(*) FROM duty WHERE kind = 'case_leader'"))
    for k in range(existing, CASE_LEADERS):
        person_id = conn.execute(text(
            "INSERT INTO person (name_zh, place_id, active, position) "
            "VALUES (:name, :place, :yes, '包案领导') RETURNING id"),
            dict(name=f"旗领导{k + 1:03d}", place=banner_id, yes=True)).scalar()
        conn.execute(text("INSERT INTO duty (person_id, kind, place_id, active, title) "
                          "VALUES (:person, 'case_leader', :place, :yes, '旗级领导')"),
                     dict(person=person_id, place=banner_id, yes=True))


def _slots(conn):
    """bench_slot: SLOTS rows, each a (village, township, petitioner, agent); a case's
    slot decides where it arose. The clerk's township holds CLERK_SLOTS of them."""
    conn.execute(text("CREATE TABLE bench_slot (slot INTEGER PRIMARY KEY, village_id INTEGER, "
                      "township_id INTEGER, petitioner_id INTEGER, agent_id INTEGER, "
                      "village_zh VARCHAR(200), village_mn VARCHAR(400))"))
    townships = conn.execute(text(
        "SELECT id FROM place WHERE level = 'township' ORDER BY code")).scalars().all()
    clerk_township = townships[0]  # seed-demo binds clerk1 to the first township by code
    villages = {}
    for vid, tid, zh, mn in conn.execute(text(
            "SELECT id, parent_id, name_zh, coalesce(name_mn, name_zh) FROM place "
            "WHERE level = 'village' ORDER BY code")):
        villages.setdefault(tid, []).append((vid, zh, mn))
    petitioner = dict(conn.execute(text(
        "SELECT place_id, min(id) FROM petitioner GROUP BY place_id")).all())
    agents = conn.execute(text(
        "SELECT DISTINCT person_id FROM duty WHERE kind = 'agent' ORDER BY person_id"
    )).scalars().all()
    others = [t for t in townships if t != clerk_township]
    weights = [1 + (i * 37) % 8 for i in range(len(others))]  # 1..8: 0.5–4 % each
    total = sum(weights)
    share = {clerk_township: CLERK_SLOTS}
    left = SLOTS - CLERK_SLOTS
    for t, w in zip(others, weights, strict=True):
        share[t] = left * w // total
    share[others[0]] += SLOTS - sum(share.values())
    rows, slot = [], 0
    for t in townships:
        pool = villages[t]
        for k in range(share[t]):
            vid, zh, mn = pool[k % len(pool)]
            rows.append(dict(slot=slot, village_id=vid, township_id=t,
                             petitioner_id=petitioner[vid],
                             agent_id=agents[slot % len(agents)], village_zh=zh,
                             village_mn=mn))
            slot += 1
    conn.execute(text("INSERT INTO bench_slot VALUES (:slot, :village_id, :township_id, "
                      ":petitioner_id, :agent_id, :village_zh, :village_mn)"), rows)


def _topics(conn):
    conn.execute(text("CREATE TABLE bench_topic (k INTEGER PRIMARY KEY, zh VARCHAR(100), "
                      "mn VARCHAR(200), category_id INTEGER, channel_id INTEGER)"))
    categories = conn.execute(text(
        "SELECT id FROM category WHERE list = 'service' ORDER BY sort_order")).scalars().all()
    channels = conn.execute(text("SELECT id FROM channel ORDER BY sort_order")).scalars().all()
    conn.execute(text("INSERT INTO bench_topic VALUES (:k, :zh, :mn, :c, :ch)"), [
        dict(k=k, zh=zh, mn=mn, c=categories[k % len(categories)],
             ch=channels[k % len(channels)]) for k, (zh, mn) in enumerate(TOPICS)])


def _cases(conn, dialect, n, lo=1, hi=None):
    """Cases number ``lo`` to ``hi`` (default all ``n``) of a register of ``n``."""
    hi = n if hi is None else hi
    d = DIALECT[dialect]
    span = (TODAY - START).days
    banner_id = conn.scalar(text("SELECT id FROM place WHERE parent_id IS NULL"))
    leaders = conn.execute(text(
        "SELECT person_id FROM duty WHERE kind = 'case_leader' ORDER BY person_id"
    )).scalars().all() or ["NULL"]
    # a banner-level case's leader, round robin
    leader = ("CASE i % {n} {whens} END".format(n=len(leaders), whens=" ".join(
        f"WHEN {k} THEN {person}" for k, person in enumerate(leaders))))
    # sqrt-shaped offsets: more cases in later years (a growing register)
    u = f"(((i * 7919) % {n}) * 1.0 / {n})"
    offset = f"({span} - 1 - {u} * {u} * {span})"
    offset = f"CAST({offset} AS INTEGER)"
    day = d["day"].format(start=START.isoformat(), offset=offset)
    recent = (TODAY - datetime.timedelta(days=60)).isoformat()
    f, t = d["false"], d["true"]
    sql = f"""
INSERT INTO cases (id, number, petitioner_id, place_id, township_id, responsible_place_id,
    channel_id, category_id, purpose, urgency, title, description, demand, is_group,
    head_count, is_repeat, skipped_level, received_on, registered_at, state, level, version,
    supervised, stop_agreement, accepted_on, acceptance_due_on, due_on, concluded_on,
    resolution_level, evaluation, agent_id, case_leader_id, entrustment_signer)
SELECT i, 'C' || i, petitioner_id, village_id, township_id,
    CASE lvl WHEN 'village' THEN village_id WHEN 'township' THEN township_id
             ELSE {banner_id} END,
    channel_id, category_id, 'solution',
    CASE WHEN i % 20 = 0 THEN 'red' WHEN i % 20 < 5 THEN 'yellow' ELSE 'blue' END,
    CASE WHEN i % 10 < 7 THEN village_zh || topic_zh ELSE village_mn || ' ' || topic_mn END,
    CASE WHEN i % 10 < 7 THEN village_zh || '村民反映' || topic_zh || '{ZH_SUFFIX}'
         ELSE village_mn || ' ' || topic_mn || '{MN_SUFFIX}' END,
    '请求依法处理',
    CASE WHEN i % 50 = 0 THEN {t} ELSE {f} END, CASE WHEN i % 50 = 0 THEN 5 ELSE 1 END,
    CASE WHEN i % 23 = 0 THEN {t} ELSE {f} END, CASE WHEN i % 37 = 0 THEN {t} ELSE {f} END,
    d, {d['ts']}, state, lvl, 1, {f}, {f},
    CASE WHEN state NOT IN ('registered', 'declined') THEN {d['plus'].format(days='i % 7')} END,
    {d['plus'].format(days='15')},
    CASE WHEN state NOT IN ('registered', 'declined') THEN {d['plus'].format(days='60')} END,
    CASE WHEN state IN ('concluded', 'followed_up', 'archived')
         THEN {d['plus'].format(days='5 + i % 40')} END,
    CASE WHEN state IN ('concluded', 'followed_up', 'archived') THEN lvl END,
    CASE WHEN state IN ('followed_up', 'archived') THEN
        CASE WHEN i % 10 < 7 THEN 'satisfied' WHEN i % 10 < 9 THEN 'fairly_satisfied'
             ELSE 'dissatisfied' END END,
    CASE WHEN state NOT IN ('registered', 'declined') THEN agent_id END,
    CASE WHEN lvl = 'banner' THEN {leader} END,
    CASE WHEN state NOT IN ('registered', 'declined') THEN '本人' END
FROM (
    SELECT i, d, sl.village_id, sl.township_id, sl.petitioner_id, sl.agent_id,
        sl.village_zh, sl.village_mn, tp.zh AS topic_zh, tp.mn AS topic_mn,
        tp.category_id, tp.channel_id,
        CASE WHEN state IN ('registered', 'declined') OR i % 50 < 39 THEN 'village'
             WHEN i % 50 < 47 THEN 'township' ELSE 'banner' END AS lvl,
        state
    FROM (
        SELECT i, d,
            CASE WHEN d >= '{recent}' THEN
                    CASE i % 5 WHEN 0 THEN 'registered' WHEN 1 THEN 'in_progress'
                               WHEN 2 THEN 'transferred' WHEN 3 THEN 'in_progress'
                               ELSE 'concluded' END
                 WHEN i % 100 < 40 THEN 'concluded' WHEN i % 100 < 70 THEN 'followed_up'
                 WHEN i % 100 < 90 THEN 'archived' WHEN i % 100 < 97 THEN 'declined'
                 WHEN i % 100 < 99 THEN 'terminated' ELSE 'in_progress' END AS state
        FROM (SELECT i, {day} AS d FROM {d['series'].format(lo=lo, hi=hi)}) AS numbered
    ) AS dated
    JOIN bench_slot sl ON sl.slot = (i * 7919) % {SLOTS}
    JOIN bench_topic tp ON tp.k = (i * 31 + i / 7) % {len(TOPICS)}
) AS cases_to_be
"""
    conn.execute(text(sql))


def _history_statement(conn, dialect, k):
    """The k-th statement of the seeded history (events, escalations, transfers): each
    reads only ``cases``, so they may run side by side."""
    ts_plus = ("registered_at + INTERVAL '1 day'" if dialect == "postgresql"
               else "datetime(registered_at, '+1 day')")
    ts_conc = ("CAST(concluded_on AS timestamp) + TIME '16:00'" if dialect == "postgresql"
               else "concluded_on || ' 16:00:00'")
    departments = conn.execute(text("SELECT id FROM department ORDER BY id")).scalars().all()
    contiguous = departments[-1] - departments[0] + 1 == len(departments)
    dept = (f"({departments[0]} + id % {len(departments)})" if contiguous
            else str(departments[0]))
    conn.execute(text(_HISTORY[k].format(ts_plus=ts_plus, ts_conc=ts_conc, dept=dept)))


_HISTORY = [
    # the slowest first
    """INSERT INTO case_event (case_id, at, action, to_state)
       SELECT id, registered_at, 'register', 'registered' FROM cases""",
    """INSERT INTO case_event (case_id, at, action, from_state, to_state)
       SELECT id, {ts_plus}, 'accept', 'registered', 'in_progress' FROM cases
       WHERE state NOT IN ('registered', 'declined')""",
    """INSERT INTO case_event (case_id, at, action, from_state, to_state)
       SELECT id, {ts_conc}, 'conclude', 'in_progress', 'concluded' FROM cases
       WHERE state IN ('concluded', 'followed_up', 'archived')""",
    """INSERT INTO escalation_request (case_id, from_level, to_level, reason, requested_at,
           status, decided_at, township_id)
       SELECT id, 'village', level, '超出本级事权', {ts_plus}, 'approved', {ts_plus},
           township_id
       FROM cases WHERE level <> 'village'""",
    """INSERT INTO escalation_request (case_id, from_level, to_level, reason, requested_at,
           status, township_id)
       SELECT id, 'village', 'township', '超出本级事权', {ts_plus}, 'pending', township_id
       FROM cases WHERE level = 'village' AND state = 'in_progress' AND id % 50 = 1""",
    """INSERT INTO transfer (case_id, department_id, assigned_at, due_on, status, replied_at,
           case_state)
       SELECT id, {dept}, {ts_plus}, due_on,
           CASE WHEN state = 'transferred' THEN 'open' ELSE 'replied' END,
           CASE WHEN state = 'transferred' THEN NULL ELSE {ts_plus} END, state
       FROM cases WHERE state = 'transferred' OR (id % 100 < 6 AND state <> 'registered'
                                                  AND state <> 'declined')""",
]


class _Bulk:
    """One bulk statement for _run_all: ``function(conn, *args)`` in a transaction of
    its own (PostgreSQL: without per-row foreign-key triggers — the rows are built from
    valid ids)."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __call__(self, conn):
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        self.function(conn, *self.args)

    def __str__(self):
        return f"{self.function.__name__}{self.args[1:]}"


def _fix_sequences(conn, dialect):
    if dialect != "postgresql":
        return
    for table in ("cases", "place", "petitioner", "case_event", "escalation_request",
                  "transfer"):
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT max(id) FROM {table}))"))


def _run_all(engine, statements, workers: int) -> list:
    """Run each statement in its own transaction, ``workers`` at a time, in the order
    given (the slowest first); returns (seconds, statement) slowest first."""
    from concurrent.futures import ThreadPoolExecutor

    def run(statement):
        started = time.perf_counter()
        with engine.begin() as conn:
            if isinstance(statement, str):
                conn.exec_driver_sql(statement)
            elif isinstance(statement, _Bulk):
                statement(conn)
            else:
                conn.execute(statement)
        return round(time.perf_counter() - started, 1), str(statement)[:60]

    if workers == 1:
        return sorted((run(s) for s in statements), key=lambda x: x[0], reverse=True)
    with ThreadPoolExecutor(workers) as pool:
        return sorted(pool.map(run, statements), key=lambda x: x[0], reverse=True)


# ---- SQLite: a second process on the second core -----------------------------------------
#
# SQLite has one writer. A second process writes into a file of its own, reading the
# register through ATTACH (WAL: it reads while the writer writes); the writer then copies
# what it made, which costs a fraction of making it:
# - half the cases (made 8.7 s, copied 3.8 s at 1,000,000 cases);
# - the FTS5 trigram index, made by INSERT … SELECT into an FTS5 table declared as the
#   app declares it (app/models/search.py), then copied shadow table by shadow table
#   (made 11 s, copied 2.5 s; 'rebuild' in the register took 17–20 s);
# - case_stat and case_stat_town, by the app's own statements (app/cockpit/rollup.py)
#   over a copy of the columns they read, while the writer builds the indexes.
# tests/test_bench_seed.py checks the result: FTS5's integrity-check against the cases,
# the counts against the cases, search hits.

_SIDE = """
import sys
sys.path.insert(0, {root!r})
from bench import seed
seed._side({job!r}, {register!r}, {target!r}, *{args!r})
"""


def _sqlite_path(engine) -> str:
    return os.path.abspath(engine.url.database)


def _start_side(job, register, target, *args):
    for suffix in ("", "-journal"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    code = _SIDE.format(root=ROOT, job=job, register=register, target=target, args=args)
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)


def _wait(side, what):
    if side.wait():
        raise RuntimeError(f"the seed's second process failed ({what}): exit {side.returncode}")


def _side_engine(register, target):
    """The second process's own file, the register attached (read) as ``src``: unqualified
    names find the file's own tables first, then the register's."""
    engine = create_engine(f"sqlite:///{target}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        # the copied tables keep the register's foreign keys, to tables not in this file
        for pragma in ("foreign_keys = OFF", "journal_mode = OFF", "synchronous = OFF",
                       "cache_size = -1000000", "temp_store = MEMORY", "threads = 2"):
            dbapi_connection.execute(f"PRAGMA {pragma}")
        dbapi_connection.execute("ATTACH DATABASE ? AS src", (register,))
    return engine


def _ddl(conn, name, schema="src") -> str:
    return conn.exec_driver_sql(
        f"SELECT sql FROM {schema}.sqlite_master WHERE name = ?", (name,)).scalar()


def _side(job, register, target, *args):
    """In the second process: ``cases`` (cases lo..hi of n into this file's own cases
    table) or ``search_and_counts`` (the FTS5 index and both count tables)."""
    engine = _side_engine(register, target)
    with engine.begin() as conn:
        if job == "cases":
            n, lo, hi = args
            conn.exec_driver_sql(_ddl(conn, "cases"))
            _cases(conn, "sqlite", n, lo, hi)
        elif job == "search_and_counts":
            from app.models import search

            rollup = _rollup()
            conn.exec_driver_sql("CREATE TABLE cases AS SELECT {} FROM src.cases".format(
                ", ".join(column.name for column in rollup.TRACKED)))
            for table in ("case_stat", "case_stat_town"):
                conn.exec_driver_sql(_ddl(conn, table))
            conn.exec_driver_sql(search.SQLITE_DDL[0])
            conn.exec_driver_sql("INSERT INTO cases_fts(rowid, title, description) "
                                 "SELECT id, title, description FROM src.cases")
            for statement in [*rollup.rebuild_statements(), *rollup.town_statements()]:
                conn.execute(statement)
        else:
            raise ValueError(job)
    engine.dispose()


def _sqlite_cases(engine, n):
    """The first half of the cases in the second process, the second half here; then
    the first half copied in."""
    register = _sqlite_path(engine)
    target = register + ".cases"
    half = n // 2
    side = _start_side("cases", register, target, n, 1, half) if half else None
    _run_all(engine, [_Bulk(_cases, "sqlite", n, half + 1, n)], 1)
    if side is None:
        return
    _wait(side, "cases")
    with engine.begin() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ? AS side", (target,))
        conn.exec_driver_sql("INSERT INTO main.cases SELECT * FROM side.cases")
    with engine.begin() as conn:
        conn.exec_driver_sql("DETACH DATABASE side")
    os.remove(target)


def _take_side(engine, side) -> list:
    """Wait for the second process's FTS5 index and counts, and copy them in. Returns
    (seconds, what) as _run_all does."""
    target = _sqlite_path(engine) + ".side"
    waited = time.perf_counter()
    _wait(side, "search and counts")
    ran = [(round(time.perf_counter() - waited, 1), "waiting for the second process")]
    copied = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("ATTACH DATABASE ? AS side", (target,))
        # FTS5 keeps its index in these tables; the same declaration, the same format
        shadows = conn.exec_driver_sql(
            "SELECT name FROM side.sqlite_master WHERE type = 'table' "
            "AND name LIKE 'cases^_fts^_%' ESCAPE '^' ORDER BY name").scalars().all()
        mine = conn.exec_driver_sql(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' "
            "AND name LIKE 'cases^_fts^_%' ESCAPE '^' ORDER BY name").scalars().all()
        if shadows != mine or not shadows:
            raise RuntimeError(f"FTS5 tables differ: {shadows} / {mine}")
        for table in [*shadows, "case_stat", "case_stat_town"]:
            conn.exec_driver_sql(f"DELETE FROM main.{table}")
            conn.exec_driver_sql(f"INSERT INTO main.{table} SELECT * FROM side.{table}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DETACH DATABASE side")
    os.remove(target)
    ran.append((round(time.perf_counter() - copied, 1), "copy FTS5, case_stat in"))
    return ran


def _rollup():
    sys.path.insert(0, ROOT)
    from app.cockpit import rollup

    return rollup
