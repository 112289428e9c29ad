"""A township's working day, as a user meets it in a real browser (Debian's Chromium,
driven by Playwright): saving two petitioners without ID numbers, picking the right one of
two people of the same name as one types, a grid worker registering a case, a register
form that refuses until every choice is made, and the landing pages of an agent, a clerk
and a department after a send-back, an escalation and a transfer.

Skipped when Chromium or Playwright is missing (scripts/test.sh installs Chromium)."""

import datetime

import pytest

from tests.browser_support import chromium, new_page, require_browser, served, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.clean_slate]  # a served app, in a thread
sync_api = require_browser()


@pytest.fixture(scope="module")
def server(app):
    with served(app) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as instance:
        yield instance


@pytest.fixture()
def town(db_app):
    """The small banner with people on its rosters (agents, mediator, case leader)."""
    from tests.lifecycle_helpers import staff_people
    from tests.world import build_world

    world = build_world()
    world.staff = staff_people(world)
    return world


@pytest.fixture()
def open_as(browser, server):
    contexts = []

    def _open(username):
        page = new_page(browser)
        contexts.append(page.context)
        sign_in_page(page, server, username)
        page.base = server
        return page

    yield _open
    for context in contexts:
        context.close()


def _choose(page, field, value):
    """Choose a value of a select (select2-dressed or not) the way the form reads it."""
    page.evaluate("""([field, value]) => {
        const el = document.getElementById(field);
        el.value = value;
        el.dispatchEvent(new Event('change', {bubbles: true}));
        if (window.jQuery) { jQuery(el).trigger('change'); }
    }""", [field, str(value)])


def _pick(page, field, typed, wanted):
    """Type into a server-searched picker and click the option whose label has
    ``wanted``; returns every label the server offered."""
    page.click(f"#{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.wait_for_selector(".select2-results__option:not(.loading-results)"
                           f":has-text('{typed}')")
    labels = page.locator(".select2-results__option").all_inner_texts()
    page.click(f".select2-results__option:has-text('{wanted}')")
    return labels


def _fill_register_form(page, town, place):
    case = town.cases["A"]
    _choose(page, "place", place.id)
    _choose(page, "channel", case.channel_id)
    _choose(page, "category", case.category_id)
    _choose(page, "purpose", "solution")
    _choose(page, "urgency", "blue")
    page.fill("#title", "浏览器登记")
    page.fill("#description", "描述")
    page.fill("#demand", "诉求")
    page.evaluate("day => { document.getElementById('received_on').value = day; }",
                  datetime.date.today().isoformat())


def _save(page):
    with page.expect_navigation():
        page.click("#model_form [type=submit]")
    page.wait_for_load_state("networkidle")


def _saved_case():
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Case

    db.session.expire_all()
    return db.session.scalar(select(Case).where(Case.title == "浏览器登记"))


def test_two_petitioners_without_id_numbers_saved_one_after_another(town, open_as):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Petitioner

    page = open_as("clerkA")
    for name in ("无证甲", "无证乙"):
        page.goto(f"{page.base}/petitionerview/add")
        page.fill("#name", name)
        _choose(page, "place", town.villages["A1"].id)
        _save(page)
        assert "/petitionerview/show/" in page.url, page.inner_text("body")[:500]
        assert name in page.inner_text("body")
    db.session.expire_all()
    saved = db.session.scalars(select(Petitioner).where(
        Petitioner.name.in_(["无证甲", "无证乙"]))).all()
    assert sorted((p.name, p.id_number) for p in saved) == [("无证乙", None), ("无证甲", None)]
    assert page.js_errors == []


def test_picking_the_right_one_of_two_people_of_the_same_name(town, open_as):
    from app.extensions import db
    from app.models import Petitioner

    first = Petitioner(name="巴特尔", place=town.villages["A1"], phone="13800131111")
    second = Petitioner(name="巴特尔", place=town.villages["A2"], phone="13900132222")
    db.session.add_all([first, second])
    db.session.commit()
    page = open_as("clerkA")
    page.goto(f"{page.base}/caseview/add")
    # the page holds no petitioner until the user types
    assert page.locator("#petitioner option").count() == 1
    labels = _pick(page, "petitioner", "巴特尔", "2222")
    offered = [label for label in labels if "巴特尔" in label]
    assert len(offered) == 2
    assert any(town.villages["A1"].name_zh in label and "1111" in label for label in offered)
    assert any(town.villages["A2"].name_zh in label and "2222" in label for label in offered)
    assert not any("13900132222" in label for label in offered)  # masked
    _fill_register_form(page, town, town.villages["A2"])
    _save(page)
    case = _saved_case()
    assert case is not None
    assert case.petitioner_id == second.id
    assert page.url.endswith(f"/caseview/show/{case.id}")
    assert page.js_errors == []


def test_a_grid_worker_registers_a_case(town, open_as):
    from app.extensions import db
    from app.models import Petitioner
    from tests.lifecycle_helpers import user

    villager = Petitioner(name="网格群众", place=town.villages["A1"])
    db.session.add(villager)
    db.session.commit()
    page = open_as("gridA")
    page.goto(f"{page.base}/caseview/add")
    _pick(page, "petitioner", "网格", "网格群众")
    _fill_register_form(page, town, town.grids["A1"])
    _save(page)
    case = _saved_case()
    assert case is not None, page.inner_text("body")[:800]
    assert (case.place_id, case.responsible_place_id, case.registered_by_id) == (
        town.grids["A1"].id, town.villages["A1"].id, user("gridA").id)
    assert page.url.endswith(f"/caseview/show/{case.id}")


def test_the_register_form_refuses_until_every_choice_is_made(town, open_as):
    page = open_as("clerkA")
    page.goto(f"{page.base}/caseview/add")
    for field in ("place", "channel", "category", "purpose", "urgency"):
        assert page.eval_on_selector(f"#{field}", "el => el.value") in ("", "__None"), field
    page.fill("#title", "浏览器登记")
    page.evaluate("document.querySelectorAll('[required]').forEach(e => "
                  "e.removeAttribute('required'))")  # what the server says, not the browser
    _save(page)
    assert "/caseview/add" in page.url
    assert page.locator(".has-error, .alert-danger, .help-block").count() > 0
    assert _saved_case() is None
    _pick(page, "petitioner", "A群众", "A群众")
    _fill_register_form(page, town, town.villages["A1"])
    _save(page)
    case = _saved_case()
    assert case is not None and page.url.endswith(f"/caseview/show/{case.id}")


def test_landing_pages_after_a_send_back_an_escalation_and_a_transfer(town, open_as):
    from app.extensions import db
    from app.services import cases as svc
    from tests.lifecycle_helpers import accept, department, user
    from tests.world import add_case

    sent_back = accept(town.cases["A"])
    svc.request_escalation(sent_back.id, user("agentA"), reason="超出本级事权")
    svc.send_back_escalation(sent_back.id, user("clerkA"), comment="本级可以办理，请继续")
    waiting = accept(add_case(town, "A2", town.villages["A1"], town.petitioners["A"],
                              title="待审批事项"))
    svc.request_escalation(waiting.id, user("agentA"), reason="需要上级协调")
    transferred = accept(add_case(town, "A3", town.villages["A1"], town.petitioners["A"],
                                  title="交办事项"))
    svc.transfer(transferred.id, user("clerkA"), department_ids=[department("HRSS").id])
    db.session.commit()

    agent = open_as("agentA")
    agent.goto(f"{agent.base}/")
    returned = agent.locator("#todo-sent_back")
    assert "本级可以办理，请继续" in returned.inner_text()
    returned.locator(f"a[href$='/caseview/show/{sent_back.id}']").click()
    agent.wait_for_load_state("networkidle")
    assert agent.url.endswith(f"/caseview/show/{sent_back.id}")

    clerk = open_as("clerkA")
    clerk.goto(f"{clerk.base}/")
    approvals = clerk.locator("#todo-approvals")
    assert waiting.number in approvals.inner_text()
    assert sent_back.number not in approvals.inner_text()
    approvals.locator(f"a[href$='/caseview/show/{waiting.id}']").click()
    clerk.wait_for_load_state("networkidle")
    assert clerk.locator("#action-approve_escalation").count() == 1

    dept = open_as("dept")
    dept.goto(f"{dept.base}/")
    pending = dept.locator("#todo-transfers")
    assert transferred.number in pending.inner_text()
    pending.locator(f"a[href$='/caseview/show/{transferred.id}']").click()
    dept.wait_for_load_state("networkidle")
    assert dept.locator("#action-reply_transfer").count() == 1
    for page in (agent, clerk, dept):
        assert page.js_errors == []
