"""The cockpit's pre-aggregated counts, and the indexes its live queries need.

``case_stat`` holds, per month of receipt, village and *dimension* (state, urgency,
category, channel, resolution level, evaluation, flags), how many cases have each
value. ``case_stat_town`` holds the same counts per township instead of per village,
ten to twenty times fewer rows: what a banner-wide user or a township's staff reads.
Both are kept exactly in step with ``cases`` by app/cockpit/rollup.py, in the same
transaction as the change to the case."""

from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Index, Integer, String

from app.models.cases import Case, Transfer

OPEN_STATES = ("registered", "in_progress", "transferred")
CONCLUDED_STATES = ("concluded", "followed_up", "archived")


class _Counts:
    """The columns of both count tables."""

    __table_args__ = {"sqlite_with_rowid": False}

    # what is counted: "state", "urgency", "category", "channel", "resolution",
    # "evaluation", "repeat", "skipped", "group", "agent" (open cases per agent), by
    # month received, "concluded_in" (by month concluded), and "all" (every case, per
    # village, ym 0: a banner-wide list's count)
    dim = Column(String(12), primary_key=True)
    # year * 100 + month, e.g. 202611
    ym = Column(Integer, primary_key=True)
    place_id = Column(Integer, ForeignKey("place.id"), primary_key=True)
    key = Column(String(20), primary_key=True)
    n = Column(Integer, nullable=False, default=0)

    @classmethod
    def scope_clause(cls, scope):
        # counts of cases: the places whose cases the scope reaches (a scope of one's
        # own cases has none; the cockpit then counts those cases live)
        return scope.case_place_clause(cls.place_id)


class CaseStat(_Counts, Model):
    """Per village (the case's place)."""

    __tablename__ = "case_stat"


class CaseStatTown(_Counts, Model):
    """Per township: ``place_id`` is the case's township (``cases.township_id``), or its
    place where it has none (a case of the banner itself). Every dimension but "all";
    and "state" also for month 0, every case whenever received.
    Right for a scope that reaches whole townships (``Scope.whole_townships``)."""

    __tablename__ = "case_stat_town"


def counts_for(scope):
    """The count table that answers for this scope: per township where the scope
    reaches whole townships (a few thousand rows a year for a banner), else per
    village."""
    return CaseStatTown if scope.whole_townships else CaseStat


_cases = Case.__table__
_transfers = Transfer.__table__
_has_leader = _cases.c.case_leader_id.isnot(None)

# The live (not pre-aggregated) figures read open cases (overdue, due soon, agents'
# workload), cases with a case leader, and transfers: indexes that cover those queries,
# scope columns included. The open-case index is not partial because SQLite uses a
# partial index only when the query repeats its WHERE literally (not with parameters).
Index(
    "ix_case_cockpit_open",
    _cases.c.state,
    _cases.c.received_on,
    _cases.c.due_on,
    _cases.c.agent_id,
    _cases.c.place_id,
    _cases.c.responsible_place_id,
)
Index(
    "ix_case_cockpit_leader",
    _cases.c.case_leader_id,
    _cases.c.received_on,
    _cases.c.state,
    _cases.c.place_id,
    _cases.c.responsible_place_id,
    _cases.c.township_id,  # a township clerk's case leaders (migration 0018)
    postgresql_where=_has_leader,
    sqlite_where=_has_leader,
)
# A period that ends or starts inside a month counts those days from cases itself:
# every column the counts read, in one index, so those scans never touch the table.
Index(
    "ix_case_cockpit_days",
    _cases.c.received_on,
    _cases.c.place_id,
    _cases.c.responsible_place_id,
    _cases.c.state,
    _cases.c.urgency,
    _cases.c.category_id,
    _cases.c.channel_id,
    _cases.c.resolution_level,
    _cases.c.evaluation,
    _cases.c.is_repeat,
    _cases.c.skipped_level,
    _cases.c.is_group,
)
# transfers still waiting for a reply, by reply-by date (overdue for a reply now)
Index("ix_transfer_status_due", _transfers.c.status, _transfers.c.due_on,
      _transfers.c.case_id)
Index(
    "ix_transfer_cockpit",
    _transfers.c.assigned_at,
    _transfers.c.department_id,
    _transfers.c.case_id,
    _transfers.c.due_on,
    _transfers.c.replied_at,
)
