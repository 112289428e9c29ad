"""One test per story in the reports, through the web UI as the real roles."""

import datetime

import pytest

from app.extensions import db
from app.models import Case, JointMeetingCase, Transfer
from tests.clients import sign_in
from tests.lifecycle_helpers import SIGNED_ON, act, category, department, offered, staff_people
from tests.world import add_case, add_user

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def people(world):
    return staff_people(world)


def _story_case(world, key, code, **values):
    return add_case(world, key, world.villages["A1"], world.petitioners["A"],
                    category=category(code), title=values.pop("title"), **values).id


def _get(case_id):
    db.session.expire_all()
    return db.session.get(Case, case_id)


def _accept(client, case_id):
    act(client, case_id, "accept", entrustment_signer="当事人",
        entrustment_signed_on=SIGNED_ON.isoformat())


def test_land_compensation_escalated_to_banner_and_resolved_by_case_leader(
        db_app, world, people):
    case_id = _story_case(world, "land", "S06", title="征地补偿款未足额发放")
    land = add_user("landdept", "DepartmentStaff", department=department("LAND"))
    agri = add_user("agridept", "DepartmentStaff", department=department("AGRI"))
    assert land and agri
    agent, clerk = sign_in(db_app, "agentA"), sign_in(db_app, "clerkA")
    leader = sign_in(db_app, "leader")

    _accept(agent, case_id)
    act(agent, case_id, "request_escalation", reason="补偿标准超出村级事权")
    act(clerk, case_id, "approve_escalation")
    act(clerk, case_id, "request_escalation", reason="涉及旗级征收政策")
    act(leader, case_id, "approve_escalation")
    act(agent, case_id, "request_escalation", reason="历史遗留，需联席会议研究")
    assert "approve_escalation" not in offered(clerk, case_id)  # below the banner
    act(leader, case_id, "approve_escalation")
    assert _get(case_id).level == "joint_meeting"

    due = (datetime.date.today() + datetime.timedelta(days=40)).isoformat()
    act(leader, case_id, "decide_joint_meeting",
        case_leader_id=str(people["caseleader"].id),
        person_in_charge_id=str(people["incharge"].id),
        working_group="自然资源局、农牧局、镇政府组成工作专班",
        department_ids=[str(department("LAND").id), str(department("AGRI").id)],
        plan="核实面积，按标准补发", response_plan="防止聚集", due_on=due)
    case = _get(case_id)
    assert case.state == "transferred" and case.case_leader_id == people["caseleader"].id
    item = db.session.query(JointMeetingCase).filter_by(case_id=case_id).one()
    meeting_page = leader.get(f"/jointmeetingview/show/{item.meeting_id}")
    assert case.number in meeting_page.get_data(as_text=True)  # the meeting lists its cases

    caseleader = sign_in(db_app, "caseleader")
    assert case.number in caseleader.get("/mycases/list/").get_data(as_text=True)
    assert "conclude" not in offered(caseleader, case_id)  # departments have not replied
    for login in ("landdept", "agridept"):
        dept = sign_in(db_app, login)
        assert case.number in dept.get("/transfers/list/").get_data(as_text=True)
        act(dept, case_id, "reply_transfer", reply="已核实并拨付")
    act(caseleader, case_id, "record_progress", comment="包案领导带队入户")
    act(caseleader, case_id, "conclude", reply="补偿款已足额发放")
    case = _get(case_id)
    assert (case.state, case.resolution_level) == ("concluded", "banner")
    act(agent, case_id, "evaluate", evaluation="satisfied")
    act(agent, case_id, "follow_up", note="三上门回访", stop_agreement="y")
    assert "archive" not in offered(clerk, case_id)  # the banner holds the case
    act(caseleader, case_id, "archive")
    case = _get(case_id)
    assert case.state == "archived" and case.stop_agreement is True


def test_homestead_dispute_resolved_at_township(db_app, world, people):
    case_id = _story_case(world, "home", "S07", title="宅基地边界纠纷")
    agent, clerk = sign_in(db_app, "agentA"), sign_in(db_app, "clerkA")
    _accept(agent, case_id)
    act(agent, case_id, "request_escalation", reason="村级调解未果")
    act(clerk, case_id, "approve_escalation", agent_id=str(people["townagentA"].id))
    act(clerk, case_id, "record_mediation", mediator_id=str(people["mediatorA"].id),
        held_on=datetime.date.today().isoformat(), parties="张家、李家",
        outcome="agreed", agreement="按确权图重新划界")
    act(clerk, case_id, "conclude", reply="双方签订调解协议")
    case = _get(case_id)
    assert (case.state, case.resolution_level) == ("concluded", "township")


def test_unpaid_water_bill_settled_by_village_agent(db_app, world, people):
    case_id = _story_case(world, "water", "S10", title="拖欠水费致停水")
    agent = sign_in(db_app, "agentA")
    _accept(agent, case_id)
    act(agent, case_id, "record_progress", comment="联系供水站，协商分期缴纳")
    act(agent, case_id, "conclude", reply="已分期缴清，恢复供水")
    act(agent, case_id, "evaluate", evaluation="satisfied")
    act(agent, case_id, "follow_up", note="回访：供水正常")
    case = _get(case_id)
    assert (case.state, case.resolution_level, case.evaluation) == (
        "followed_up", "village", "satisfied")
    assert case.agent_id == people["agentA"].id


def test_group_case_of_41_households_transferred_to_two_departments(db_app, world, people):
    case_id = _story_case(world, "group", "S08", title="41户务工人员被拖欠工资",
                          is_group=True, head_count=41, representatives=5)
    just = add_user("justdept", "DepartmentStaff", department=department("JUST"))
    assert just
    agent, clerk = sign_in(db_app, "agentA"), sign_in(db_app, "clerkA")
    _accept(agent, case_id)
    act(clerk, case_id, "transfer",
        department_ids=[str(department("HRSS").id), str(department("JUST").id)],
        comment="人社局追讨欠薪，司法局提供法律援助")
    case = _get(case_id)
    assert case.state == "transferred" and case.head_count == 41
    assert {t.department.code for t in db.session.query(Transfer).filter_by(
        case_id=case_id)} == {"HRSS", "JUST"}
    act(clerk, case_id, "extend_deadline", days="20", reason="涉及人数多，需逐户核实")
    assert _get(case_id).extension_days == 20
    assert "extend_deadline" not in offered(clerk, case_id)  # once only
    for login in ("dept", "justdept"):
        act(sign_in(db_app, login), case_id, "reply_transfer", reply="已处理")
    act(clerk, case_id, "conclude", reply="欠薪已全部追回")
    case = _get(case_id)
    assert case.state == "concluded" and case.resolution_level == "village"
    assert all(t.status == "replied" for t in case.transfers)
