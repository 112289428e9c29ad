"""Data scope as a per-role setting: the security administrator gives a role the whole
banner, its accounts' place and below (the default), their place only, their own
records, or chosen places — and every path that reads through the scope follows it:
lists, pages by URL, the REST API, exports, history, the cockpit. Who administers the
tree and the accounts still goes by the account's binding."""

import datetime
import re

import pytest
from sqlalchemy import select

from app.extensions import appbuilder, db
from app.models import AuditEntry, Place, RoleScope
from app.security.scope import scope_for_user
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, staff_people, user
from tests.world import add_case, add_user
from tests.write_guard import direct_case_writes

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def cases(world):
    """Case A (village A1), A2 (village A2), AG (grid of A1), B (village B1)."""
    staff_people(world)
    add_case(world, "A2", world.villages["A2"], world.petitioners["A"])
    add_case(world, "AG", world.grids["A1"], world.petitioners["A"])
    return world.cases


def _set_scope(role_name, kind, places=()):
    role = appbuilder.sm.find_role(role_name)
    row = db.session.scalar(select(RoleScope).where(RoleScope.role_id == role.id))
    row = row or RoleScope(role_id=role.id)
    row.kind, row.places = kind, list(places)
    db.session.add(row)
    db.session.commit()


def _visible(client) -> set[str]:
    """The case numbers the account reads over the REST API."""
    body = client.get("/api/v1/cases/?q=(page_size:100)").get_json()
    return {row["number"] for row in body["result"]}


def _numbers(cases, *keys):
    return {cases[k].number for k in keys}


def test_without_a_setting_a_role_sees_its_place_and_below(cases, db_app):
    assert _visible(sign_in(db_app, "clerkA")) == _numbers(cases, "A", "A2", "AG")
    assert _visible(sign_in(db_app, "leader")) == _numbers(cases, "A", "A2", "AG", "B")


def test_own_place_only(cases, db_app):
    add_user("villager", "Mediator", cases["A"].place)
    village = sign_in(db_app, "villager")
    assert _visible(village) == _numbers(cases, "A", "AG")  # the village and its grid
    _set_scope("Mediator", "own_place")
    village = sign_in(db_app, "villager")
    assert _visible(village) == _numbers(cases, "A")
    assert village.get(f"/caseview/show/{cases['AG'].id}").status_code == 404
    places = village.get("/api/v1/places/?q=(page_size:100)").get_json()["result"]
    assert [p["id"] for p in places] == [cases["A"].place_id]


@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_own_records_only(cases, db_app):
    accept(cases["A"])  # agentA's person becomes the case's agent
    with direct_case_writes():
        cases["A2"].registered_by_id = user("agentA").id
        db.session.commit()
    _set_scope("Agent", "own_records")
    agent = sign_in(db_app, "agentA")
    assert _visible(agent) == _numbers(cases, "A", "A2")
    assert agent.get(f"/caseview/show/{cases['AG'].id}").status_code == 404
    assert agent.get(f"/api/v1/cases/{cases['AG'].id}").status_code == 404
    listed = agent.get("/caseview/list/").get_data(as_text=True)
    assert cases["A2"].number in listed and cases["AG"].number not in listed
    export = agent.get("/caseview/export/").get_data(as_text=True)
    assert cases["A"].number in export and cases["AG"].number not in export
    events = agent.get("/api/v1/case_events/?q=(page_size:100)").get_json()["result"]
    assert {e["case_id"] for e in events} == {cases["A"].id, cases["A2"].id}
    # the rest of the register is still their place and below (villages to register in)
    places = agent.get("/api/v1/places/?q=(page_size:100)").get_json()["count"]
    assert places == 5  # township A, its two villages and their grids


def test_chosen_places(cases, db_app):
    _set_scope("Mediator", "places", [cases["B"].place])
    mediator = sign_in(db_app, "mediatorA")
    assert _visible(mediator) == _numbers(cases, "B")
    assert mediator.get(f"/caseview/show/{cases['A'].id}").status_code == 404
    people = mediator.get("/api/v1/petitioners/?q=(page_size:100)").get_json()["result"]
    assert {p["name"] for p in people} == {"B群众"}


def test_whole_banner_reads_everything_but_administers_only_its_binding(cases, db_app):
    _set_scope("TownshipStaff", "banner")
    clerk = sign_in(db_app, "clerkA")
    assert _visible(clerk) == _numbers(cases, "A", "A2", "AG", "B")
    # reading the whole banner does not make the clerk its administrator
    township = cases["A"].place.parent
    answer = clerk.put(f"/api/v1/places/{township.id}", json={"parent": None})
    assert answer.status_code in (403, 422)
    db.session.expire_all()
    assert db.session.get(Place, township.id).parent_id is not None


def test_an_account_with_two_roles_sees_the_union(cases, db_app):
    account = add_user("twohats", "Mediator", cases["A"].place)
    account.roles.append(appbuilder.sm.find_role("GridWorker"))
    db.session.commit()
    _set_scope("Mediator", "own_place")
    _set_scope("GridWorker", "places", [cases["B"].place])
    assert _visible(sign_in(db_app, "twohats")) == _numbers(cases, "A", "B")
    scope = scope_for_user(user("twohats"))
    assert scope.ids == (cases["A"].place_id,) and scope.paths == (cases["B"].place.path,)


def test_the_cockpit_counts_what_the_scope_reaches(cases, db_app):
    with direct_case_writes():
        cases["A"].registered_by_id = user("clerkA").id
        db.session.commit()
    today = datetime.date.today()
    query = f"from={today.year - 1}-01-01&to={today.isoformat()}"
    clerk = sign_in(db_app, "clerkA")
    assert clerk.get(f"/api/v1/cockpit/summary?{query}").get_json()["headline"]["total"] == 3
    _set_scope("TownshipStaff", "own_records")
    clerk = sign_in(db_app, "clerkA")
    summary = clerk.get(f"/api/v1/cockpit/summary?{query}").get_json()
    assert summary["headline"]["total"] == 1
    figures = clerk.get(f"/api/v1/cockpit/figures?{query}").get_json()
    assert sum(p["count"] for p in figures["trend"]["new"]) == 1
    _set_scope("TownshipStaff", "banner")
    clerk = sign_in(db_app, "clerkA")
    assert clerk.get(f"/api/v1/cockpit/summary?{query}").get_json()["headline"]["total"] == 4


@pytest.fixture()
def secadmin(world):
    return add_user("secadmin", "SecurityAdmin", world.banner)


def test_only_the_security_administrator_sets_data_scopes(cases, db_app, secadmin):
    for name in ("clerkA", "leader"):
        client = sign_in(db_app, name)
        assert client.get("/rolescopeview/list/").status_code in (302, 403), name
        assert client.post("/rolescopeview/add", data={
            "role": appbuilder.sm.find_role("Agent").id, "kind": "banner"}).status_code in (
            302, 403)
    add_user("sysadmin", "SystemAdmin", cases["A"].place.parent.parent)
    assert sign_in(db_app, "sysadmin").get("/rolescopeview/list/").status_code in (302, 403)
    assert db.session.query(RoleScope).count() == 0

    admin = sign_in(db_app, "secadmin")
    assert admin.get("/rolescopeview/list/").status_code == 200
    form = admin.get("/rolescopeview/add").get_data(as_text=True)
    assert "Own records only" in form and "Chosen places" in form
    agent_role = appbuilder.sm.find_role("Agent").id
    # chosen places without a place: refused, nothing saved
    refused = admin.post("/rolescopeview/add", data={"role": agent_role, "kind": "places"})
    assert refused.status_code == 200 and "Choose the places" in refused.get_data(as_text=True)
    assert db.session.query(RoleScope).count() == 0
    saved = admin.post("/rolescopeview/add", data={"role": agent_role, "kind": "own_records"})
    assert saved.status_code == 302
    db.session.expire_all()
    row = db.session.query(RoleScope).one()
    assert row.kind == "own_records"
    logged = db.session.query(AuditEntry).filter_by(model="RoleScope").all()
    assert [(e.action, e.username) for e in logged] == [("create", "secadmin")]
    page = admin.get("/rolescopeview/list/").get_data(as_text=True)
    assert re.search(r"Agent.*Own records only", page, re.S)
    assert _visible(sign_in(db_app, "agentA")) == set()  # no case of theirs yet


def test_the_security_administrator_reads_the_scopes_over_rest(cases, db_app, secadmin):
    _set_scope("Mediator", "places", [cases["B"].place])
    rows = sign_in(db_app, "secadmin").get("/api/v1/data_scopes/").get_json()["result"]
    assert [(r["kind"], [p["id"] for p in r["places"]]) for r in rows] == [
        ("places", [cases["B"].place_id])]
    assert sign_in(db_app, "clerkA").get("/api/v1/data_scopes/").status_code == 403
