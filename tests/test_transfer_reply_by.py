"""Each department of a transfer has its own reply-by date: given per department (the
API's ``due_on_<id>`` or a mapping), else its configured reply days; never in the past,
never after the case's own deadline — a date given is refused, never silently moved."""

import datetime

import pytest

from app.domain.errors import RuleBroken
from app.extensions import db
from app.models import Transfer
from app.services import action_inputs
from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, department, staff_people, user


@pytest.fixture()
def people(world):
    return staff_people(world)


def _due_by_department(case_id):
    db.session.expire_all()
    return {t.department.code: t.due_on
            for t in db.session.query(Transfer).filter_by(case_id=case_id)}


def test_each_department_gets_its_own_reply_by_date(world, people):
    case = accept(world.cases["A"])
    hrss, just = department("HRSS"), department("JUST")
    soon = svc.today() + datetime.timedelta(days=3)
    svc.transfer(case.id, user("clerkA"), department_ids=[hrss.id, just.id],
                 due_on={hrss.id: soon})
    due = _due_by_department(case.id)
    assert due["HRSS"] == soon
    assert due["JUST"] == min(case.due_on, svc.deadlines.add_days(
        svc.today(), just.reply_days, svc.deadline_rules()))


@pytest.mark.parametrize("days", [-1, 400])
def test_a_reply_by_date_in_the_past_or_after_the_cases_deadline_is_refused(
        world, people, days):
    case = accept(world.cases["A"])
    with pytest.raises(RuleBroken):
        svc.transfer(case.id, user("clerkA"), department_ids=[department("HRSS").id],
                     due_on=svc.today() + datetime.timedelta(days=days))
    assert _due_by_department(case.id) == {}


def test_the_api_takes_a_date_per_department(world, people, db_app):
    case = accept(world.cases["A"])
    hrss, just = department("HRSS"), department("JUST")
    first, second = (svc.today() + datetime.timedelta(days=n) for n in (2, 4))
    parsed = action_inputs.parse("transfer", {
        "department_ids": [hrss.id, just.id], f"due_on_{hrss.id}": first.isoformat(),
        "due_on": {str(just.id): second.isoformat()}})
    assert parsed["due_on"] == {hrss.id: first, just.id: second}
    client = sign_in(db_app, "clerkA")
    response = client.post(f"/api/v1/cases/{case.id}/transfer", json={
        "department_ids": [hrss.id, just.id],
        "due_on": {str(hrss.id): first.isoformat(), str(just.id): second.isoformat()}})
    assert response.status_code == 200, response.get_json()
    assert _due_by_department(case.id) == {"HRSS": first, "JUST": second}


def _lapse(transfer_ids, days_ago=1):
    from tests.write_guard import direct_case_writes

    with direct_case_writes():
        for transfer in db.session.query(Transfer).filter(Transfer.id.in_(transfer_ids)):
            transfer.due_on = svc.today() - datetime.timedelta(days=days_ago)
        db.session.commit()


def test_an_unanswered_transfer_past_its_reply_by_shows_everywhere(world, people, db_app):
    from app.cockpit.bulletin import build_bulletin
    from app.security.scope import EVERYTHING

    case = accept(world.cases["A"])
    hrss, just = department("HRSS"), department("JUST")
    svc.transfer(case.id, user("clerkA"), department_ids=[hrss.id, just.id])
    db.session.commit()
    late = db.session.query(Transfer).filter_by(case_id=case.id, department_id=just.id).one()
    _lapse([late.id])
    # the case page marks it
    page = sign_in(db_app, "clerkA").get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert page.count("transfer-overdue") == 1
    # the department's inbox: pending first, by reply-by date, marked overdue
    svc.reply_transfer(case.id, user("dept"), reply="已处理")
    other = accept(world.cases["B"], login="agentB")
    svc.transfer(other.id, user("clerkB"), department_ids=[hrss.id])
    db.session.commit()
    inbox = sign_in(db_app, "dept").get("/transfers/list/").get_data(as_text=True)
    assert inbox.index(other.number) < inbox.index(case.number)
    # the bulletin of the day after the reply-by date
    bulletin = build_bulletin(svc.today(), EVERYTHING)
    assert [t["number"] for t in bulletin.transfers_overdue] == [case.number]
    assert bulletin.transfers_overdue[0]["name_zh"] == just.name_zh


def test_the_case_pages_transfer_form_gives_each_department_its_own_date(world, people,
                                                                         db_app):
    import re

    case = accept(world.cases["A"])
    hrss, just = department("HRSS"), department("JUST")
    client = sign_in(db_app, "clerkA")
    page = client.get(f"/caseview/show/{case.id}").get_data(as_text=True)
    form = page[page.index('id="action-transfer"'):]
    form = form[:form.index("</form>")]
    # one date per department, defaulting to its own reply days, within the case's dates
    for dept in (hrss, just):
        field = re.search(rf'<input[^>]*name="due_on_{dept.id}"[^>]*>', form).group(0)
        default = svc.default_reply_by(dept, case.due_on)
        assert f'value="{default.isoformat()}"' in field
        assert f'min="{svc.today().isoformat()}"' in field
        assert f'max="{case.due_on.isoformat()}"' in field
    assert 'name="due_on"' not in form
    first, second = (svc.today() + datetime.timedelta(days=n) for n in (2, 6))
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    response = client.post(f"/caseview/act/{case.id}/transfer", data={
        "version": version, "department_ids": [str(hrss.id), str(just.id)],
        f"due_on_{hrss.id}": first.isoformat(), f"due_on_{just.id}": second.isoformat(),
        f"due_on_{department('CIVIL').id}": second.isoformat()})
    assert response.status_code == 302
    assert _due_by_department(case.id) == {"HRSS": first, "JUST": second}
