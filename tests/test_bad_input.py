"""Bad input gets a clear message where it was typed and saves nothing; no traceback
ever reaches a user, whatever the URL says."""

import datetime
import re

import pytest
from flask import template_rendered
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Duty, Person, Petitioner, Place
from tests.pages import form_errors
from tests.write_guard import direct_case_writes

VALID_ID = "11010519491231002X"
WRONG_CHECK = "110105194912310021"
NO_SUCH_DATE = "110105194902300023"

MSG_CHECK = "The check character of this ID number is wrong."
MSG_DATE = "The birth date inside this ID number does not exist."
MSG_SHAPE = "An ID number has 17 digits followed by a digit or X."
MSG_PHONE = "Enter an 11-digit mobile number or a landline such as 0477-1234567."
MSG_PREFIX = "The code must begin with the parent place's code."
MSG_LEVEL = "The parent place must be one level above."
MSG_CODE = ("A banner code has 6 digits then 000000, a township 9 digits then 000, "
            "a village 12 digits and a grid 15 digits.")
MSG_REQUIRED = "This field is required."


def shown(msgid: str) -> str:
    """A message as the test client (default language) sees it."""
    with force_locale("zh"):
        return gettext(msgid)


def required_message() -> str:
    # WTForms' own message, in the default language from our catalogs
    from flask_babel import force_locale, gettext

    with force_locale("zh"):
        return gettext("This field is required.")


def count(model, **where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


@pytest.fixture()
def clerk(world, login):
    return login("clerkA")


# ---- web forms ---------------------------------------------------------------------------

PERSON_CASES = [
    ({"id_number": WRONG_CHECK}, MSG_CHECK),
    ({"id_number": NO_SUCH_DATE}, MSG_DATE),
    ({"id_number": "12345"}, MSG_SHAPE),
    ({"phone": "1380013800"}, MSG_PHONE),
    ({"phone": "hello"}, MSG_PHONE),
]


@pytest.mark.parametrize(("bad", "message"), PERSON_CASES)
def test_person_form_refuses_bad_values(world, clerk, bad, message):
    data = {"name_zh": "新人", "place": world.villages["A1"].id, "active": "y", **bad}
    response = clerk.post("/personview/add", data=data)
    assert response.status_code == 200
    assert shown(message) in " ".join(form_errors(response.get_data(as_text=True)))
    assert count(Person, name_zh="新人") == 0


@pytest.mark.parametrize(("bad", "message"), PERSON_CASES)
def test_petitioner_form_refuses_bad_values(world, clerk, bad, message):
    data = {"name": "新群众", "place": world.villages["A1"].id, **bad}
    response = clerk.post("/petitionerview/add", data=data)
    assert response.status_code == 200
    assert shown(message) in " ".join(form_errors(response.get_data(as_text=True)))
    assert count(Petitioner, name="新群众") == 0


@pytest.mark.parametrize(("route", "data", "missing"), [
    ("personview", {"place": "A1", "active": "y"}, "name_zh"),
    ("personview", {"name_zh": "新人", "active": "y"}, "place"),
    ("petitionerview", {"place": "A1"}, "name"),
    ("petitionerview", {"name": "新群众"}, "place"),
])
def test_missing_required_fields_are_named_on_the_form(world, clerk, route, data, missing):
    data = {k: (world.villages["A1"].id if v == "A1" else v) for k, v in data.items()}
    model = Person if route == "personview" else Petitioner
    before = count(model)
    response = clerk.post(f"/{route}/add", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # the message sits right under the missing field
    field_at = html.index(f'name="{missing}"')
    assert required_message() in html[field_at:field_at + 1500]
    assert count(model) == before


def test_valid_person_form_is_saved_with_the_number_normalised(world, clerk):
    clerk.post("/personview/add", data={"name_zh": "新人", "place": world.villages["A1"].id,
                                        "id_number": VALID_ID.lower(), "phone": "138 0013 8000",
                                        "active": "y"})
    person = db.session.scalar(select(Person).where(Person.name_zh == "新人"))
    assert (person.id_number, person.phone) == (VALID_ID, "13800138000")


def test_unticked_checkboxes_are_saved_as_no(world, clerk):
    """'Active' left unticked is a choice, not a missing field."""
    clerk.post("/personview/add", data={"name_zh": "离任者", "place": world.villages["A1"].id})
    assert count(Person, name_zh="离任者", active=False) == 1


def test_case_registered_without_ticking_group_repeat_or_skipped_level(world, clerk):
    case_a = world.cases["A"]
    clerk.post("/caseview/add", data={
        "petitioner": world.petitioners["A"].id, "place": world.villages["A1"].id,
        "channel": case_a.channel_id, "category": case_a.category_id, "purpose": "solution",
        "urgency": "blue", "title": "个人事项", "description": "d", "demand": "d",
        "head_count": "1", "received_on": "2026-11-03",
    })
    case = db.session.scalar(select(Case).where(Case.title == "个人事项"))
    assert case is not None
    assert (case.is_group, case.is_repeat, case.skipped_level) == (False, False, False)


def test_person_edit_with_bad_phone_changes_nothing(world, clerk):
    person = world.people["A"]
    pk = person.id
    response = clerk.post(f"/personview/edit/{pk}", data={
        "name_zh": "改名", "place": world.villages["A1"].id, "phone": "12", "active": "y"})
    assert response.status_code == 200
    assert shown(MSG_PHONE) in " ".join(form_errors(response.get_data(as_text=True)))
    db.session.expire_all()
    assert db.session.get(Person, pk).name_zh == "A代办员"


@pytest.mark.parametrize(("level", "parent", "code", "message"), [
    ("village", "A", "150221101203", MSG_PREFIX),
    ("village", "A", "1502211002", MSG_CODE),
    ("village", "A", "15022110020x", MSG_CODE),
    ("grid", "A", "150221100201009", MSG_LEVEL),
    ("township", "A", "150221100000", MSG_LEVEL),
])
def test_place_form_refuses_bad_codes(world, clerk, level, parent, code, message):
    before = count(Place)
    response = clerk.post("/placeview/add", data={
        "level": level, "parent": world.townships[parent].id, "code": code, "name_zh": "新村"})
    assert response.status_code == 200
    assert shown(message) in " ".join(form_errors(response.get_data(as_text=True)))
    assert count(Place) == before


def test_place_form_without_code_or_name(world, clerk):
    before = count(Place)
    response = clerk.post("/placeview/add", data={
        "level": "village", "parent": world.townships["A"].id})
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) >= 2
    assert count(Place) == before


def test_valid_place_form_is_saved_under_its_parent(world, clerk):
    clerk.post("/placeview/add", data={"level": "village", "parent": world.townships["A"].id,
                                       "code": "150221100203", "name_zh": "A3村"})
    place = db.session.scalar(select(Place).where(Place.code == "150221100203"))
    assert place.path == world.townships["A"].path + "150221100203/"


def test_duty_missing_what_its_kind_needs_is_explained_on_the_form(world, clerk):
    """A rule checked on the whole row (app/services) shows the form again, filled in."""
    before = count(Duty)
    response = clerk.post("/dutyview/add", data={
        "person": world.people["A"].id, "kind": "agent", "place": world.villages["A1"].id,
        "title": "村代办员", "active": "y"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert shown("An agent is either full-time or part-time.") in body
    assert 'value="村代办员"' in body  # what the user typed is still there
    assert count(Duty) == before


# ---- REST API ----------------------------------------------------------------------------

@pytest.mark.parametrize(("bad", "field", "message"), [
    ({"id_number": WRONG_CHECK}, "id_number", MSG_CHECK),
    ({"phone": "1380013800"}, "phone", MSG_PHONE),
    ({"name_zh": None}, "name_zh", None),
    ({"place": None}, "place", None),
])
def test_api_refuses_bad_person(world, clerk, bad, field, message):
    payload = {"name_zh": "新人", "place": world.villages["A1"].id, **bad}
    payload = {k: v for k, v in payload.items() if v is not None}
    before = count(Person)
    response = clerk.post("/api/v1/people/", json=payload)
    assert response.status_code == 422
    assert response.is_json
    body = response.get_json()
    assert body["code"] == "invalid" and body["field"] == field
    if message:
        assert body["message"] == shown(message)
    assert count(Person) == before


def test_api_put_with_bad_phone_changes_nothing(world, clerk):
    pk = world.people["A"].id
    response = clerk.put(f"/api/v1/people/{pk}", json={"name_zh": "改名", "phone": "12"})
    assert response.status_code == 422
    assert response.get_json()["field"] == "phone"
    db.session.expire_all()
    assert db.session.get(Person, pk).name_zh == "A代办员"


@pytest.mark.parametrize(("code", "message"), [
    ("150221101203", MSG_PREFIX), ("1502211002", MSG_CODE)])
def test_api_refuses_bad_place_code(world, clerk, code, message):
    before = count(Place)
    response = clerk.post("/api/v1/places/", json={
        "level": "village", "parent": world.townships["A"].id, "code": code, "name_zh": "新村"})
    assert response.status_code == 422
    assert response.get_json()["message"] == shown(message)
    assert count(Place) == before


def test_api_refuses_case_without_title(world, clerk):
    case_a = world.cases["A"]
    response = clerk.post("/api/v1/cases/", json={
        "petitioner": world.petitioners["A"].id, "place": world.villages["A1"].id,
        "channel": case_a.channel_id, "category": case_a.category_id,
        "description": "d", "demand": "d"})
    assert response.status_code == 422
    assert response.get_json()["field"] == "title"
    assert count(Case) == 2


def test_api_refuses_a_body_that_is_not_json(world, clerk):
    response = clerk.post("/api/v1/people/", data="name_zh=x")
    assert response.status_code == 400
    assert response.is_json


def test_api_answers_a_filter_value_that_does_not_fit_with_400(world, clerk):
    response = clerk.get("/api/v1/cases/?q=(filters:!((col:place,opr:rel_o_m,value:abc)))")
    assert response.status_code in (200, 400)
    assert response.is_json


# ---- error pages -------------------------------------------------------------------------

@pytest.fixture()
def rendered(db_app):
    """Names of the templates rendered during the test."""
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, db_app)
    yield names
    template_rendered.disconnect(record, db_app)


@pytest.fixture()
def no_propagation(db_app, monkeypatch):
    """Let Flask handle errors as in production (tests otherwise re-raise them)."""
    monkeypatch.setitem(db_app.config, "PROPAGATE_EXCEPTIONS", False)


def _own_error_page(response, rendered, code):
    body = response.get_data(as_text=True)
    assert response.status_code == code
    assert "daiban/error.html" in rendered
    assert "Traceback" not in body and "File \"" not in body


def test_missing_row_shows_the_apps_404_page(world, clerk, rendered):
    response = clerk.get("/caseview/show/999999")
    _own_error_page(response, rendered, 404)
    assert shown("Page not found") in response.get_data(as_text=True)


def test_unknown_page_shows_the_apps_404_page_even_signed_out(db_app, rendered):
    response = db_app.test_client().get("/no/such/page")
    _own_error_page(response, rendered, 404)


def test_a_failure_shows_the_apps_500_page(world, clerk, rendered, no_propagation,
                                           monkeypatch):
    def broken(self):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(Person, "duty_summary", property(broken))
    response = clerk.get("/personview/list/")
    _own_error_page(response, rendered, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    # and the next request works: the failed transaction did not poison the session
    monkeypatch.undo()
    assert clerk.get("/personview/list/").status_code == 200


def test_api_errors_are_json(world, clerk):
    response = clerk.get("/api/v1/cases/999999")
    assert response.status_code == 404
    assert response.is_json


def test_forbidden_page_is_the_apps_own(world, login, rendered):
    response = login("agentA").get("/personview/add")
    if response.status_code == 302:  # FAB may send to the login page instead
        return
    _own_error_page(response, rendered, 403)


# ---- list arguments ----------------------------------------------------------------------

def _add_many(world):
    """130 more cases of village A1 to page through (no history needed)."""
    case_a, village = world.cases["A"], world.villages["A1"]
    with direct_case_writes():
        db.session.add_all([
            Case(number=f"T{n:06d}", petitioner_id=case_a.petitioner_id, place=village,
                 responsible_place=village, channel_id=case_a.channel_id,
                 category_id=case_a.category_id, title=f"批量{n}", description="d",
                 demand="d",
                 received_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300))
            for n in range(130)
        ])
        db.session.commit()


# the world with them, built once for the tests that page through them (conftest)
many_cases = pytest.mark.world_with.with_args(_add_many)


def _rows_on_page(html: str, route: str) -> int:
    return len(set(re.findall(rf"/{route}/show/(\d+)", html)))


@pytest.mark.parametrize("query", [
    "psize_CaseView=abc", "psize_CaseView=-5", "psize_CaseView=100000",
    "psize_CaseView=1e9", "page_CaseView=abc", "page_CaseView=-1",
    "page_CaseView=99999999999999999999", "_oc_CaseView=no_such_column&_od_CaseView=asc",
    "_oc_CaseView=number&_od_CaseView=sideways", "_flt_0_received_on=not-a-date",
    "_flt_0_place=abc",
])
@many_cases
def test_list_arguments_never_500_nor_show_more_than_100_rows(world, login, no_propagation,
                                                              query):
    client = login("leader")
    response = client.get(f"/caseview/list/?{query}", follow_redirects=True)
    assert response.status_code == 200
    assert _rows_on_page(response.get_data(as_text=True), "caseview") <= 100


@many_cases
def test_page_size_is_capped_at_100(world, login):
    html = login("leader").get("/caseview/list/?psize_CaseView=100000").get_data(as_text=True)
    assert _rows_on_page(html, "caseview") == 100


@many_cases
def test_page_size_within_bounds_is_honoured(world, login):
    html = login("leader").get("/caseview/list/?psize_CaseView=50").get_data(as_text=True)
    assert _rows_on_page(html, "caseview") == 50


def test_related_list_arguments_on_a_show_page(world, login, no_propagation):
    client = login("clerkA")
    pk = world.people["A"].id
    for query in ("psize_DutyView=abc", "page_DutyView=-3", "_oc_DutyView=nope"):
        assert client.get(f"/personview/show/{pk}?{query}").status_code == 200


@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_export_with_a_filter_that_does_not_fit_does_not_500(world, login, no_propagation):
    response = login("leader").get("/caseview/export/?_flt_0_place=abc", follow_redirects=True)
    assert response.status_code == 200


# ---- the database refuses ----------------------------------------------------------------

MSG_CONFLICT = ("This change conflicts with other records: a value that must be unique is "
                "already taken, or other records still refer to this one.")
LEAKS = ("SQL", "DELETE FROM", "INSERT INTO", "parameters", "psycopg", "sqlite3")


def _no_internals(text: str):
    for leak in LEAKS:
        assert leak not in text


def test_deleting_a_place_still_in_use_explains_why_on_the_page(world, clerk, no_propagation):
    pk = world.villages["A1"].id  # people, petitioners and a case live there
    response = clerk.post(f"/placeview/delete/{pk}", follow_redirects=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert shown(MSG_CONFLICT) in body
    _no_internals(body)
    assert count(Place, id=pk) == 1


def test_bulk_deleting_a_place_still_in_use_does_not_500(world, clerk, no_propagation):
    pk = world.villages["A1"].id
    response = clerk.post("/placeview/action_post",
                          data={"action": "muldelete", "rowid": [str(pk)]},
                          follow_redirects=True)
    assert response.status_code == 200
    assert shown(MSG_CONFLICT) in response.get_data(as_text=True)
    assert count(Place, id=pk) == 1


def test_api_delete_of_a_place_still_in_use_is_422_without_sql(world, clerk):
    pk = world.villages["A1"].id
    response = clerk.delete(f"/api/v1/places/{pk}")
    assert response.status_code == 422
    _no_internals(response.get_data(as_text=True))
    assert count(Place, id=pk) == 1


def test_api_duplicate_id_number_is_422_not_500(world, clerk):
    a1 = world.villages["A1"].id
    first = clerk.post("/api/v1/people/", json={"name_zh": "甲", "place": a1,
                                                "id_number": VALID_ID})
    assert first.status_code == 201
    second = clerk.post("/api/v1/people/", json={"name_zh": "乙", "place": a1,
                                                 "id_number": VALID_ID})
    assert second.status_code == 422
    _no_internals(second.get_data(as_text=True))
    assert VALID_ID not in second.get_data(as_text=True)
    assert count(Person, name_zh="乙") == 0


def test_form_breaking_a_database_rule_shows_a_plain_message(world, clerk):
    """More batches than persons is a CHECK constraint; the form comes back, filled in,
    saying so plainly with no SQL (FAB flashed the database error with its parameters)."""
    response = clerk.post("/leaderreceptionview/add", data={
        "kind": "reception", "leader": world.people["A"].id, "held_on": "2026-11-05",
        "place": world.townships["A"].id, "batches": "3", "persons": "2",
        "note": "多批少人"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "多批少人" in body
    _no_internals(body)
    assert shown("The database could not save this change. Please try again.") in body or (
        shown(MSG_CONFLICT) in body)
    from app.models import LeaderReception
    assert count(LeaderReception) == 0


def test_duty_edit_breaking_its_kind_rule_shows_the_form_and_changes_nothing(world, clerk):
    duty = Duty(person=world.people["A"], kind="agent", employment="part_time",
                place=world.villages["A1"], title="旧职务")
    db.session.add(duty)
    db.session.commit()
    pk = duty.id
    response = clerk.post(f"/dutyview/edit/{pk}", data={
        "person": world.people["A"].id, "kind": "agent", "place": world.villages["A1"].id,
        "title": "新职务", "active": "y"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert shown("An agent is either full-time or part-time.") in body
    assert 'value="新职务"' in body
    db.session.expire_all()
    stored = db.session.get(Duty, pk)
    assert (stored.title, stored.employment) == ("旧职务", "part_time")


def test_valid_edit_is_saved(world, clerk):
    pk = world.people["A"].id
    response = clerk.post(f"/personview/edit/{pk}", data={
        "name_zh": "A代办员甲", "place": world.villages["A1"].id, "phone": "13800138000",
        "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Person, pk)  # the phone is encrypted: compared once decrypted
    assert (saved.name_zh, saved.phone) == ("A代办员甲", "13800138000")
