"""Accounts, roles and permissions over /api/v1/ for who administers them on the
security pages, under those pages' permissions: the system administrator keeps
accounts, the security administrator reads roles; nobody else sees either, and a
password's hash never leaves."""

import pytest
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models.user import StaffUser
from tests.world import add_user

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def admins(world):
    add_user("sysadmin", "SystemAdmin", world.banner)
    add_user("secadmin", "SecurityAdmin", world.banner)


def test_the_system_administrator_lists_and_reads_accounts(world, admins, login):
    client = login("sysadmin")
    body = client.get("/api/v1/accounts/?q=(page_size:100)").get_json()
    names = {row["username"] for row in body["result"]}
    assert {"clerkA", "agentB", "dept"} <= names
    clerk = world.users["clerkA"]
    shown = client.get(f"/api/v1/accounts/{clerk.id}").get_json()["result"]
    assert shown["place_id"] == world.townships["A"].id
    assert [r["name"] for r in shown["roles"]] == ["TownshipStaff"]
    assert "password" not in shown and "password_history" not in shown
    found = client.get(
        "/api/v1/accounts/?q=(filters:!((col:username,opr:sw,value:clerk)))").get_json()
    assert {row["username"] for row in found["result"]} == {"clerkA", "clerkB"}


def test_nobody_else_reads_accounts_or_roles(world, admins, login):
    for username in ("clerkA", "leader", "secadmin"):
        assert login(username).get("/api/v1/accounts/").status_code == 403, username
    for username in ("clerkA", "sysadmin"):
        assert login(username).get("/api/v1/roles/").status_code == 403, username
    roles = login("secadmin").get("/api/v1/roles/?q=(page_size:100)").get_json()["result"]
    assert "TownshipStaff" in {r["name"] for r in roles}
    staff = next(r for r in roles if r["name"] == "TownshipStaff")
    held = login("secadmin").get(f"/api/v1/roles/{staff['id']}").get_json()["result"]
    ids = [p["id"] for p in held["permissions"]]
    first = login("secadmin").get(f"/api/v1/permission_views/{ids[0]}").get_json()
    assert set(first["result"]) == {"id", "permission", "view_menu"}


def test_an_account_is_created_as_on_the_page(world, admins, login):
    client = login("sysadmin")
    role = db.session.query(StaffUser).filter_by(username="clerkA").one().roles[0]
    body = {"first_name": "新", "last_name": "职员", "username": "newclerk",
            "email": "newclerk@example.org", "active": True, "roles": [role.id],
            "place": world.townships["A"].id, "password": "weak"}
    weak = client.post("/api/v1/accounts/", json=body)
    assert weak.status_code == 422 and weak.get_json()["field"] == "password"
    both = client.post("/api/v1/accounts/", json={
        **body, "password": "Str0ng-Pass", "department": world.users["dept"].department_id})
    assert both.status_code == 422 and both.get_json()["field"] == "place"
    made = client.post("/api/v1/accounts/", json={**body, "password": "Str0ng-Pass"})
    assert made.status_code == 201, made.get_json()
    assert "password" not in made.get_json()["result"]
    account = db.session.get(StaffUser, made.get_json()["id"])
    assert check_password_hash(account.password, "Str0ng-Pass")
    assert account.must_change_password
    moved = client.put(f"/api/v1/accounts/{account.id}", json={
        "first_name": "新", "last_name": "职员", "username": "newclerk",
        "email": "newclerk@example.org", "active": False, "roles": [role.id],
        "place": world.townships["B"].id})
    assert moved.status_code == 200, moved.get_json()
    db.session.refresh(account)
    assert account.place_id == world.townships["B"].id and not account.active
    assert client.put(f"/api/v1/accounts/{account.id}", json={"password": "x"}).get_json()[
        "code"] == "unknown_field"


def test_a_password_is_reset_as_on_the_page(world, admins, login, db_app):
    client = login("sysadmin")
    clerk = world.users["clerkA"]
    short = client.put(f"/api/v1/accounts/{clerk.id}/password", json={"password": "short"})
    assert short.get_json()["field"] == "password", short.get_json()
    assert client.put(f"/api/v1/accounts/{clerk.id}/password",
                      json={"password": "Temp-2026-pass", "x": 1}).get_json()[
        "code"] == "unknown_field"
    assert login("clerkB").put(f"/api/v1/accounts/{clerk.id}/password",
                               json={"password": "Temp-2026-pass"}).status_code == 403
    done = client.put(f"/api/v1/accounts/{clerk.id}/password",
                      json={"password": "Temp-2026-pass"})
    assert done.status_code == 200, done.get_json()
    db.session.expire_all()
    account = db.session.get(StaffUser, clerk.id)
    assert check_password_hash(account.password, "Temp-2026-pass")
    assert account.must_change_password
    assert client.put("/api/v1/accounts/987654/password",
                      json={"password": "Temp-2026-pass"}).status_code == 404


def test_the_security_administrator_keeps_custom_roles(world, admins, login):
    from flask_appbuilder.security.sqla.models import Role

    client = login("secadmin")
    views = client.get("/api/v1/permission_views/?q=(page_size:100)").get_json()["result"]
    read_cases = next(p["id"] for p in views
                      if p["permission"]["name"] == "can_read"
                      and p["view_menu"]["name"] == "Case")
    made = client.post("/api/v1/roles/", json={"name": "Hotline", "permissions": [read_cases]})
    assert made.status_code == 201, made.get_json()
    pk = made.get_json()["id"]
    assert [p.id for p in db.session.get(Role, pk).permissions] == [read_cases]
    assert client.put(f"/api/v1/roles/{pk}", json={"name": "Hotline 12345",
                                                    "permissions": []}).status_code == 200
    assert login("sysadmin").delete(f"/api/v1/roles/{pk}").status_code == 403
    assert client.delete(f"/api/v1/roles/{pk}").status_code == 200
    assert db.session.get(Role, pk) is None
    # the matrix's roles stay: accounts hold them
    builtin = db.session.query(Role).filter_by(name="Agent").one()
    refused = client.delete(f"/api/v1/roles/{builtin.id}")
    assert refused.status_code == 422 and refused.get_json()["code"] == "refused"
    db.session.expire_all()
    assert db.session.query(Role).filter_by(name="Agent").count() == 1


def test_an_administrator_neither_deletes_nor_deactivates_their_own_account(
        world, admins, login):
    """The page's rule over the API (app/security/accounts.py, own_account_refusal):
    refused with its message, nothing changed, still signed in; another administrator
    can."""
    client = login("sysadmin")
    own = db.session.query(StaffUser).filter_by(username="sysadmin").one()
    own_id = own.id
    body = {"first_name": own.first_name, "last_name": own.last_name,
            "username": "sysadmin", "email": own.email, "active": False,
            "roles": [role.id for role in own.roles], "place": world.banner.id}
    deactivated = client.put(f"/api/v1/accounts/{own_id}", json=body)
    assert deactivated.status_code == 422, deactivated.get_json()
    assert deactivated.get_json()["field"] == "active"
    assert "deactivate your own account" in deactivated.get_json()["message"]
    deleted = client.delete(f"/api/v1/accounts/{own_id}")
    assert deleted.status_code == 422, deleted.get_json()
    assert "delete your own account" in deleted.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(StaffUser, own_id).active
    assert client.get("/api/v1/me/").status_code == 200  # still signed in

    add_user("sysadmin2", "SystemAdmin", world.banner)
    db.session.commit()
    other = login("sysadmin2")
    assert other.put(f"/api/v1/accounts/{own_id}", json=body).status_code == 200
    assert other.delete(f"/api/v1/accounts/{own_id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(StaffUser, own_id) is None
