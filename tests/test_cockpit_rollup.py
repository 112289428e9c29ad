"""case_stat, the cockpit's pre-aggregated counts, stays exactly in step with cases:
whatever the ORM does to a case, in the same transaction."""

import datetime
import threading

import pytest
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from app.cockpit import rollup
from app.extensions import db
from app.models import Case, CaseStat, CaseStatTown, Category, Channel, Place, copies
from tests.cockpit_world import build_cockpit_world
from tests.conftest import ENGINE
from tests.write_guard import direct_case_writes

# pages are read by their English msgids
pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture(autouse=True)
def _writes_cases_directly():
    """These tests change case rows directly on purpose: case_stat must follow any
    write, ORM or bulk, not only the services'."""
    with direct_case_writes():
        yield


# the hand-counted cases as a world of these tests: built through the services once a
# session (the first test below builds them itself, and checks the counts that makes)
COCKPIT_WORLD = pytest.mark.world_with.with_args(build_cockpit_world)


def in_step() -> dict:
    """case_stat's counts and the case's copies on its transfers and escalations."""
    connection = db.session.connection()
    return {**rollup.differences(connection), **copies.differences(connection)}


def stat(dim, key) -> int:
    return sum(db.session.scalars(select(CaseStat.n).where(CaseStat.dim == dim,
                                                           CaseStat.key == key)))


def town_stat(township, dim, key) -> int:
    """The township's count, summed over the months of receipt."""
    return sum(db.session.scalars(select(CaseStatTown.n).where(
        CaseStatTown.place_id == township.id, CaseStatTown.dim == dim,
        CaseStatTown.key == key, CaseStatTown.ym != rollup.EVER)))


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


@COCKPIT_WORLD
def test_bulk_orm_statements_keep_the_counts(world):
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


@COCKPIT_WORLD
def test_a_case_moved_to_another_township_takes_its_township_counts(world):
    town_a, town_b = world.townships["A"], world.townships["B"]
    before_a, before_b = (town_stat(town_a, "state", "registered"),
                          town_stat(town_b, "state", "registered"))
    case = bare_case(world, "X1", state="registered")
    assert town_stat(town_a, "state", "registered") == before_a + 1
    case.place = world.villages["B2"]
    db.session.flush()
    assert (town_stat(town_a, "state", "registered"),
            town_stat(town_b, "state", "registered")) == (before_a, before_b + 1)
    assert stat("state", "registered") == before_a + before_b + 1
    assert in_step() == {}
    # and the counts over every month (month 0), which the landing page reads
    ever = db.session.scalar(select(func.sum(CaseStatTown.n)).where(
        CaseStatTown.dim == "state", CaseStatTown.ym == rollup.EVER,
        CaseStatTown.key == "registered"))
    assert ever == db.session.scalar(select(func.count()).select_from(Case)
                                     .where(Case.state == "registered"))


@COCKPIT_WORLD
def test_a_village_moved_under_another_township_takes_its_counts(world):
    """A place moved by the admin pages: its cases change township by a plain
    statement (app/models/places.py), and the per-township counts follow."""
    town_a, town_b = world.townships["A"], world.townships["B"]
    village = db.session.get(Place, world.villages["A1"].id)
    moving = db.session.scalar(select(func.count()).select_from(Case)
                               .where(Case.place_id == village.id))
    def cases_of_a():
        return sum(db.session.scalars(select(CaseStatTown.n).where(
            CaseStatTown.place_id == town_a.id, CaseStatTown.dim == "state",
            CaseStatTown.ym == rollup.EVER)))

    total_a = cases_of_a()
    assert moving > 0
    village.parent = db.session.get(Place, town_b.id)
    db.session.flush()
    assert in_step() == {}
    assert cases_of_a() == total_a - moving
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


@COCKPIT_WORLD
def test_rebuild_recomputes_from_cases(world):
    connection = db.session.connection()
    connection.execute(delete(CaseStat))
    assert in_step() != {}
    rollup.rebuild(connection)
    assert in_step() == {}
    connection.execute(delete(CaseStatTown).where(CaseStatTown.dim == "category"))
    assert {key[0] for key in in_step()} == {"case_stat_town"}
    rollup.rebuild(connection)
    assert in_step() == {}


@COCKPIT_WORLD
@pytest.mark.clean_slate  # the CLI reads and rebuilds on connections of its own
def test_the_cli_checks_and_rebuilds_the_counts(world, db_app):
    runner = db_app.test_cli_runner()
    assert runner.invoke(args=["cockpit", "check-stats"]).exit_code == 0
    db.session.execute(delete(CaseStat).where(CaseStat.dim == "urgency"))
    db.session.commit()
    result = runner.invoke(args=["cockpit", "check-stats"])
    assert result.exit_code == 1 and "counts differ" in result.output
    assert runner.invoke(args=["cockpit", "rebuild-stats"]).exit_code == 0
    assert runner.invoke(args=["cockpit", "check-stats"]).exit_code == 0


@COCKPIT_WORLD
def test_a_case_changed_by_a_later_flush_listener_is_counted(world):
    """Another before_flush listener (registered after ours) changes a case that was
    not dirty when ours ran: its old values come from attribute history."""
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


@pytest.mark.skipif(ENGINE != "postgresql", reason="real concurrent writers: PostgreSQL")
@pytest.mark.clean_slate  # eight connections of their own
def test_concurrent_transactions_keep_the_counts(world):
    """Eight connections register cases in the same village and month at once: the
    upserts on the same case_stat rows serialise (each waits for the row lock until the
    other commits), none is lost."""
    ids = dict(petitioner_id=world.petitioners["A"].id, place_id=world.villages["A1"].id,
               responsible_place_id=world.villages["A1"].id,
               channel_id=db.session.query(Channel).filter_by(code="visit").one().id,
               category_id=db.session.query(Category).filter_by(code="S02").one().id)
    db.session.commit()
    barrier = threading.Barrier(8)
    errors, engine = [], db.engine

    def writer(n):
        session = Session(engine)
        try:
            for k in range(5):
                session.add(Case(number=f"C{n}-{k}", title="t", description="d", demand="d",
                                 received_on=datetime.date(2026, 3, 3), state="in_progress",
                                 **ids))
            barrier.wait(timeout=10)
            session.commit()  # flushes; waits on the first writer's case_stat row locks
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)
        finally:
            session.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(Case)
                             .where(Case.number.like("C%"))) == 40
    assert in_step() == {}
    assert stat("state", "in_progress") == 40
