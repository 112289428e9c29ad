"""daiban's security manager: FAB's, with users bound to a place or a department and
the role matrix synchronised from app/security/roles.py."""

import datetime

from flask import current_app, flash, g, has_request_context, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security.forms import ResetPasswordForm
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.security.views import (
    AuthDBView,
    ResetMyPasswordView,
    ResetPasswordView,
    UserDBModelView,
)
from flask_appbuilder.validators import PasswordComplexityValidator
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import logout_user
from werkzeug.security import check_password_hash
from wtforms import PasswordField, SelectField
from wtforms.validators import DataRequired, Optional, StopValidation, ValidationError

from app import generation
from app.models.user import StaffUser
from app.security import accounts, audit
from app.security.roles import ADMIN_ROLE, ALL_ROLES, role_permissions
from app.views.pick_fields import PickerMixin

# each language named in its own script (the same names as config.LANGUAGES)
_LOCALES = [("zh", "中文"), ("mn", "ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ")]


def _blank(value):
    return "" if value is None else value


def _locale_field():
    return SelectField(_l("Language"), choices=[("", "—"), *_LOCALES],
                       validators=[Optional()], coerce=lambda v: v or None)


_USER_FIELDS = ["first_name", "last_name", "username", "email", "active", "roles", "place",
                "department", "person", "locale"]


class PlaceOrDepartment:
    """An account sees rows through its place or its department: it needs exactly one.
    (StopValidation: FAB appends Optional to nullable columns, which would clear a
    plain ValidationError.)"""

    def __call__(self, form, field):
        department = form.department.data if "department" in form else None
        if (field.data is None) == (department is None):
            raise StopValidation(
                gettext("Bind the account to a place or to a department (one of the two).")
            )


class KeepsOwnAccountActive:
    """The active box of one's own account stays ticked (accounts.own_account_refusal)."""

    def __call__(self, form, field):
        refused = accounts.own_account_refusal((request.view_args or {}).get("pk"),
                                               active=bool(field.data))
        if refused:
            raise StopValidation(gettext(refused))


class DaibanUserView(PickerMixin, UserDBModelView):
    """Accounts; the roster person an account is is chosen by searching (PickerMixin).
    An administrator neither deletes nor deactivates their own account (the last one
    would lock everyone out; any one would be signed out in the middle of their work)."""

    class_permission_name = "UserDBModelView"
    method_permission_name = {**(UserDBModelView.method_permission_name or {}),
                              "pick": "list"}
    validators_columns = {"place": [PlaceOrDepartment()], "active": [KeepsOwnAccountActive()]}
    label_columns = {
        **UserDBModelView.label_columns,
        "place": _l("Place"),
        "department": _l("Department"),
        "person": _l("Person"),
        "locale": _l("Language"),
    }
    list_columns = ["first_name", "last_name", "username", "place", "department", "roles",
                    "active"]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "login_count", "place",
                                      "department", "person", "locale"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"]}),
        (_l("Audit Info"), {"fields": ["last_login", "fail_login_count", "created_on",
                                       "changed_on"], "expanded": False}),
    ]
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "roles", "place", "department"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"]}),
    ]
    add_columns = [*_USER_FIELDS, "password", "conf_password"]
    edit_columns = _USER_FIELDS
    search_columns = ["first_name", "last_name", "username", "email", "active", "roles",
                      "place", "department"]
    formatters_columns = {"active": lambda value: gettext("Yes") if value else gettext("No"),
                          "locale": lambda code: dict(_LOCALES).get(code or "", ""),
                          **{column: _blank for column in ("place", "department", "person",
                                                           "email", "last_login")}}
    add_form_extra_fields = {**(UserDBModelView.add_form_extra_fields or {}),
                             "locale": _locale_field()}
    edit_form_extra_fields = {**(UserDBModelView.edit_form_extra_fields or {}),
                              "locale": _locale_field()}


    def pre_delete(self, item):
        super().pre_delete(item)
        refused = accounts.own_account_refusal(item.id, deleting=True)
        if refused:  # FAB shows the message and deletes nothing
            raise ValueError(gettext(refused))

    def pre_add(self, item):
        super().pre_add(item)
        # an account an administrator creates changes its password at first sign-in
        item.must_change_password = True
        item.password_changed_at = _utcnow()


def _utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


_POLICY = _l("At least 8 characters of three kinds (lower case, upper case, digits, "
             "others); not the username, nor one of the last five passwords.")


class PolicyPasswordForm(ResetPasswordForm):
    password = PasswordField(_l("Password"), description=_POLICY,
                             validators=[DataRequired(), PasswordComplexityValidator()],
                             widget=BS3PasswordFieldWidget())


class ChangeOwnPasswordForm(PolicyPasswordForm):
    old_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                 widget=BS3PasswordFieldWidget())

    def validate_old_password(self, field):
        if not check_password_hash(g.user.password or "", field.data or ""):
            raise ValidationError(gettext("The current password is not right."))


class DaibanResetMyPasswordView(ResetMyPasswordView):
    class_permission_name = "ResetMyPasswordView"
    form = ChangeOwnPasswordForm


class DaibanResetPasswordView(ResetPasswordView):
    class_permission_name = "ResetPasswordView"
    form = PolicyPasswordForm


class DaibanAuthDBView(AuthDBView):
    """Signing out changes state: a POST (with the CSRF token), never a GET that any
    page could embed; a GET shows the button."""

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        if request.method == "GET":
            if g.user is None or not g.user.is_authenticated:
                return redirect(self.appbuilder.get_url_for_index)
            return self.render_template("daiban/logout.html", appbuilder=self.appbuilder)
        user = self._get_authenticated_user()
        logout_user()
        if user is not None:
            self.appbuilder.sm.on_user_logout(user)
        return redirect(self.appbuilder.get_url_for_login)


class DaibanSecurityManager(SecurityManager):
    user_model = StaffUser
    userdbmodelview = DaibanUserView
    resetmypasswordview = DaibanResetMyPasswordView
    resetpasswordview = DaibanResetPasswordView
    authdbview = DaibanAuthDBView

    # ---- accounts: lockout, sessions, tokens, passwords (app/security/accounts.py) ----

    def auth_user_db(self, username, password):
        if not has_request_context() or not username:
            return super().auth_user_db(username, password)
        address = accounts.client_address()
        if accounts.is_locked(username, address):
            g.daiban_login_locked = True
            audit.record("lockout", "StaffUser", detail=username[:256])
            self.session.commit()
            if not request.path.startswith("/api/"):
                flash(gettext("Too many failed sign-ins: try again in %(minutes)s minutes.",
                              minutes=current_app.config.get("LOCKOUT_SECONDS", 900) // 60),
                      "danger")
            return None
        user = super().auth_user_db(username, password)
        if user is None:
            audit.record("login_failed", "StaffUser", detail=username[:256])
        else:
            audit.record("login", "StaffUser", user.id, user=user)
        accounts.record_attempt(username, address, user is not None)
        return user

    def get_user_by_id(self, pk):
        """FAB's, with what every request asks of the signed-in user — roles, groups, the
        bound place — in the same statement (four statements a page before)."""
        from sqlalchemy.orm import joinedload

        model = self.user_model
        return self.session.get(model, pk, options=[
            joinedload(model.roles), joinedload(model.groups), joinedload(model.place)])

    def load_user(self, pk):
        user = super().load_user(pk)
        if user is not None and has_request_context() and not accounts.session_is_current(
                user):
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        identity = jwt_data["sub"]
        user = self.get_user_by_id(int(identity))
        if user and user.is_active:
            g.user = user
            return user
        return None

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.additional_claims_loader(accounts.token_claims)
        jwt_manager.token_in_blocklist_loader(accounts.token_revoked)
        return jwt_manager

    def on_user_logout(self, user) -> None:
        audit.record("logout", "StaffUser", user.id, user=user)
        accounts.end_all_sessions(user)

    def add_user(self, *args, **kwargs):
        user = super().add_user(*args, **kwargs)
        if user:
            user.password_changed_at = _utcnow()
            self.session.commit()
        return user

    def reset_password(self, userid, password):
        user = self.get_user_by_id(userid)
        accounts.remember_old_password(user)
        by_self = has_request_context() and str(getattr(g.get("user"), "id", "")) == str(userid)
        # an administrator's reset is a temporary password: changed at next sign-in
        user.must_change_password = not by_self
        user.password_changed_at = _utcnow()
        user.session_generation = (user.session_generation or 0) + 1
        super().reset_password(userid, password)
        if by_self:
            accounts.start_session(user)
    # FAB's user statistics chart loads Google Charts from the internet
    userstatschartview = None

    def exist_permission_on_roles(self, view_name, permission_name, role_ids) -> bool:
        """FAB asks the database once per check (~30 times a page); answer from the
        roles' permission set, read once per request (outside a request — the CLI —
        once per call)."""
        return (permission_name, view_name) in self.roles_permissions(role_ids)

    def roles_permissions(self, role_ids) -> frozenset:
        """{(permission, view or menu)} the roles hold together: kept by each process
        under the database's generation (app/generation.py), read again after any change
        to roles or permissions on any server."""
        key = tuple(sorted(role_ids))

        def read():
            pv, perm, menu = (self.permissionview_model, self.permission_model,
                              self.viewmenu_model)
            return frozenset(
                self.session.query(perm.name, menu.name)
                .select_from(pv)
                .join(assoc_permissionview_role,
                      pv.id == assoc_permissionview_role.c.permission_view_id)
                .join(perm, pv.permission_id == perm.id)
                .join(menu, pv.view_menu_id == menu.id)
                .filter(assoc_permissionview_role.c.role_id.in_(key))
                .all())
        return generation.kept("role_permissions", key, read)

    def is_item_public(self, permission_name, view_name) -> bool:
        """FAB reads the public role and its permissions for every API call; here the
        public role's id is kept under the generation and its permissions are the
        roles' kept set."""
        role = self.role_model
        public = generation.kept("public_role_id", self.auth_role_public, lambda: (
            self.session.query(role.id).filter(role.name == self.auth_role_public).scalar()))
        return public is not None and (permission_name, view_name) in self.roles_permissions(
            [public])

    def sync_roles(self) -> dict[str, int]:
        """Create every permission the registered views declare, then give each role of
        the matrix exactly its permissions (and the menu entries of what it may read).
        Idempotent: running it twice changes nothing the second time. One new generation
        at the end, not one for each of FAB's commits."""
        with generation.as_one_change(self.session):
            return self._sync_roles()

    def _sync_roles(self) -> dict[str, int]:
        appbuilder = self.appbuilder
        for role_name in (*ALL_ROLES, self.auth_role_public):
            self.find_role(role_name) or self.add_role(role_name)
        declared = self._declared = self._declared_permissions()
        try:
            appbuilder.add_permissions(update_perms=True)
        finally:
            self._declared = None
        self._drop_stale_permissions(declared)
        all_pvs = self.session.query(self.permissionview_model).all()
        by_pair = {(pv.permission.name, pv.view_menu.name): pv for pv in all_pvs}
        counts = {}
        for role_name in ALL_ROLES:
            role = self.find_role(role_name) or self.add_role(role_name)
            if role_name == ADMIN_ROLE:
                wanted = set(by_pair)
            else:
                wanted = role_permissions(role_name) | self._menu_permissions(role_name)
            role.permissions = [by_pair[p] for p in sorted(wanted) if p in by_pair]
            counts[role_name] = len(role.permissions)
        return counts

    # while sync_roles runs FAB's pass: every (permission, view or menu) a registered view
    # or menu declares
    _declared: set | None = None

    def _declared_permissions(self) -> set[tuple[str, str]]:
        """What FAB's pass creates: each view's permissions on its permission name, and
        menu access to each menu entry. Several views may share a name."""
        appbuilder = self.appbuilder
        declared = {(permission, view.class_permission_name)
                    for view in appbuilder.baseviews for permission in view.base_permissions}
        for category in appbuilder.menu.get_list():
            declared.add(("menu_access", category.name))
            declared.update(("menu_access", item.name) for item in category.childs or []
                            if item.name != "-")
        return declared

    def add_permission_role(self, role, perm_view):
        """FAB gives the administrators each permission it creates, a commit each, and
        reloads their whole list each time (on a fresh install ~150 times a growing list:
        4 of a first sync's 6 s). sync_roles gives them every permission at its end, in one
        commit; while it runs, FAB's grant to them is left to it."""
        if self._declared is not None and role is not None and role.name == ADMIN_ROLE:
            return
        super().add_permission_role(role, perm_view)

    def del_permission_view_menu(self, permission_name, view_menu_name, cascade=True):
        """FAB's pass deletes from a view's name the permissions that view does not
        declare, even when another view of the same name (or a menu entry) declares them;
        it used to be stopped only because the administrators held them. Here a declared
        permission stays."""
        if self._declared is not None and (permission_name, view_menu_name) in self._declared:
            return
        super().del_permission_view_menu(permission_name, view_menu_name, cascade)

    def _drop_stale_permissions(self, declared) -> None:
        """Remove, from every role and then for good, the permissions no view or menu
        declares any more, and the views and menus that no longer exist (an upgrade that
        removed a view or one of its methods ends like a fresh install)."""
        roles = self.get_all_roles()
        for pv in self.session.query(self.permissionview_model).all():
            if pv.permission is None or pv.view_menu is None or (
                    pv.permission.name, pv.view_menu.name) in declared:
                continue
            for role in roles:
                self.del_permission_role(role, pv)
            self.del_permission_view_menu(pv.permission.name, pv.view_menu.name)
        live = {view.class_permission_name for view in self.appbuilder.baseviews}
        live.update(name for _, name in declared)
        for view_menu in self.get_all_view_menu():
            if view_menu.name not in live:
                self.del_view_menu(view_menu.name)

    def _menu_permissions(self, role_name: str) -> set[tuple[str, str]]:
        granted = role_permissions(role_name)
        pairs = set()
        for category in self.appbuilder.menu.get_list():
            for item in category.childs or [category]:
                view = item.baseview
                resource = getattr(view, "class_permission_name", None) if view else None
                if not resource:
                    continue
                methods = getattr(view, "method_permission_name", None) or {}
                default_view = getattr(view, "default_view", "list")
                # FAB's own views (accounts, roles) name permissions after their methods
                verb = methods.get(default_view, default_view)
                if (f"can_{verb}", resource) in granted:
                    pairs.add(("menu_access", item.name))
                    if item is not category:
                        pairs.add(("menu_access", category.name))
        return pairs
