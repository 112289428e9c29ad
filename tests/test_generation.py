"""What each app process keeps between requests — the roles' permissions, the public
role's, the data scopes, the dictionaries a search form offers — is kept under the
database's generation (app/generation.py), and every write to what it depends on, on
any server, is seen by the very next request: a permission revoked, a scope narrowed, a
channel added or renamed. A write that bypasses the ORM without ``bump`` is the one
thing not seen, which is also how these tests know that the process keeps anything."""

import contextvars
import json
import re

import pytest
from sqlalchemy import text, update

from app import generation
from app.extensions import db
from app.models import Channel, StaffUser
from app.models.security import RoleScope


def _channel_choices(client) -> list[str]:
    """The channels the case list's search form offers, by label (its inputs are in the
    page's script, as JSON, for the "Add filter" menu to copy)."""
    page = client.get("/caseview/list/").get_data(as_text=True)
    fields = [json.loads(value) for value in
              re.findall(r'"channel": ("(?:[^"\\]|\\.)*")', page)]
    select = [html for html in fields if html.startswith("<select")]
    assert select, "the case list offers no channel filter"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select[0])


def _revoke_raw(role, permission, view) -> None:
    """Another program's write, straight to the table (no ORM, no listener)."""
    db.session.execute(text(
        "DELETE FROM ab_permission_view_role WHERE role_id = :role AND permission_view_id "
        "IN (SELECT pv.id FROM ab_permission_view pv JOIN ab_permission p "
        "ON p.id = pv.permission_id JOIN ab_view_menu v ON v.id = pv.view_menu_id "
        "WHERE p.name = :permission AND v.name = :view)"),
        {"role": role.id, "permission": permission, "view": view})


@pytest.fixture(autouse=True)
def _a_generation(world):
    """The world's writes made a generation: what these tests watch is in use."""
    assert db.session.execute(text("SELECT token FROM cache_generation")).scalar()


@pytest.fixture()
def clerk_role(world):
    return db.session.query(StaffUser).filter_by(username="clerkA").one().roles[0]


def test_a_revoked_permission_refuses_the_next_request(world, login, clerk_role):
    from flask import current_app

    sm = current_app.appbuilder.sm
    client = login("clerkA")
    assert client.get("/caseview/list/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200
    for view in ("Case",):
        for pv in sm.find_permissions_view_menu(sm.find_view_menu(view)):
            if pv.permission.name == "can_read" and pv in clerk_role.permissions:
                sm.del_permission_role(clerk_role, pv)
    db.session.commit()
    assert client.get("/caseview/list/").status_code in (302, 403)
    assert client.get("/api/v1/cases/").status_code == 403
    # another clerk of the role, on a fresh client (another server's first request)
    assert login("clerkB").get("/api/v1/cases/").status_code == 403


def test_the_process_keeps_permissions_until_the_generation_changes(world, login,
                                                                    clerk_role):
    client = login("clerkA")
    assert client.get("/api/v1/cases/").status_code == 200
    _revoke_raw(clerk_role, "can_read", "Case")
    db.session.commit()
    # kept: a raw write without bump is not seen (what a migration must not do) …
    assert client.get("/api/v1/cases/").status_code == 200
    generation.bump(db.session)
    db.session.commit()
    # … and the new generation is read by the next request
    assert client.get("/api/v1/cases/").status_code == 403


def test_the_public_role_s_permissions_follow_the_generation(world, app, clerk_role):
    from flask import current_app

    from tests.clients import IsolatedClient

    sm = current_app.appbuilder.sm
    anonymous = IsolatedClient(app, app.response_class, use_cookies=True)
    assert anonymous.get("/api/v1/cases/").status_code == 401
    public = sm.find_role(sm.auth_role_public)
    granted = sm.find_permission_view_menu("can_read", "Case")
    sm.add_permission_role(public, granted)
    db.session.commit()
    # FAB lets a public permission through without a login (the scope still applies)
    assert anonymous.get("/api/v1/cases/").status_code != 401
    sm.del_permission_role(public, granted)
    db.session.commit()
    assert anonymous.get("/api/v1/cases/").status_code == 401


def test_a_narrowed_data_scope_applies_to_the_next_page(world, login, clerk_role):
    client = login("clerkA")
    case_a = world.cases["A"]
    assert client.get(f"/caseview/show/{case_a.id}").status_code == 200
    db.session.add(RoleScope(role=clerk_role, kind="own_records"))
    db.session.commit()
    assert client.get(f"/caseview/show/{case_a.id}").status_code in (302, 404)


def test_a_channel_added_or_renamed_is_offered_on_the_next_page(world, login):
    clerk = login("clerkA")
    before = _channel_choices(clerk)
    assert before and _channel_choices(clerk) == before
    admin = login("admin")
    response = admin.post("/channelview/add", data={
        "code": "WECHAT_TEST", "name_zh": "微信小程序测试", "name_mn": "ᠸᠢᠴᠠᠲ",
        "national_form": "wechat", "sort_order": "99", "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "微信小程序测试" in _channel_choices(clerk)
    # a bulk statement through the ORM is a write too
    db.session.execute(update(Channel).where(Channel.code == "WECHAT_TEST")
                       .values(name_zh="微信小程序改名"))
    db.session.commit()
    after = _channel_choices(clerk)
    assert "微信小程序改名" in after and "微信小程序测试" not in after


def test_a_change_rolled_back_leaves_nothing_kept(world, login, clerk_role):
    from flask import current_app

    sm = current_app.appbuilder.sm
    client = login("clerkA")
    assert client.get("/api/v1/cases/").status_code == 200
    savepoint = db.session.begin_nested()
    clerk_role.permissions.remove(sm.find_permission_view_menu("can_read", "Case"))
    db.session.flush()
    assert client.get("/api/v1/cases/").status_code == 403
    savepoint.rollback()
    assert client.get("/api/v1/cases/").status_code == 200


def test_a_place_gaining_a_case_keeps_the_generation(world):
    from tests.world import add_case

    before = db.session.execute(text("SELECT token FROM cache_generation")).scalar()
    village = world.villages["A1"]
    add_case(world, "A9", village, world.cases["A"].petitioner, title="又一件")
    db.session.commit()
    after = db.session.execute(text("SELECT token FROM cache_generation")).scalar()
    # registering cases must not contend on the generation's row
    assert after == before


def test_an_api_call_reads_the_permissions_from_what_is_kept(world, app, login):
    from sqlalchemy import event

    client = login("clerkA")
    client.get("/api/v1/me/")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/api/v1/me/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert not [s for s in statements
                if "FROM ab_permission" in s or re.search(r"FROM ab_role\b(?! AS)", s)]
    assert any("cache_generation" in s for s in statements)


def test_a_new_township_is_found_by_its_path_on_the_next_request(world, app):
    from app.models import Place
    from tests.world import add_place

    def in_a_request(function):
        """``function()`` in a request of its own, as a server runs one (a new g)."""
        def run():
            with app.test_request_context("/"):
                return function()
        return contextvars.Context().run(run)

    path = world.banner.path + "150221999000/"
    assert in_a_request(lambda: Place.id_by_path(path)) is None
    township = add_place("township", "150221999000", "新设苏木", parent=world.banner)
    db.session.commit()
    assert township.path == path
    assert in_a_request(lambda: Place.id_by_path(path)) == township.id


def test_a_sync_is_one_new_generation_and_the_next_request_sees_it(world, login):
    """FAB's pass commits each permission it creates. The sync replaces the token once,
    at its end, and the next request reads what it granted."""
    from flask import current_app
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    client = login("clerkA")
    assert client.get("/api/v1/cases/").status_code == 200
    # another program removed the case permissions (no bump): FAB creates them again
    for table in ("ab_permission_view_role", "ab_permission_view"):
        key = "permission_view_id" if table == "ab_permission_view_role" else "id"
        db.session.execute(text(
            f"DELETE FROM {table} WHERE {key} IN (SELECT pv.id FROM ab_permission_view pv "
            "JOIN ab_view_menu v ON v.id = pv.view_menu_id WHERE v.name = 'Case')"))
    db.session.commit()
    assert client.get("/api/v1/cases/").status_code == 200  # kept, as before

    new_tokens = []

    def count(conn, cursor, statement, *args):
        if re.match(r"(UPDATE|INSERT INTO) cache_generation", statement):
            new_tokens.append(statement)
    event.listen(Engine, "before_cursor_execute", count)
    try:
        current_app.appbuilder.sm.sync_roles()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len(new_tokens) == 1
    assert client.get("/api/v1/cases/").status_code == 200
    assert client.get("/caseview/list/").status_code == 200
