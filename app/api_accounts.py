"""Accounts, roles and permissions over /api/v1/, for the roles that administer them on
FAB's security pages and under those pages' own permission names (``can_list``,
``can_show``, ``can_add``… on UserDBModelView and RoleModelView). The pages have no
place scope, nor do these; the session guards of app/security/guards.py (an account's
binding and roles, separation of duties) hold here as everywhere. Password hashes never
leave; a new account's password follows the password policy and is changed at first
sign-in, as on the page; later resets stay on the page (``resetpasswords``)."""

import datetime

from flask import g, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.sqla.models import (
    Group,
    Permission,
    PermissionView,
    Role,
    ViewMenu,
)
from flask_babel import gettext as _
from sqlalchemy import inspect
from werkzeug.security import check_password_hash

from app.api_errors import ErrorShape
from app.api_resources import READ_ROUTES, RecordRefused, WriteApi
from app.domain.lifecycle import N_
from app.extensions import db
from app.models.user import StaffUser
from app.security import accounts
from app.views.base import interface

# FAB's security pages name their permissions after their methods
PAGE_VERBS = {"get_list": "list", "get": "show", "info": "list", "post": "add",
              "put": "edit", "delete": "delete"}
LOCALES = {"zh": "中文", "mn": "ᠮᠣᠩᠭᠣᠯ ᠬᠡᠯᠡ"}
_ACCOUNT = ["first_name", "last_name", "username", "email", "active", "place_id",
            "department_id", "person_id", "locale", "roles.id", "roles.name"]


class SecurityPageApi(WriteApi):
    """Under a FAB security page's permission name; its permission list is the page's
    (app/views/__init__.py copies it: the start-up sync keeps the last list registered)."""

    base_filters = []
    method_permission_name = PAGE_VERBS


class AccountApi(SecurityPageApi):
    resource_name = "accounts"
    datamodel = interface(StaffUser)
    class_permission_name = "UserDBModelView"
    list_columns = ["id", *_ACCOUNT]
    show_columns = [*list_columns, "must_change_password", "last_login", "login_count",
                    "fail_login_count", "created_on", "changed_on"]
    add_columns = ["first_name", "last_name", "username", "email", "active", "roles",
                   "place", "department", "person", "locale", "password"]
    edit_columns = [c for c in add_columns if c != "password"]
    search_columns = ["first_name", "last_name", "username", "email", "active", "roles",
                      "place", "department"]
    order_columns = ["username", "first_name", "last_name"]
    base_order = ("username", "asc")
    choice_columns = {"locale": LOCALES}

    include_route_methods = READ_ROUTES | {"post", "put", "delete", "reset_password"}
    # FAB's reset action is named "resetpasswords", without the "can_" @protect adds:
    # an account editor who also holds it (checked below), as on the page
    method_permission_name = {**PAGE_VERBS, "reset_password": "edit"}

    def _init_model_schemas(self):
        super()._init_model_schemas()
        # FAB answers a POST with the row as loaded: never with the password's hash
        self.add_model_schema.dump_fields.pop("password", None)

    def check_rules(self, item):
        refused = accounts.own_account_refusal(item.id, active=bool(item.active))
        if refused:
            raise RecordRefused(refused, field="active")
        if (item.place is None) == (item.department is None):
            raise RecordRefused(
                N_("Bind the account to a place or to a department (one of the two)."),
                field="place")
        if not inspect(item).persistent:  # PUT has no password
            if not item.password:
                raise RecordRefused(N_("%(column)s is required."), field="password",
                                    column=self.label_columns.get("password", "password"))
            problems = accounts.password_problems(item.password, item.username)
            if problems:
                raise RecordRefused(" ".join(problems), field="password")
            item.password = accounts.hash_password(item.password)
            # an account an administrator creates changes its password at first sign-in
            item.must_change_password = True
            item.password_changed_at = datetime.datetime.now(datetime.UTC).replace(
                tzinfo=None)


    def pre_delete(self, item):
        super().pre_delete(item)
        refused = accounts.own_account_refusal(item.id, deleting=True)
        if refused:
            raise RecordRefused(refused)

    @expose("/<int:pk>/password", methods=["PUT"])
    @protect()
    @safe
    def reset_password(self, pk):
        """Reset an account's password, as the page's "Reset Password" does.
        ---
        put:
          summary: Set a temporary password (changed at the account's next sign-in)
          description: >-
            The password policy of the page applies (length, three kinds of character,
            not the username, not one of the last passwords); the account's sessions
            and tokens end.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [password]
                  properties:
                    password: {type: string, example: Temp-2026-pass}
          responses:
            200: {description: The password is set}
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
        """
        if not self.appbuilder.sm.has_access("resetpasswords", self.class_permission_name):
            return self.response_403()
        account = db.session.get(StaffUser, pk)
        if account is None:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=_("The body must be a JSON object."))
        extra = sorted(set(body) - {"password"})
        if extra:
            return self.error(422, _("This field is not accepted here: %(name)s.",
                                     name=extra[0]), code="unknown_field", field=extra[0])
        password = body.get("password")
        if not isinstance(password, str) or not password:
            return self.error(422, _("This field is required."), field="password")
        problems = accounts.password_problems(password, account.username,
                                              accounts.previous_hashes(account))
        if problems:
            return self.error(422, " ".join(problems), field="password")
        self.appbuilder.sm.reset_password(account.id, password)
        return self.response(200, id=account.id, message=_("Password Changed"))


class RoleApi(SecurityPageApi):
    """Roles and the permissions each holds (ids of ``permission_views``), kept by the
    security administrator as on the page; as there, ``flask sync-roles`` restores the
    built-in roles to the matrix of app/security/roles.py and leaves custom ones alone."""

    resource_name = "roles"
    datamodel = interface(Role)
    class_permission_name = "RoleModelView"
    list_columns = ["id", "name"]
    show_columns = ["id", "name", "permissions.id"]
    add_columns = edit_columns = ["name", "permissions"]

    def pre_delete(self, item):
        from app.security.roles import ALL_ROLES

        # accounts hold them and sync-roles would only bring them back, empty of accounts
        if item.name in ALL_ROLES:
            raise RecordRefused(N_("A built-in role cannot be deleted; change its "
                                   "permissions instead, or make a role of your own."))
    search_columns = ["name"]
    order_columns = ["name"]
    base_order = ("name", "asc")


class PermissionViewApi(SecurityPageApi):
    """Every permission on every view or API (what a role's ``permissions`` ids name)."""

    resource_name = "permission_views"
    datamodel = interface(PermissionView)
    class_permission_name = "PermissionViewModelView"
    include_route_methods = READ_ROUTES
    method_permission_name = {"get_list": "list", "get": "list", "info": "list"}
    list_columns = show_columns = ["id", "permission.name", "view_menu.name"]
    search_columns = ["permission", "view_menu"]
    base_order = ("id", "asc")


class PermissionApi(SecurityPageApi):
    resource_name = "permissions"
    datamodel = interface(Permission)
    class_permission_name = "PermissionModelView"
    include_route_methods = READ_ROUTES
    method_permission_name = {"get_list": "list", "get": "list", "info": "list"}
    list_columns = show_columns = ["id", "name"]
    search_columns = ["name"]
    base_order = ("name", "asc")


class ViewMenuApi(PermissionApi):
    resource_name = "view_menus"
    datamodel = interface(ViewMenu)
    class_permission_name = "ViewMenuModelView"


class GroupApi(SecurityPageApi):
    """FAB's user groups (roles given to several accounts at once), read-only: daiban
    gives roles to accounts directly, and only the Admin role sees the groups page."""

    resource_name = "groups"
    datamodel = interface(Group)
    class_permission_name = "UserGroupModelView"
    include_route_methods = READ_ROUTES
    list_columns = show_columns = ["id", "name", "label", "description", "roles.id",
                                   "users.id"]
    search_columns = ["name", "label"]
    base_order = ("name", "asc")




class MyAccountApi(ErrorShape, BaseApi):
    """One's own account, as the pages "Your user information" (UserInfoEditView) and
    "Reset my password" (ResetMyPasswordView) show and change it, under their
    permissions: read it, change one's names and e-mail, change one's password (the
    current one asked, the password policy applied; the account's sessions and tokens
    end, so the client signs in again)."""

    resource_name = "me"
    class_permission_name = "UserInfoEditView"
    method_permission_name = {"show_me": "this_form_get", "edit_me": "this_form_post",
                              "change_password": "this_form_get"}
    allow_browser_login = True
    openapi_spec_tag = "Accounts"
    EDITABLE = ("first_name", "last_name", "email")

    def _me(self):
        user = self.appbuilder.sm.current_user
        return db.session.get(StaffUser, user.id) if user is not None else None

    def _body(self, allowed):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None, self.response_400(message=_("The body must be a JSON object."))
        extra = sorted(set(body) - set(allowed))
        if extra:
            return None, self.error(422, _("This field is not accepted here: %(name)s.",
                                           name=extra[0]), code="unknown_field",
                                    field=extra[0])
        return body, None

    def _shown(self, account):
        return self.response(200, result={
            "id": account.id, "username": account.username,
            **{c: getattr(account, c) for c in self.EDITABLE},
            "place_id": account.place_id, "department_id": account.department_id,
            "person_id": account.person_id, "locale": account.locale,
            "roles": [r.name for r in account.roles],
            "must_change_password": bool(account.must_change_password)})

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def show_me(self):
        """The signed-in account.
        ---
        get:
          summary: The signed-in account (names, e-mail, binding, roles)
          responses:
            200: {description: The account}
            401:
              $ref: '#/components/responses/401'
        """
        account = self._me()
        return self.response_401() if account is None else self._shown(account)

    @expose("/", methods=["PUT"])
    @protect()
    @safe
    def edit_me(self):
        """Change one's names and e-mail, as "Your user information" does.
        ---
        put:
          summary: Change one's own names and e-mail
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  properties:
                    first_name: {type: string, example: 其其格}
                    last_name: {type: string, example: 包}
                    email: {type: string, format: email, example: qiqige@example.org}
          responses:
            200: {description: The account as changed}
            422:
              $ref: '#/components/responses/422'
        """
        account = self._me()
        if account is None:
            return self.response_401()
        body, refused = self._body(self.EDITABLE)
        if refused is not None:
            return refused
        for column, value in body.items():
            if not isinstance(value, str) or not value.strip():
                return self.error(422, _("This field is required."), field=column)
            if column == "email" and "@" not in value:
                return self.error(422, _("Invalid email address."), field=column)
            setattr(account, column, value.strip())
        db.session.commit()
        return self._shown(account)

    @expose("/password", methods=["PUT"])
    @protect()
    @safe
    def change_password(self):
        """Change one's own password, as "Reset my password" does.
        ---
        put:
          summary: Change one's own password (the current one is asked)
          description: >-
            The password policy applies (length, three kinds of character, not the
            username, not one of the last passwords). The account's sessions and tokens
            end: sign in again with the new password.
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [old_password, password]
                  properties:
                    old_password: {type: string, example: Old-2026-pass}
                    password: {type: string, example: New-2026-pass}
          responses:
            200: {description: The password is changed}
            422:
              $ref: '#/components/responses/422'
        """
        if not self.appbuilder.sm.has_access("can_this_form_post", "ResetMyPasswordView"):
            return self.response_403()
        account = self._me()
        if account is None:
            return self.response_401()
        body, refused = self._body(("old_password", "password"))
        if refused is not None:
            return refused
        for column in ("old_password", "password"):
            if not isinstance(body.get(column), str) or not body[column]:
                return self.error(422, _("This field is required."), field=column)
        if not check_password_hash(account.password or "", body["old_password"]):
            return self.error(422, _("The current password is not right."),
                              field="old_password")
        problems = accounts.password_problems(body["password"], account.username,
                                              accounts.previous_hashes(account))
        if problems:
            return self.error(422, " ".join(problems), field="password")
        g.user = account  # the change is one's own (not an administrator's reset)
        self.appbuilder.sm.reset_password(account.id, body["password"])
        return self.response(200, id=account.id, message=_("Password Changed"))


ACCOUNT_APIS = [AccountApi, RoleApi, PermissionViewApi, PermissionApi, ViewMenuApi, GroupApi,
                MyAccountApi]
