"""The escalation approval chain end to end through the web UI, as the real roles:
request, send back, re-request, approve at the township, then at the banner; inbox and
navbar count; refusals (wrong role, other township, stale page) change nothing."""

import datetime
import re

import pytest

from app.extensions import db
from app.models import Case, CaseEvent, EscalationRequest
from tests.clients import sign_in
from tests.lifecycle_helpers import SIGNED_ON, act, case_page, offered, staff_people
from tests.write_guard import direct_case_writes

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def people(world):
    return staff_people(world)


def _case(world):
    return db.session.get(Case, world.cases["A"].id)


def test_approval_chain_with_send_back_and_re_request(db_app, world, people):
    case_id = world.cases["A"].id
    agent = sign_in(db_app, "agentA")
    clerk = sign_in(db_app, "clerkA")
    leader = sign_in(db_app, "leader")

    act(agent, case_id, "accept", entrustment_signer="王某",
        entrustment_signed_on=SIGNED_ON.isoformat())
    assert _case(world).state == "in_progress"
    assert "approve_escalation" not in offered(agent, case_id)

    act(agent, case_id, "request_escalation", reason="涉及镇级土地调整，超出村级事权")
    navbar = clerk.get("/caseview/list/").get_data(as_text=True)
    assert "Escalation approvals (1)" in navbar
    assert re.search(r"\(1\)<b class=\"caret\">", navbar)  # on the closed "Cases" menu too
    inbox = clerk.get("/escalations/list/").get_data(as_text=True)
    assert world.cases["A"].number in inbox
    # the other township neither sees it nor may act on it
    clerk_b = sign_in(db_app, "clerkB")
    assert world.cases["A"].number not in clerk_b.get("/escalations/list/").get_data(
        as_text=True)
    assert clerk_b.get(f"/caseview/show/{case_id}").status_code == 404

    act(clerk, case_id, "send_back_escalation", comment="请先组织村级调解")
    assert _case(world).level == "village"
    assert "Escalation approvals (1)" not in clerk.get("/caseview/list/").get_data(
        as_text=True)

    act(agent, case_id, "request_escalation", reason="调解未成，申请镇级协调")
    act(clerk, case_id, "approve_escalation", comment="同意")
    case = _case(world)
    # 一人受理、全程代办: the agent stays; the decisions are now the township's
    assert (case.level, case.responsible_place_id, case.agent_id) == (
        "township", world.townships["A"].id, people["agentA"].id)
    assert "conclude" not in offered(agent, case_id)
    assert "record_progress" in offered(agent, case_id)

    act(clerk, case_id, "request_escalation", reason="需旗级部门协调")
    assert "approve_escalation" not in offered(clerk, case_id)  # not the banner's approver
    assert "Escalation approvals (1)" in leader.get("/caseview/list/").get_data(as_text=True)
    act(leader, case_id, "approve_escalation")
    case = _case(world)
    assert (case.level, case.responsible_place_id) == ("banner", world.banner.id)

    statuses = [e.status for e in db.session.query(EscalationRequest).order_by("id")]
    assert statuses == ["sent_back", "approved", "approved"]
    events = [e.action for e in db.session.query(CaseEvent).filter_by(case_id=case_id)
              .order_by(CaseEvent.id)]
    assert events == ["register", "accept", "request_escalation", "send_back_escalation",
                      "request_escalation", "approve_escalation", "request_escalation",
                      "approve_escalation"]


def test_forged_and_stale_posts_are_refused_and_change_nothing(db_app, world, people):
    case_id = world.cases["A"].id
    agent = sign_in(db_app, "agentA")
    clerk = sign_in(db_app, "clerkA")
    act(agent, case_id, "accept", entrustment_signer="王某",
        entrustment_signed_on=SIGNED_ON.isoformat())
    page = case_page(clerk, case_id)
    act(agent, case_id, "request_escalation", reason="超出本级事权")
    version = str(_case(world).version)

    # the agent forges the approval form the page never offered
    agent.post(f"/caseview/act/{case_id}/approve_escalation", data={"version": version})
    assert _case(world).level == "village"
    # the clerk's page was loaded before the request: stale
    old_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    html = clerk.post(f"/caseview/act/{case_id}/approve_escalation",
                      data={"version": old_version}, follow_redirects=True).get_data(
        as_text=True)
    assert "Reload the page" in html
    assert _case(world).level == "village"
    # no version at all: refused too
    clerk.post(f"/caseview/act/{case_id}/approve_escalation", data={})
    assert _case(world).level == "village"
    assert db.session.query(EscalationRequest).one().status == "pending"
    # an unknown action is a 404, another township's case too
    assert clerk.post(f"/caseview/act/{case_id}/explode", data={}).status_code == 404
    assert sign_in(db_app, "clerkB").post(
        f"/caseview/act/{case_id}/approve_escalation", data={"version": version}
    ).status_code == 404


def test_archived_case_is_read_only_in_the_panel(db_app, world, people):
    case_id = world.cases["A"].id
    clerk = sign_in(db_app, "clerkA")
    act(clerk, case_id, "terminate", reason="withdrawn", comment="本人撤回")
    act(clerk, case_id, "archive")
    assert offered(clerk, case_id) == []
    response = clerk.get(f"/caseview/edit/{case_id}", follow_redirects=True)
    assert "archived" in response.get_data(as_text=True)
    clerk.post(f"/caseview/edit/{case_id}", data={"title": "改过的标题"})
    assert _case(world).title != "改过的标题"
    admin = sign_in(db_app, "admin")
    assert offered(admin, case_id) == []


def test_print_pages(db_app, world, people):
    case_id = world.cases["A"].id
    agent = sign_in(db_app, "agentA")
    act(agent, case_id, "accept", entrustment_signer="王某",
        entrustment_signed_on=SIGNED_ON.isoformat())
    letter = agent.get(f"/caseview/entrustment/{case_id}").get_data(as_text=True)
    assert "王某" in letter and world.cases["A"].number in letter
    # nothing declined: no notice
    assert agent.get(f"/caseview/notice/{case_id}").status_code == 302


def test_overdue_and_due_soon_filters(db_app, world, people):
    a, b = _case(world), db.session.get(Case, world.cases["B"].id)
    with direct_case_writes():  # as if received two weeks earlier, and 13 days
        a.acceptance_due_on = datetime.date.today() - datetime.timedelta(days=1)
        b.acceptance_due_on = datetime.date.today() + datetime.timedelta(days=2)
        db.session.commit()
    leader = sign_in(db_app, "leader")
    page = leader.get("/caseview/list/").get_data(as_text=True)
    overdue_url, soon_url = re.findall(r'id="deadline-links".*?href="([^"]+)".*?href="([^"]+)"',
                                       page, re.S)[0]
    overdue = leader.get("/caseview/list/" + overdue_url).get_data(as_text=True)
    soon = leader.get("/caseview/list/" + soon_url).get_data(as_text=True)
    assert a.number in overdue and b.number not in overdue
    assert b.number in soon and a.number not in soon


def test_archived_case_cannot_be_deleted_even_by_admin(db_app, world, people):
    case_id = world.cases["A"].id
    clerk = sign_in(db_app, "clerkA")
    act(clerk, case_id, "terminate", reason="litigation")
    act(clerk, case_id, "archive")
    admin = sign_in(db_app, "admin")
    for response in (
        admin.post(f"/caseview/delete/{case_id}", follow_redirects=True),
        admin.post("/caseview/action_post", data={"action": "muldelete",
                                                  "rowid": [str(case_id)]},
                   follow_redirects=True),
    ):
        assert "archived" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case_id) is not None
