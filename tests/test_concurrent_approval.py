"""Two approvers acting on the same escalation at once, on two real connections:
exactly one wins, the other is told clearly, nothing is half-done (PostgreSQL; SQLite
serialises writers anyway and has no SELECT … FOR UPDATE)."""

import threading
import time

import pytest

from app.domain.errors import DomainError
from app.extensions import db
from app.models import Case, CaseEvent, EscalationRequest
from app.services import cases as svc
from tests.conftest import ENGINE
from tests.lifecycle_helpers import accept, staff_people, user
from tests.world import add_user

pytestmark = [pytest.mark.skipif(ENGINE != "postgresql",
                                 reason="needs two real concurrent connections (PostgreSQL)"),
              pytest.mark.clean_slate]


@pytest.mark.parametrize("with_version", [False, True])
def test_two_approvers_at_once_exactly_one_wins(app, world, monkeypatch, with_version):
    staff_people(world)
    add_user("clerkA2", "TownshipStaff", world.townships["A"])
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    case_id, version = case.id, case.version
    db.session.commit()
    db.session.close()

    # whoever gets the lock first holds it a while, so the other really waits on it
    original = svc.escalation_target_place

    def slow_target_place(*args):
        time.sleep(0.5)
        return original(*args)

    monkeypatch.setattr(svc, "escalation_target_place", slow_target_place)
    barrier = threading.Barrier(2)
    results = {}

    def approve(login):
        with app.app_context():
            approver = user(login)
            db.session.commit()  # no transaction open while waiting at the barrier
            barrier.wait()
            try:
                svc.approve_escalation(case_id, approver,
                                       version=version if with_version else None)
                results[login] = "won"
            except DomainError as err:
                results[login] = err.message

    threads = [threading.Thread(target=approve, args=(login,)) for login in
               ("clerkA", "clerkA2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values())[-1] == "won"
    assert list(results.values()).count("won") == 1
    loser = next(v for v in results.values() if v != "won")
    assert "already been decided" in loser or "Someone else has acted" in loser
    db.session.expire_all()
    assert db.session.get(Case, case_id).level == "township"
    statuses = [e.status for e in db.session.query(EscalationRequest).filter_by(
        case_id=case_id)]
    assert statuses == ["approved"]
    approvals = db.session.query(CaseEvent).filter_by(case_id=case_id,
                                                      action="approve_escalation").count()
    assert approvals == 1
