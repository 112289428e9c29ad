"""The state chart, exhaustively: every state × action, against a table written out
independently here (the regulations' reading, not a copy of the code), and the guards.
Who may act is tests/test_authority.py."""

import itertools

import pytest

from app.domain import authority
from app.domain import lifecycle as lc
from app.domain.authority import SYSTEM
from app.domain.errors import ActionNotAllowed, RuleBroken

pytestmark = pytest.mark.any_engine  # nothing of the engine under test

# action: (from states, to state or "=" for unchanged)
EXPECTED = {
    "register": ("new", "registered"),
    "accept": ("registered", "in_progress"),
    "decline": ("registered", "declined"),
    "assign_agent": ("registered in_progress transferred", "="),
    "record_progress": ("in_progress transferred", "="),
    "record_mediation": ("in_progress transferred", "="),
    "request_escalation": ("in_progress", "="),
    "approve_escalation": ("in_progress", "="),
    "send_back_escalation": ("in_progress", "="),
    "decide_joint_meeting": ("in_progress", "transferred"),
    "transfer": ("in_progress transferred", "transferred"),
    "reply_transfer": ("transferred", "="),
    "extend_deadline": ("in_progress transferred", "="),
    "supervise": ("registered in_progress transferred", "="),
    "conclude": ("in_progress transferred", "concluded"),
    "evaluate": ("concluded followed_up", "="),
    "follow_up": ("concluded", "followed_up"),
    "request_review": ("concluded followed_up", "="),
    "answer_review": ("concluded followed_up", "="),
    "archive": ("followed_up declined terminated", "archived"),
    "terminate": ("registered in_progress transferred", "terminated"),
    "edit_details": ("registered declined in_progress transferred concluded followed_up "
                     "terminated", "="),
}

ALL_STATES = [None, *lc.STATES]


def test_chart_covers_exactly_the_expected_actions():
    assert set(lc.CHART) == set(EXPECTED)


@pytest.mark.parametrize(("state", "action"),
                         list(itertools.product(ALL_STATES, sorted(EXPECTED))))
def test_every_state_and_action(state, action):
    """The system (which holds every authority) against the independent table: the
    state chart alone decides here."""
    sources, target = EXPECTED[action]
    sources = {None if s == "new" else s for s in sources.split()}
    rule = lc.CHART[action]
    assert (state in rule.sources) == (state in sources)
    if state in sources:
        assert rule.target_from(state) == (state if target == "=" else target)
    if action != "register" and state not in sources:
        with pytest.raises(ActionNotAllowed):
            authority.check(action, SYSTEM, lc.CaseFacts(state=state))


def test_archived_case_allows_nothing_for_anyone():
    assert authority.available(SYSTEM, lc.CaseFacts(state="archived")) == []


def test_unknown_action_is_refused():
    with pytest.raises(ActionNotAllowed):
        authority.check("delete_everything", SYSTEM, lc.CaseFacts(state="registered"))


def check(action, facts):
    """The guards alone: the system holds every authority."""
    return authority.check(action, SYSTEM, facts)


# --- guards ----------------------------------------------------------------------------
def test_excluded_category_can_only_be_declined():
    facts = lc.CaseFacts(state="registered", category_excluded=True, has_entrustment=True)
    with pytest.raises(RuleBroken):
        check("accept", facts)
    assert check("decline", facts) == "declined"
    assert "accept" not in authority.available(SYSTEM, facts)


def test_acceptance_offered_before_the_entrustment_is_recorded():
    facts = lc.CaseFacts(state="registered")
    assert "accept" in authority.available(SYSTEM, facts)


def test_no_acceptance_without_entrustment():
    with pytest.raises(RuleBroken):
        check("accept", lc.CaseFacts(state="registered"))
    facts = lc.CaseFacts(state="registered", has_entrustment=True)
    assert check("accept", facts) == "in_progress"


def test_one_pending_escalation_at_a_time():
    facts = lc.CaseFacts(state="in_progress", pending_escalation_to="township")
    with pytest.raises(RuleBroken):
        check("request_escalation", facts)
    with pytest.raises(RuleBroken):
        check("conclude", facts)


def test_escalation_beyond_joint_meeting_is_refused():
    with pytest.raises(RuleBroken):
        check("request_escalation", lc.CaseFacts(state="in_progress", level="joint_meeting"))


def test_approval_needs_a_pending_request():
    with pytest.raises(RuleBroken):
        check("approve_escalation", lc.CaseFacts(state="in_progress"))


def test_joint_meeting_decides_only_its_cases():
    with pytest.raises(RuleBroken):
        check("decide_joint_meeting", lc.CaseFacts(state="in_progress", level="banner"))
    facts = lc.CaseFacts(state="in_progress", level="joint_meeting")
    assert check("decide_joint_meeting", facts) == "transferred"


def test_one_extension_only():
    facts = lc.CaseFacts(state="in_progress", extended=True)
    with pytest.raises(RuleBroken):
        check("extend_deadline", facts)


def test_conclusion_waits_for_department_replies():
    facts = lc.CaseFacts(state="transferred", open_transfer_departments=frozenset({1}))
    with pytest.raises(RuleBroken):
        check("conclude", facts)
    assert check("reply_transfer", facts) == "transferred"
    with pytest.raises(RuleBroken):
        check("reply_transfer", lc.CaseFacts(state="transferred"))


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


def test_review_then_re_review_then_three_level_conclusion():
    facts = lc.CaseFacts(state="followed_up")
    assert lc.next_review_stage(0) == "review"
    assert check("request_review", facts) == "followed_up"
    with pytest.raises(RuleBroken):
        check("answer_review", facts)
    pending = lc.CaseFacts(state="followed_up", review_pending=True)
    with pytest.raises(RuleBroken):
        check("request_review", pending)
    with pytest.raises(RuleBroken):
        check("archive", pending)
    assert check("answer_review", pending) == "followed_up"
    assert lc.next_review_stage(1) == "re_review"
    done = lc.CaseFacts(state="followed_up", reviews_answered=2)
    with pytest.raises(RuleBroken, match="三级终结"):
        check("request_review", done)
