"""The state chart, exhaustively: every state × action × role, against a table written
out independently here (the regulations' reading, not a copy of the code)."""

import itertools

import pytest

from app.domain import lifecycle as lc
from app.domain.errors import ActionNotAllowed, RoleNotAllowed, RuleBroken

# action: (from states, to state or "=" for unchanged, roles besides Admin)
EXPECTED = {
    "register": ("new", "registered", "Agent GridWorker TownshipStaff"),
    "accept": ("registered", "in_progress", "Agent TownshipStaff"),
    "decline": ("registered", "declined", "Agent TownshipStaff"),
    "assign_agent": ("registered in_progress transferred", "=", "TownshipStaff BannerLeader"),
    "record_progress": ("in_progress transferred", "=",
                        "Agent TownshipStaff CaseLeader BannerLeader"),
    "record_mediation": ("in_progress transferred", "=", "Agent Mediator TownshipStaff"),
    "request_escalation": ("in_progress", "=", "Agent TownshipStaff BannerLeader"),
    "approve_escalation": ("in_progress", "=", "TownshipStaff BannerLeader"),
    "send_back_escalation": ("in_progress", "=", "TownshipStaff BannerLeader"),
    "decide_joint_meeting": ("in_progress", "transferred", "BannerLeader"),
    "transfer": ("in_progress transferred", "transferred", "TownshipStaff BannerLeader"),
    "reply_transfer": ("transferred", "=", "DepartmentStaff"),
    "extend_deadline": ("in_progress transferred", "=", "TownshipStaff BannerLeader"),
    "supervise": ("registered in_progress transferred", "=", "TownshipStaff BannerLeader"),
    "conclude": ("in_progress transferred", "concluded",
                 "Agent TownshipStaff CaseLeader BannerLeader"),
    "evaluate": ("concluded followed_up", "=", "Agent TownshipStaff"),
    "follow_up": ("concluded", "followed_up", "Agent TownshipStaff CaseLeader"),
    "request_review": ("concluded followed_up", "=", "Agent TownshipStaff"),
    "answer_review": ("concluded followed_up", "=", "TownshipStaff BannerLeader"),
    "archive": ("followed_up declined terminated", "archived", "TownshipStaff BannerLeader"),
    "terminate": ("registered in_progress transferred", "terminated",
                  "TownshipStaff BannerLeader"),
}

ALL_STATES = [None, *lc.STATES]


def _expected(action, state, role):
    sources, target, roles = EXPECTED[action]
    sources = {None if s == "new" else s for s in sources.split()}
    if state not in sources:
        return ActionNotAllowed
    if role not in {*roles.split(), "Admin"}:
        return RoleNotAllowed
    return state if target == "=" else target


def test_chart_covers_exactly_the_expected_actions():
    assert set(lc.CHART) == set(EXPECTED)


@pytest.mark.parametrize(
    ("state", "action", "role"),
    list(itertools.product(ALL_STATES, sorted(EXPECTED), lc.ROLES)),
)
def test_every_state_action_role(state, action, role):
    expected = _expected(action, state, role)
    if isinstance(expected, type):
        with pytest.raises(expected):
            lc.transition(action, state, [role])
    else:
        assert lc.transition(action, state, [role]) == expected


def test_archived_case_allows_nothing_for_anyone():
    facts = lc.CaseFacts(state="archived")
    assert lc.available_actions(facts, lc.ROLES) == []


def test_a_user_with_two_roles_gets_the_union():
    assert lc.transition("reply_transfer", "transferred", ["Agent", "DepartmentStaff"])


def test_unknown_action_is_refused():
    with pytest.raises(ActionNotAllowed):
        lc.transition("delete_everything", "registered", ["Admin"])


# --- guards ----------------------------------------------------------------------------
def test_excluded_category_can_only_be_declined():
    facts = lc.CaseFacts(state="registered", category_excluded=True, has_entrustment=True)
    with pytest.raises(RuleBroken):
        lc.check("accept", facts, ["Agent"])
    assert lc.check("decline", facts, ["Agent"]) == "declined"
    assert "accept" not in lc.available_actions(facts, ["Agent"])


def test_acceptance_offered_before_the_entrustment_is_recorded():
    facts = lc.CaseFacts(state="registered")
    assert lc.available_actions(facts, ["Agent"]) == ["accept", "decline"]


def test_no_acceptance_without_entrustment():
    with pytest.raises(RuleBroken):
        lc.check("accept", lc.CaseFacts(state="registered"), ["Agent"])
    facts = lc.CaseFacts(state="registered", has_entrustment=True)
    assert lc.check("accept", facts, ["Agent"]) == "in_progress"


def test_one_pending_escalation_at_a_time():
    facts = lc.CaseFacts(state="in_progress", pending_escalation_to="township")
    with pytest.raises(RuleBroken):
        lc.check("request_escalation", facts, ["Agent"])
    with pytest.raises(RuleBroken):
        lc.check("conclude", facts, ["Agent"])


def test_escalation_beyond_joint_meeting_is_refused():
    with pytest.raises(RuleBroken):
        lc.check("request_escalation",
                 lc.CaseFacts(state="in_progress", level="joint_meeting"), ["Agent"])


@pytest.mark.parametrize(
    ("target", "role", "ok"),
    [
        ("township", "TownshipStaff", True),
        ("township", "BannerLeader", False),
        ("banner", "TownshipStaff", False),
        ("banner", "BannerLeader", True),
        ("joint_meeting", "BannerLeader", True),
        ("joint_meeting", "TownshipStaff", False),
        ("banner", "Admin", True),
    ],
)
def test_only_the_next_level_approves(target, role, ok):
    facts = lc.CaseFacts(state="in_progress", pending_escalation_to=target)
    for action in ("approve_escalation", "send_back_escalation"):
        assert lc.allowed(action, facts, [role]) is ok


def test_approval_needs_a_pending_request():
    with pytest.raises(RuleBroken):
        lc.check("approve_escalation", lc.CaseFacts(state="in_progress"), ["TownshipStaff"])


def test_joint_meeting_decides_only_its_cases():
    with pytest.raises(RuleBroken):
        lc.check("decide_joint_meeting", lc.CaseFacts(state="in_progress", level="banner"),
                 ["BannerLeader"])
    facts = lc.CaseFacts(state="in_progress", level="joint_meeting")
    assert lc.check("decide_joint_meeting", facts, ["BannerLeader"]) == "transferred"


def test_one_extension_only():
    facts = lc.CaseFacts(state="in_progress", extended=True)
    with pytest.raises(RuleBroken):
        lc.check("extend_deadline", facts, ["TownshipStaff"])


def test_conclusion_waits_for_department_replies():
    facts = lc.CaseFacts(state="transferred", open_transfers=1)
    with pytest.raises(RuleBroken):
        lc.check("conclude", facts, ["Agent"])
    assert lc.check("reply_transfer", facts, ["DepartmentStaff"]) == "transferred"
    with pytest.raises(RuleBroken):
        lc.check("reply_transfer", lc.CaseFacts(state="transferred"), ["DepartmentStaff"])


def test_next_level_chain():
    assert [lc.next_level(x) for x in lc.LEVELS] == ["township", "banner", "joint_meeting",
                                                    None]


@pytest.mark.parametrize(
    ("reached", "current", "expected"),
    [
        ([], "village", "village"),
        (["village"], "township", "township"),
        (["village", "township"], "banner", "banner"),
        (["village", "township", "banner"], "joint_meeting", "banner"),
    ],
)
def test_resolution_level_from_history(reached, current, expected):
    assert lc.resolution_level(reached, current) == expected


def test_permissions_by_role_follow_the_chart():
    perms = lc.permissions_by_role()
    assert "Admin" not in perms
    assert perms["DepartmentStaff"] == ("reply_transfer",)
    assert "approve_escalation" in perms["TownshipStaff"]
    assert "approve_escalation" not in perms["Agent"]


def test_review_then_re_review_then_three_level_conclusion():
    facts = lc.CaseFacts(state="followed_up")
    assert lc.next_review_stage(0) == "review"
    assert lc.check("request_review", facts, ["Agent"]) == "followed_up"
    with pytest.raises(RuleBroken):
        lc.check("answer_review", facts, ["BannerLeader"])
    pending = lc.CaseFacts(state="followed_up", review_pending=True)
    with pytest.raises(RuleBroken):
        lc.check("request_review", pending, ["Agent"])
    with pytest.raises(RuleBroken):
        lc.check("archive", pending, ["TownshipStaff"])
    assert lc.check("answer_review", pending, ["BannerLeader"]) == "followed_up"
    assert lc.next_review_stage(1) == "re_review"
    done = lc.CaseFacts(state="followed_up", reviews_answered=2)
    with pytest.raises(RuleBroken, match="三级终结"):
        lc.check("request_review", done, ["Agent"])
