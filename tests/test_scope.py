"""A user sees and changes only rows in their place's subtree, on every path the panel
and the REST API offer: a township clerk of A never reaches a row of township B."""

import datetime
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Case,
    CaseEvent,
    Department,
    Duty,
    Person,
    Petitioner,
    Place,
    Site,
    Training,
    Transfer,
)
from tests.clients import token_client
from tests.pages import csv_rows, form_errors, search_choices, select_options
from tests.world import add_user

# messages are read by their English msgids
pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def rosters(world):
    """A site, a duty and a training record in each township, beside the world's people."""
    rows = {}
    for key in ("A", "B"):
        village = world.villages[f"{key}1"]
        person = world.people[key]
        rows[f"site{key}"] = Site(kind="talk_room", name_zh=f"{key}1村说事室", place=village)
        rows[f"duty{key}"] = Duty(person=person, kind="agent", employment="part_time",
                                  place=village, title=f"{key}职务")
        rows[f"training{key}"] = Training(person=person, held_on=datetime.date(2026, 10, 1),
                                          topic=f"{key}培训")
    db.session.add_all(rows.values())
    db.session.commit()
    return rows


def count(model, **where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


# What identifies each row on a page: (view route, row, text shown for it in a list).
def _rows(world, rosters):
    return {
        "place": ("placeview", world.villages["B1"], "B1村", world.villages["A1"], "A1村"),
        "person": ("personview", world.people["B"], "B代办员", world.people["A"], "A代办员"),
        "petitioner": ("petitionerview", world.petitioners["B"], "B群众",
                       world.petitioners["A"], "A群众"),
        "case": ("caseview", world.cases["B"], world.cases["B"].number, world.cases["A"],
                 world.cases["A"].number),
        "site": ("siteview", rosters["siteB"], "B1村说事室", rosters["siteA"], "A1村说事室"),
        "duty": ("dutyview", rosters["dutyB"], "B职务", rosters["dutyA"], "A职务"),
        "training": ("trainingview", rosters["trainingB"], "B培训", rosters["trainingA"],
                     "A培训"),
    }


KINDS = ["place", "person", "petitioner", "case", "site", "duty", "training"]


@pytest.mark.parametrize("kind", KINDS)
def test_clerk_lists_own_township_rows_only(world, rosters, login, kind):
    route, b_row, b_text, _a_row, a_text = _rows(world, rosters)[kind]
    page = login("clerkA").get(f"/{route}/list/").get_data(as_text=True)
    assert a_text in page
    assert b_text not in page


@pytest.mark.parametrize("kind", KINDS)
def test_clerk_cannot_open_other_township_row_by_url(world, rosters, login, kind):
    route, b_row, b_text, a_row, _a_text = _rows(world, rosters)[kind]
    client = login("clerkA")
    assert client.get(f"/{route}/show/{a_row.id}").status_code == 200
    response = client.get(f"/{route}/show/{b_row.id}")
    assert response.status_code == 404
    assert b_text not in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", KINDS)
def test_clerk_cannot_edit_other_township_row(world, rosters, login, kind):
    route, b_row, b_text, a_row, _a_text = _rows(world, rosters)[kind]
    client = login("clerkA")
    assert client.get(f"/{route}/edit/{a_row.id}").status_code == 200
    assert client.get(f"/{route}/edit/{b_row.id}").status_code == 404
    assert client.post(f"/{route}/edit/{b_row.id}", data={}).status_code == 404


def test_forged_edit_post_leaves_other_township_row_unchanged(world, login):
    person_b = world.people["B"]
    response = login("clerkA").post(
        f"/personview/edit/{person_b.id}",
        data={"name_zh": "改名", "place": str(world.villages["A1"].id), "active": "y"},
    )
    assert response.status_code == 404
    assert count(Person, name_zh="B代办员") == 1
    assert count(Person, name_zh="改名") == 0


@pytest.mark.parametrize("kind", ["place", "person", "petitioner", "site", "duty", "training"])
def test_clerk_cannot_delete_other_township_row(world, rosters, login, kind):
    route, b_row, _b_text, _a_row, _a_text = _rows(world, rosters)[kind]
    model, pk = type(b_row), b_row.id
    client = login("clerkA")
    assert client.post(f"/{route}/delete/{pk}").status_code == 404
    assert count(model, id=pk) == 1


@pytest.mark.parametrize("kind", ["place", "person", "petitioner", "site", "duty", "training"])
def test_clerk_cannot_bulk_delete_other_township_row(world, rosters, login, kind):
    route, b_row, _b_text, a_row, _a_text = _rows(world, rosters)[kind]
    model, a_pk, b_pk = type(b_row), a_row.id, b_row.id
    client = login("clerkA")
    response = client.post(
        f"/{route}/action_post",
        data={"action": "muldelete", "rowid": [str(a_pk), str(b_pk)]},
        follow_redirects=True,
    )
    assert "outside your area" in response.get_data(as_text=True) or response.status_code in (
        403, 404)
    # the whole action is refused: neither row is gone
    assert count(model, id=b_pk) == 1
    assert count(model, id=a_pk) == 1


def test_clerk_can_delete_own_rows(world, rosters, login):
    """The 404s above are about scope, not a broken delete."""
    pk = rosters["siteA"].id
    login("clerkA").post(f"/siteview/delete/{pk}")
    assert count(Site, id=pk) == 0


def test_clerk_can_bulk_delete_own_rows(world, rosters, login):
    """The refusal above is about scope, not a broken action."""
    pk = rosters["trainingA"].id
    login("clerkA").post("/trainingview/action_post",
                         data={"action": "muldelete", "rowid": [str(pk)]})
    assert count(Training, id=pk) == 0


def test_township_bound_admin_cannot_delete_other_township_case(world, login):
    """Admins are scoped too: an administrator bound to township A has every permission
    but still no reach into township B."""
    add_user("adminA", "Admin", world.townships["A"])
    case_b = world.cases["B"].id
    client = login("adminA")
    assert client.post(f"/caseview/delete/{case_b}").status_code == 404
    client.post("/caseview/action_post", data={"action": "muldelete", "rowid": [str(case_b)]})
    client.post(f"/caseview/action/muldelete/{case_b}")
    assert count(Case, id=case_b) == 1


# ---- dropdowns ---------------------------------------------------------------------------

FORMS = [
    # (add route, select name, world attribute for the B row offered, A row)
    ("personview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
    ("petitionerview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
    ("placeview", "parent", lambda w: w.townships["B"].id, lambda w: w.townships["A"].id),
    ("siteview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
    ("dutyview", "person", lambda w: w.people["B"].id, lambda w: w.people["A"].id),
    ("trainingview", "person", lambda w: w.people["B"].id, lambda w: w.people["A"].id),
    # a case's place and petitioner are chosen at registration only
    ("caseview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
    ("caseview", "petitioner", lambda w: w.petitioners["B"].id, lambda w: w.petitioners["A"].id),
]


# people are searched on the server (the page holds only the chosen one): what the
# picker offers is what its pick route answers
PICKED = {"person": "person", "petitioner": "petitioner"}


def offered(client, route, page, field) -> list[str]:
    if field not in PICKED:
        return select_options(page, field)
    results = client.get(f"/{route}/pick/{PICKED[field]}").get_json()["results"]
    return [str(r["id"]) for r in results]


@pytest.mark.parametrize(("route", "field", "b_id", "a_id"), FORMS)
def test_add_form_offers_only_own_township_choices(world, login, route, field, b_id, a_id):
    client = login("clerkA")
    page = client.get(f"/{route}/add").get_data(as_text=True)
    options = offered(client, route, page, field)
    assert str(a_id(world)) in options
    assert str(b_id(world)) not in options


@pytest.mark.parametrize(("route", "field", "b_id", "a_id"), FORMS[:-2])
def test_edit_form_offers_only_own_township_choices(world, rosters, login, route, field, b_id,
                                                     a_id):
    rows = {"personview": world.people["A"], "petitionerview": world.petitioners["A"],
            "placeview": world.villages["A1"], "siteview": rosters["siteA"],
            "dutyview": rosters["dutyA"], "trainingview": rosters["trainingA"]}
    client = login("clerkA")
    page = client.get(f"/{route}/edit/{rows[route].id}").get_data(as_text=True)
    options = offered(client, route, page, field)
    assert str(a_id(world)) in options
    assert str(b_id(world)) not in options


def _person_form(place_id, name="新人"):
    return {"name_zh": name, "place": str(place_id), "active": "y"}


def test_forged_add_post_choosing_other_township_place_is_rejected(world, login):
    response = login("clerkA").post("/personview/add",
                                    data=_person_form(world.villages["B1"].id))
    assert response.status_code == 200  # the form again, with its message
    assert form_errors(response.get_data(as_text=True))
    assert count(Person, name_zh="新人") == 0


def test_forged_add_post_with_own_place_is_saved(world, login):
    """The same form with a place of township A is saved: the refusal above is scope."""
    login("clerkA").post("/personview/add", data=_person_form(world.villages["A1"].id))
    assert count(Person, name_zh="新人") == 1


def test_forged_edit_post_moving_own_row_to_other_township_is_rejected(world, login):
    person_a = world.people["A"]
    pk = person_a.id
    response = login("clerkA").post(
        f"/personview/edit/{pk}", data=_person_form(world.villages["B1"].id, name="A代办员")
    )
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Person, pk).place_id == world.villages["A1"].id


def test_forged_case_registration_with_other_township_petitioner_is_rejected(world, login):
    response = login("clerkA").post("/caseview/add", data={
        "petitioner": str(world.petitioners["B"].id),
        "place": str(world.villages["A1"].id),
        "channel": str(world.cases["A"].channel_id),
        "category": str(world.cases["A"].category_id),
        "purpose": "solution", "urgency": "blue", "title": "伪造", "description": "d",
        "demand": "d", "head_count": "1", "received_on": "2026-11-03",
    })
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True))
    assert count(Case, title="伪造") == 0


@pytest.mark.parametrize(("route", "field", "b_id", "a_id"), [
    ("personview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
    ("caseview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
    ("caseview", "responsible_place", lambda w: w.villages["B1"].id,
     lambda w: w.villages["A1"].id),
    ("caseview", "agent", lambda w: w.people["B"].id, lambda w: w.people["A"].id),
    ("dutyview", "person", lambda w: w.people["B"].id, lambda w: w.people["A"].id),
    ("placeview", "parent", lambda w: w.townships["B"].id, lambda w: w.townships["A"].id),
    ("petitionerview", "place", lambda w: w.villages["B1"].id, lambda w: w.villages["A1"].id),
])
def test_search_filter_dropdowns_offer_only_own_township(world, login, route, field, b_id, a_id):
    clerk_client, leader_client = login("clerkA"), login("leader")
    clerk = search_choices(clerk_client.get(f"/{route}/list/").get_data(as_text=True), field,
                           clerk_client)
    leader = search_choices(leader_client.get(f"/{route}/list/").get_data(as_text=True), field,
                            leader_client)
    assert str(b_id(world)) in leader  # the banner's page offers it: the check can fail
    assert str(a_id(world)) in clerk
    assert str(b_id(world)) not in clerk


# ---- export ------------------------------------------------------------------------------

@pytest.mark.clean_slate  # the CSV export reads on a session of its own
@pytest.mark.parametrize("kind", KINDS)
def test_export_holds_own_township_rows_only(world, rosters, login, kind):
    route, _b_row, b_text, _a_row, a_text = _rows(world, rosters)[kind]
    response = login("clerkA").get(f"/{route}/export/")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = "\n".join(",".join(row) for row in csv_rows(response))
    assert a_text in text
    assert b_text not in text


@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_export_with_a_filter_for_the_other_township_is_empty(world, login):
    b1 = world.villages["B1"].id
    response = login("clerkA").get(f"/caseview/export/?_flt_0_place={b1}")
    rows = csv_rows(response)
    assert len(rows) == 1  # the header only


# ---- REST API ----------------------------------------------------------------------------

API = [
    ("places", lambda w: w.villages["B1"], lambda w: w.villages["A1"]),
    ("people", lambda w: w.people["B"], lambda w: w.people["A"]),
    ("cases", lambda w: w.cases["B"], lambda w: w.cases["A"]),
]


@pytest.fixture(params=["session", "jwt"])
def api_client(request, db_app, login):
    def make(username):
        if request.param == "session":
            return login(username)
        return token_client(db_app, username)

    return make


@pytest.mark.parametrize(("resource", "b_row", "a_row"), API)
def test_api_list_holds_own_township_rows_only(world, api_client, resource, b_row, a_row):
    response = api_client("clerkA").get(f"/api/v1/{resource}/?q=(page_size:100)")
    assert response.status_code == 200
    ids = set(response.get_json()["ids"])
    assert a_row(world).id in ids
    assert b_row(world).id not in ids


@pytest.mark.parametrize(("resource", "b_row", "a_row"), API)
def test_api_get_put_delete_of_other_township_row_is_404(world, api_client, resource, b_row,
                                                          a_row):
    client = api_client("clerkA")
    pk = b_row(world).id
    assert client.get(f"/api/v1/{resource}/{a_row(world).id}").status_code == 200
    assert client.get(f"/api/v1/{resource}/{pk}").status_code == 404
    assert client.put(f"/api/v1/{resource}/{pk}", json={"note": "x"}).status_code == 404
    assert client.delete(f"/api/v1/{resource}/{pk}").status_code in (403, 404)
    assert count(type(b_row(world)), id=pk) == 1


def test_api_post_person_at_other_township_place_is_422(world, api_client):
    client = api_client("clerkA")
    response = client.post("/api/v1/people/", json={
        "name_zh": "越界", "place": world.villages["B1"].id})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "message" in response.get_json()
    assert count(Person, name_zh="越界") == 0
    ok = client.post("/api/v1/people/", json={"name_zh": "界内", "place": world.villages["A1"].id})
    assert ok.status_code == 201, ok.get_data(as_text=True)


def test_api_put_moving_own_person_to_other_township_is_422(world, api_client):
    pk = world.people["A"].id
    response = api_client("clerkA").put(f"/api/v1/people/{pk}",
                                        json={"place": world.villages["B1"].id})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Person, pk).place_id == world.villages["A1"].id


def test_api_post_place_under_other_township_is_422(world, api_client):
    response = api_client("clerkA").post("/api/v1/places/", json={
        "level": "village", "code": "150221101299", "name_zh": "越界村",
        "parent": world.townships["B"].id})
    assert response.status_code == 422
    assert count(Place, code="150221101299") == 0


def test_api_put_reparenting_own_village_under_other_township_is_422(world, api_client):
    a1 = world.villages["A1"]
    pk, code = a1.id, a1.code
    response = api_client("clerkA").put(f"/api/v1/places/{pk}", json={
        "parent": world.townships["B"].id})
    assert response.status_code == 422
    db.session.expire_all()
    place = db.session.get(Place, pk)
    assert (place.parent_id, place.code) == (world.townships["A"].id, code)


def _case_payload(world, place, petitioner, title):
    case_a = world.cases["A"]
    return {"petitioner": petitioner.id, "place": place.id, "channel": case_a.channel_id,
            "category": case_a.category_id, "purpose": "solution", "urgency": "blue",
            "title": title, "description": "d", "demand": "d", "received_on": "2026-11-03"}


@pytest.mark.parametrize(("place", "petitioner"), [("B1", "A"), ("A1", "B")])
def test_api_post_case_pointing_outside_scope_is_422(world, api_client, place, petitioner):
    payload = _case_payload(world, world.villages[place], world.petitioners[petitioner], "越界")
    response = api_client("clerkA").post("/api/v1/cases/", json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert count(Case, title="越界") == 0
    assert count(CaseEvent) == 2  # the world's two registrations only


def test_api_post_case_in_scope_is_registered(world, api_client):
    payload = _case_payload(world, world.villages["A1"], world.petitioners["A"], "界内")
    response = api_client("clerkA").post("/api/v1/cases/", json=payload)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert count(Case, title="界内") == 1


def test_api_info_offers_only_own_township_choices(world, login):
    """/_info lists the choices of each related field of the add form."""
    info = login("clerkA").get("/api/v1/cases/_info?q=(keys:!(add_columns))").get_json()
    fields = {f["name"]: {v["id"] for v in f.get("values", [])} for f in info["add_columns"]}
    assert world.villages["A1"].id in fields["place"]
    assert world.villages["B1"].id not in fields["place"]
    assert fields["petitioner"] == {world.petitioners["A"].id}


# ---- who sees what -----------------------------------------------------------------------

def test_banner_leader_sees_both_townships(world, login):
    client = login("leader")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert world.cases["A"].number in page and world.cases["B"].number in page
    assert client.get(f"/caseview/show/{world.cases['B'].id}").status_code == 200
    ids = set(client.get("/api/v1/cases/").get_json()["ids"])
    assert {world.cases["A"].id, world.cases["B"].id} <= ids
    places = client.get("/placeview/list/").get_data(as_text=True)
    assert "A镇" in places and "B镇" in places


def test_unbound_user_sees_nothing(world, login):
    client = login("nobody")
    for route, text in (("caseview", world.cases["A"].number), ("placeview", "A1村"),
                        ("personview", "A代办员"), ("petitionerview", "A群众")):
        assert text not in client.get(f"/{route}/list/").get_data(as_text=True)
    assert client.get(f"/caseview/show/{world.cases['A'].id}").status_code == 404
    assert client.get("/api/v1/cases/").get_json()["count"] == 0
    assert client.get("/api/v1/places/").get_json()["count"] == 0
    assert select_options(client.get("/personview/add").get_data(as_text=True), "place") == set()
    response = client.post("/api/v1/people/", json={"name_zh": "无处",
                                                    "place": world.villages["A1"].id})
    assert response.status_code == 422
    assert count(Person, name_zh="无处") == 0


def test_department_staff_see_only_cases_transferred_to_them(world, login):
    hrss = db.session.scalar(select(Department).where(Department.code == "HRSS"))
    other = db.session.scalar(select(Department).where(Department.code != "HRSS"))
    case_a, case_b = world.cases["A"], world.cases["B"]
    db.session.add_all([
        Transfer(case=case_b, department=hrss, due_on=datetime.date(2026, 12, 1)),
        Transfer(case=case_a, department=other, due_on=datetime.date(2026, 12, 1)),
    ])
    db.session.commit()
    client = login("dept")
    page = client.get("/caseview/list/").get_data(as_text=True)
    assert case_b.number in page
    assert case_a.number not in page
    assert client.get(f"/caseview/show/{case_b.id}").status_code == 200
    assert client.get(f"/caseview/show/{case_a.id}").status_code == 404
    response = client.get("/api/v1/cases/")
    assert response.status_code == 200
    assert set(response.get_json()["ids"]) == {case_b.id}
    assert client.get(f"/api/v1/cases/{case_a.id}").status_code == 404
    # the per-row form of the department's scope (the landing page's) is the same set
    from app.security.scope import Scope

    scope = Scope(department_id=hrss.id)
    listed, probed = (set(db.session.scalars(select(Case.id).where(
        Case.scope_clause(scope, per_row=per_row)))) for per_row in (False, True))
    assert listed == probed == {case_b.id}


def test_grid_worker_sees_only_own_grid_and_below(world, login):
    client = login("gridA")
    page = client.get("/placeview/list/").get_data(as_text=True)
    assert "A1村第一网格" in page
    assert "A2村第一网格" not in page and "B1村第一网格" not in page


def test_clerk_does_not_see_other_townships_case_history(world, login):
    def events(key):
        return set(db.session.scalars(
            select(CaseEvent.id).where(CaseEvent.case_id == world.cases[key].id)))

    events_a, events_b = events("A"), events("B")
    client = login("clerkA")
    page = client.get("/caseeventview/list/").get_data(as_text=True)
    shown_ids = {int(pk) for pk in re.findall(r"/caseeventview/show/(\d+)", page)}
    assert shown_ids == events_a
    for pk in events_b:
        assert client.get(f"/caseeventview/show/{pk}").status_code == 404


def test_petitioner_model_scope_excludes_other_township(world):
    from app.security.scope import Scope

    scope = Scope(place_path=world.townships["A"].path)
    names = db.session.scalars(select(Petitioner.name).where(Petitioner.scope_clause(scope)))
    assert set(names) == {"A群众"}


def test_clerk_edits_own_township_keeping_its_parent_above_the_scope(world, login):
    """The banner is outside a township clerk's area, yet it is their township's parent:
    the edit form keeps it (and offers nothing else outside the area)."""
    township = world.townships["A"]
    pk, banner = township.id, world.banner.id
    client = login("clerkA")
    options = select_options(client.get(f"/placeview/edit/{pk}").get_data(as_text=True),
                             "parent")
    assert str(banner) in options
    assert str(world.townships["B"].id) not in options
    assert str(banner) not in select_options(
        client.get("/placeview/add").get_data(as_text=True), "parent")
    client.post(f"/placeview/edit/{pk}", data={
        "level": "township", "parent": banner, "code": township.code, "name_zh": "A镇新名"})
    assert count(Place, id=pk, name_zh="A镇新名") == 1
    # but the current value of one row is no passport for another
    a1 = world.villages["A1"].id
    client.post(f"/placeview/edit/{a1}", data={
        "level": "village", "parent": banner, "code": "150221100201", "name_zh": "A1村"})
    db.session.expire_all()
    assert db.session.get(Place, a1).parent_id == pk


def test_api_clerk_renames_own_township(world, login):
    pk = world.townships["A"].id
    response = login("clerkA").put(f"/api/v1/places/{pk}", json={"name_zh": "A镇新名"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert count(Place, id=pk, name_zh="A镇新名") == 1


def test_openapi_spec_describes_the_scoped_apis(world, login):
    response = login("admin").get("/api/v1/_openapi")  # administrators only
    assert response.status_code == 200
    paths = response.get_json()["paths"]
    for resource in ("places", "people", "cases"):
        assert f"/api/v1/{resource}/" in paths


def test_related_view_prefill_cannot_pick_other_township_rows(world, login):
    """A related list's "add" link fills the parent row from the URL (_flt_0_person=…);
    naming a row of township B there saves nothing."""
    client = login("clerkA")
    duties = count(Duty)  # the world's agents hold theirs
    client.post(f"/dutyview/add?_flt_0_person={world.people['B'].id}", data={
        "kind": "village_secretary", "place": world.villages["A1"].id, "active": "y"})
    client.post(f"/personview/add?_flt_0_place={world.villages['B1'].id}",
                data={"name_zh": "越界人", "active": "y"})
    assert count(Duty) == duties
    assert count(Person, name_zh="越界人") == 0
