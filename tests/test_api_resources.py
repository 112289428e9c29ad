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
from tests.lifecycle_helpers import sign_in, staff_people, user

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def login(db_app):
    return lambda username: sign_in(db_app, username)


def _panel_views(appbuilder):
    return [v for v in appbuilder.baseviews
            if type(v).__module__.startswith("app.views") and not isinstance(v, BaseApi)]


# pages of figures drawn from another resource: the landing page counts the area's
# cases by state (GET /api/v1/cases/ with a state filter gives each count)
DRAWN_FROM = {"HomeView": "Case"}


def test_every_panel_view_has_an_api_counterpart(app):
    """A page of records needs an API over the same model; a page of figures (the
    cockpit, the bulletin, the people import) an API under the same permission."""
    apis = [v for v in app.appbuilder.baseviews if isinstance(v, BaseApi)]
    api_models = {api.datamodel.obj for api in apis if isinstance(api, ModelRestApi)}
    api_permissions = {api.class_permission_name for api in apis}
    missing = []
    for view in _panel_views(app.appbuilder):
        if isinstance(view, ModelView):
            if view.datamodel.obj not in api_models:
                missing.append(type(view).__name__)
        elif (DRAWN_FROM.get(type(view).__name__, view.class_permission_name)
              not in api_permissions):
            missing.append(type(view).__name__)
    assert not missing, f"views without an API: {missing}"


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
