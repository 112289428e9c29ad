"""Every case action over REST, through the same services: refusals are JSON 403/404/422
with a message, and the actions are listed in the OpenAPI spec."""

import pytest

from app.domain.lifecycle import CASE_ACTIONS
from tests.lifecycle_helpers import staff_people

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def people(world):
    return staff_people(world)


def _accept_body(**extra):
    return {"entrustment_signer": "签字人", "entrustment_signed_on": "2026-11-03", **extra}


def test_openapi_lists_every_action(world, login):
    spec = login("admin").get("/api/v1/_openapi").get_json()
    path = spec["paths"]["/api/v1/cases/{pk}/{action}"]["post"]
    enum = next(p for p in path["parameters"] if p["name"] == "action")["schema"]["enum"]
    assert enum == list(CASE_ACTIONS)


def test_accept_then_stale_version_refused(world, people, login):
    client = login("agentA")
    case = world.cases["A"]
    version = client.get(f"/api/v1/cases/{case.id}").get_json()["result"]["version"]
    response = client.post(f"/api/v1/cases/{case.id}/accept",
                           json=_accept_body(version=version))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "in_progress"
    again = client.post(f"/api/v1/cases/{case.id}/record_progress",
                        json={"comment": "走访", "version": version})
    assert again.status_code == 422
    assert "Reload" in again.get_json()["message"] or again.get_json()["message"]


def test_refusals_are_json(world, people, login):
    case = world.cases["A"]
    agent = login("agentA")
    assert agent.post(f"/api/v1/cases/{case.id}/accept", json={}).status_code == 422
    # wrong state: nothing to conclude yet
    wrong = agent.post(f"/api/v1/cases/{case.id}/conclude", json={"reply": "x"})
    assert wrong.status_code == 422 and wrong.get_json()["message"]
    # role without the permission
    mediator = login("mediatorA").post(f"/api/v1/cases/{case.id}/accept", json=_accept_body())
    assert mediator.status_code == 403
    # another township's case looks like no case at all
    other = login("agentB").post(f"/api/v1/cases/{case.id}/accept", json=_accept_body())
    assert other.status_code == 404
    assert agent.post(f"/api/v1/cases/{case.id}/explode", json={}).status_code == 404
    assert agent.post(f"/api/v1/cases/{case.id}/accept", json=[1]).status_code == 400
    garbage = agent.post(f"/api/v1/cases/{case.id}/accept", json=_accept_body(version="x"))
    assert garbage.status_code == 422


def test_archived_case_cannot_be_edited_by_api(world, people, login):
    client = login("clerkA")
    case_id = world.cases["A"].id
    assert client.post(f"/api/v1/cases/{case_id}/terminate",
                       json={"reason": "withdrawn"}).status_code == 200
    assert client.post(f"/api/v1/cases/{case_id}/archive", json={}).status_code == 200
    response = client.put(f"/api/v1/cases/{case_id}", json={"title": "改"})
    assert response.status_code == 422
