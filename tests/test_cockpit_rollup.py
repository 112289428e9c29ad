"""case_stat, the cockpit's pre-aggregated counts, stays exactly in step with cases:
whatever the ORM does to a case, in the same transaction."""

import datetime

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from app.cockpit import rollup
from app.extensions import db
from app.models import Case, CaseStat
from tests.cockpit_world import build_cockpit_world


def in_step() -> dict:
    return rollup.differences(db.session.connection())


def stat(dim, key) -> int:
    return sum(db.session.scalars(select(CaseStat.n).where(CaseStat.dim == dim,
                                                           CaseStat.key == key)))


def bare_case(world, number, **values) -> Case:
    """A case without events (events are append-only, so a registered case cannot be
    deleted)."""
    case = Case(number=number, petitioner=world.petitioners["A"], place=world.villages["A1"],
                responsible_place=world.villages["A1"], channel=world.channels["visit"],
                category=world.categories["S02"], title="t", description="d", demand="d",
                received_on=datetime.date(2026, 3, 3), **values)
    db.session.add(case)
    db.session.flush()
    return case


def test_registering_changing_and_deleting_cases_keeps_the_counts(world):
    build_cockpit_world(world)
    assert in_step() == {}
    assert stat("state", "concluded") == 197
    case = world.cases["A"]
    db.session.expire_all()  # change attributes that were never loaded
    case = db.session.get(Case, case.id)
    case.state, case.concluded_on = "concluded", datetime.date(2026, 11, 20)
    case.resolution_level, case.evaluation = "township", "satisfied"
    case.place = world.villages["A2"]
    db.session.commit()
    assert in_step() == {}
    assert stat("state", "concluded") == 198
    doomed = bare_case(world, "X1", state="terminated", is_repeat=True)
    db.session.commit()
    assert in_step() == {}
    db.session.delete(doomed)
    db.session.flush()
    assert in_step() == {}
    db.session.rollback()
    assert in_step() == {}


def test_bulk_orm_statements_keep_the_counts(world):
    build_cockpit_world(world)
    db.session.execute(update(Case).where(Case.state == "registered")
                       .values(state="in_progress"))
    assert in_step() == {}
    assert stat("state", "registered") == 0
    bare_case(world, "X1", state="terminated")
    bare_case(world, "X2", state="terminated", is_group=True, head_count=3)
    assert in_step() == {}
    db.session.execute(delete(Case).where(Case.number.in_(["X1", "X2"])))
    assert in_step() == {}
    db.session.commit()
    assert in_step() == {}


def test_a_failed_transaction_leaves_no_trace(world):
    before = stat("state", "registered")
    case = db.session.get(Case, world.cases["A"].id)
    case.state = "in_progress"
    db.session.flush()
    assert stat("state", "registered") == before - 1
    db.session.rollback()
    assert stat("state", "registered") == before
    assert in_step() == {}


def test_rebuild_recomputes_from_cases(world):
    build_cockpit_world(world)
    connection = db.session.connection()
    connection.execute(delete(CaseStat))
    assert in_step() != {}
    rollup.rebuild(connection)
    assert in_step() == {}


def test_a_case_changed_by_a_later_flush_listener_is_counted(world):
    """Another before_flush listener (registered after ours) changes a case that was
    not dirty when ours ran: its old values come from attribute history."""
    build_cockpit_world(world)
    case = db.session.get(Case, world.cases["B"].id)
    assert case.state == "registered"  # loaded, so history knows the old value

    def conclude_during_flush(session, flush_context, instances):
        if case.state == "registered":
            case.state = "terminated"

    event.listen(Session, "before_flush", conclude_during_flush)
    try:
        bare_case(world, "X9")  # a flush with only a new case: ours saw no dirty case
    finally:
        event.remove(Session, "before_flush", conclude_during_flush)
    assert db.session.get(Case, case.id).state == "terminated"
    assert in_step() == {}
    db.session.commit()
    assert in_step() == {}
