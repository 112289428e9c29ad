"""People are unmistakable and pickers never carry the roster: wherever a person or a
petitioner is chosen, the page holds only the chosen row and the server searches as the
user types — in the user's scope, among people holding the field's duty — with labels
that tell two people of the same name apart (village, duty, masked phone or ID tail).
What a picker offers is what the server accepts (app/services/pickers.py)."""

import pytest

from app.extensions import db
from app.models import Person, Petitioner
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, staff_people
from tests.pages import form_errors
from tests.test_bad_input import VALID_ID


def _options(html: str, name: str) -> list[str]:
    start = html.find(f'name="{name}"')
    assert start > 0, name
    select = html[start:html.find("</select>", start)]
    return [o for o in select.split("<option")[1:]]


def _pick(client, url, q=""):
    response = client.get(url, query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["results"]


def test_two_petitioners_of_the_same_name_are_told_apart(world, db_app):
    a1, a2 = world.villages["A1"], world.villages["A2"]
    db.session.add_all([Petitioner(name="巴特尔", place=a1, id_number=VALID_ID),
                        Petitioner(name="巴特尔", place=a2, phone="13800138000")])
    db.session.commit()
    client = sign_in(db_app, "clerkA")
    # the register form holds no petitioner: only the blank choice
    html = client.get("/caseview/add").get_data(as_text=True)
    assert len(_options(html, "petitioner")) == 1
    assert "daiban-pick" in html and "/caseview/pick/petitioner" in html
    labels = [r["text"] for r in _pick(client, "/caseview/pick/petitioner", "巴特")]
    assert len(labels) == 2
    assert any(a1.name_zh in label and VALID_ID[-4:] in label and VALID_ID not in label
               for label in labels)
    assert any(a2.name_zh in label and "8000" in label and "13800138000" not in label
               for label in labels)


def test_the_agent_picker_offers_agents_of_the_area_only(world, db_app):
    people = staff_people(world)
    db.session.add(Person(name_zh="非代办员", place=world.villages["A1"]))
    db.session.commit()
    client = sign_in(db_app, "clerkA")
    html = client.get(f"/caseview/show/{world.cases['A'].id}").get_data(as_text=True)
    # the accept form's agent picker asks the server; it holds no roster
    assert _options(html, "agent_id") == [' value="">—</option>\n              ']
    names = [r["text"] for r in _pick(client, "/caseview/pick/agent")]
    assert any(people["agentA"].name_zh in n and world.villages["A1"].name_zh in n
               for n in names)
    assert not any("非代办员" in n for n in names)
    assert not any(people["agentB"].name_zh in n for n in names)  # another township's
    # an unknown kind of choice is not a route
    assert client.get("/caseview/pick/everyone").status_code == 404


def test_the_server_refuses_whom_the_picker_would_not_offer(world, db_app, english_ui):
    people = staff_people(world)
    outsider = Person(name_zh="非代办员", place=world.villages["A1"])
    db.session.add(outsider)
    db.session.commit()
    case = world.cases["A"]
    client = sign_in(db_app, "clerkA")
    for agent, message in ((outsider, "does not hold that duty"),
                           (people["agentB"], "not in your area")):
        response = client.post(f"/api/v1/cases/{case.id}/accept", json={
            "entrustment_signer": "签字人", "entrustment_signed_on": "2026-11-02",
            "agent_id": agent.id})
        assert response.status_code == 422, response.get_json()
        assert message in response.get_json()["message"]
    accepted = accept(case, agent_id=people["agentA"].id)
    assert accepted.agent_id == people["agentA"].id


def test_a_grid_worker_picks_among_their_villages_petitioners(world, db_app):
    village, other = world.villages["A1"], world.villages["B1"]
    db.session.add_all([Petitioner(name="村里群众", place=village),
                        Petitioner(name="别村群众", place=other)])
    db.session.commit()
    names = [r["text"] for r in _pick(sign_in(db_app, "gridA"), "/caseview/pick/petitioner")]
    assert any("村里群众" in n for n in names)
    assert not any("别村群众" in n for n in names)


def test_no_picker_sends_hundreds_and_search_finds_the_one(world, db_app):
    village = world.villages["A1"]
    db.session.add_all([Petitioner(name=f"苏和{n:03d}", place=village) for n in range(300)])
    db.session.commit()
    client = sign_in(db_app, "clerkA")
    html = client.get("/caseview/add").get_data(as_text=True)
    assert html.count("苏和") == 0
    assert len(_pick(client, "/caseview/pick/petitioner", "苏和")) == 20
    found = _pick(client, "/caseview/pick/petitioner", "苏和123")
    assert [r["text"].split(" · ")[0] for r in found] == ["苏和123"]


def test_a_form_refuses_a_petitioner_outside_the_area(world, db_app):
    from tests.test_register_form import _cases, _form

    client = sign_in(db_app, "clerkA")
    response = client.post("/caseview/add", data=_form(
        world, petitioner=world.petitioners["B"].id, title="越权登记"))
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True))
    assert _cases(title="越权登记") == 0
    # the same form with the area's own petitioner is saved
    client.post("/caseview/add", data=_form(world, title="本区登记"))
    assert _cases(title="本区登记") == 1


@pytest.mark.parametrize("kind", ["mediator", "case_leader"])
def test_duty_pickers_offer_their_duty(world, db_app, kind):
    people = staff_people(world)
    holder = {"mediator": people["mediatorA"], "case_leader": people["caseleader"]}[kind]
    names = [r["text"] for r in _pick(sign_in(db_app, "leader"), f"/caseview/pick/{kind}")]
    assert any(holder.name_zh in n for n in names)
    assert not any(people["agentA"].name_zh in n for n in names)


def test_a_case_is_registered_from_the_petitioners_page(world, db_app):
    """The petitioner's page lists their cases with FAB's add button (the petitioner
    filled in from the URL); a petitioner of another area cannot be slipped in that way."""
    from tests.test_register_form import _cases, _form

    client = sign_in(db_app, "clerkA")
    mine, theirs = world.petitioners["A"], world.petitioners["B"]
    page = client.get(f"/petitionerview/show/{mine.id}").get_data(as_text=True)
    assert f"/caseview/add?_flt_0_petitioner={mine.id}" in page
    data = {k: v for k, v in _form(world, title="从信访人页面登记").items()
            if k != "petitioner"}
    refused = client.post(f"/caseview/add?_flt_0_petitioner={theirs.id}", data=data)
    assert refused.status_code in (200, 404) and _cases(title="从信访人页面登记") == 0
    saved = client.post(f"/caseview/add?_flt_0_petitioner={mine.id}", data=data)
    assert saved.status_code == 302
    assert _cases(title="从信访人页面登记", petitioner_id=mine.id) == 1
