"""The authority as users meet it in the panel and the API: a township's leader approves
escalations to the township from their inbox, every approvals inbox lists exactly the
cases whose page offers the approval, a grid worker registers from their grid, the
details are edited through the service, mediation sessions only through the case."""

import datetime
import re

import pytest

from app.extensions import db
from app.models import Case, CaseEvent, Category, MediationSession
from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, offered, staff_people, user
from tests.world import add_case, add_user

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def people(world):
    people = staff_people(world)
    add_user("tleaderA", "BannerLeader", world.townships["A"])
    add_user("centre", "TownshipStaff", world.banner)
    return people


def _new_case(world, key, village="A1"):
    return add_case(world, key, world.villages[village], world.petitioners[village[0]])


def _pending(world, key, requester, *approvals):
    """A case accepted by agentA, moved up by ``approvals`` (requester, approver), then
    asked up once more by ``requester``."""
    case = accept(_new_case(world, key))
    for asked_by, approver in approvals:
        svc.request_escalation(case.id, user(asked_by), reason="超出本级事权")
        svc.approve_escalation(case.id, user(approver))
    svc.request_escalation(case.id, user(requester), reason="超出本级事权")
    return case.id


def test_a_township_leader_approves_from_their_inbox(db_app, world, people):
    """The bug: tleader1 had no buttons and an empty inbox for escalations to the
    township, and buttons but a refusal for escalations to the banner."""
    to_township = _pending(world, "t", "agentA")
    to_banner = _pending(world, "b", "agentA", ("agentA", "clerkA"))
    tleader = sign_in(db_app, "tleaderA")
    page = tleader.get("/caseview/list/").get_data(as_text=True)
    assert "Escalation approvals (1)" in page
    inbox = tleader.get("/escalations/list/").get_data(as_text=True)
    assert db.session.get(Case, to_township).number in inbox
    assert db.session.get(Case, to_banner).number not in inbox
    assert "approve_escalation" in offered(tleader, to_township)
    assert "approve_escalation" not in offered(tleader, to_banner)
    response = tleader.post(f"/api/v1/cases/{to_banner}/approve_escalation", json={})
    assert response.status_code == 403
    response = tleader.post(f"/api/v1/cases/{to_township}/approve_escalation", json={})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Case, to_township).level == "township"


def test_every_approvals_inbox_lists_exactly_what_its_pages_offer(db_app, world, people):
    cases = [
        _pending(world, "v1", "agentA"),
        _pending(world, "v2", "clerkA"),  # the clerk asked: the township leader decides
        _pending(world, "t1", "agentA", ("agentA", "clerkA")),
        _pending(world, "t2", "clerkA", ("agentA", "tleaderA")),
        _pending(world, "b1", "agentA", ("agentA", "clerkA"), ("agentA", "centre")),
        _pending(world, "b2", "leader", ("agentA", "clerkA"), ("agentA", "leader")),
    ]
    b_case = accept(_new_case(world, "bb", "B1"), login="agentB")
    svc.request_escalation(b_case.id, user("agentB"), reason="r")
    cases.append(b_case.id)
    for login in ("clerkA", "clerkB", "tleaderA", "centre", "leader", "admin", "agentA",
                  "caseleader"):
        client = sign_in(db_app, login)
        inbox = client.get("/escalations/list/")
        listed = set()
        if inbox.status_code == 200:
            html = inbox.get_data(as_text=True)
            listed = {case_id for case_id in cases
                      if f"/caseview/show/{case_id}\"" in html}
        offering = {case_id for case_id in cases
                    if "approve_escalation" in offered_or_none(client, case_id)}
        assert listed == offering, login
        count = re.search(r"Escalation approvals \((\d+)\)",
                          client.get("/").get_data(as_text=True))
        assert (int(count.group(1)) if count else 0) == len(offering), login
    # the leader's own request to the joint meeting waits for another banner leader
    # (only a banner leader sends a case there): here, only the administrator
    b2 = cases[5]
    assert "approve_escalation" not in offered(sign_in(db_app, "leader"), b2)
    assert "approve_escalation" in offered(sign_in(db_app, "admin"), b2)


def offered_or_none(client, case_id):
    response = client.get(f"/caseview/show/{case_id}")
    if response.status_code == 404:
        return []
    return re.findall(r'id="action-(\w+)"', response.get_data(as_text=True))


def test_a_grid_worker_registers_a_case_from_their_grid(db_app, world, people):
    """The bug: the add form's place dropdown offered villages only; a grid worker's
    area holds none."""
    from app.models import Petitioner

    grid = world.grids["A1"]
    neighbour = Petitioner(name="网格群众", place=grid)  # the grid's households
    db.session.add(neighbour)
    db.session.commit()
    client = sign_in(db_app, "gridA")
    form = client.get("/caseview/add").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', form.split('id="place"')[1]
                         .split("</select>")[0])
    assert options == [str(grid.id)]
    category = db.session.query(Category).filter_by(code="S02").one()
    response = client.post("/caseview/add", data={
        "petitioner": str(neighbour.id), "place": str(grid.id),
        "channel": str(world.cases["A"].channel_id), "category": str(category.id),
        "purpose": "solution", "urgency": "blue", "title": "网格排查发现",
        "description": "邻里纠纷", "demand": "调解", "received_on": "2026-11-20",
        "head_count": "1",
    })
    assert response.status_code == 302, re.findall(r'(?:alert-danger|help-block)[^>]*>(.*?)<',
                                                   response.get_data(as_text=True), re.S)
    case = db.session.query(Case).filter_by(title="网格排查发现").one()
    assert (case.place_id, case.responsible_place_id, case.level) == (
        grid.id, world.villages["A1"].id, "village")
    assert case.registered_by_id == user("gridA").id
    assert case.number in client.get("/caseview/list/").get_data(as_text=True)
    assert [e.action for e in case.events] == ["register"]
    # a clerk cannot register at the township itself, nor in another township
    clerk = sign_in(db_app, "clerkA")
    for place in (world.townships["A"], world.villages["B1"]):
        response = clerk.post("/caseview/add", data={
            "petitioner": str(world.petitioners["A"].id), "place": str(place.id),
            "channel": str(case.channel_id), "category": str(category.id),
            "purpose": "solution", "urgency": "blue", "title": "错误地点",
            "description": "d", "demand": "d", "received_on": "2026-11-20",
            "head_count": "1"})
        assert response.status_code == 200
    assert db.session.query(Case).filter_by(title="错误地点").count() == 0


def test_the_edit_page_and_put_write_through_the_service(db_app, world, people):
    case = accept(world.cases["A"])
    agent = sign_in(db_app, "agentA")
    page = agent.get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert 'id="edit-details"' in page
    form = agent.get(f"/caseview/edit/{case.id}").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    data = {"channel": str(case.channel_id), "category": str(case.category_id),
            "purpose": "solution", "urgency": "red", "title": case.title,
            "description": case.description, "demand": case.demand, "head_count": "1",
            "version": version}
    response = agent.post(f"/caseview/edit/{case.id}", data=data)
    assert response.status_code == 302 and f"/caseview/show/{case.id}" in response.location
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.urgency == "red" and case.due_on == svc.today() + datetime.timedelta(days=7)
    event = case.events[-1]
    assert event.action == "edit_details" and event.data["before"]["urgency"] == "blue"
    # the same form posted again with its old version is refused
    agent.post(f"/caseview/edit/{case.id}", data={**data, "urgency": "yellow"})
    db.session.expire_all()
    assert db.session.get(Case, case.id).urgency == "red"
    # staff below the level that holds the case cannot edit; a village case is the
    # township station's: another township's clerk sees nothing
    assert sign_in(db_app, "clerkB").get(f"/caseview/edit/{case.id}").status_code == 404
    # the API: ids only, nested objects refused, nothing created
    categories = db.session.query(Category).count()
    response = agent.put(f"/api/v1/cases/{case.id}", json={
        "category": {"id": 987654, "code": "X", "list": "service"}})
    assert response.status_code == 422
    assert db.session.query(Category).count() == categories
    response = agent.put(f"/api/v1/cases/{case.id}", json={"title": "改名", "state": "x"})
    assert response.status_code == 422
    response = agent.put(f"/api/v1/cases/{case.id}", json={"title": "改名"})
    assert response.status_code == 200 and response.get_json()["result"]["title"] == "改名"
    events = db.session.query(CaseEvent).filter_by(case_id=case.id, action="edit_details")
    assert events.count() == 2


def test_once_up_the_agent_is_offered_only_the_follow_up(db_app, world, people):
    """The bug: on a case approved to the township the village agent's conclude answered
    200; on a banner-level case the agent was offered every decision."""
    case_id = _pending(world, "x", "agentA")
    svc.approve_escalation(case_id, user("clerkA"))
    agent = sign_in(db_app, "agentA")
    response = agent.post(f"/api/v1/cases/{case_id}/conclude", json={"reply": "已解决"})
    assert response.status_code == 403
    assert db.session.get(Case, case_id).state == "in_progress"
    assert set(offered(agent, case_id)) == {"record_progress", "record_mediation",
                                            "request_escalation"}
    svc.request_escalation(case_id, user("agentA"), reason="r")
    svc.approve_escalation(case_id, user("leader"))
    assert set(offered(agent, case_id)) == {"record_progress", "record_mediation",
                                            "request_escalation"}
    assert "conclude" in offered(sign_in(db_app, "centre"), case_id)
    assert "conclude" not in offered(sign_in(db_app, "clerkA"), case_id)


def test_mediation_sessions_are_recorded_only_on_the_case(db_app, world, people):
    case = accept(world.cases["A"])
    svc.record_mediation(case.id, user("agentA"), mediator_id=people["mediatorA"].id,
                         held_on=datetime.date(2026, 11, 10), parties="双方",
                         outcome="agreed")
    clerk = sign_in(db_app, "clerkA")
    assert clerk.get("/mediationsessionview/add").status_code in (403, 404, 302)
    session = db.session.query(MediationSession).one()
    assert clerk.post(f"/mediationsessionview/edit/{session.id}",
                      data={"parties": "x"}).status_code in (403, 404, 302)
    assert db.session.query(MediationSession).one().parties == "双方"
    listing = clerk.get("/mediationsessionview/list/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in listing


def test_the_case_list_offers_no_edit_link_the_case_may_refuse(db_app, world, people):
    case = accept(world.cases["A"])
    clerk = sign_in(db_app, "clerkA")
    listing = clerk.get("/caseview/list/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in listing
    assert f"/caseview/edit/{case.id}" not in listing
