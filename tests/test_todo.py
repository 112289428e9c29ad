"""The landing page is the signed-in user's to-do list: an agent's own cases, a clerk's
cases to screen and escalations to approve, a department's pending transfers by
reply-by date, a sent-back escalation for whoever asked — each line opens the case."""

import pytest
from sqlalchemy import text

from app.extensions import db
from app.services import cases as svc
from app.views.todo import open_transfers
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, department, staff_people, user


@pytest.fixture()
def people(world):
    return staff_people(world)


def _section(html: str, key: str) -> str:
    start = html.find(f'id="todo-{key}"')
    return "" if start < 0 else html[start:html.find("</table>", start)]


def test_an_agent_opens_on_their_cases_and_a_sent_back_escalation(world, people, db_app):
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    svc.send_back_escalation(case.id, user("clerkA"), comment="本级可以办理")
    db.session.commit()
    html = sign_in(db_app, "agentA").get("/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in _section(html, "mine")
    assert "本级可以办理" in _section(html, "sent_back")


def test_a_clerk_opens_on_cases_to_screen_and_escalations_to_approve(world, people, db_app):
    case = accept(world.cases["A"])
    svc.request_escalation(case.id, user("agentA"), reason="超出本级事权")
    db.session.commit()
    html = sign_in(db_app, "clerkA").get("/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in _section(html, "approvals")
    assert world.cases["B"].number not in html  # another township's
    registered = svc.register(type(case)(
        petitioner=world.petitioners["A"], place=world.villages["A1"], title="待甄别",
        description="d", demand="d", channel=case.channel, category=case.category,
        urgency="blue", received_on=case.received_on), user("clerkA"))
    db.session.commit()
    html = sign_in(db_app, "clerkA").get("/").get_data(as_text=True)
    assert f"/caseview/show/{registered.id}" in _section(html, "screen")


def test_a_department_opens_on_its_pending_transfers_by_reply_by_date(world, people, db_app):
    case = accept(world.cases["A"])
    svc.transfer(case.id, user("clerkA"), department_ids=[department("HRSS").id])
    db.session.commit()
    html = sign_in(db_app, "dept").get("/").get_data(as_text=True)
    assert f"/caseview/show/{case.id}" in _section(html, "transfers")
    svc.reply_transfer(case.id, user("dept"), reply="已处理")
    db.session.commit()
    html = sign_in(db_app, "dept").get("/").get_data(as_text=True)
    assert _section(html, "transfers") == ""


def test_counts_of_open_work_agree_everywhere_and_say_their_window(world, people, db_app):
    """Overdue cases, escalations awaiting approval and transfers overdue for a reply are
    open work as of today: the landing page, the navbar, the cockpit (whatever period it
    shows) and today's bulletin give the same numbers, and each says what it counts."""
    import datetime
    import re

    from app.cockpit.bulletin import build_bulletin
    from app.models import Case, Transfer
    from app.security.scope import scope_for_user
    from tests.world import add_case
    from tests.write_guard import direct_case_writes

    old, recent = accept(world.cases["A"]), accept(world.cases["B"], login="agentB")
    svc.transfer(old.id, user("clerkA"), department_ids=[department("HRSS").id])
    hard = accept(add_case(world, "A", world.villages["A1"], world.petitioners["A"],
                           title="难办"))
    svc.request_escalation(hard.id, user("agentA"), reason="超出本级事权")
    db.session.commit()
    long_ago = svc.today() - datetime.timedelta(days=500)
    with direct_case_writes():  # received long before the cockpit's period, now overdue
        for case in db.session.query(Case).filter(Case.id.in_([old.id, recent.id])):
            case.received_on, case.due_on = long_ago, svc.today() - datetime.timedelta(days=2)
        db.session.query(Transfer).filter_by(case_id=old.id).one().due_on = \
            svc.today() - datetime.timedelta(days=1)
    db.session.commit()

    clerk = sign_in(db_app, "clerkA")
    home = clerk.get("/").get_data(as_text=True)
    assert 'id="todo-window"' in home

    def badge(key):
        return int(re.search(r'<span class="badge">(\d+)</span>', _section(home, key)).group(1))

    bulletin = build_bulletin(svc.today(), scope_for_user(user("clerkA")))
    cockpit = clerk.get("/cockpit/").get_data(as_text=True)
    assert 'id="cockpit-window"' in cockpit

    figures = clerk.get("/api/v1/cockpit/figures").get_json()["headline"]

    def tile(key):  # the page's tile that links to the figure's drill-down
        href = re.escape(figures[key]["drill"].replace("&", "&amp;"))
        return int(re.search(rf'href="{href}">\s*<span class="daiban-figure-number">(\d+)',
                             cockpit).group(1))

    assert badge("overdue") == bulletin.overdue == figures["overdue"]["value"] == 1
    assert tile("overdue") == 1 and tile("transfers_overdue") == 1
    assert len(bulletin.transfers_overdue) == figures["transfers_overdue"]["value"] == 1
    assert badge("approvals") == figures["escalations_pending"]["value"] == 1
    assert "上报审批 (1)" in home  # the navbar's count
    # the drill-down behind the figure lists exactly that case
    listing = clerk.get(figures["transfers_overdue"]["drill"]).get_data(as_text=True)
    assert old.number in listing and recent.number not in listing


def test_overdue_lists_the_cases_due_first_across_states_and_counts_them_all(
        world, people, db_app):
    """The overdue section is read one open state at a time (Case.due_parts, each an
    index range): its total is every overdue case in the area, and its lines are the
    ten due first, whatever state each is in, in the order of the case page's due date."""
    import datetime

    from app.models import Case
    from app.views.todo import LINES, todo_for
    from tests.world import add_case
    from tests.write_guard import direct_case_writes

    today = svc.today()
    made = []
    for k in range(LINES + 4):
        case = add_case(world, "A", world.villages["A1"], world.petitioners["A"],
                        title=f"逾期{k}")
        if k % 3:
            case = accept(case)
        made.append(case)
    db.session.commit()
    due = {}
    with direct_case_writes():  # due dates spread over both states, interleaved
        for k, case in enumerate(made):
            row = db.session.get(Case, case.id)
            day = today - datetime.timedelta(days=3 + (k * 7) % (LINES + 4))
            if row.state == "registered":
                row.acceptance_due_on = day
            else:
                row.due_on = day
            due[row.id] = day
        db.session.flush()
    db.session.commit()

    with db_app.test_request_context():
        from flask import g
        from flask_login import login_user

        clerk = user("clerkA")
        login_user(clerk)
        g.user = clerk
        overdue = next(s for s in todo_for(clerk) if s.key == "overdue")
    # every overdue case of the township by the case page's rule (the world's own too)
    township = db.session.get(Case, made[0].id).township_id
    due = {c.id: c.effective_due_on for c in db.session.query(Case).filter_by(
        township_id=township) if c.effective_due_on and c.effective_due_on < today}
    assert overdue.total == len(due) >= len(made)
    expected = sorted(due, key=lambda i: (due[i], i))[:LINES]
    assert [line.case.id for line in overdue.lines] == expected
    assert {line.case.state for line in overdue.lines} == {"registered", "in_progress"}


def test_a_departments_landing_counts_and_lists_only_its_cases_in_every_state(
        world, people, db_app):
    """A department's cases are read through its transfers (their copy of the case's
    state): its overdue section lists its open overdue cases and none of another
    department's or of its concluded ones; "how the cases stand" counts each of its
    cases once, in the state the case is in now."""
    import datetime
    import re

    from app.models import Case
    from tests.world import add_case
    from tests.write_guard import direct_case_writes

    waiting, replied = accept(world.cases["A"]), accept(world.cases["B"], login="agentB")
    elsewhere = accept(add_case(world, "C", world.villages["A1"], world.petitioners["A"],
                                title="别的部门"))
    svc.transfer(waiting.id, user("clerkA"), department_ids=[department("HRSS").id])
    svc.transfer(replied.id, user("clerkB"), department_ids=[department("HRSS").id])
    svc.reply_transfer(replied.id, user("dept"), reply="已处理")
    svc.transfer(replied.id, user("clerkB"), department_ids=[department("HRSS").id])
    svc.reply_transfer(replied.id, user("dept"), reply="再次处理")
    svc.conclude(replied.id, user("agentB"), reply="书面答复")
    svc.transfer(elsewhere.id, user("clerkA"), department_ids=[department("JUST").id])
    db.session.commit()
    with direct_case_writes():  # all overdue
        for case in db.session.query(Case):
            case.due_on = svc.today() - datetime.timedelta(days=3)
        db.session.commit()
    assert {c.id: c.state for c in db.session.query(Case)} == {
        waiting.id: "transferred", replied.id: "concluded", elsewhere.id: "transferred"}
    html = sign_in(db_app, "dept").get("/").get_data(as_text=True)
    overdue = _section(html, "overdue")
    assert re.findall(r"/caseview/show/(\d+)", overdue) == [str(waiting.id)]
    assert f"/caseview/show/{elsewhere.id}" not in html

    def stands(state):
        return int(re.search(rf'_flt_0_state={state}">\s*<span class="daiban-figure-number">'
                             r"(\d+)", html).group(1))

    # the case transferred to it twice counts once
    assert (stands("transferred"), stands("in_progress"), stands("concluded")) == (1, 0, 1)


def test_a_departments_waiting_transfers_are_one_index_range_in_reply_by_order(world,
                                                                               db_app):
    """The landing page's statement for a department's open transfers is answered by an
    index in its own order: no sort of every transfer the department ever had (on
    PostgreSQL asked with sorts and sequential scans priced out, as a large table would
    price them)."""
    statement = open_transfers(user("dept"))
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[-1] for row in db.session.execute(
            text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_transfer_department_open_due" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_sort = off"))
        plan = " ".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
        assert "ix_transfer_department_open_due" in plan, plan
        assert "Sort" not in plan, plan
