"""Who may act on a case, from plain values (app/domain/authority.py): the decisions
follow the level that holds the case, the agent keeps the follow-up of 全程代办, an
escalation is approved by the level it goes to and never by whoever asked for it.
Each bug of issue 8 has its test here; the exhaustive check through the page, the API
and the CLI is tests/test_authority_matrix.py."""

import dataclasses
import itertools
import re
from pathlib import Path

import pytest

from app.domain import authority as au
from app.domain import lifecycle as lc
from app.domain.authority import Actor
from app.domain.errors import RoleNotAllowed

pytestmark = pytest.mark.any_engine  # nothing of the engine under test

BANNER, T1, T2 = "/B/", "/B/T1/", "/B/T2/"
V1, G1 = "/B/T1/V1/", "/B/T1/V1/G1/"
AGENT_PERSON, LEADER_PERSON = 11, 12


def actor(role, path=None, level=None, **kw):
    return Actor(roles=frozenset({role}), user_id=kw.pop("user_id", 100),
                 place_path=path, place_level=level, **kw)


village_agent = actor("Agent", T1, "township", person_id=AGENT_PERSON)
other_agent = actor("Agent", T1, "township", person_id=99)
clerk1 = actor("TownshipStaff", T1, "township", user_id=1)
clerk2 = actor("TownshipStaff", T2, "township", user_id=2)
tleader1 = actor("BannerLeader", T1, "township", user_id=3)
centre = actor("TownshipStaff", BANNER, "banner", user_id=4)
leader = actor("BannerLeader", BANNER, "banner", user_id=5)
case_leader = actor("CaseLeader", BANNER, "banner", person_id=LEADER_PERSON)
grid_worker = actor("GridWorker", G1, "grid")
mediator = actor("Mediator", T1, "township")
dept = actor("DepartmentStaff", department_id=7)

HELD_AT = {"village": V1, "township": T1, "banner": BANNER, "joint_meeting": BANNER}


def facts(level="village", state="in_progress", **kw):
    kw.setdefault("agent_id", AGENT_PERSON)
    return lc.CaseFacts(state=state, level=level, place_path=V1,
                        responsible_place_path=HELD_AT[level], **kw)


def may(who, action, f):
    return au.decide(action, who, f) is None


DECISIONS = ("conclude", "transfer", "extend_deadline", "supervise", "terminate", "archive")


def test_a_village_agent_decides_nothing_once_the_case_moved_up():
    """The bug: on a case approved to the township the village agent's conclude
    answered 200; on a banner-level case the agent was offered everything."""
    for level in ("township", "banner", "joint_meeting"):
        f = facts(level)
        assert not may(village_agent, "conclude", f)
        assert isinstance(au.decide("conclude", village_agent, f), RoleNotAllowed)
        offered = au.available(village_agent, f)
        assert "conclude" not in offered and "transfer" not in offered
        # 全程代办: the follow-up stays with the agent at every level
        assert {"record_progress", "record_mediation"} <= set(offered)
    assert "request_escalation" in au.available(village_agent, facts("banner"))
    assert may(village_agent, "conclude", facts("village"))


def test_the_agent_keeps_the_petitioners_side_after_conclusion():
    f = facts("banner", state="concluded")
    assert {"evaluate", "follow_up", "request_review"} <= set(au.available(village_agent, f))
    assert "answer_review" not in au.available(village_agent, f)


def test_only_the_cases_own_agent_acts_for_the_petitioner():
    f = facts("township")
    assert au.available(other_agent, f) == []
    assert not may(other_agent, "conclude", facts("village"))


def test_decisions_belong_to_the_office_holding_the_case():
    for action in DECISIONS:
        state = {"archive": "followed_up"}.get(action, "in_progress")
        township_case = facts("township", state=state)
        banner_case = facts("banner", state=state)
        assert may(clerk1, action, township_case), action
        assert may(tleader1, action, township_case), action
        assert not may(clerk2, action, township_case), action
        # staff below the responsible level read but do not decide
        assert not may(clerk1, action, banner_case), action
        assert not may(tleader1, action, banner_case), action
        assert may(centre, action, banner_case), action
        assert may(leader, action, banner_case), action


def test_a_villages_case_is_handled_by_its_township_station_and_agent():
    f = facts("village")
    assert may(clerk1, "conclude", f) and may(village_agent, "conclude", f)
    assert not may(clerk2, "conclude", f)
    assert not may(centre, "conclude", f)  # the banner centre is above: it supervises
    assert may(leader, "supervise", f)


def test_the_case_leader_decides_their_own_case_at_the_joint_meeting():
    mine = facts("joint_meeting", state="transferred", case_leader_id=LEADER_PERSON)
    for action in ("conclude", "transfer", "extend_deadline", "supervise", "terminate"):
        assert may(case_leader, action, mine), action
    assert au.available(case_leader, facts("joint_meeting", state="transferred")) == []


@pytest.mark.parametrize(("approver", "to_level", "ok"), [
    (clerk1, "township", True),
    (tleader1, "township", True),  # the bug: a township leader could approve nothing
    (clerk2, "township", False),  # another township
    (centre, "township", False),
    (leader, "township", False),
    (tleader1, "banner", False),  # the bug: buttons shown, then refused
    (clerk1, "banner", False),
    (centre, "banner", True),
    (leader, "banner", True),
    (leader, "joint_meeting", True),
    (centre, "joint_meeting", False),
    (village_agent, "township", False),
])
def test_an_escalation_is_decided_by_the_level_it_goes_to(approver, to_level, ok):
    from_level = lc.LEVELS[lc.LEVELS.index(to_level) - 1]
    f = facts(from_level, pending_escalation_to=to_level, pending_requested_by_id=42)
    for action in au.ESCALATION_DECISIONS:
        assert may(approver, action, f) is ok, action
        assert (action in au.available(approver, f)) is ok
    if ok:
        assert to_level in au.approvable_levels(approver)


def test_nobody_decides_their_own_request():
    """The bug: a leader approved their own request to the joint meeting."""
    f = facts("banner", pending_escalation_to="joint_meeting",
              pending_requested_by_id=leader.user_id)
    refusal = au.decide("approve_escalation", leader, f)
    assert isinstance(refusal, RoleNotAllowed) and "themselves" in refusal.message
    assert "send_back_escalation" not in au.available(leader, f)
    admin = Actor(roles=frozenset({"Admin"}), user_id=leader.user_id)
    assert not may(admin, "approve_escalation", f)
    assert may(au.SYSTEM, "approve_escalation", f)


def test_a_department_answers_only_its_own_open_transfer():
    f = facts("banner", state="transferred", open_transfer_departments=frozenset({7}))
    assert au.available(dept, f) == ["reply_transfer"]
    assert not may(dept, "reply_transfer",
                   facts("banner", state="transferred",
                         open_transfer_departments=frozenset({8})))


def test_a_grid_worker_registers_from_their_grid():
    """The bug: the add form offered villages only, a grid worker's area holds none."""
    assert au.may_register_at(grid_worker, G1, "grid")
    assert not au.may_register_at(grid_worker, V1, "village")
    assert au.may_register_at(clerk1, V1, "village")
    assert not au.may_register_at(clerk1, T1, "township")
    assert not au.may_register_at(mediator, V1, "village")


def test_mediators_of_the_area_record_mediation_only():
    f = facts("township")
    assert au.available(mediator, f) == ["record_mediation"]


def test_the_details_follow_the_same_authority():
    assert may(village_agent, "edit_details", facts("banner"))
    assert not may(clerk1, "edit_details", facts("banner"))
    registered = facts("village", state="registered", agent_id=None,
                       registered_by_id=grid_worker.user_id)
    assert may(grid_worker, "edit_details", registered)
    assert not may(grid_worker, "edit_details", facts("village"))
    assert not may(au.SYSTEM, "edit_details", facts("village", state="archived"))


ACTORS = [village_agent, other_agent, clerk1, clerk2, tleader1, centre, leader, case_leader,
          grid_worker, mediator, dept]
FACTS = [facts(level, state=state, case_leader_id=LEADER_PERSON,
               open_transfer_departments=frozenset({7}) if state == "transferred"
               else frozenset())
         for level in lc.LEVELS for state in lc.STATES]


def test_offered_is_exactly_what_is_allowed():
    """(Acceptance is offered before the entrustment is recorded: accepting records it.)"""
    for who, f in itertools.product(ACTORS, FACTS):
        offered = set(au.available(who, f))
        signed = dataclasses.replace(f, has_entrustment=True)
        assert offered == {a for a in lc.CASE_ACTIONS
                           if may(who, a, signed if a == "accept" else f)}, (who, f)


def test_permissions_cover_exactly_the_roles_the_authority_names():
    perms = au.permissions_by_role()
    assert "Admin" not in perms
    assert perms["DepartmentStaff"] == ("reply_transfer",)
    assert perms["GridWorker"] == ()
    assert "approve_escalation" in perms["BannerLeader"]
    assert "approve_escalation" not in perms["Agent"]
    assert "transfer" in perms["CaseLeader"]


def test_the_docs_table_is_the_codes():
    """docs/lifecycle.md's authority table lists, for each action, the states it applies
    in and every way of holding authority over it, as the code does."""
    text = (Path(__file__).parent.parent / "docs" / "lifecycle.md").read_text("utf-8")
    block = text.split("<!-- authority:start -->")[1].split("<!-- authority:end -->")[0]
    rows = {}
    for line in block.strip().splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = (cells[1], [w.strip() for w in re.split(r"<br>", cells[2])])
    expected = {action: (states, labels) for action, states, labels in au.authority_table()}
    assert rows == expected
