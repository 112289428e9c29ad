"""The role × permission matrix, as data. `flask daiban sync-roles` makes the database
match it exactly (idempotent), the README's table is checked against it by a test, and
administrators may grant or revoke more through the UI between upgrades.

Resources are the ``class_permission_name`` of our views and APIs; their methods map to
three verbs (read, write, delete) plus named lifecycle permissions."""

from flask_babel import lazy_gettext as _l

READ, WRITE, DELETE = "read", "write", "delete"
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
        "Petitioner": RW,
        "Case": RW,
        "CaseEvent": (READ,),
        "MediationSession": RW,
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
        "MediationSession": RW,
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
        "Person": RWD,
        "Duty": RWD,
        "Training": RWD,
        "Petitioner": RWD,
        "Case": RW,
        "CaseEvent": (READ,),
        "MediationSession": RWD,
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

# --- cockpit and daily bulletin (issue 4) ---------------------------------------------
# Banner leaders, township staff (their township only, by scope) and case leaders read
# the cockpit and the bulletin; Admin gets every permission anyway.
COCKPIT_READERS = ("BannerLeader", "TownshipStaff", "CaseLeader")
for _role in COCKPIT_READERS:
    MATRIX[_role].update({"Cockpit": (READ,), "Bulletin": (READ,)})

# Every signed-in role may see and edit its own account and switch language.
SELF_SERVICE = [
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("userinfoedit", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
]

ADMIN_ROLE = "Admin"
ALL_ROLES = [*MATRIX, ADMIN_ROLE]


def role_permissions(role: str) -> set[tuple[str, str]]:
    """(permission, view) pairs of a role per the matrix; Admin is computed at sync time
    (every permission that exists)."""
    pairs = set(SELF_SERVICE)
    for resource, verbs in MATRIX.get(role, {}).items():
        pairs.update((f"can_{verb}", resource) for verb in verbs)
    return pairs
