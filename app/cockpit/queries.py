"""Every cockpit figure as an aggregate SQL query (GROUP BY in the database), through
the user's place scope and the cockpit filter (period of receipt, township).

Counts by state, urgency, category, channel, resolution level, evaluation and flags
come from the pre-aggregated counts for whole months (``case_stat_town``, per township,
for a scope of whole townships or the banner; else ``case_stat``, per village); a month
the period only partly covers is counted straight from ``cases`` (unless no case falls
on its uncovered days, which one index probe decides). Figures that depend on today
(overdue, due soon) and the small sets (open cases, case leaders' cases, transfers,
escalations, receptions) are read live, through partial indexes."""

import datetime
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Integer, and_, case, exists, func, select, true
from sqlalchemy.orm import aliased

from app import clock
from app.cockpit.params import CockpitFilter
from app.cockpit.rollup import sql_dimensions, ym_of, ym_sql
from app.extensions import db
from app.models import (
    Case,
    CaseStat,
    Department,
    EscalationRequest,
    LeaderReception,
    Person,
    Place,
    Transfer,
)
from app.models.stats import CONCLUDED_STATES, OPEN_STATES, counts_for
from app.security.scope import Scope

FUNNEL_LEVELS = ("village", "township", "banner")
SATISFIED = ("satisfied", "fairly_satisfied")
TOP = 10


def folded_level(level: str) -> str | None:
    """The funnel's level of a resolution level: the joint meeting is the banner's."""
    return "banner" if level == "joint_meeting" else (level if level in FUNNEL_LEVELS else None)


def month_range(ym: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(ym // 100, ym % 100, 1)
    following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def months(start: datetime.date, end: datetime.date) -> list[int]:
    out, ym = [], ym_of(start)
    while ym <= ym_of(end):
        out.append(ym)
        ym = ym + 1 if ym % 100 < 12 else (ym // 100 + 1) * 100 + 1
    return out


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, rounded half up (197/209 → 94.3)."""
    if not whole:
        return None
    return int(part * 1000 / whole + 0.5) / 10


def case_lookup(case_id_column, where, per_row: bool = False):
    """The case behind a row (a transfer, an escalation) meets ``where`` (in scope, in
    the township, in the period): nothing to test when ``where`` is empty (every
    row's case counts), else ``case_id IN (those cases)``, which PostgreSQL answers by
    hashing a township's case ids (one index-only range) or by probing each row's case,
    whichever is cheaper; a scalar subquery per row forced the probes (387 ms for a
    township clerk's department table at 1,000,000 cases). ``per_row``: the rows are
    few (pending escalations, overdue transfers) — EXISTS, a probe of each row's case
    by its key; SQLite takes the form as written, and listing a township's 30,000
    cases for a few thousand rows cost it 20 ms a figure (PostgreSQL plans both alike)."""
    if not where:
        return true()
    if per_row:
        return select(Case.id).where(Case.id == case_id_column, *where).exists()
    return case_id_column.in_(select(Case.id).where(*where))


@dataclass
class Plan:
    """Which months come whole from case_stat and which day ranges from cases."""

    full: list
    edges: list


class Cockpit:
    """The figures for one user scope and one filter."""

    def __init__(self, flt: CockpitFilter, scope: Scope, today: datetime.date | None = None):
        self.flt, self.scope = flt, scope
        # the count table for this scope: per township (ten to twenty times fewer rows
        # for a banner's year) where the scope reaches whole townships
        self.stat = counts_for(scope)
        self._township_ids = None
        self.today = today or clock.today()
        self.plan = self._plan()
        self._counts: dict = {}

    # --- where clauses ----------------------------------------------------------------
    def _township(self, column):
        """The township filter as a list of place ids (a township holds a few dozen
        places): planners use a constant list better than a subquery."""
        if self.flt.township_path is None:
            return None
        if self._township_ids is None:
            self._township_ids = list(db.session.scalars(
                Place.subtree_ids(self.flt.township_path)))
        return column.in_(self._township_ids)

    def _stat_where(self, dim, yms):
        stat = self.stat
        clauses = [stat.dim == dim, stat.ym.between(min(yms), max(yms)),
                   stat.scope_clause(self.scope)]
        township = self._township(stat.place_id)
        return clauses + ([township] if township is not None else [])

    def case_where(self, start=None, end=None):
        clauses = [Case.received_on.between(start or self.flt.start, end or self.flt.end),
                   Case.scope_clause(self.scope)]
        # "place_id + 0": checked inside the covering indexes that lead with state or
        # received_on, instead of tempting the planner into the (place, received) index
        # and a table lookup per case
        township = self._township(Case.place_id + 0)
        return clauses + ([township] if township is not None else [])

    @staticmethod
    def _any_received(first, lo, hi, last) -> bool:
        """Any case received in [first, lo) or (hi, last]? (two index probes)"""
        one_day = datetime.timedelta(days=1)
        for start, end in ((first, lo - one_day), (hi + one_day, last)):
            if start <= end and db.session.scalar(
                    select(Case.id).where(Case.received_on.between(start, end)).limit(1)):
                return True
        return False

    def open_where(self):
        """Open work as of today counts every case in scope (and in the township),
        whenever received: overdue, due soon, awaiting approval, transfers overdue for
        a reply — the same counts the landing page and today's bulletin give."""
        township = self._township(Case.place_id + 0)
        scope = [] if self.scope.everything else [Case.scope_clause(self.scope)]
        return scope + ([township] if township is not None else [])

    def transfer_where(self):
        """Transfers made in the period, of cases in scope (and in the township)."""
        end = self.flt.end + datetime.timedelta(days=1)
        clauses = [Transfer.assigned_at >= self.flt.start, Transfer.assigned_at < end]
        if self.scope.everything and self.flt.township_path is None:
            return clauses
        case_where = [Case.scope_clause(self.scope)]
        township = self._township(Case.place_id)
        if township is not None:
            case_where.append(township)
        return [*clauses, case_lookup(Transfer.case_id, case_where)]

    @property
    def live(self) -> bool:
        """A scope of one's own cases: case_stat counts by place and cannot tell them, so
        every figure is counted from the cases themselves (a few hundred at most)."""
        return self.scope.own_cases is not None

    def _plan(self) -> Plan:
        full, edges = [], []
        for ym in months(self.flt.start, self.flt.end):
            first, last = month_range(ym)
            lo, hi = max(first, self.flt.start), min(last, self.flt.end)
            if self.live:
                edges.append((lo, hi))
            elif (lo, hi) != (first, last) and self._any_received(first, lo, hi, last):
                edges.append((lo, hi))
            else:
                full.append(ym)
        return Plan(full, edges)

    # --- counts by dimension ----------------------------------------------------------
    @staticmethod
    def _per_township(per_place):
        """Sum a (place_id, key, n) subquery per township: places are joined after
        aggregation, so the path match runs on a few hundred rows."""
        sub = per_place.subquery()
        village, town = aliased(Place), aliased(Place)
        return (select(town.id, sub.c.key, func.sum(sub.c.n))
                .join(village, village.id == sub.c.place_id)
                .join(town, and_(town.level == "township", village.path.like(town.path + "%")))
                .group_by(town.id, sub.c.key))

    def counts(self, dim: str, by_township: bool = False) -> Counter:
        """{key: n} (or {(township_id, key): n}) of cases received in the period."""
        if (dim, by_township) not in self._counts:
            self._counts[(dim, by_township)] = self._count(dim, by_township)
        return Counter(self._counts[(dim, by_township)])

    def _count(self, dim: str, by_township: bool) -> Counter:
        queries, stat = [], self.stat
        if self.plan.full:
            where = self._stat_where(dim, self.plan.full)
            if by_township:
                queries.append(self._per_township(
                    select(stat.place_id, stat.key.label("key"), func.sum(stat.n).label("n"))
                    .where(*where).group_by(stat.place_id, stat.key)))
            else:
                queries.append(select(stat.key, func.sum(stat.n))
                               .where(*where).group_by(stat.key))
        key_sql, condition = sql_dimensions(Case.__table__.c)[dim]
        for lo, hi in self.plan.edges:
            where = [condition, *self.case_where(lo, hi)]
            if by_township:
                queries.append(self._per_township(
                    select(Case.place_id, key_sql.label("key"), func.count().label("n"))
                    .where(*where).group_by(Case.place_id, key_sql)))
            else:
                queries.append(select(key_sql, func.count()).where(*where).group_by(key_sql))
        out = Counter()
        for query in queries:
            for *key, n in db.session.execute(query):
                if n:
                    out[tuple(key) if by_township else key[0]] += int(n)
        return out

    def monthly(self, dim: str, yms: list[int]) -> Counter:
        """{ym: n} from case_stat over whole months (the trend)."""
        if self.live:
            return self._monthly_live(dim, yms)
        query = (select(self.stat.ym, func.sum(self.stat.n))
                 .where(*self._stat_where(dim, yms)).group_by(self.stat.ym))
        return Counter({ym: int(n) for ym, n in db.session.execute(query)})

    def _monthly_live(self, dim: str, yms: list[int]) -> Counter:
        first, last = month_range(min(yms))[0], month_range(max(yms))[1]
        if dim == "concluded_in":
            day = Case.concluded_on
            where = [Case.state.in_(CONCLUDED_STATES)]
        else:
            day = Case.received_on
            where = [sql_dimensions(Case.__table__.c)[dim][1]]
        where += [day.between(first, last), Case.scope_clause(self.scope)]
        township = self._township(Case.place_id)
        ym = ym_sql(day)
        query = (select(ym, func.count())
                 .where(*where, *([township] if township is not None else [])).group_by(ym))
        return Counter({int(y): int(n) for y, n in db.session.execute(query)})

    # --- the figures ------------------------------------------------------------------
    def headline(self) -> dict:
        states = self.counts("state")
        evaluations = self.counts("evaluation")
        total = sum(states.values())
        concluded = sum(states[s] for s in CONCLUDED_STATES)
        evaluated = sum(evaluations.values())
        satisfied = sum(evaluations[e] for e in SATISFIED)
        return {
            "total": total,
            "concluded": concluded,
            "resolution_rate": rate(concluded, total),
            "in_progress": sum(states[s] for s in OPEN_STATES),
            "declined": states["declined"],
            "terminated": states["terminated"],
            "overdue": self.overdue(),
            "due_soon": self.due_soon(),
            "escalations_pending": self.escalations_pending(),
            "transfers_overdue": self.transfers_overdue(),
            "evaluated": evaluated,
            "satisfied": satisfied,
            "satisfaction_rate": rate(satisfied, evaluated),
            "repeat": sum(self.counts("repeat").values()),
            "skipped_level": sum(self.counts("skipped").values()),
            "group": sum(self.counts("group").values()),
        }

    def funnel(self) -> dict:
        levels = Counter()
        for level, n in self.counts("resolution").items():
            folded = folded_level(level)
            if folded:
                levels[folded] += n
        resolved = sum(levels.values())
        return {level: {"count": levels[level], "share": rate(levels[level], resolved)}
                for level in FUNNEL_LEVELS}

    def overdue(self) -> int:
        return sum(db.session.scalar(select(func.count()).select_from(Case).where(
            *self.open_where(), part)) for part in Case.due_before_parts(self.today))

    def due_soon(self, days: int | None = None) -> int:
        from flask import current_app

        days = current_app.config.get("DUE_SOON_DAYS", 5) if days is None else days
        last = self.today + datetime.timedelta(days=days)
        return sum(db.session.scalar(select(func.count()).select_from(Case).where(
            *self.open_where(), part)) for part in Case.due_between_parts(self.today, last))

    def escalations_pending(self) -> int:
        return db.session.scalar(
            select(func.count(func.distinct(EscalationRequest.case_id)))
            .where(EscalationRequest.status == "pending",
                   case_lookup(EscalationRequest.case_id, self.open_where(), per_row=True)))

    def transfers_overdue(self) -> int:
        """Transfers still unanswered after their reply-by date, as of today."""
        return db.session.scalar(
            select(func.count()).select_from(Transfer)
            .where(Transfer.overdue_clause(self.today),
                   case_lookup(Transfer.case_id, self.open_where(), per_row=True)))

    def by_township(self) -> dict:
        """{township_id: {state: n}}."""
        out: dict = {}
        for (town, state), n in self.counts("state", by_township=True).items():
            out.setdefault(town, Counter())[state] += n
        return out

    def trend(self) -> dict:
        """New and concluded per month of the period, and the same months a year
        earlier."""
        yms = months(self.flt.start, self.flt.end)
        earlier = [ym - 100 for ym in yms]
        both = earlier + yms
        new = self.monthly("state", both)
        done = self.monthly("concluded_in", both)
        return {"months": yms, "new": [new[m] for m in yms], "concluded": [done[m] for m in yms],
                "new_year_earlier": [new[m] for m in earlier],
                "concluded_year_earlier": [done[m] for m in earlier]}

    def _people(self, person_column, where, *extra) -> list:
        """Cases per person (agent or case leader), aggregated before the names are
        joined; the TOP heaviest."""
        n = func.count().label("n")
        per_person = (select(person_column.label("person_id"), n, *extra).where(*where)
                      .group_by(person_column).order_by(n.desc(), person_column).limit(TOP)
                      .subquery())
        query = (select(Person.id, Person.name_zh, Person.name_mn, *per_person.c[1:])
                 .join(per_person, per_person.c.person_id == Person.id)
                 .order_by(per_person.c.n.desc(), Person.id))
        return [dict(row._mapping) for row in db.session.execute(query)]

    def agents(self) -> list:
        """Open cases per agent, heaviest first (from case_stat: open cases by agent)."""
        counts = self.counts("agent")
        top = sorted(counts, key=lambda k: (-counts[k], int(k)))[:TOP]
        names = {row.id: row for row in db.session.execute(
            select(Person.id, Person.name_zh, Person.name_mn)
            .where(Person.id.in_([int(k) for k in top])))}
        return [{"id": int(k), "name_zh": names[int(k)].name_zh,
                 "name_mn": names[int(k)].name_mn, "n": counts[k]}
                for k in top if int(k) in names]

    def departments(self) -> list:
        """Transfers made in the period, per department: how many (and how many cases),
        replied on time, replied late, overdue without reply."""
        replied = Transfer.replied_at.isnot(None)
        on_time = and_(replied, func.date(Transfer.replied_at) <= Transfer.due_on)
        late = and_(replied, func.date(Transfer.replied_at) > Transfer.due_on)
        overdue = and_(Transfer.replied_at.is_(None), Transfer.due_on < self.today)

        def total(condition):
            return func.sum(case((condition, 1), else_=0)).cast(Integer)

        # counted per department_id in one pass over the period's transfers, then
        # named: joined first, SQLite read the period's range once per department
        per = (select(Transfer.department_id,
                      func.count().label("transfers"),
                      func.count(func.distinct(Transfer.case_id)).label("cases"),
                      total(on_time).label("on_time"),
                      total(late).label("late"), total(overdue).label("overdue"))
               .where(*self.transfer_where())
               .group_by(Transfer.department_id).subquery())
        query = (select(Department.id, Department.name_zh, Department.name_mn,
                        per.c.transfers, per.c.cases, per.c.on_time, per.c.late,
                        per.c.overdue)
                 .join(per, per.c.department_id == Department.id)
                 .order_by(Department.id))
        rows = [dict(row._mapping) for row in db.session.execute(query)]
        for row in rows:
            row["on_time_rate"] = rate(row["on_time"], row["on_time"] + row["late"]
                                       + row["overdue"])
        return rows

    def case_leaders(self) -> list:
        """Each 包案领导's cases in the period and how many are concluded."""
        done = func.sum(case((Case.state.in_(CONCLUDED_STATES), 1), else_=0)).cast(Integer)
        rows = self._people(Case.case_leader_id,
                            [Case.case_leader_id.isnot(None), *self.case_where()],
                            done.label("concluded"))
        for row in rows:
            row["cases"] = row.pop("n")
            row["progress"] = rate(row["concluded"], row["cases"])
        return rows

    def receptions(self) -> dict:
        """Leader receptions in the period by kind: visits, batches, persons."""
        where = [LeaderReception.held_on.between(self.flt.start, self.flt.end),
                 LeaderReception.scope_clause(self.scope)]
        township = self._township(LeaderReception.place_id)
        where += [township] if township is not None else []
        query = (select(LeaderReception.kind, func.count(), func.sum(LeaderReception.batches),
                        func.sum(LeaderReception.persons))
                 .where(*where).group_by(LeaderReception.kind))
        return {kind: {"visits": n, "batches": int(b or 0), "persons": int(p or 0)}
                for kind, n, b, p in db.session.execute(query)}

    def zero_villages(self) -> dict:
        """Villages with no petition in the calendar month the period ends in."""
        ym = ym_of(self.flt.end)
        petitioned = exists().where(CaseStat.dim == "state", CaseStat.ym == ym,
                                    CaseStat.place_id == Place.id, CaseStat.n > 0)
        where = [Place.level == "village", Place.scope_clause(self.scope), ~petitioned]
        township = self._township(Place.id)
        where += [township] if township is not None else []
        rows = db.session.execute(select(Place.id, Place.name_zh, Place.name_mn)
                                  .where(*where).order_by(Place.code)).all()
        return {"month": ym, "count": len(rows), "villages": [dict(r._mapping) for r in rows]}

    def summary(self) -> dict:
        """What the JSON endpoint returns."""
        return {"filter": self.flt.args(), "headline": self.headline(), "funnel": self.funnel(),
                "townships": {str(k): dict(v) for k, v in self.by_township().items()}}
