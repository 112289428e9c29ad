"""Every record the panel shows is readable over /api/v1/ under the same permission and
the same scope: a walk of the panel's views fails on any page without an API, and a
role reads over REST what it reads on screen — no more."""

import datetime

import pytest
from flask_appbuilder import ModelView
from flask_appbuilder.api import BaseApi, ModelRestApi

from app.cockpit.bulletin import build_bulletin
from app.extensions import db
from app.models import Category, LeaderReception
from app.security.scope import EVERYTHING
from app.services import cases as svc
from tests.lifecycle_helpers import staff_people, user

pytestmark = pytest.mark.usefixtures("english_ui")


# Views that hold no records of their own, each with why it needs no API counterpart.
NO_DATA = {
    "UtilView": "FAB's back-redirect helper",
    "DaibanLocaleView": "switches the interface language of the session",
    "DaibanAuthDBView": "signing in and out (the API signs in at /api/v1/security/login)",
}
# Pages of figures or files drawn from another resource's records, with that resource's
# permission name (a role that opens the page reads the resource over REST).
DRAWN_FROM = {
    # the landing page counts the area's cases by state: GET /api/v1/cases/ with a
    # state filter gives each count
    "HomeView": "Case",
    # a spreadsheet of people and duties: POST /api/v1/people/import (the same file)
    "PersonImportView": "Person",
    # an administrator's password reset: PUT /api/v1/accounts/<pk>/password
    "DaibanResetPasswordView": "UserDBModelView",
    # one's own account and password: GET/PUT /api/v1/me/, PUT /api/v1/me/password
    "DaibanResetMyPasswordView": "UserInfoEditView",
}


def _menu_views(menu):
    """Every view the panel's menu opens (separators and category headings have none)."""
    found = []

    def walk(items):
        for item in items:
            if getattr(item, "baseview", None) is not None:
                found.append(item.baseview)
            walk(item.childs or [])

    walk(menu.get_list())
    return found


def _panel_views(appbuilder):
    """The menu's views and those opened from other pages (related lists, the landing
    page), leaving out the REST APIs and FAB's own API plumbing."""
    views = {id(v): v for v in _menu_views(appbuilder.menu)}
    for view in appbuilder.baseviews:
        if not isinstance(view, BaseApi) and type(view).__name__ not in ("SwaggerView",):
            views.setdefault(id(view), view)
    return list(views.values())


def _verb(view, method):
    """The permission a view checks for ``method`` (FAB's security pages: their own)."""
    name = (view.method_permission_name or {}).get(method, method)
    return f"can_{name}"


def _readers(sm, view, method) -> set[str]:
    pair = (_verb(view, method), view.class_permission_name)
    return {role.name for role in sm.get_all_roles()
            if role.name == "Admin"
            or any((p.permission.name, p.view_menu.name) == pair for p in role.permissions)}


def _holders(sm, permission_name) -> set[str]:
    return {role.name for role in sm.get_all_roles()
            if role.name == "Admin"
            or any(p.view_menu.name == permission_name for p in role.permissions)}


def test_every_view_in_the_panels_menu_has_an_api_counterpart(db_app):
    """Walks the menu (and the pages opened from it): a page of records needs an API over
    the same model that every role reading the page may read; a page of figures an API
    under the same permission; a page with no records of its own is listed in NO_DATA
    with its reason."""
    appbuilder = db_app.appbuilder
    sm = appbuilder.sm
    in_menu = {type(v).__name__ for v in _menu_views(appbuilder.menu)}
    assert {"CaseView", "DaibanUserView", "MediationSessionView", "BulletinView",
            "TransferInboxView"} <= in_menu
    apis = [v for v in appbuilder.baseviews if isinstance(v, BaseApi)]
    missing = []
    for view in _panel_views(appbuilder):
        name = type(view).__name__
        if name in NO_DATA:
            continue
        if isinstance(view, ModelView):
            counterparts = [api for api in apis if isinstance(api, ModelRestApi)
                            and api.datamodel.obj is view.datamodel.obj]
            page_readers = _readers(sm, view, "list")
        else:
            permission = DRAWN_FROM.get(name, view.class_permission_name)
            counterparts = [api for api in apis if api.class_permission_name == permission]
            page_readers = _holders(sm, view.class_permission_name)
        api_readers = set()
        for api in counterparts:
            api_readers |= (_readers(sm, api, "get_list") if isinstance(api, ModelRestApi)
                            else _holders(sm, api.class_permission_name))
        if not counterparts:
            missing.append(f"{name}: no API")
        elif page_readers - api_readers:
            missing.append(f"{name}: {sorted(page_readers - api_readers)} read the page only")
    assert not missing, missing
    assert not set(NO_DATA) & {type(v).__name__ for v in apis}


def test_resources_share_the_pages_permission_names(app):
    """So the role matrix gives a role the same records on the page and over REST."""
    views = {type(v).__name__: v for v in _panel_views(app.appbuilder)}
    apis = {type(v).__name__: v for v in app.appbuilder.baseviews if isinstance(v, BaseApi)}
    for view_name, api_name in [("PetitionerView", "PetitionerApi"), ("SiteView", "SiteApi"),
                                ("DutyView", "DutyApi"), ("TrainingView", "TrainingApi"),
                                ("ChannelView", "ChannelApi"),
                                ("DepartmentView", "DepartmentApi"),
                                ("MediationSessionView", "MediationSessionApi"),
                                ("LeaderReceptionView", "LeaderReceptionApi"),
                                ("JointMeetingView", "JointMeetingApi"),
                                ("DutyRotaView", "DutyRotaApi"),
                                ("CaseEventView", "CaseEventApi"),
                                ("BulletinView", "BulletinApi")]:
        assert views[view_name].class_permission_name == apis[api_name].class_permission_name


def test_roles_read_what_their_pages_show(world, login):
    assert login("agentA").get("/api/v1/petitioners/").status_code == 200
    # stationed department staff have no roster pages, so no roster API either
    dept = login("dept")
    for resource in ("sites", "petitioners", "duties", "leader_receptions"):
        assert dept.get(f"/api/v1/{resource}/").status_code == 403, resource
    assert dept.get("/api/v1/channels/").status_code == 200
    assert login("gridA").get("/api/v1/trainings/").status_code == 403
    # who may not write on the page may not write here (dictionaries: their keeper)
    assert login("clerkA").post("/api/v1/categories/", json={"code": "x"}).status_code == 403
    # pages that only show records have no write routes here either
    assert login("clerkA").post("/api/v1/case_events/", json={}).status_code in (404, 405)


def test_scope_is_the_pages_scope(world, login):
    a, b = world.petitioners["A"], world.petitioners["B"]
    ids = {row["id"] for row in login("agentA").get("/api/v1/petitioners/").get_json()["result"]}
    assert a.id in ids and b.id not in ids
    assert login("agentA").get(f"/api/v1/petitioners/{b.id}").status_code == 404
    everyone = {r["id"] for r in login("leader").get("/api/v1/petitioners/").get_json()["result"]}
    assert {a.id, b.id} <= everyone
    shown = login("agentA").get(f"/api/v1/petitioners/{a.id}").get_json()["result"]
    assert "id_number" not in shown and "phone" not in shown


def test_dictionaries_take_a_text_filter(world, login):
    category = db.session.query(Category).filter_by(list="service").first()
    word = category.name_zh[:2]
    client = login("agentA")
    rows = client.get(
        f"/api/v1/categories/?q=(filters:!((col:name_zh,opr:ct,value:'{word}')))"
    ).get_json()["result"]
    assert rows and all(word in row["name_zh"] for row in rows)
    assert category.id in {row["id"] for row in rows}
    channels = client.get("/api/v1/channels/?q=(page_size:100)").get_json()
    assert channels["count"] >= 1 and "national_form" in channels["result"][0]


def test_a_cases_history_as_sub_resources(world, login):
    staff_people(world)
    case = world.cases["A"]
    client = login("agentA")
    version = client.get(f"/api/v1/cases/{case.id}").get_json()["result"]["version"]
    assert client.post(f"/api/v1/cases/{case.id}/accept", json={
        "entrustment_signer": "签字人", "entrustment_signed_on": "2026-11-03",
        "version": version}).status_code == 200
    events = client.get(f"/api/v1/cases/{case.id}/events").get_json()
    assert events["count"] >= 2
    assert [e["action"] for e in events["result"]][-1] == "accept"
    assert all(e["case_id"] == case.id for e in events["result"])
    same = client.get(
        f"/api/v1/case_events/?q=(filters:!((col:case,opr:rel_o_m,value:{case.id})))"
    ).get_json()
    assert {e["id"] for e in same["result"]} == {e["id"] for e in events["result"]}
    for related in ("escalations", "transfers", "reviews", "mediation_sessions"):
        answer = client.get(f"/api/v1/cases/{case.id}/{related}")
        assert answer.status_code == 200 and answer.get_json()["result"] == [], related
    # another township's case and an unknown sub-resource look like nothing at all
    assert login("agentB").get(f"/api/v1/cases/{case.id}/events").status_code == 404
    assert client.get(f"/api/v1/cases/{case.id}/secrets").status_code == 404


def test_case_get_carries_what_the_case_page_shows(world, login):
    case = world.cases["A"]
    svc.decline(case.id, user("agentA"), reason="不属于受理范围", guidance="请向法院起诉")
    db.session.commit()
    shown = login("agentA").get(f"/api/v1/cases/{case.id}").get_json()["result"]
    assert shown["decline_reason"] == "不属于受理范围"
    assert shown["decline_guidance"] == "请向法院起诉"
    for key in ("is_repeat", "skipped_level", "reply", "evaluation", "followup_note"):
        assert key in shown


def test_bulletin_api_is_the_bulletin(world, login):
    day = datetime.date(2026, 11, 3)
    db.session.add(LeaderReception(kind="reception", leader=world.people["A"], held_on=day,
                                   place=world.townships["A"], batches=2, persons=5))
    db.session.commit()
    body = login("leader").get(f"/api/v1/bulletin/?date={day.isoformat()}").get_json()
    expected = build_bulletin(day, EVERYTHING)
    assert body["new"] == expected.new and body["overdue"] == expected.overdue
    assert body["reception_persons"] == expected.reception_persons == 5
    assert body["day"] == day.isoformat()
    assert login("leader").get("/api/v1/bulletin/?date=soon").status_code == 400
    assert login("agentA").get("/api/v1/bulletin/").status_code == 403


def test_no_api_filter_or_field_reveals_a_masked_number(world, login):
    """A "starts with" or "contains" filter on an ID number or a phone would reveal it a
    character at a time: no API searches, lists or shows a masked column."""
    apis = [v for v in world_apis() if isinstance(v, ModelRestApi)]
    assert apis
    for api in apis:
        masked = set(getattr(api.datamodel.obj, "masked_columns", ()))
        exposed = {*(api.search_columns or []), *(api.list_columns or []),
                   *(api.show_columns or [])}
        assert not masked & exposed, type(api).__name__
        assert not {c for c in exposed if c.split(".")[-1] in {"id_number", "phone"}
                    and "." in c}, type(api).__name__
    client = login("agentA")
    for resource in ("petitioners", "people"):
        for column in ("phone", "id_number", "id_number_hash"):
            answer = client.get(f"/api/v1/{resource}/?q=(filters:!((col:{column},opr:sw,"
                                "value:'1')))")
            assert answer.status_code == 400, (resource, column)


def world_apis():
    from app.extensions import appbuilder

    return [v for v in appbuilder.baseviews if isinstance(v, BaseApi)]


def test_people_and_petitioners_take_a_text_filter(world, login):
    leader = login("leader")
    found = leader.get(
        "/api/v1/petitioners/?q=(filters:!((col:name,opr:sw,value:'A')))").get_json()
    assert {row["id"] for row in found["result"]} == {world.petitioners["A"].id}
    people = leader.get(
        "/api/v1/people/?q=(filters:!((col:name_zh,opr:ct,value:'代办')))").get_json()
    assert {world.people["A"].id, world.people["B"].id} <= {r["id"] for r in people["result"]}
    # the filter runs inside the scope: another township's namesakes stay out
    theirs = login("agentA").get(
        "/api/v1/people/?q=(filters:!((col:name_zh,opr:ct,value:'代办')))").get_json()
    assert world.people["B"].id not in {r["id"] for r in theirs["result"]}
