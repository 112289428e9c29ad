"""Cockpit benchmark: seeds N cases (default 1,000,000) with bulk INSERT ... SELECT, then
times the cockpit page and /api/v1/cockpit/summary (median of N runs).

    python bench/cockpit_bench.py --engine sqlite
    python bench/cockpit_bench.py --engine postgresql \
        --url postgresql://postgres@127.0.0.1:5432/bench_cockpit

Not part of the test suite. The database is emptied first (SQLite: a file under /tmp;
PostgreSQL: the public schema of the given database is dropped and recreated)."""

import argparse
import datetime
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import func, select, text  # noqa: E402

START = datetime.date(2022, 1, 1)
TOWNSHIPS, VILLAGES, AGENTS, LEADERS = 12, 8, 200, 10

# One row per case, all arithmetic on the row number i (deterministic, spread evenly).
CASE_SQL = """
INSERT INTO cases (number, petitioner_id, place_id, responsible_place_id, channel_id,
    category_id, purpose, urgency, title, description, demand, is_group, head_count,
    is_repeat, skipped_level, received_on, registered_at, state, level, version,
    supervised, stop_agreement, due_on, accepted_on, concluded_on, resolution_level,
    evaluation, agent_id, case_leader_id)
SELECT 'B' || i, {petitioner}, {village0} + (i * 7919) % {villages},
    {village0} + (i * 7919) % {villages}, {channel0} + (i * 31) % {channels},
    {category0} + (i * 17) % {categories}, 'solution',
    CASE WHEN i % 20 = 0 THEN 'red' WHEN i % 20 < 5 THEN 'yellow' ELSE 'blue' END,
    'bench case', 'd', 'd', i % 50 = 0, CASE WHEN i % 50 = 0 THEN 5 ELSE 1 END,
    i % 23 = 0, i % 37 = 0, d, {timestamp_d}, state, 'village', 1, {false}, {false},
    {d_plus_60}, d,
    CASE WHEN state IN ('concluded', 'followed_up', 'archived') THEN {d_plus_i30} END,
    CASE WHEN state IN ('concluded', 'followed_up', 'archived') THEN
        CASE WHEN i % 20 < 16 THEN 'village' WHEN i % 20 < 19 THEN 'township'
             WHEN i % 40 = 19 THEN 'joint_meeting' ELSE 'banner' END END,
    CASE WHEN state IN ('concluded', 'followed_up', 'archived') THEN
        CASE WHEN i % 10 < 6 THEN 'satisfied' WHEN i % 10 < 8 THEN 'fairly_satisfied'
             WHEN i % 10 = 8 THEN 'dissatisfied' END END,
    {agent0} + i % {agents},
    CASE WHEN i % 500 = 0 THEN {leader0} + (i / 500) % {leaders} END
FROM (
    SELECT i, d,
        CASE WHEN d >= {recent} THEN
                CASE i % 4 WHEN 0 THEN 'registered' WHEN 1 THEN 'in_progress'
                           WHEN 2 THEN 'transferred' ELSE 'concluded' END
             WHEN i % 100 < 90 THEN 'concluded' WHEN i % 100 < 94 THEN 'followed_up'
             WHEN i % 100 < 96 THEN 'archived' WHEN i % 100 < 98 THEN 'declined'
             WHEN i % 100 < 99 THEN 'terminated' ELSE 'in_progress' END AS state
    FROM (SELECT i, {d} AS d FROM {series}) AS numbered
) AS cases_to_be
"""

DIALECT = {
    "postgresql": dict(
        series="generate_series(1::bigint, {n}) AS s(i)",
        d="DATE '{start}' + ((i * 1000003) % {span})::int",
        timestamp_d="d::timestamp", d_plus_60="d + 60", d_plus_i30="d + (i % 30)::int",
        false="false", recent="DATE '{recent}'",
    ),
    "sqlite": dict(
        series="(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
               "WHERE i < {n}) SELECT i FROM s)",
        d="date('{start}', '+' || ((i * 1000003) % {span}) || ' days')",
        timestamp_d="d || ' 09:00:00'", d_plus_60="date(d, '+60 days')",
        d_plus_i30="date(d, '+' || (i % 30) || ' days')", false="0",
        recent="'{recent}'",
    ),
}

FOLLOW_UP_SQL = {
    "transfers": """
INSERT INTO transfer (case_id, department_id, assigned_at, due_on, status, replied_at)
SELECT id, {department0} + id % {departments}, registered_at, due_on,
       CASE WHEN (id / 33) % 3 = 0 THEN 'open' ELSE 'replied' END,
       CASE WHEN (id / 33) % 3 = 0 THEN NULL ELSE registered_at END
FROM cases WHERE id % 33 = 0""",
    "escalations": """
INSERT INTO escalation_request (case_id, from_level, to_level, reason, requested_at, status)
SELECT id, 'village', 'township', 'r', registered_at,
       CASE WHEN state IN ('registered', 'in_progress', 'transferred') THEN 'pending'
            ELSE 'approved' END
FROM cases WHERE id % 41 = 0""",
    "receptions": """
INSERT INTO leader_reception (kind, leader_id, held_on, place_id, batches, persons)
SELECT CASE id % 3 WHEN 0 THEN 'reception' WHEN 1 THEN 'appointment' ELSE 'field_visit' END,
       {leader0} + id % {leaders}, received_on, place_id, 1 + id % 3, 3 + id % 7
FROM cases WHERE id % 200 = 0""",
}


def build_places_and_people(db, appbuilder):
    from app.models import Category, Channel, Department, Person, Petitioner, Place
    from app.services.dictionaries import seed_dictionaries

    banner = Place(level="banner", code="150221000000", name_zh="基准旗")
    db.session.add(banner)
    db.session.flush()
    seed_dictionaries(banner)
    towns = []
    for t in range(TOWNSHIPS):
        town = Place(level="township", code=f"150221{100 + t:03d}000", name_zh=f"镇{t}",
                     parent=banner)
        db.session.add(town)
        towns.append(town)
    db.session.flush()
    for t, town in enumerate(towns):
        for v in range(VILLAGES):
            db.session.add(Place(level="village", code=f"150221{100 + t:03d}{200 + v:03d}",
                                 name_zh=f"村{t}-{v}", parent=town))
    db.session.flush()
    villages = db.session.scalars(select(Place.id).where(Place.level == "village")
                                  .order_by(Place.id)).all()
    assert villages[-1] - villages[0] + 1 == len(villages)
    for n in range(AGENTS):
        db.session.add(Person(name_zh=f"代办员{n}", place_id=villages[n % len(villages)]))
    db.session.flush()
    for n in range(LEADERS):
        db.session.add(Person(name_zh=f"包案领导{n}", place=banner))
    petitioner = Petitioner(name="群众", place_id=villages[0])
    db.session.add(petitioner)
    db.session.commit()
    sm = appbuilder.sm
    for name, role, place in (("leader", "BannerLeader", banner),
                              ("clerk", "TownshipStaff", towns[0])):
        user = sm.add_user(name, name, "Bench", f"{name}@example.org", [sm.find_role(role)],
                           "password")
        user.place_id = place.id
    db.session.commit()

    def first(model, **where):
        query = select(func.min(model.id), func.count())
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.execute(query).one()

    people = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    channel0, channels = first(Channel)
    category0, categories = first(Category, list="service")
    department0, departments = first(Department)
    return dict(petitioner=petitioner.id, village0=villages[0], villages=len(villages),
                channel0=channel0, channels=channels, category0=category0,
                categories=categories, agent0=people[0], agents=AGENTS,
                leader0=people[AGENTS], leaders=LEADERS, department0=department0,
                departments=departments)


def seed(app, n_cases: int) -> None:
    from app.cockpit import rollup
    from app.extensions import appbuilder, db
    from app.models import Case

    with app.app_context():
        engine = db.engine.dialect.name
        if engine == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        appbuilder.sm.sync_roles()
        ids = build_places_and_people(db, appbuilder)
        today = datetime.date.today()
        fragments = {k: v.format(n=n_cases, start=START, span=(today - START).days,
                                 recent=today - datetime.timedelta(days=45))
                     for k, v in DIALECT[engine].items()}
        indexes = [i for i in Case.__table__.indexes]
        t0 = time.perf_counter()
        with db.engine.begin() as conn:
            for index in indexes:  # build indexes once, after the load
                index.drop(conn)
            conn.execute(text(CASE_SQL.format(**fragments, **ids)))
            # the township of each case (a township clerk's scope, migration 0013)
            conn.execute(text("UPDATE cases SET township_id = (SELECT p.parent_id FROM place p "
                              "WHERE p.id = cases.place_id)"))
            for index in indexes:
                index.create(conn)
            for sql in FOLLOW_UP_SQL.values():
                conn.execute(text(sql.format(**ids)))
            rollup.rebuild(conn)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE"))
        count = db.session.scalar(select(func.count()).select_from(Case))
        stats = db.session.scalar(text("SELECT count(*) FROM case_stat"))
        print(f"seeded {count:,} cases ({stats:,} case_stat rows) in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)


def timed(client, url, runs: int) -> tuple[float, float, int]:
    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], len(response.data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", help="database URL (default: /tmp/bench_cockpit.db or "
                                      "postgresql://postgres@127.0.0.1:5432/bench_cockpit)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--reuse", action="store_true", help="skip seeding")
    args = parser.parse_args()
    url = args.url or ("sqlite:////tmp/bench_cockpit.db" if args.engine == "sqlite"
                       else "postgresql://postgres@127.0.0.1:5432/bench_cockpit")
    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "AUTH_RATE_LIMITED": False, "SECRET_KEY": "bench" * 10})
    if not args.reuse:
        seed(app, args.cases)
    today = datetime.date.today()
    with app.app_context():
        from app.extensions import db
        from app.models import Place

        town = db.session.scalar(select(Place.id).where(Place.level == "township")
                                 .order_by(Place.code))
    mid = f"from={today.year}-03-15&to={today.year}-09-10"
    urls = [
        ("leader", "/cockpit/", "page, year to date, whole banner"),
        ("leader", "/api/v1/cockpit/summary", "summary, year to date, whole banner"),
        ("leader", f"/cockpit/?township={town}", "page, year to date, one township"),
        ("clerk", "/cockpit/", "page, township clerk (scope)"),
        ("leader", f"/cockpit/?{mid}", "page, 15 Mar - 10 Sep (two partial months)"),
        ("leader", f"/api/v1/cockpit/summary?{mid}", "summary, 15 Mar - 10 Sep"),
        ("leader", f"/cockpit/?from={today.year - 4}-01-01&to={today}", "page, all years"),
    ]
    clients = {}
    for user in ("leader", "clerk"):
        clients[user] = app.test_client()
        response = clients[user].post("/login/", data={"username": user,
                                                       "password": "password"})
        assert response.status_code == 302
    print(f"{'what':48} {'median ms':>10} {'p90 ms':>8} {'bytes':>8}")
    for user, url, what in urls:
        median, p90, size = timed(clients[user], url, args.runs)
        print(f"{what:48} {median:10.1f} {p90:8.1f} {size:8d}", flush=True)


if __name__ == "__main__":
    main()
