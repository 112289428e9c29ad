"""Helpers for the lifecycle tests: the people behind the logins of tests/world.py, and
short ways to take a case through its actions."""

import datetime
import re

from app.extensions import db
from app.models import Category, Department, Duty, Person, StaffUser
from app.services import cases as svc

SIGNED_ON = datetime.date(2026, 11, 3)


def user(name) -> StaffUser:
    return db.session.query(StaffUser).filter_by(username=name).one()


def person(name_zh, place) -> Person:
    p = Person(name_zh=name_zh, place=place)
    db.session.add(p)
    db.session.flush()
    return p


def staff_people(world) -> dict:
    """A person for each acting login, bound to it (agents, the case leader)."""
    people = {
        "agentA": person("甲代办员", world.villages["A1"]),
        "agentB": person("乙代办员", world.villages["B1"]),
        "townagentA": person("镇代办员", world.townships["A"]),
        "banneragent": person("旗代办员", world.banner),
        "caseleader": person("包案领导", world.banner),
        "incharge": person("专人", world.banner),
        "mediatorA": person("调解员", world.townships["A"]),
    }
    duties = {"agentA": dict(kind="agent", employment="part_time"),
              "agentB": dict(kind="agent", employment="part_time"),
              "townagentA": dict(kind="agent", employment="full_time"),
              "banneragent": dict(kind="agent", employment="full_time"),
              "caseleader": dict(kind="case_leader", title="副旗长"),
              "mediatorA": dict(kind="mediator", mediation_kind="people")}
    for login, duty in duties.items():
        db.session.add(Duty(person=people[login], place=people[login].place, **duty))
    for login in ("agentA", "agentB", "caseleader"):
        user(login).person_id = people[login].id
    db.session.commit()
    return people


def department(code) -> Department:
    return db.session.query(Department).filter_by(code=code).one()


def category(code) -> Category:
    return db.session.query(Category).filter_by(code=code).one()


def accept(case, login="agentA", **extra):
    return svc.accept(case.id, user(login), entrustment_signer="签字人",
                      entrustment_signed_on=SIGNED_ON, **extra)


def escalate_and_approve(case, requester, approver, **approve):
    svc.request_escalation(case.id, user(requester), reason="超出本级事权")
    return svc.approve_escalation(case.id, user(approver), **approve)


def actions(case):
    return [e.action for e in case.events]


_VERSION = re.compile(r'name="version" value="(\d+)"')


def case_page(client, case_id) -> str:
    response = client.get(f"/caseview/show/{case_id}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def offered(client, case_id) -> list[str]:
    return re.findall(r'id="action-(\w+)"', case_page(client, case_id))


def act(client, case_id, action, expect="success", **form) -> str:
    """Take an action from the case page as a user would: the form must be offered, it
    posts the page's version, and the page says how it went (flash category)."""
    page = case_page(client, case_id)
    assert f'id="action-{action}"' in page, f"{action} not offered"
    form.setdefault("version", _VERSION.search(page).group(1))
    response = client.post(f"/caseview/act/{case_id}/{action}", data=form,
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"alert-{expect}" in html, re.findall(r'alert-\w+">.*?</div>', html, re.S)[:2]
    db.session.expire_all()
    return html
