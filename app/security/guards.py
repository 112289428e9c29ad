"""The fields that define a scope — a place's parent, level and code (its path follows),
an account's place, department and roles — checked on every write, whatever the path
(panel form, REST API, bulk action, our own pages): a session ``before_flush`` guard.

- A place outside the whole-banner scope may only hang below a place inside the
  writer's area: nobody below the banner makes a root (a root is the banner).
- The place an account is bound to, and every place above it, keep their parent, level
  and code unless the writer administers the whole banner: nobody widens their own area.
- An account's binding and roles change only by a writer who may edit accounts, never
  on their own account, and only to a place inside the writer's area.

Outside a request (CLI, migrations, seeding) nothing is checked: those run as the
operator of the installation."""

from flask import current_app, has_app_context, has_request_context
from flask_babel import gettext as _
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.domain.errors import DomainError
from app.models.places import Place, _new_parent
from app.models.user import StaffUser

_PLACE_FIELDS = ("parent", "parent_id", "level", "code")
_BINDING_FIELDS = ("place", "place_id", "department", "department_id", "roles")


class ScopeRefused(DomainError):
    """A write that would move a scope's boundary; the message is already translated."""

    status = 403


def _changed(obj, fields) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields if name in attrs)


def _old_path(place) -> str | None:
    history = inspect(place).attrs.path.history
    if history.deleted:
        return history.deleted[0]
    return place.path


def check_place(session, place: Place, scope) -> None:
    if scope.everything:
        return
    state = inspect(place)
    if state.persistent and not _changed(place, _PLACE_FIELDS):
        return
    parent = _new_parent(session, place)
    if parent is None:
        raise ScopeRefused(_("Only an administrator of the whole banner may place a place "
                             "at the top of the tree."))
    if not scope.contains_place(parent):
        raise ScopeRefused(_("%(field)s: this record is outside your area.",
                             field=_("Parent place")))
    old = _old_path(place) if state.persistent else None
    if old and scope.place_path and scope.place_path.startswith(old):
        raise ScopeRefused(_("The place your account is bound to, and those above it, keep "
                             "their parent, level and code: an administrator of the whole "
                             "banner changes them."))


def check_binding(account: StaffUser, writer, scope) -> None:
    state = inspect(account)
    if state.persistent and not _changed(account, _BINDING_FIELDS):
        return
    from app.extensions import appbuilder

    sm = appbuilder.sm
    may_edit = sm.has_access("can_edit", "UserDBModelView") or (
        state.pending and sm.has_access("can_add", "UserDBModelView"))
    if not may_edit or (state.persistent and account.id == writer.id):
        raise ScopeRefused(_("An account's place, department and roles are set by an "
                             "account administrator, never on one's own account."))
    if not scope.everything and account.place is not None and not scope.contains_place(
            account.place):
        raise ScopeRefused(_("%(field)s: this record is outside your area.", field=_("Place")))


@event.listens_for(Session, "before_flush")
def _guard_scope_fields(session, flush_context, instances):
    if not has_request_context():
        return
    from app.security.scope import _signed_in_user, binding_scope

    writer = _signed_in_user()
    if writer is None:
        return  # a login's own bookkeeping (counters, last login) touches no binding
    scope = None
    for obj in [*session.new, *session.dirty]:
        # by the writer's binding, not its roles' data scopes: a role set to read the
        # whole banner does not thereby administer the banner's tree and accounts
        if isinstance(obj, Place):
            scope = scope or binding_scope(writer)
            check_place(session, obj, scope)
        elif isinstance(obj, StaffUser):
            scope = scope or binding_scope(writer)
            check_binding(obj, writer, scope)


@event.listens_for(Session, "before_flush")
def _guard_separation_of_duties(session, flush_context, instances):
    """三员分立: in a production configuration no account holds two of the system,
    security and audit administrators' roles (nor Admin, which holds them all), however
    the roles are given — the panel, the REST API or the command line."""
    if not has_app_context() or not current_app.config.get("PRODUCTION"):
        return
    from app.security.roles import separation_problem

    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, StaffUser) and _changed(obj, ("roles",)) and separation_problem(
                role.name for role in obj.roles):
            raise ScopeRefused(_("In production one account holds at most one of the "
                                 "system, security and audit administrators' roles."))
