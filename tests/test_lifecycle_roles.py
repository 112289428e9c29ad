"""Per-action permissions: the role matrix's lifecycle block follows the state chart, the
synchronised database holds it, and an administrator's revocation takes the action away
from the page and the API."""

import pytest

from app.domain import authority, lifecycle
from app.extensions import appbuilder, db
from app.security.roles import LIFECYCLE_ACTIONS, role_permissions
from tests.clients import sign_in
from tests.lifecycle_helpers import offered, staff_people

pytestmark = pytest.mark.usefixtures("english_ui")


def test_matrix_block_follows_the_chart():
    for role in lifecycle.ROLES:
        if role == lifecycle.ADMIN:
            continue
        granted = {p for p, view in role_permissions(role) if view == "Case"}
        for action in lifecycle.CASE_ACTIONS:
            assert (f"can_{action}" in granted) == (role in authority.roles_for(action)), (
                role, action)
    assert LIFECYCLE_ACTIONS["DepartmentStaff"] == {"Case": ("reply_transfer",)}


def test_synchronised_roles_hold_the_action_permissions(db_app):
    sm = appbuilder.sm
    clerk = sm.find_role("TownshipStaff")
    names = {(pv.permission.name, pv.view_menu.name) for pv in clerk.permissions}
    assert ("can_approve_escalation", "Case") in names
    assert ("can_read", "EscalationInbox") in names
    agent = {(pv.permission.name, pv.view_menu.name)
             for pv in sm.find_role("Agent").permissions}
    assert ("can_approve_escalation", "Case") not in agent


def test_revoked_action_disappears_from_page_and_api(db_app, world):
    staff_people(world)
    sm = appbuilder.sm
    role = sm.find_role("TownshipStaff")
    pv = sm.find_permission_view_menu("can_supervise", "Case")
    try:
        sm.del_permission_role(role, pv)
        db.session.commit()
        case_id = world.cases["A"].id
        clerk = sign_in(db_app, "clerkA")
        assert "supervise" not in offered(clerk, case_id)
        response = clerk.post(f"/api/v1/cases/{case_id}/supervise", json={"comment": "x"})
        assert response.status_code == 403
    finally:
        sm.sync_roles()
    assert "supervise" in offered(sign_in(db_app, "clerkA"), world.cases["A"].id)
