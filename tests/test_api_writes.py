"""Where a page writes, its resource writes over /api/v1/ under the same permission, the
same scope and the same checks as the page's form: required fields, coded choices, the
people a picker offers, the roster rules and the likely-duplicate check."""

import pytest

from app.extensions import db
from app.models import Channel, Duty, DutyRota, LeaderReception, Petitioner, Site
from tests.clients import token_client

pytestmark = pytest.mark.usefixtures("english_ui")


def test_a_township_clerk_records_a_service_site_and_edits_and_deletes_it(world, login):
    clerk = login("clerkA")
    answer = clerk.post("/api/v1/sites/", json={
        "kind": "talk_room", "name_zh": "议事室", "place": world.villages["A1"].id,
        "has_premises": True})
    assert answer.status_code == 201, answer.get_json()
    pk = answer.get_json()["id"]
    assert db.session.get(Site, pk).place_id == world.villages["A1"].id
    changed = clerk.put(f"/api/v1/sites/{pk}", json={
        "kind": "talk_room", "name_zh": "村议事室", "place": world.villages["A1"].id})
    assert changed.status_code == 200, changed.get_json()
    assert clerk.get(f"/api/v1/sites/{pk}").get_json()["result"]["name_zh"] == "村议事室"
    assert clerk.delete(f"/api/v1/sites/{pk}").status_code == 200
    assert db.session.get(Site, pk) is None


def test_the_pages_checks_refuse_with_the_field_at_fault(world, login):
    clerk = login("clerkA")
    refusals = {
        "kind": clerk.post("/api/v1/sites/", json={
            "kind": "palace", "name_zh": "x", "place": world.villages["A1"].id}),
        "place": clerk.post("/api/v1/sites/", json={"kind": "point", "name_zh": "x"}),
        "persons": clerk.post("/api/v1/leader_receptions/", json={
            "kind": "reception", "leader": world.people["A"].id, "held_on": "2026-11-03",
            "place": world.townships["A"].id, "persons": -1}),
        "phone": clerk.post("/api/v1/petitioners/", json={
            "name": "新人", "place": world.villages["A1"].id, "phone": "12"}),
        "surprise": clerk.post("/api/v1/duty_rota/", json={
            "duty_on": "2026-11-03", "place": world.townships["A"].id,
            "person": world.people["A"].id, "surprise": 1}),
    }
    for field, answer in refusals.items():
        body = answer.get_json()
        assert answer.status_code == 422, (field, body)
        assert body["field"] == field and body["message"], (field, body)
    assert db.session.query(Site).filter_by(name_zh="x").count() == 0
    missing = refusals["place"].get_json()["message"]
    assert missing == "This field is required."


def test_another_townships_place_or_person_is_refused(world, login):
    clerk = login("clerkA")
    outside = clerk.post("/api/v1/duty_rota/", json={
        "duty_on": "2026-11-03", "place": world.townships["B"].id,
        "person": world.people["A"].id})
    assert outside.status_code == 422 and outside.get_json()["field"] is not None
    not_offered = clerk.post("/api/v1/duty_rota/", json={
        "duty_on": "2026-11-03", "place": world.townships["A"].id,
        "person": world.people["B"].id})
    assert not_offered.status_code == 422
    assert not_offered.get_json()["field"] == "person"
    assert db.session.query(DutyRota).count() == 0
    # a row of another township is not there at all
    site = Site(kind="point", name_zh="乙点", place=world.villages["B1"])
    db.session.add(site)
    db.session.commit()
    assert clerk.put(f"/api/v1/sites/{site.id}", json={"name_zh": "改"}).status_code == 404
    assert clerk.delete(f"/api/v1/sites/{site.id}").status_code == 404


def test_a_duty_follows_the_roster_rules(world, login):
    clerk = login("clerkA")
    body = {"person": world.people["A"].id, "kind": "mediator",
            "place": world.townships["A"].id}
    refused = clerk.post("/api/v1/duties/", json=body)
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "Choose the kind of mediation."
    made = clerk.post("/api/v1/duties/", json={**body, "mediation_kind": "people"})
    assert made.status_code == 201, made.get_json()
    assert db.session.get(Duty, made.get_json()["id"]).mediation_kind == "people"


def test_a_likely_duplicate_petitioner_is_shown_before_recording(world, login):
    agent = login("agentA")
    body = {"name": "A群众", "place": world.villages["A1"].id}
    refused = agent.post("/api/v1/petitioners/", json=body)
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "likely_duplicate"
    assert "A群众" in refused.get_json()["message"]
    made = agent.post("/api/v1/petitioners/?not_a_duplicate=true", json=body)
    assert made.status_code == 201
    assert db.session.query(Petitioner).filter_by(name="A群众").count() == 2
    # the phone written is not read back (the page masks it)
    pk = made.get_json()["id"]
    assert "phone" not in agent.get(f"/api/v1/petitioners/{pk}").get_json()["result"]


def test_only_the_roles_that_write_on_the_page_write_here(world, login):
    body = {"kind": "reception", "leader": world.people["A"].id,
            "place": world.townships["A"].id, "held_on": "2026-11-03", "persons": 3}
    assert login("agentA").post("/api/v1/leader_receptions/", json=body).status_code == 403
    assert login("dept").post("/api/v1/channels/", json={
        "code": "X", "name_zh": "新渠道", "national_form": "visit"}).status_code == 403
    made = login("clerkA").post("/api/v1/leader_receptions/", json=body)
    assert made.status_code == 201, made.get_json()
    assert db.session.get(LeaderReception, made.get_json()["id"]).persons == 3
    # a banner leader may edit but not delete (RW on the page)
    pk = made.get_json()["id"]
    assert login("leader").delete(f"/api/v1/leader_receptions/{pk}").status_code == 403


def test_dictionaries_are_written_by_who_keeps_them(world, login):
    admin = login("admin")
    made = admin.post("/api/v1/channels/", json={
        "code": "HOTLINE", "name_zh": "热线", "name_mn": "ᠬᠣᠲᠯᠠᠶᠢᠨ", "national_form": "phone"})
    assert made.status_code == 201, made.get_json()
    assert db.session.get(Channel, made.get_json()["id"]).national_form == "phone"
    excluded = admin.post("/api/v1/categories/", json={
        "code": "X9", "name_zh": "不予受理的一类", "list": "excluded",
        "guidance_zh": "请向法院起诉"})
    assert excluded.status_code == 201, excluded.get_json()
    assert admin.post("/api/v1/categories/", json={
        "code": "X8", "name_zh": "x", "list": "other"}).get_json()["field"] == "list"


def test_a_database_conflict_does_not_leak_the_databases_words(world, login):
    admin = login("admin")
    code = db.session.query(Channel).first().code
    answer = admin.post("/api/v1/channels/", json={
        "code": code, "name_zh": "重复", "national_form": "visit"})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "conflict"
    assert "constraint" not in body["message"].lower() and "UNIQUE" not in body["message"]


def _csv(*lines):
    import io

    return {"file": (io.BytesIO("\n".join(lines).encode()), "people.csv")}


def test_the_roster_imports_over_rest_as_on_the_import_page(world, login, db_app):
    from app.models import Person

    # a file sent with the session cookie alone could come from another site's form
    assert login("clerkA").post("/api/v1/people/import", data=_csv("姓名,地区代码"),
                                content_type="multipart/form-data").status_code == 400
    clerk = token_client(db_app, "clerkA")
    mine, theirs = world.villages["A1"].code, world.villages["B1"].code
    refused = clerk.post("/api/v1/people/import", data=_csv(
        "姓名,地区代码", f"导入甲,{mine}", f"导入乙,{theirs}"),
        content_type="multipart/form-data")
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["field"] == "file" and "3" in refused.get_json()["message"]
    assert db.session.query(Person).filter(Person.name_zh.like("导入%")).count() == 0
    done = clerk.post("/api/v1/people/import", data=_csv("姓名,地区代码", f"导入甲,{mine}"),
                      content_type="multipart/form-data")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["created"] == 1
    assert token_client(db_app, "agentA").post(
        "/api/v1/people/import", data=_csv("姓名,地区代码"),
        content_type="multipart/form-data").status_code == 403
    assert clerk.post("/api/v1/people/import", data={},
                      content_type="multipart/form-data").status_code == 400
