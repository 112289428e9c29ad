"""The role × permission matrix, as data. `flask daiban sync-roles` makes the database
match it exactly (idempotent), the README's table is checked against it by a test, and
administrators may grant or revoke more through the UI between upgrades.

Resources are the ``class_permission_name`` of our views and APIs; their methods map to
three verbs (read, write, delete) plus named lifecycle permissions."""

from flask_babel import lazy_gettext as _l

from app.domain.authority import permissions_by_role

READ, WRITE, DELETE = "read", "write", "delete"
# ID numbers and phones in full (on a person's or petitioner's page, audited)
SHOW_UNMASKED = "show_unmasked"
RW = (READ, WRITE)
RWD = (READ, WRITE, DELETE)

# method name of a FAB ModelView / ModelRestApi → permission verb
METHOD_PERMISSIONS = {
    "list": READ,
    "show": READ,
    "export": READ,
    "download": READ,
    "get": READ,
    "get_list": READ,
    "info": READ,
    "add": WRITE,
    "edit": WRITE,
    "post": WRITE,
    "put": WRITE,
    "delete": DELETE,
    "muldelete": DELETE,
    "action": WRITE,
    "action_post": WRITE,
}

ROLE_LABELS = {
    "Agent": _l("Agent"),
    "GridWorker": _l("Grid worker"),
    "Mediator": _l("Mediator"),
    "CaseLeader": _l("Case-responsible leader"),
    "DepartmentStaff": _l("Stationed department staff"),
    "TownshipStaff": _l("Township staff"),
    "BannerLeader": _l("Banner leader"),
    "SystemAdmin": _l("System administrator"),
    "SecurityAdmin": _l("Security administrator"),
    "AuditAdmin": _l("Audit administrator"),
    "Admin": _l("Administrator"),
}

_DICTIONARIES_READ = {"Category": (READ,), "Channel": (READ,), "Department": (READ,)}

MATRIX: dict[str, dict[str, tuple[str, ...]]] = {
    "Agent": {
        "Place": (READ,),
        "Site": (READ,),
        "Person": (READ,),
        "Duty": (READ,),
        "Training": (READ,),
        "Petitioner": (*RW, SHOW_UNMASKED),  # the agent calls the petitioner
        "Case": RW,
        "CaseEvent": (READ,),
        "MediationSession": (READ,),
        "LeaderReception": (READ,),
        "DutyRota": (READ,),
        **_DICTIONARIES_READ,
    },
    "GridWorker": {
        "Place": (READ,),
        "Site": (READ,),
        "Person": (READ,),
        "Petitioner": RW,
        "Case": RW,
        "CaseEvent": (READ,),
        **_DICTIONARIES_READ,
    },
    "Mediator": {
        "Place": (READ,),
        "Site": (READ,),
        "Person": (READ,),
        "Petitioner": (READ,),
        "Case": (READ,),
        "CaseEvent": (READ,),
        "MediationSession": (READ,),
        **_DICTIONARIES_READ,
    },
    "CaseLeader": {
        "Place": (READ,),
        "Person": (READ,),
        "Petitioner": (READ,),
        "Case": (READ,),
        "CaseEvent": (READ,),
        "JointMeeting": (READ,),
        "LeaderReception": RW,
        **_DICTIONARIES_READ,
    },
    "DepartmentStaff": {
        "Case": (READ,),
        "CaseEvent": (READ,),
        **_DICTIONARIES_READ,
    },
    "TownshipStaff": {
        "Place": RWD,
        "Site": RWD,
        "Person": (*RWD, SHOW_UNMASKED),  # keeps the roster and registers petitioners
        "Duty": RWD,
        "Training": RWD,
        "Petitioner": (*RWD, SHOW_UNMASKED),
        "Case": RW,
        "CaseEvent": (READ,),
        "MediationSession": (READ,),
        "LeaderReception": RWD,
        "DutyRota": RWD,
        "JointMeeting": (READ,),
        **_DICTIONARIES_READ,
    },
    "BannerLeader": {
        "Place": (READ,),
        "Site": (READ,),
        "Person": (READ,),
        "Duty": (READ,),
        "Training": (READ,),
        "Petitioner": (READ,),
        "Case": (READ,),
        "CaseEvent": (READ,),
        "MediationSession": (READ,),
        "LeaderReception": RW,
        "DutyRota": (READ,),
        "JointMeeting": RW,
        **_DICTIONARIES_READ,
    },
}

# --- the life of a case (issue 3) ------------------------------------------------------
# Per-action permissions on "Case" (can_accept, can_approve_escalation, …) follow the
# roles the authority names (app/domain/authority.py), so the two cannot disagree; the
# inboxes are views of their own. Mediation sessions are recorded on the case
# (record_mediation), so their own view is read-only for everyone. Kept apart from
# MATRIX so edits merge easily.
LIFECYCLE_ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    role: {"Case": actions} for role, actions in permissions_by_role().items() if actions
}
LIFECYCLE_VIEWS: dict[str, dict[str, tuple[str, ...]]] = {
    "TownshipStaff": {"EscalationInbox": (READ,), "JointMeetingCase": (READ,)},
    "BannerLeader": {"EscalationInbox": (READ,), "JointMeetingCase": (READ,)},
    "CaseLeader": {"MyCases": (READ,), "JointMeetingCase": (READ,)},
    "DepartmentStaff": {"TransferInbox": (READ,)},
}
LIFECYCLE_BLOCKS = (LIFECYCLE_ACTIONS, LIFECYCLE_VIEWS)

# --- cockpit and daily bulletin (issue 4) ---------------------------------------------
# Banner leaders, township staff (their township only, by scope) and case leaders read
# the cockpit and the bulletin; Admin gets every permission anyway.
COCKPIT_READERS = ("BannerLeader", "TownshipStaff", "CaseLeader")
for _role in COCKPIT_READERS:
    MATRIX[_role].update({"Cockpit": (READ,), "Bulletin": (READ,)})

# --- 三通: exchange with the upper-level petition system (issue 12) ------------------------
# Exporting hands over petitioners' phones and addresses, and importing registers cases:
# the staff who keep the petitioners (township and banner-centre staff) do both.
MATRIX["TownshipStaff"]["Exchange"] = RW

# Every signed-in role may see and edit its own account and switch language.
SELF_SERVICE = [
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("userinfoedit", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
    # the REST API's OpenAPI spec and its Swagger page
    ("can_get", "OpenApi"),
    ("can_show", "SwaggerView"),
]

# --- separation of duties, 三员分立 (issue 11) -------------------------------------------
# The system administrator keeps accounts, places and dictionaries; the security
# administrator roles and permissions; the audit administrator reads the audit trail and
# nothing else. None reads case contents. In a production configuration no account holds
# two of them (nor Admin, which holds everything: for development and the demo only).
SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN = "SystemAdmin", "SecurityAdmin", "AuditAdmin"
DUTY_ROLES = (SYSTEM_ADMIN, SECURITY_ADMIN, AUDIT_ADMIN)
MATRIX[SYSTEM_ADMIN] = {"Place": RWD, "Site": RWD, "Category": RWD, "Channel": RWD,
                        "Department": RWD,
                        # integrators' endpoints and the log of what was sent to them
                        "Webhook": RWD, "WebhookDelivery": (READ,)}
MATRIX[SECURITY_ADMIN] = {"RoleScope": RWD}  # each role's data scope
MATRIX[AUDIT_ADMIN] = {"AuditLog": (READ,)}
# FAB's own security views name their permissions after their methods
ACCOUNTS = [*((p, "UserDBModelView") for p in ("can_list", "can_show", "can_add",
                                                 "can_edit", "can_delete", "resetpasswords")),
            ("can_this_form_get", "ResetPasswordView"),
            ("can_this_form_post", "ResetPasswordView")]
ROLES_AND_PERMISSIONS = [
    *((p, "RoleModelView") for p in ("can_list", "can_show", "can_add", "can_edit",
                                      "can_delete", "copyrole")),
    *(("can_list", v) for v in ("PermissionModelView", "ViewMenuModelView",
                                 "PermissionViewModelView")),
]
DUTIES = {SYSTEM_ADMIN: ACCOUNTS, SECURITY_ADMIN: ROLES_AND_PERMISSIONS}

ADMIN_ROLE = "Admin"
ALL_ROLES = [*MATRIX, ADMIN_ROLE]


def separation_problem(role_names) -> bool:
    """True when one account would hold two of the three duties (Admin holds all)."""
    names = set(role_names)
    return ADMIN_ROLE in names or len(names & set(DUTY_ROLES)) > 1


def role_permissions(role: str) -> set[tuple[str, str]]:
    """(permission, view) pairs of a role per the matrix; Admin is computed at sync time
    (every permission that exists)."""
    pairs = set(SELF_SERVICE) | set(DUTIES.get(role, ()))
    for block in (MATRIX, *LIFECYCLE_BLOCKS):
        for resource, verbs in block.get(role, {}).items():
            pairs.update((f"can_{verb}", resource) for verb in verbs)
    return pairs


MATRIX_START = "<!-- role-matrix:start -->"
MATRIX_END = "<!-- role-matrix:end -->"
_VERB_ORDER = (READ, WRITE, DELETE, SHOW_UNMASKED)


def matrix_markdown() -> str:
    """The matrix as the Markdown table the README shows (checked by a test; paste the
    output between the role-matrix markers after changing the matrix): every resource
    with its verbs, then each case action of the lifecycle chart as a row of its own."""
    roles = [*MATRIX, ADMIN_ROLE]
    lines = [
        "| Resource | " + " | ".join(roles) + " |",
        "| --- |" + " --- |" * len(roles),
    ]
    blocks = (MATRIX, LIFECYCLE_VIEWS)
    resources = list(dict.fromkeys(r for block in blocks for grants in block.values()
                                   for r in grants))
    for resource in resources:
        cells = []
        for role in MATRIX:
            verbs = {v for block in blocks for v in block.get(role, {}).get(resource, ())}
            cells.append(", ".join(v.replace("_", " ") for v in _VERB_ORDER if v in verbs)
                         or "—")
        cells.append("all")
        lines.append(f"| {resource} | " + " | ".join(cells) + " |")
    actions = list(dict.fromkeys(a for grants in LIFECYCLE_ACTIONS.values()
                                 for a in grants.get("Case", ())))
    for action in actions:
        cells = ["yes" if action in LIFECYCLE_ACTIONS.get(role, {}).get("Case", ()) else "—"
                 for role in MATRIX]
        lines.append(f"| Case action: {action} | " + " | ".join([*cells, "yes"]) + " |")
    for label, pairs in (("accounts (users, password resets)", ACCOUNTS),
                         ("roles and permissions", ROLES_AND_PERMISSIONS)):
        cells = ["yes" if DUTIES.get(role) is pairs else "—" for role in MATRIX]
        lines.append(f"| {label} | " + " | ".join([*cells, "yes"]) + " |")
    lines.append("| own account, language | " + " | ".join("yes" for _ in roles) + " |")
    return "\n".join(lines)
