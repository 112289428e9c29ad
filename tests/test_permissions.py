"""The role × permission matrix: declared in app/security/roles.py, synchronised into
the database exactly and idempotently, enforced on the pages and the API, and shown in
the README."""

import pathlib

import pytest
from sqlalchemy import func, select

from app.extensions import appbuilder, db
from app.models import Case, Person
from app.security.roles import (
    ADMIN_ROLE,
    ALL_ROLES,
    MATRIX,
    MATRIX_END,
    MATRIX_START,
    SELF_SERVICE,
    matrix_markdown,
    role_permissions,
)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def snapshot() -> dict[str, set[tuple[str, str]]]:
    """role name → its (permission, view or menu) pairs, as stored."""
    db.session.expire_all()
    return {
        role.name: {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
        for role in appbuilder.sm.get_all_roles()
    }


def all_pairs() -> set[tuple[str, str]]:
    sm = appbuilder.sm
    return {(pv.permission.name, pv.view_menu.name)
            for pv in db.session.scalars(select(sm.permissionview_model))}


def menu_entries_for(role: str) -> set[tuple[str, str]]:
    """The menu entries a role should see: those whose page it may open (a list needs
    read, the roster import needs write), and their categories — worked out from the
    registered views, not from the sync code."""
    granted = role_permissions(role)
    pairs = set()
    for category in appbuilder.menu.get_list():
        for item in category.childs or []:
            view = item.baseview
            if view is None:
                continue
            # FAB's own views (accounts, roles) name permissions after their methods
            verb = (view.method_permission_name or {}).get(view.default_view,
                                                           view.default_view)
            if (f"can_{verb}", view.class_permission_name) in granted:
                pairs |= {("menu_access", item.name), ("menu_access", category.name)}
    return pairs


@pytest.fixture(scope="module")
def _synced_once(app):
    """`flask sync-roles`, committed, before the module's first test: idempotent, so it
    leaves the permission tables as a fresh install does whatever ran before."""
    with app.app_context():
        appbuilder.sm.sync_roles()
        db.session.remove()


@pytest.fixture()
def synced(_synced_once, db_app):
    """The database as a fresh install leaves it. What the test changes is undone by
    db_app's rollback (the kept permission sets follow the generation's random token)."""


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_holds_exactly_its_declared_permissions(synced, role):
    stored = snapshot()[role]
    menus = {p for p in stored if p[0] == "menu_access"}
    assert stored - menus == role_permissions(role)
    assert menus == menu_entries_for(role)


def test_every_declared_permission_exists(synced):
    """A typo in the matrix (a resource or verb no view has) would silently grant
    nothing; here it fails."""
    existing = all_pairs()
    for role in MATRIX:
        assert role_permissions(role) <= existing, role


def test_admin_holds_every_permission(synced):
    assert snapshot()[ADMIN_ROLE] == all_pairs()


def test_every_role_of_the_matrix_exists_and_nothing_else_is_granted(synced):
    roles = snapshot()
    assert set(ALL_ROLES) <= set(roles)
    assert roles.get(appbuilder.sm.auth_role_public, set()) == set()


def test_sync_is_idempotent(synced):
    first = snapshot()
    pv_count = db.session.scalar(
        select(func.count()).select_from(appbuilder.sm.permissionview_model))
    appbuilder.sm.sync_roles()
    assert snapshot() == first
    assert db.session.scalar(
        select(func.count()).select_from(appbuilder.sm.permissionview_model)) == pv_count


def test_upgrade_with_stale_grants_ends_like_a_fresh_install(synced):
    fresh = snapshot()
    fresh_pairs = all_pairs()
    sm = appbuilder.sm
    agent = sm.find_role("Agent")
    # an old release granted agents deletion, and had a view since removed
    sm.add_permission_role(agent, sm.find_permission_view_menu("can_delete", "Case"))
    stale = sm.add_permission_view_menu("can_read", "ObsoleteReportView")
    sm.add_permission_role(agent, stale)
    # and a method since removed from a view that is still there
    sm.add_permission_role(agent, sm.add_permission_view_menu("can_frobnicate", "Case"))
    sm.add_permission_role(sm.find_role("BannerLeader"),
                           sm.add_permission_view_menu("menu_access", "Obsolete reports"))
    sm.del_permission_role(sm.find_role("TownshipStaff"),
                           sm.find_permission_view_menu("can_write", "Person"))
    db.session.commit()
    assert snapshot() != fresh

    sm.sync_roles()
    assert snapshot() == fresh
    assert all_pairs() == fresh_pairs
    assert sm.find_view_menu("ObsoleteReportView") is None
    assert sm.find_permission_view_menu("can_frobnicate", "Case") is None


# ---- enforced ----------------------------------------------------------------------------

def test_role_without_write_cannot_open_or_post_the_add_form(world, login):
    client = login("agentA")  # Agent: people are read-only
    assert client.get("/personview/list/").status_code == 200
    response = client.get("/personview/add")
    assert response.status_code in (302, 403)
    client.post("/personview/add", data={"name_zh": "越权", "place": world.villages["A1"].id})
    assert db.session.scalar(select(func.count()).select_from(Person)
                             .where(Person.name_zh == "越权")) == 0


def test_role_without_write_cannot_edit(world, login):
    pk = world.people["A"].id
    client = login("leader")  # BannerLeader reads people everywhere, edits none
    assert client.get(f"/personview/show/{pk}").status_code == 200
    assert client.get(f"/personview/edit/{pk}").status_code in (302, 403)
    client.post(f"/personview/edit/{pk}", data={"name_zh": "改名", "place": 3})
    db.session.expire_all()
    assert db.session.get(Person, pk).name_zh == "A代办员"


def test_role_without_delete_cannot_delete_a_case(world, login):
    pk = world.cases["A"].id
    client = login("clerkA")  # township staff register and edit cases, never delete
    assert client.post(f"/caseview/delete/{pk}").status_code in (302, 403)
    client.post("/caseview/action_post", data={"action": "muldelete", "rowid": [str(pk)]})
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.id == pk)) == 1


def test_role_without_write_gets_403_from_the_api(world, login):
    client = login("leader")
    response = client.post("/api/v1/people/", json={"name_zh": "越权",
                                                    "place": world.villages["A1"].id})
    assert response.status_code == 403
    assert client.put(f"/api/v1/people/{world.people['A'].id}",
                      json={"name_zh": "x"}).status_code == 403


def test_role_without_read_gets_403(world, login):
    client = login("dept")  # department staff see cases, not the rosters
    assert client.get("/personview/list/").status_code in (302, 403)
    assert client.get("/api/v1/people/").status_code == 403


def test_self_service_is_granted_to_every_role(synced):
    roles = snapshot()
    for role in MATRIX:
        assert set(SELF_SERVICE) <= roles[role]


# ---- documented --------------------------------------------------------------------------

def _table_between_markers(path: pathlib.Path) -> str | None:
    text = path.read_text(encoding="utf-8")
    if MATRIX_START not in text:
        return None
    assert text.count(MATRIX_START) == 1 and text.count(MATRIX_END) == 1, path
    return text.split(MATRIX_START, 1)[1].split(MATRIX_END, 1)[0].strip()


def test_matrix_table_lists_every_role_and_resource():
    table = matrix_markdown()
    header = table.splitlines()[0]
    for role in ALL_ROLES:
        assert f" {role} " in header
    for resource in {r for grants in MATRIX.values() for r in grants}:
        assert f"| {resource} |" in table


def test_docs_show_the_matrix_of_the_code():
    """docs/roles.md, and README.md once it exists, carry exactly the generated table
    between the role-matrix markers."""
    docs = ROOT / "docs" / "roles.md"
    assert _table_between_markers(docs) == matrix_markdown()
    readme = ROOT / "README.md"
    if readme.exists():
        assert _table_between_markers(readme) == matrix_markdown(), (
            "README.md lacks the role matrix or it is out of date: paste "
            "app.security.roles.matrix_markdown() between the role-matrix markers"
        )
