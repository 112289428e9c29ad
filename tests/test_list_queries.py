"""A list page costs a small, fixed number of SQL statements, whatever its page size and
whoever reads it: related rows are loaded once per relation (not once per row), the
search form asks for no related table's rows (a dictionary's are kept under the
database's generation), and a township clerk's scope is one
condition on the case's township. Also: the township a case carries follows its place."""

import datetime

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Case, Place
from tests.world import add_case

# the user, the generation (app/generation.py), the page and its count, one statement
# per related table the columns show, the approvals waiting (the menu): 9 in the world
MAX_STATEMENTS = 10


def _add_many_cases(world):
    """30 cases in village A1 and 30 in B1, in several states and agents' hands."""
    petitioners = {key: world.petitioners[key] for key in ("A", "B")}
    for n in range(30):
        for key in ("A", "B"):
            add_case(world, f"{key}{n}", world.villages[f"{key}1"], petitioners[key],
                     received_on=datetime.date(2026, 10, 1) + datetime.timedelta(days=n))


# built once for the module, with the world (conftest, world_with)
pytestmark = pytest.mark.world_with.with_args(_add_many_cases)


@pytest.fixture()
def many_cases(world):
    return world


def statements(client, path) -> tuple[int, str]:
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["leader", "clerkA"])
def test_statements_per_list_page_do_not_grow_with_the_page_size(many_cases, login, username):
    client = login(username)
    client.get("/caseview/list/")  # first request of a session: user, roles, menu
    small, small_page = statements(client, "/caseview/list/?psize_CaseView=5")
    large, large_page = statements(client, "/caseview/list/?psize_CaseView=50")
    assert small == large, (small, large)
    assert large <= MAX_STATEMENTS
    assert large_page.count("/caseview/show/") > small_page.count("/caseview/show/")


def test_a_filtered_deep_page_costs_the_same(many_cases, login):
    client = login("leader")
    client.get("/caseview/list/")
    first, _ = statements(client, "/caseview/list/?psize_CaseView=10")
    village = many_cases.villages["A1"].id
    deep, page = statements(
        client, f"/caseview/list/?psize_CaseView=10&page_CaseView=2&_flt_0_place={village}")
    assert deep <= first + 2  # the filter looks its place up
    assert "A1" in page or "事项 A" in page


def test_search_form_lists_no_places(many_cases, login):
    page = login("clerkA").get("/caseview/list/").get_data(as_text=True)
    assert "daiban-remote" in page
    search_form = page.split("new AdminFilters")[1].split("</script>")[0]
    assert "<option" not in search_form.replace("\\u003c", "<") or "A1" not in search_form
    assert many_cases.villages["A1"].name_zh not in search_form


def test_search_choices_are_scoped(many_cases, login):
    client = login("clerkA")
    names = [row["text"] for row in
             client.get("/caseview/choices/place?q=").get_json()["results"]]
    assert names and all("B" not in name for name in names)
    other = many_cases.villages["B1"].id
    assert client.get(f"/caseview/choices/place?id={other}").get_json()["results"] == []
    assert client.get("/caseview/choices/category").status_code == 404


def test_a_case_carries_the_township_of_its_place(many_cases):
    case = db.session.query(Case).filter_by(title="事项 A0").one()
    assert case.township_id == many_cases.townships["A"].id
    # a village moved to the other township takes its cases with it
    village = db.session.get(Place, many_cases.villages["A1"].id)
    village.parent = many_cases.townships["B"]
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, case.id).township_id == many_cases.townships["B"].id


@pytest.mark.parametrize("username", ["leader", "admin"])
@pytest.mark.parametrize("view, name, model", [("caseview", "CaseView", Case),
                                              ("placeview", "PlaceView", Place)])
def test_a_banner_wide_unfiltered_list_counts_every_row_and_pages(many_cases, login, username,
                                                                  view, name, model):
    """Nothing in a banner-wide user's unfiltered list names the table in a WHERE: the
    count still counts the table's rows (it said 1, and the list had no pages)."""
    import re

    rows = db.session.query(model).count()
    assert rows > 10
    html = login(username).get(f"/{view}/list/?psize_{name}=10").get_data(as_text=True)
    count = re.search(r"Record Count:</strong>\s*(\d+)|记录数目:</strong>\s*(\d+)", html)
    assert count is not None and int(count.group(1) or count.group(2)) == rows
    assert re.search(rf"page_{name}=1\b", html)  # a second page is offered


def test_the_search_form_is_worked_out_once_but_offers_a_new_category_at_once(many_cases,
                                                                             login):
    """The search form's labels and plain inputs are kept per language, its dictionaries'
    entries per language and generation; a category added since is offered at once, and
    each language gets its own labels."""
    import json

    from app.models import Category

    def shown(html, text):  # the form's inputs travel as JSON inside the page
        return text in html or json.dumps(text)[1:-1] in html

    client = login("leader")
    first = client.get("/caseview/list/").get_data(as_text=True)
    assert not shown(first, "新增的事项类别")
    db.session.add(Category(code="ZZ9", list="service", name_zh="新增的事项类别",
                            name_mn="ᠰᠢᠨ᠎ᠡ ᠠᠩᠭᠢᠯᠠᠯ", sort_order=99))
    db.session.commit()
    again = client.get("/caseview/list/").get_data(as_text=True)
    assert shown(again, "新增的事项类别")
    client.get("/lang/mn")
    mongolian = client.get("/caseview/list/").get_data(as_text=True)
    assert shown(mongolian, "ᠰᠢᠨ᠎ᠡ ᠠᠩᠭᠢᠯᠠᠯ")
    # the labels of the "add filter" menu follow the language
    title = '"title": "' + json.dumps("标题")[1:-1] + '"'
    assert title in again and title not in mongolian


@pytest.mark.parametrize("username", ["leader", "clerkA", "dept"])
def test_the_landing_page_asks_a_few_statements_however_many_lines_it_shows(
        many_cases, login, username):
    """The to-do list counts every section in one statement and reads the lines of all
    its due sections in another, with their places: a page of full sections (here ten
    cases to screen and ten overdue for the leader and the clerk) costs what an empty
    one does."""
    from app.views.todo import LINES

    client = login(username)
    client.get("/")  # first request of a session: user, roles, menu
    n, page = statements(client, "/")
    assert n <= 12, n
    if username != "dept":
        assert page.count("/caseview/show/") >= 2 * LINES


@pytest.mark.parametrize("username, exact_from_stats", [("leader", True), ("clerkA", True)])
@pytest.mark.parametrize("state_filter", [True, False])
def test_a_list_filtered_by_one_state_or_none_counts_exactly(many_cases, login, username,
                                                             exact_from_stats, state_filter):
    """A banner-wide list, unfiltered or filtered by one state, takes its count from
    case_stat (kept with the cases, in the same transaction) instead of counting every
    case (in that state), and a township clerk's from their township's counts
    (case_stat_town); it is the exact count, and follows a case that changes state or is
    registered at once."""
    import re

    from app.models import Case
    from tests.write_guard import direct_case_writes

    def shown(client):
        seen = []

        def note(conn, cursor, statement, parameters, context, executemany):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", note)
        try:
            html = client.get("/caseview/list/" + (
                "?_flt_3_state=registered" if state_filter else "")).get_data(as_text=True)
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
        count = re.search(r"Record Count:</strong>\s*(\d+)|记录数目:</strong>\s*(\d+)", html)
        counted_cases = any(re.search(r"count\(\*\).*FROM cases", s, re.S) for s in seen)
        return int(count.group(1) or count.group(2)), counted_cases

    def registered():
        query = db.session.query(Case)
        if state_filter:
            query = query.filter(Case.state == "registered")
        if username == "clerkA":
            query = query.filter(Case.township_id == many_cases.townships["A"].id)
        return query.count()

    client = login(username)
    before = registered()
    assert before > 10
    assert shown(client) == (before, not exact_from_stats)
    with direct_case_writes():
        case = db.session.query(Case).filter(
            Case.state == "registered", Case.place_id == many_cases.villages["A1"].id).first()
        case.state = "in_progress"
        db.session.commit()
    assert shown(client) == (before - (1 if state_filter else 0), not exact_from_stats)
    add_case(many_cases, "new", many_cases.villages["A1"], many_cases.petitioners["A"])
    db.session.commit()
    assert shown(client) == (before + (0 if state_filter else 1), not exact_from_stats)
