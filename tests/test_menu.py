"""The navbar's menu is rendered once per language, permission set and waiting count
(app/views/menu.py) and kept: what a user sees must still follow each of them at once —
a permission revoked or granted, a new escalation to approve, another language."""

import re

import pytest

from app.extensions import db
from app.models import StaffUser
from app.services import cases as svc
from tests.lifecycle_helpers import accept, staff_people, user


def cockpit_entry(html: str) -> bool:
    return "/cockpit/" in html


@pytest.fixture()
def clerk_role():
    return db.session.query(StaffUser).filter_by(username="clerkA").one().roles[0]


def test_a_revoked_menu_permission_leaves_the_menu_on_the_next_page(world, login, clerk_role):
    from flask import current_app

    sm = current_app.appbuilder.sm
    client = login("clerkA")
    assert cockpit_entry(client.get("/caseview/list/").get_data(as_text=True))
    entry = sm.find_permission_view_menu("menu_access", "Cockpit")
    assert entry in clerk_role.permissions
    sm.del_permission_role(clerk_role, entry)
    db.session.commit()
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert not cockpit_entry(page[:page.index('class="nav navbar-nav navbar-right"')])
    sm.add_permission_role(clerk_role, entry)
    db.session.commit()
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert cockpit_entry(page[:page.index('class="nav navbar-nav navbar-right"')])


def test_the_waiting_count_and_the_language_change_the_menu_at_once(world, login):
    staff_people(world)
    client = login("clerkA")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert "上报审批 (" not in page
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    db.session.commit()
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert len(re.findall(r"上报审批 \(1\)", page)) == 1
    client.get("/lang/mn")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert "上报审批" not in page and "(1)" in page
    client.get("/lang/zh")
    assert "上报审批 (1)" in client.get("/caseview/list/").get_data(as_text=True)
