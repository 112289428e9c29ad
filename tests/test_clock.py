"""Every rule that reads "today" reads the app's clock: a story across weeks runs by
setting it, without faking the system clock."""

import datetime

import pytest

from app import clock as app_clock
from app.extensions import db
from app.models import Case, CaseEvent
from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import staff_people, user

pytestmark = pytest.mark.usefixtures("english_ui")


def test_the_clock_follows_its_setting(db_app, clock):
    real = datetime.date.today()
    assert app_clock.today() == real
    clock("2026-11-03")
    assert app_clock.today() == datetime.date(2026, 11, 3)
    clock("2026-11-03T09:30")
    assert app_clock.now() == datetime.datetime(2026, 11, 3, 9, 30)
    clock("next week")
    with pytest.raises(app_clock.ClockError):
        app_clock.today()


def test_a_case_overdue_weeks_later(world, clock, db_app):
    staff_people(world)
    case_id = world.cases["A"].id
    clock("2026-11-03")
    svc.accept(case_id, user("agentA"), entrustment_signer="签字人",
               entrustment_signed_on=datetime.date(2026, 11, 3))
    db.session.commit()
    case = db.session.get(Case, case_id)
    assert case.accepted_on == datetime.date(2026, 11, 3)
    last = db.session.query(CaseEvent).filter_by(case_id=case_id).order_by(
        CaseEvent.id.desc()).first()
    assert last.at.date() == datetime.date(2026, 11, 3)
    assert case.days_left > 0
    due = case.effective_due_on

    clock((due + datetime.timedelta(days=3)).isoformat())
    assert db.session.get(Case, case_id).days_left == -3
    leader = sign_in(db_app, "leader")
    bulletin = leader.get("/api/v1/bulletin/").get_json()
    assert bulletin["day"] == (due + datetime.timedelta(days=3)).isoformat()
    assert bulletin["overdue"] >= 1
    later = (due + datetime.timedelta(days=3)).isoformat()
    summary = leader.get(f"/api/v1/cockpit/summary?from=2026-01-01&to={later}").get_json()
    assert summary["headline"]["overdue"] >= 1
