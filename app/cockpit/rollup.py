"""Keeps ``case_stat`` (per village) and ``case_stat_town`` (the same counts per
township) exactly in step with ``cases`` (and the case's columns copied onto its
transfers and escalation requests, app/models/copies.py).

Every ORM change to a case (a new case, an edited one, a deleted one, and bulk ORM
``update(Case)`` / ``delete(Case)`` statements) adjusts the counts in the same
transaction: the old row's contributions are subtracted and the new row's added, read
from the database itself before and after the flush, so it does not matter which
attributes were loaded. Plain Core statements on the ``cases`` table bypass this; after
such a change (a bulk import, the benchmark) call ``rebuild()``; ``differences()`` says
whether the tables are in step (``flask cockpit check-stats``). A place moved under
another township takes its cases' counts with it (``refresh_towns``, called by
app/models/places.py)."""

from collections import Counter
from itertools import chain

from sqlalchemy import Integer, String, and_, cast, delete, event, extract, func, literal, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import true as sql_true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models import copies
from app.models.cases import Case, EscalationRequest, Transfer
from app.models.stats import CONCLUDED_STATES, OPEN_STATES, CaseStat, CaseStatTown

CASES = Case.__table__
STAT = CaseStat.__table__
TOWN = CaseStatTown.__table__
# the place a case is counted under in case_stat_town: its township, or its place
# where it has none (a case of the banner itself)
TOWN_OF = func.coalesce(CASES.c.township_id, CASES.c.place_id)
FLAG = "y"
# the dimension that counts every case once per village, month 0 (migration 0022)
ALL = "all"
# case_stat_town's month for counts over every month: cases by state whenever received
# (the landing page's and a list's banner-wide counts by state, migration 0024)
EVER = 0
# the columns of a case the counts read (the bench seed counts from a copy of just these)
TRACKED = [
    CASES.c.id, CASES.c.place_id, CASES.c.received_on, CASES.c.concluded_on, CASES.c.state,
    CASES.c.urgency, CASES.c.category_id, CASES.c.channel_id, CASES.c.resolution_level,
    CASES.c.evaluation, CASES.c.is_repeat, CASES.c.skipped_level, CASES.c.is_group,
    CASES.c.agent_id, CASES.c.township_id,
]
_OLD = "_cockpit_old_case_rows"


def ym_of(day) -> int:
    return day.year * 100 + day.month


def ym_sql(column):
    return cast(extract("year", column) * 100 + extract("month", column), Integer)


def contributions(row) -> Counter:
    """What one case (a mapping of its columns) adds to case_stat."""
    out = Counter()
    if row["received_on"] is None or row["place_id"] is None:
        return out
    ym, place, state = ym_of(row["received_on"]), row["place_id"], row["state"]
    # every case, per village (no month): a banner-wide list's count (ALL)
    out[(ALL, 0, place, FLAG)] += 1
    keys = [("state", state), ("urgency", row["urgency"]),
            ("category", str(row["category_id"])), ("channel", str(row["channel_id"]))]
    if state in OPEN_STATES and row["agent_id"] is not None:
        keys.append(("agent", str(row["agent_id"])))
    if state in CONCLUDED_STATES:
        keys.append(("resolution", row["resolution_level"] or "unknown"))
        if row["evaluation"]:
            keys.append(("evaluation", row["evaluation"]))
        if row["concluded_on"] is not None:
            out[("concluded_in", ym_of(row["concluded_on"]), place, FLAG)] += 1
    for dim, column in (("repeat", "is_repeat"), ("skipped", "skipped_level"),
                        ("group", "is_group")):
        if row[column]:
            keys.append((dim, FLAG))
    for dim, key in keys:
        out[(dim, ym, place, key)] += 1
    return out


def town_contributions(row, counts=None) -> Counter:
    """What one case adds to case_stat_town: the same counts (``counts``, its
    contributions to case_stat, computed when not given) under its township."""
    town = row["township_id"] if row["township_id"] is not None else row["place_id"]
    out = Counter()
    if counts is None:
        counts = contributions(row)
    for (dim, ym, _place, key), n in counts.items():
        if dim != ALL:
            out[(dim, ym, town, key)] += n
        if dim == "state":
            out[(dim, EVER, town, key)] += n
    return out


def sql_dimensions(c=CASES.c) -> dict:
    """The same contributions as SQL: dim → (key expression, condition). Used to
    rebuild the table and to count partial months straight from ``cases``."""
    concluded = c.state.in_(CONCLUDED_STATES)
    flag = literal(FLAG)
    return {
        "state": (c.state, sql_true()),
        "urgency": (c.urgency, sql_true()),
        "category": (cast(c.category_id, String), sql_true()),
        "channel": (cast(c.channel_id, String), sql_true()),
        "resolution": (func.coalesce(c.resolution_level, "unknown"), concluded),
        "evaluation": (c.evaluation, and_(concluded, c.evaluation.isnot(None))),
        "repeat": (flag, c.is_repeat.is_(True)),
        "skipped": (flag, c.skipped_level.is_(True)),
        "group": (flag, c.is_group.is_(True)),
        "agent": (cast(c.agent_id, String),
                  and_(c.state.in_(OPEN_STATES), c.agent_id.isnot(None))),
    }


def _aggregate_selects(table=STAT):
    """One GROUP BY per dimension over the cases: the rows of ``table``, per village
    (case_stat) or per township (case_stat_town)."""
    c = CASES.c
    place = c.place_id if table is STAT else TOWN_OF
    for dim, (key, condition) in sql_dimensions().items():
        ym = ym_sql(c.received_on)
        yield (select(literal(dim).label("dim"), ym.label("ym"), place.label("place_id"),
                      key.label("key"), func.count().label("n"))
               .where(condition).group_by(ym, place, key))
    if table is STAT:
        yield (select(literal(ALL).label("dim"), literal(0).label("ym"), c.place_id,
                      literal(FLAG).label("key"), func.count().label("n"))
               .group_by(c.place_id))
    else:
        yield (select(literal("state").label("dim"), literal(EVER).label("ym"),
                      place.label("place_id"), c.state.label("key"), func.count().label("n"))
               .group_by(place, c.state))
    ym = ym_sql(c.concluded_on)
    yield (select(literal("concluded_in").label("dim"), ym.label("ym"),
                  place.label("place_id"), literal(FLAG).label("key"),
                  func.count().label("n"))
           .where(c.state.in_(CONCLUDED_STATES), c.concluded_on.isnot(None))
           .group_by(ym, place))


_COLUMNS = ["dim", "ym", "place_id", "key", "n"]


def rebuild_statements() -> list:
    """INSERT … SELECT for each dimension of case_stat: together they refill it
    (independent of each other: a bulk load may run them side by side); then
    ``town_statements()``."""
    return [STAT.insert().from_select(_COLUMNS, query) for query in _aggregate_selects()]


def town_statements(towns=None) -> list:
    """INSERT … SELECT that fill case_stat_town from a complete case_stat (for these
    townships, or all): each village's counts summed under its cases' township, then
    cases by state over every month. Summing case_stat's rows takes 1.4 s at 1,000,000
    cases on SQLite, where a GROUP BY per dimension over the cases took 16 s."""
    place_town = select(CASES.c.place_id, TOWN_OF.label("town")).distinct()
    mine = []
    if towns is not None:
        place_town = place_town.where(TOWN_OF.in_(towns))
        mine = [TOWN.c.place_id.in_(towns)]
    place_town = place_town.subquery()
    per_town = (select(STAT.c.dim, STAT.c.ym, place_town.c.town, STAT.c.key, func.sum(STAT.c.n))
                .select_from(STAT.join(place_town, place_town.c.place_id == STAT.c.place_id))
                .where(STAT.c.dim != ALL)
                .group_by(STAT.c.dim, STAT.c.ym, place_town.c.town, STAT.c.key))
    ever = (select(literal("state"), literal(EVER), TOWN.c.place_id, TOWN.c.key,
                   func.sum(TOWN.c.n))
            .where(TOWN.c.dim == "state", TOWN.c.ym != EVER, *mine)
            .group_by(TOWN.c.place_id, TOWN.c.key))
    return [TOWN.insert().from_select(_COLUMNS, per_town),
            TOWN.insert().from_select(_COLUMNS, ever)]


def rebuild(connection) -> None:
    """Recompute case_stat from cases (one GROUP BY per dimension) and case_stat_town
    from case_stat, and the cases' copies on their transfers and escalation requests."""
    connection.execute(delete(STAT))
    connection.execute(delete(TOWN))
    for statement in [*rebuild_statements(), *town_statements()]:
        connection.execute(statement)
    copies.refresh(connection)


def refresh_towns(connection, towns) -> None:
    """Recount case_stat_town for these townships (or banner places) from case_stat:
    after cases changed township by a plain statement (a place moved)."""
    towns = sorted(set(towns) - {None})
    if not towns:
        return
    connection.execute(delete(TOWN).where(TOWN.c.place_id.in_(towns)))
    for statement in town_statements(towns):
        connection.execute(statement)


def differences(connection) -> dict:
    """{(table, dim, ym, place_id, key): (stored, actual)} for every count that is
    wrong, in either table."""
    out = {}
    for table in (STAT, TOWN):
        actual = Counter()
        for query in _aggregate_selects(table):
            for dim, ym, place, key, n in connection.execute(query):
                actual[(table.name, dim, ym, place, key)] += n
        stored = Counter({(table.name, r.dim, r.ym, r.place_id, r.key): r.n
                          for r in connection.execute(select(table)) if r.n})
        out.update({k: (stored[k], actual[k]) for k in set(actual) | set(stored)
                    if stored[k] != actual[k]})
    return out


def apply_delta(connection, delta: Counter, table=STAT) -> None:
    rows = [dict(dim=d, ym=ym, place_id=p, key=k, n=n)
            for (d, ym, p, k), n in sorted(delta.items()) if n]
    if not rows:
        return
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["dim", "ym", "place_id", "key"],
        set_={"n": table.c.n + statement.excluded.n},
    )
    connection.execute(statement, rows)


def _rows(connection, ids) -> list:
    if not ids:
        return []
    return list(connection.execute(select(*TRACKED).where(CASES.c.id.in_(ids))).mappings())


def apply_change(connection, old_rows, new_rows) -> None:
    """Both tables follow cases going from ``old_rows`` to ``new_rows`` (each row's
    contributions computed once, for both)."""
    village, town = Counter(), Counter()
    for rows, add in ((old_rows, Counter.subtract), (new_rows, Counter.update)):
        for row in rows:
            counts = contributions(row)
            add(village, counts)
            add(town, town_contributions(row, counts))
    apply_delta(connection, village, STAT)
    apply_delta(connection, town, TOWN)


def _remember_old_rows(session, flush_context, instances):
    ids = [o.id for o in chain(session.dirty, session.deleted)
           if isinstance(o, Case) and o.id is not None]
    if ids:
        old = session.info.setdefault(_OLD, {})
        for row in _rows(session.connection(), ids):
            old.setdefault(row["id"], row)


def _old_from_history(obj, new_row):
    """The row before the flush, from attribute history, for a case changed after
    _remember_old_rows ran (by a later before_flush listener); None if unchanged."""
    attrs = sa_inspect(obj).attrs
    row, changed = dict(new_row), False
    for column in TRACKED:
        deleted = attrs[column.key].history.deleted
        if deleted:
            row[column.key], changed = deleted[0], True
    return row if changed else None


def _copied_case_ids(session) -> set:
    """The cases whose copies (app/models/copies.py) this flush may have changed: a case
    whose state or place changed, and the case of a new transfer or escalation request."""
    ids = set()
    new = session.new  # a new set at each reading: read once, not per row
    for obj in chain(new, session.dirty):
        if isinstance(obj, Case):
            attrs = sa_inspect(obj).attrs
            if obj.id is not None and (attrs.state.history.has_changes()
                                       or attrs.township_id.history.has_changes()):
                ids.add(obj.id)
        elif isinstance(obj, (Transfer, EscalationRequest)) and obj in new:
            ids.add(obj.case_id)
    ids.discard(None)
    return ids


def _count_changes(session, flush_context):
    old = session.info.pop(_OLD, {})
    new = session.new
    cases = [o for o in chain(new, session.dirty)
             if isinstance(o, Case) and o.id is not None]
    copied = _copied_case_ids(session)
    if copied:
        copies.refresh(session.connection(), sorted(copied))
    if not old and not cases:
        return
    connection = session.connection()
    new_rows = _rows(connection, [o.id for o in cases])
    by_id = {row["id"]: row for row in new_rows}
    old_rows = list(old.values())
    for obj in cases:
        if obj.id not in old and obj not in new and obj.id in by_id:
            row = _old_from_history(obj, by_id[obj.id])
            if row is not None:
                old_rows.append(row)
    apply_change(connection, old_rows, new_rows)


def _count_bulk_changes(state):
    if not (state.is_update or state.is_delete):
        return None
    if not any(m.class_ is Case for m in state.all_mappers):
        return None
    where = state.statement.whereclause
    ids_query = select(CASES.c.id)
    if where is not None:
        ids_query = ids_query.where(where)
    connection = state.session.connection()
    ids = list(connection.execute(ids_query).scalars())
    old_rows = _rows(connection, ids)
    result = state.invoke_statement()
    apply_change(connection, old_rows, _rows(connection, ids))
    if state.is_update:
        copies.refresh(connection, ids)
    return result


_LISTENERS = (("before_flush", _remember_old_rows), ("after_flush", _count_changes),
              ("do_orm_execute", _count_bulk_changes))


def register_listeners() -> None:
    """Keep case_stat in step with cases from now on (create_app calls this once; a
    second call changes nothing)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
