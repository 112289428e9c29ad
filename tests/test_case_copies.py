"""A case's state on its transfers and its township on its escalation requests
(app/models/copies.py) follow the case through the services, a moved place, bulk
statements and a rebuild; and the two counts that read them (a department's cases by
state, a township clerk's pending approvals) give what the case-side queries give."""

import pytest
from sqlalchemy import func, select, update

from app.cockpit import rollup
from app.extensions import db
from app.models import Case, EscalationRequest, Place, Transfer, copies
from app.security.scope import Scope, scope_for_user
from app.services import cases as svc
from app.views.home import _state_counts
from tests.lifecycle_helpers import accept, department, staff_people, user
from tests.write_guard import direct_case_writes

pytestmark = pytest.mark.usefixtures("english_ui")


def in_step() -> dict:
    return copies.differences(db.session.connection())


def copied(model, column, case) -> set:
    db.session.expire_all()
    return set(db.session.scalars(select(column).where(model.case_id == case.id)))


def test_the_copies_follow_the_case_through_its_actions(world):
    staff_people(world)
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    assert copied(EscalationRequest, EscalationRequest.township_id, case) == {
        world.townships["A"].id}
    svc.send_back_escalation(case.id, user("clerkA"), comment="村里能解决")
    svc.transfer(case.id, user("clerkA"),
                 department_ids=[department("HRSS").id, department("JUST").id])
    assert copied(Transfer, Transfer.case_state, case) == {"transferred"}
    svc.reply_transfer(case.id, user("dept"), reply="已处理")
    svc.reply_transfer(case.id, None, reply="司法局答复")
    svc.conclude(case.id, user("agentA"), reply="书面答复")
    assert copied(Transfer, Transfer.case_state, case) == {"concluded"}
    assert in_step() == {}
    db.session.commit()
    assert in_step() == {} and rollup.differences(db.session.connection()) == {}


def test_a_case_moved_or_a_place_moved_takes_its_copies_along(world):
    staff_people(world)
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    db.session.commit()
    # the case's place corrected to a village of township B
    with direct_case_writes():
        moved = db.session.get(Case, case.id)
        moved.place = world.villages["B1"]
        db.session.commit()
    assert copied(EscalationRequest, EscalationRequest.township_id, case) == {
        world.townships["B"].id}
    # village B1 itself moved under township A
    village = db.session.get(Place, world.villages["B1"].id)
    village.parent = db.session.get(Place, world.townships["A"].id)
    db.session.commit()
    assert copied(EscalationRequest, EscalationRequest.township_id, case) == {
        world.townships["A"].id}
    assert in_step() == {}


def test_bulk_statements_and_a_rebuild_keep_the_copies(world):
    staff_people(world)
    case = accept(world.cases["A"])
    svc.transfer(case.id, user("clerkA"), department_ids=[department("HRSS").id])
    db.session.commit()
    with direct_case_writes():
        db.session.execute(update(Case).where(Case.id == case.id).values(state="concluded"))
    assert copied(Transfer, Transfer.case_state, case) == {"concluded"}
    # a copy written by hand is found out, and a rebuild sets it right
    db.session.execute(update(Transfer).values(case_state="archived"))
    assert set(in_step().values()) == {("archived", "concluded")}
    rollup.rebuild(db.session.connection())
    assert in_step() == {}
    db.session.rollback()


def _departments_cases_by_state(department_id) -> dict:
    """The case-side question: the states of the cases transferred to the department."""
    return dict(db.session.execute(
        select(Case.state, func.count()).where(Case.id.in_(
            select(Transfer.case_id).where(Transfer.department_id == department_id)))
        .group_by(Case.state)).all())


def test_a_departments_counts_by_state_are_its_cases_counts(world):
    staff_people(world)
    hrss = department("HRSS")
    first = accept(world.cases["A"])
    # one case transferred twice to the same department counts once
    svc.transfer(first.id, user("clerkA"), department_ids=[hrss.id])
    svc.reply_transfer(first.id, user("dept"), reply="已处理")
    svc.transfer(first.id, user("clerkA"), department_ids=[hrss.id])
    second = accept(world.cases["B"], login="agentB")
    svc.transfer(second.id, user("clerkB"), department_ids=[hrss.id])
    svc.reply_transfer(second.id, user("dept"), reply="已处理")
    svc.conclude(second.id, user("agentB"), reply="书面答复")
    db.session.commit()
    scope = Scope(department_id=hrss.id)
    assert scope.department_only
    counts = _state_counts(scope)
    assert counts == _departments_cases_by_state(hrss.id) == {"transferred": 1,
                                                              "concluded": 1}


def test_a_clerks_pending_approvals_are_the_case_side_set(world):
    staff_people(world)
    mine = accept(world.cases["A"])
    theirs = accept(world.cases["B"], login="agentB")
    svc.request_escalation(mine.id, user("agentA"), reason="超出本级事权")
    svc.request_escalation(theirs.id, user("agentB"), reason="超出本级事权")
    db.session.commit()
    clerk = user("clerkA")
    clause = svc.awaiting_approval_clause(clerk, scope_for_user(clerk))
    # the clerk's tests of the case are the township's: the requests' copy answers them
    assert "township_id" in str(clause)
    assert "EXISTS" not in str(clause)
    pending = set(db.session.scalars(select(EscalationRequest.case_id).where(clause)))
    case_side = set(db.session.scalars(
        select(EscalationRequest.case_id).join(Case)
        .where(EscalationRequest.status == "pending",
               Case.township_id == world.townships["A"].id)))
    assert pending == case_side == {mine.id}
    # the page offers what the clause lists, and only that
    assert "approve_escalation" in svc.available_actions(mine, clerk)
    assert "approve_escalation" not in svc.available_actions(theirs, clerk)

