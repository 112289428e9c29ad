"""The service layer: every action checks the chart, the role and the scope, writes its
event in the same transaction, and refuses with a DomainError that changes nothing."""

import datetime

import pytest
from sqlalchemy import update

from app.domain.errors import CaseNotFound, RoleNotAllowed, RuleBroken, StaleCase
from app.extensions import db
from app.models import Case, CaseEvent, EscalationRequest, Transfer
from app.services import cases as svc
from tests.lifecycle_helpers import (
    accept,
    actions,
    category,
    department,
    escalate_and_approve,
    staff_people,
    user,
)
from tests.write_guard import direct_case_writes

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def people(world):
    return staff_people(world)


def _reload(case):
    db.session.expire_all()
    return db.session.get(type(case), case.id)


def test_registration_sets_acceptance_deadline(world):
    case = world.cases["A"]
    assert case.acceptance_due_on == datetime.date(2026, 11, 17)


def test_accept_records_entrustment_agent_deadline_and_event(world, people):
    case = accept(world.cases["A"])
    assert case.state == "in_progress"
    assert case.entrustment_signer == "签字人"
    assert case.agent_id == people["agentA"].id  # the accepting agent carries it
    assert case.due_on == svc.today() + datetime.timedelta(days=60)
    event = case.events[-1]
    assert (event.action, event.from_state, event.to_state) == ("accept", "registered",
                                                                "in_progress")
    assert event.user_id == user("agentA").id


def test_no_acceptance_without_entrustment_and_nothing_changes(world, people):
    case = world.cases["A"]
    with pytest.raises(RuleBroken):
        svc.accept(case.id, user("agentA"), entrustment_signer="",
                   entrustment_signed_on=None)
    case = _reload(case)
    assert case.state == "registered" and case.entrustment_signer is None
    assert actions(case) == ["register"]


def test_non_acceptance_category_is_declined_with_guidance(world, people):
    case = world.cases["A"]
    svc.edit_details(case.id, user("clerkA"), category=category("X02").id)
    with pytest.raises(RuleBroken):
        accept(case)
    case = svc.decline(case.id, user("agentA"), reason="已进入诉讼程序")
    assert case.state == "declined"
    assert "人民法院" in case.decline_guidance  # the category's guidance by default


def test_out_of_scope_case_is_not_found(world, people):
    with pytest.raises(CaseNotFound):
        accept(world.cases["B"], login="agentA")
    with pytest.raises(CaseNotFound):
        svc.supervise(world.cases["B"].id, user("nobody"), comment="x")


def test_wrong_role_is_refused(world, people):
    with pytest.raises(RoleNotAllowed):
        svc.accept(world.cases["A"].id, user("mediatorA"), entrustment_signer="x",
                   entrustment_signed_on=datetime.date(2026, 11, 3))


def test_stale_version_is_refused(world, people):
    case = world.cases["A"]
    old = case.version
    accept(case)
    with pytest.raises(StaleCase):
        svc.supervise(case.id, user("clerkA"), comment="督办", version=old)
    assert _reload(case).supervised is False


def test_escalation_chain_to_joint_meeting(world, people):
    case = accept(world.cases["A"])
    case = escalate_and_approve(case, "agentA", "clerkA")
    assert (case.level, case.responsible_place_id) == ("township", world.townships["A"].id)
    # 一人受理、全程代办: the agent who accepted it stays with the case
    assert case.agent_id == people["agentA"].id
    # a township clerk may not approve the move to the banner
    svc.request_escalation(case.id, user("clerkA"), reason="需旗级协调")
    with pytest.raises(RoleNotAllowed):
        svc.approve_escalation(case.id, user("clerkA"))
    case = svc.approve_escalation(case.id, user("leader"))
    assert (case.level, case.responsible_place_id) == ("banner", world.banner.id)
    assert case.agent_id == people["agentA"].id
    # nobody decides their own request, not even a banner leader
    svc.request_escalation(case.id, user("leader"), reason="提交联席会议")
    with pytest.raises(RoleNotAllowed, match="asked for"):
        svc.approve_escalation(case.id, user("leader"))
    svc.send_back_escalation(case.id, user("admin"), comment="由代办员申请")
    case = escalate_and_approve(case, "agentA", "leader")
    assert case.level == "joint_meeting"
    with pytest.raises(RuleBroken):
        svc.request_escalation(case.id, user("agentA"), reason="再上")


def test_send_back_and_re_request(world, people):
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    with pytest.raises(RuleBroken):  # one pending request at a time
        svc.request_escalation(case.id, user("agentA"), reason="again")
    with pytest.raises(RuleBroken):  # a comment says why
        svc.send_back_escalation(case.id, user("clerkA"), comment="")
    case = svc.send_back_escalation(case.id, user("clerkA"), comment="村里能解决")
    assert case.level == "village"
    svc.request_escalation(case.id, user("agentA"), reason="调解失败")
    case = svc.approve_escalation(case.id, user("clerkA"))
    statuses = [e.status for e in db.session.query(EscalationRequest).order_by("id")]
    assert statuses == ["sent_back", "approved"]
    assert case.level == "township"


def test_other_township_cannot_approve(world, people):
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="r")
    with pytest.raises(CaseNotFound):
        svc.approve_escalation(case.id, user("clerkB"))


def test_joint_meeting_decision_transfers_and_names_leader(world, people):
    case = accept(world.cases["A"])
    for requester, approver in (("agentA", "clerkA"), ("clerkA", "leader"),
                                ("agentA", "leader")):
        case = escalate_and_approve(case, requester, approver)
    due = svc.today() + datetime.timedelta(days=45)
    case = svc.decide_joint_meeting(
        case.id, user("leader"), case_leader_id=people["caseleader"].id,
        person_in_charge_id=people["incharge"].id, working_group="工作专班",
        plan="化解方案", department_ids=[department("LAND").id, department("AGRI").id],
        due_on=due,
    )
    assert case.state == "transferred" and case.case_leader_id == people["caseleader"].id
    assert case.due_on == due
    assert db.session.query(Transfer).filter_by(case_id=case.id).count() == 2


def test_department_replies_only_to_its_own_transfer(world, people):
    case = accept(world.cases["A"])
    svc.transfer(case.id, user("clerkA"),
                 department_ids=[department("HRSS").id, department("JUST").id])
    with pytest.raises(RuleBroken):
        svc.conclude(case.id, user("agentA"), reply="答复")
    assert "reply_transfer" in svc.available_actions(case, user("dept"))
    case = svc.reply_transfer(case.id, user("dept"), reply="已处理")
    # the other department's transfer is still open, but not this one's to answer
    assert "reply_transfer" not in svc.available_actions(case, user("dept"))
    with pytest.raises(RuleBroken):
        svc.reply_transfer(case.id, user("dept"), reply="again")
    assert [t.status for t in case.transfers] == ["replied", "open"]
    case = svc.reply_transfer(case.id, None, reply="司法局答复")  # the system, as Admin
    case = svc.conclude(case.id, user("agentA"), reply="书面答复")
    assert case.state == "concluded" and case.resolution_level == "village"


def test_extension_once_and_at_most_30_days(world, people):
    case = accept(world.cases["A"])
    due = case.due_on
    with pytest.raises(RuleBroken):
        svc.extend_deadline(case.id, user("clerkA"), days=31, reason="复杂")
    with pytest.raises(RoleNotAllowed):
        svc.extend_deadline(case.id, user("agentA"), days=10, reason="复杂")
    case = svc.extend_deadline(case.id, user("clerkA"), days=30, reason="复杂")
    assert case.due_on == due + datetime.timedelta(days=30) and case.extension_days == 30
    with pytest.raises(RuleBroken):
        svc.extend_deadline(case.id, user("clerkA"), days=1, reason="again")


def test_case_leader_acts_only_on_own_cases(world, people):
    case = accept(world.cases["A"])
    with pytest.raises(RoleNotAllowed):
        svc.record_progress(case.id, user("caseleader"), comment="x")
    with direct_case_writes():  # as if a joint meeting had named them
        case.case_leader_id = people["caseleader"].id
        db.session.commit()
    svc.record_progress(case.id, user("caseleader"), comment="走访")
    assert "record_progress" in svc.available_actions(case, user("caseleader"))


def test_full_closure_and_archive_is_final(world, people):
    case = accept(world.cases["A"])
    svc.record_mediation(case.id, user("agentA"), mediator_id=people["mediatorA"].id,
                         held_on=datetime.date(2026, 11, 10), parties="双方",
                         outcome="agreed", agreement="协议")
    svc.conclude(case.id, user("agentA"), reply="答复")
    svc.evaluate(case.id, user("agentA"), evaluation="satisfied")
    svc.follow_up(case.id, user("agentA"), note="上门回访", stop_agreement=True)
    case = svc.archive(case.id, user("clerkA"))
    assert case.state == "archived" and case.archived_on == svc.today()
    assert svc.available_actions(case, user("admin")) == []
    with pytest.raises(RuleBroken):
        svc.check_editable(case)
    assert actions(case) == ["register", "accept", "record_mediation", "conclude",
                             "evaluate", "follow_up", "archive"]


def test_events_are_append_only(world, people):
    case = accept(world.cases["A"])
    event = db.session.query(CaseEvent).filter_by(case_id=case.id).first()
    event.comment = "rewritten"
    with pytest.raises(Exception, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_terminate_needs_a_known_reason(world, people):
    with pytest.raises(RuleBroken):
        svc.terminate(world.cases["A"].id, user("clerkA"), reason="bored")
    case = svc.terminate(world.cases["A"].id, user("clerkA"), reason="withdrawn")
    assert case.state == "terminated" and case.termination_reason == "withdrawn"


def test_a_direct_write_to_a_case_is_caught(world):
    """The guard every test runs under (tests/write_guard.py) can fail: a case changed
    outside the services, with no event, is refused at commit."""
    from tests.write_guard import CaseWrittenWithoutEvent

    case = world.cases["A"]
    case.urgency = "red"
    with pytest.raises(CaseWrittenWithoutEvent):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(CaseWrittenWithoutEvent):
        db.session.execute(update(Case).where(Case.id == case.id).values(urgency="red"))
    db.session.rollback()


def test_editing_details_writes_an_event_and_moves_the_deadline_urgency_set(world, people):
    case = accept(world.cases["A"])  # blue: the statutory 60 days
    assert case.due_on == svc.today() + datetime.timedelta(days=60)
    case = svc.edit_details(case.id, user("agentA"), urgency="red", title="新标题",
                            version=case.version)
    assert case.due_on == svc.today() + datetime.timedelta(days=7)  # config: red = 7 days
    event = case.events[-1]
    assert event.action == "edit_details" and event.from_state == event.to_state
    assert event.data["before"] == {
        "urgency": "blue", "title": "事项 A",
        "due_on": (svc.today() + datetime.timedelta(days=60)).isoformat()}
    assert event.data["after"]["urgency"] == "red" and event.data["after"]["title"] == "新标题"
    # nothing changed: no event
    count = len(case.events)
    svc.edit_details(case.id, user("agentA"), urgency="red")
    assert len(_reload(case).events) == count
    # a deadline the joint meeting or an extension set is not the urgency's
    svc.extend_deadline(case.id, user("clerkA"), days=10, reason="复杂")
    extended = _reload(case).due_on
    svc.edit_details(case.id, user("clerkA"), urgency="yellow")
    assert _reload(case).due_on == extended - datetime.timedelta(days=7) + \
        datetime.timedelta(days=15)
    with pytest.raises(RuleBroken):  # relations by id only, no nested objects
        svc.edit_details(case.id, user("clerkA"), category={"id": 1, "code": "X"})
    with pytest.raises(RuleBroken):
        svc.edit_details(case.id, user("clerkA"), head_count=12)  # not a group petition
    with pytest.raises(RuleBroken):
        svc.edit_details(case.id, user("clerkA"), state="concluded")


def test_every_case_action_has_a_service_function():
    from app.domain.lifecycle import CASE_ACTIONS
    from app.services.action_inputs import INPUTS

    assert set(svc.ACTION_FUNCTIONS) == {*CASE_ACTIONS, "edit_details"} == set(INPUTS)


def _concluded(world):
    case = accept(world.cases["A"])
    return svc.conclude(case.id, user("agentA"), reply="书面答复")


def test_review_re_review_then_three_level_conclusion(world, people):
    from app.models import CaseReview

    case = _concluded(world)
    case = svc.request_review(case.id, user("agentA"), reason="对答复不服")
    review = db.session.query(CaseReview).one()
    assert (review.stage, review.answer_due_on) == (
        "review", svc.today() + datetime.timedelta(days=30))
    svc.follow_up(case.id, user("agentA"), note="回访")
    with pytest.raises(RuleBroken):  # not archived while a review waits
        svc.archive(case.id, user("clerkA"))
    svc.answer_review(case.id, user("leader"), opinion="维持原处理意见", upheld=True)
    svc.request_review(case.id, user("agentA"), reason="申请复核")
    svc.answer_review(case.id, user("leader"), opinion="复核维持")
    stages = [r.stage for r in db.session.query(CaseReview).order_by(CaseReview.id)]
    assert stages == ["review", "re_review"]
    with pytest.raises(RuleBroken, match="三级终结"):
        svc.request_review(case.id, user("agentA"), reason="再次")


def test_review_window_closes_after_30_days(world, people):
    case = _concluded(world)
    with direct_case_writes():  # as if concluded a month ago
        case.concluded_on = svc.today() - datetime.timedelta(days=31)
        db.session.commit()
    with pytest.raises(RuleBroken, match="ended"):
        svc.request_review(case.id, user("agentA"), reason="迟了")
    assert db.session.query(CaseEvent).filter_by(action="request_review").count() == 0
