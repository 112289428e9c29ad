"""Administrators bind every account to a place or a department."""

import pytest
from sqlalchemy import select

from app.extensions import appbuilder, db
from app.models import StaffUser


def _form(**extra):
    role = appbuilder.sm.find_role("TownshipStaff")
    return {"first_name": "新", "last_name": "用户", "username": "newclerk",
            "email": "newclerk@example.org", "active": "y", "roles": str(role.id),
            "password": "Secret-123", "conf_password": "Secret-123", **extra}


def _exists():
    return db.session.scalar(select(StaffUser).where(StaffUser.username == "newclerk"))


def test_an_account_without_place_or_department_is_refused(world, login):
    page = login("admin").post("/users/add", data=_form())
    assert page.status_code == 200
    assert _exists() is None


def test_an_account_with_both_place_and_department_is_refused(world, login):
    from app.models import Department

    department = db.session.scalar(select(Department))
    login("admin").post("/users/add", data=_form(place=str(world.townships["A"].id),
                                                 department=str(department.id)))
    assert _exists() is None


def test_an_account_bound_to_a_township_sees_that_township(world, login):
    response = login("admin").post("/users/add",
                                   data=_form(place=str(world.townships["A"].id)))
    assert response.status_code == 302
    assert _exists().place_id == world.townships["A"].id
    client = login("newclerk", "Secret-123")
    # an account an administrator created changes its password before anything else
    assert client.get("/api/v1/cases/").status_code == 403
    client.post("/resetmypassword/form", data={
        "old_password": "Secret-123", "password": "Own-Secret-9", "conf_password": "Own-Secret-9"})
    cases = client.get("/api/v1/cases/").get_json()
    assert cases["ids"] == [world.cases["A"].id]


def test_the_account_forms_person_is_searched_not_listed(world, login):
    """The roster person an account is: chosen by typing (the form holds only the chosen
    one), and the account saved with them."""
    from app.models import Person

    db.session.add_all([Person(name_zh=f"苏和{n:02d}", place=world.villages["A1"])
                        for n in range(30)])
    db.session.commit()
    admin = login("admin")
    html = admin.get("/users/add").get_data(as_text=True)
    assert "苏和" not in html and "/users/pick/person" in html
    found = admin.get("/users/pick/person", query_string={"q": "苏和07"}).get_json()["results"]
    assert [r["text"].split(" · ")[0] for r in found] == ["苏和07"]
    assert login("clerkA").get("/users/pick/person").status_code in (302, 403)
    admin.post("/users/add", data=_form(username="suhe07", person=str(found[0]["id"]),
                                         place=str(world.villages["A1"].id)))
    account = db.session.scalar(select(StaffUser).where(StaffUser.username == "suhe07"))
    assert account is not None and account.person_id == found[0]["id"]


@pytest.mark.usefixtures("english_ui")
def test_an_administrator_neither_deletes_nor_deactivates_their_own_account(world, login):
    """Deleting or deactivating one's own account would sign the administrator out for
    good (and the last one would lock everyone out): refused with a message, nothing
    changed, still signed in. Another administrator can do both."""
    from tests.world import add_user

    own = world.users["admin"].id
    admin = login("admin")
    refused = admin.post(f"/users/delete/{own}", follow_redirects=True)
    assert "You cannot delete your own account" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaffUser, own) is not None
    assert admin.get("/users/list/").status_code == 200  # still signed in

    form = {"first_name": "系统", "last_name": "管理员", "username": "admin",
            "email": "admin@example.org", "roles": str(appbuilder.sm.find_role("Admin").id),
            "place": str(world.banner.id)}  # no "active": the box unticked
    page = admin.post(f"/users/edit/{own}", data=form)
    assert page.status_code == 200
    assert "You cannot deactivate your own account" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StaffUser, own).active
    assert admin.get("/users/list/").status_code == 200

    add_user("admin2", "Admin", world.banner)
    db.session.commit()
    other = login("admin2")
    assert other.post(f"/users/edit/{own}", data=form).status_code == 302
    db.session.expire_all()
    assert not db.session.get(StaffUser, own).active
    other.post(f"/users/delete/{own}")
    db.session.expire_all()
    assert db.session.get(StaffUser, own) is None
