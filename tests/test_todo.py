"""The landing page is the signed-in user's to-do list: an agent's own cases, a clerk's
cases to screen and escalations to approve, a department's pending transfers by
reply-by date, a sent-back escalation for whoever asked — each line opens the case."""

import pytest

from app.extensions import db
from app.services import cases as svc
from tests.lifecycle_helpers import accept, department, sign_in, staff_people, user


@pytest.fixture()
def people(world):
    return staff_people(world)


def _section(html: str, key: str) -> str:
    start = html.find(f'id="todo-{key}"')
    return "" if start < 0 else html[start:html.find("</table>", start)]


def test_an_agent_opens_on_their_cases_and_a_sent_back_escalation(world, people, db_app):
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    svc.send_back_escalation(case.id, user("clerkA"), comment="本级可以办理")
    db.session.commit()
    html = sign_in(db_app, "agentA").get("/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in _section(html, "mine")
    assert "本级可以办理" in _section(html, "sent_back")


def test_a_clerk_opens_on_cases_to_screen_and_escalations_to_approve(world, people, db_app):
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    db.session.commit()
    html = sign_in(db_app, "clerkA").get("/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in _section(html, "approvals")
    assert world.cases["B"].number not in html  # another township's
    registered = svc.register(type(case)(
        petitioner=world.petitioners["A"], place=world.villages["A1"], title="待甄别",
        description="d", demand="d", channel=case.channel, category=case.category,
        urgency="blue", received_on=case.received_on), user("clerkA"))
    db.session.commit()
    html = sign_in(db_app, "clerkA").get("/").get_data(as_text=True)
    assert f"/caseview/show/{registered.id}" in _section(html, "screen")


def test_a_department_opens_on_its_pending_transfers_by_reply_by_date(world, people, db_app):
    case = accept(world.cases["A"])
    svc.transfer(case.id, user("clerkA"), department_ids=[department("HRSS").id])
    db.session.commit()
    html = sign_in(db_app, "dept").get("/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in _section(html, "transfers")
    svc.reply_transfer(case.id, user("dept"), reply="已处理")
    db.session.commit()
    html = sign_in(db_app, "dept").get("/").get_data(as_text=True)
    assert _section(html, "transfers") == ""
