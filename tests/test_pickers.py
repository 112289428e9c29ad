"""Two people of the same name can be told apart wherever one is chosen: the register
form's petitioner picker shows village and masked ID number; the case page's agent and
mediator pickers offer only people holding that duty, with place and duty."""

from app.extensions import db
from app.models import Duty, Person, Petitioner
from tests.lifecycle_helpers import sign_in, staff_people
from tests.test_bad_input import VALID_ID


def test_two_petitioners_of_the_same_name_are_told_apart(world, db_app):
    a1, a2 = world.villages["A1"], world.villages["A2"]
    db.session.add_all([Petitioner(name="巴特尔", place=a1, id_number=VALID_ID),
                        Petitioner(name="巴特尔", place=a2, phone="13800138000")])
    db.session.commit()
    html = sign_in(db_app, "clerkA").get("/caseview/add").get_data(as_text=True)
    labels = [line for line in html.split("<option") if "巴特尔" in line]
    assert len(labels) == 2
    assert any(a1.name_zh in label and VALID_ID[-4:] in label for label in labels)
    assert any(a2.name_zh in label and "8000" in label and "13800138000" not in label
               for label in labels)


def test_the_agent_picker_offers_agents_only(world, db_app):
    people = staff_people(world)
    agent = people["agentA"]
    db.session.add(Duty(person=agent, kind="agent", place=world.villages["A1"],
                        employment="part_time"))
    db.session.add(Person(name_zh="非代办员", place=world.villages["A1"]))
    db.session.commit()
    html = sign_in(db_app, "clerkA").get(
        f"/caseview/show/{world.cases['A'].id}").get_data(as_text=True)
    start = html.find('name="agent_id"')
    assert start > 0
    picker = html[start:html.find("</select>", start)]
    assert agent.name_zh in picker and world.villages["A1"].name_zh in picker
    assert "非代办员" not in picker
