"""Row-level scope: a user sees and changes only rows in their place's subtree (or, for
a stationed department's staff, rows addressed to their department).

Every scoped model has ``scope_clause(scope)``, a SQL expression; ``ScopeFilter`` applies
it to FAB's lists, show/edit/delete, related dropdowns, search dropdowns and the REST
API, and our own pages call ``scoped(select(...))``. One definition, every path."""

from dataclasses import dataclass

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import exists, false, or_, select, true
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import True_

from app import generation
from app.extensions import db
from app.models.places import Place


@dataclass(frozen=True)
class Scope:
    """What one account sees. ``place_path``/``place_id``: the place it is bound to (its
    unit: accusations, the scope guards); ``paths``/``ids``: the places whose rows it
    reaches — each path a subtree, each id one place (default: the bound place's
    subtree); ``case_paths``/``case_ids``: likewise for cases (default: the same), plus
    ``own_cases`` — (user id, person id) — the cases it registered, handles as agent or
    leads, within its bound subtree. Built from the roles' settings by scope_for_user."""

    place_path: str | None = None
    department_id: int | None = None
    everything: bool = False
    place_id: int | None = None
    paths: tuple[str, ...] | None = None
    ids: tuple[int, ...] = ()
    case_paths: tuple[str, ...] | None = None
    case_ids: tuple[int, ...] | None = None
    own_cases: tuple[int, int | None] | None = None

    def __post_init__(self):
        if self.paths is None:
            object.__setattr__(self, "paths", (self.place_path,) if self.place_path else ())
        if self.case_paths is None:
            object.__setattr__(self, "case_paths", self.paths)
        if self.case_ids is None:
            object.__setattr__(self, "case_ids", self.ids)

    @staticmethod
    def _area(column, paths, ids):
        parts = [column.in_(Place.subtree_ids(path)) for path in paths]
        if ids:
            parts.append(column.in_(ids))
        if not parts:
            return None
        return or_(*parts) if len(parts) > 1 else parts[0]

    @property
    def whole_townships(self) -> bool:
        """The cases it reaches are those of whole townships (or of the whole banner),
        not of single villages or its own: counts kept per township answer for it."""
        if self.everything:
            return True
        if self.own_cases is not None or self.case_ids:
            return False
        return all(Place.township_path(path) in (None, path) for path in self.case_paths)

    def case_place_clause(self, column):
        """SQL: a case's place lies in the places whose cases the scope reaches (its own
        cases aside: case_stat and other per-place figures cannot tell them)."""
        if self.everything:
            return true()
        area = self._area(column, self.case_paths, self.case_ids)
        return false() if area is None else area

    def place_clause(
        self,
        column,
        also=None,
        department_column=None,
        department_subquery=None,
    ):
        if self.everything:
            return true()
        clauses = []
        area = self._area(column, self.paths, self.ids)
        if area is not None:
            clauses.append(area)
            if also is not None:
                clauses.append(self._area(also, self.paths, self.ids))
        if self.department_id is not None and department_column is not None:
            if department_subquery is not None:
                clauses.append(department_column.in_(department_subquery(self.department_id)))
            else:
                clauses.append(department_column == self.department_id)
        if not clauses:
            return false()
        return or_(*clauses) if len(clauses) > 1 else clauses[0]

    def via(self, column, model):
        """Rows reached through another scoped model (a case's events through the case):
        EXISTS the row they point at, in scope — a primary-key probe per row, where
        `column IN (every case id in scope)` built the whole id list first (2 s on
        SQLite at 1,000,000 cases for a banner, 160 ms for a township). Banner-wide
        users need no test at all."""
        if self.everything:
            return true()
        reached = getattr(model, "reached_by_department", None)
        if reached is not None and self.department_only:
            # a department's staff reach only rows of its cases: the column in that
            # list, with no probe of the model (an index on the column still serves)
            return column.in_(reached(self.department_id))
        return exists(select(model.id).where(model.id == column, model.scope_clause(self)))

    @property
    def department_only(self) -> bool:
        """A stationed department's staff: the rows of its cases, and no place's."""
        return (self.department_id is not None and not self.paths and not self.ids
                and not self.case_paths and not self.case_ids and self.own_cases is None)

    def contains_place(self, place: Place | None) -> bool:
        if place is None:
            return False
        if self.everything:
            return True
        return place.id in self.ids or any(place.path.startswith(p) for p in self.paths)


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def binding_scope(user) -> Scope:
    """The scope the account's binding gives, whatever its roles' settings: the place
    and everything below it (the whole banner from the banner), or its department's
    rows. The guards on the fields that define scopes go by it (app/security/guards.py):
    a data-scope setting widens what a role reads, not whom it administers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    place = user.place
    if place is not None:
        # the banner is the root of the tree; a place without a parent that is not a
        # banner (a row written around the guards) widens nothing
        banner = place.parent_id is None and place.level == "banner"
        return Scope(place_path=place.path, everything=banner, place_id=place.id)
    if user.department_id is not None:
        return Scope(department_id=user.department_id)
    return NOTHING


def role_settings(user) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, chosen places' paths) for each of the account's roles; a role the security
    administrator has not set sees its accounts' place and below."""
    from app.models.security import SCOPE_SUBTREE, RoleScope

    role_ids = tuple(role.id for role in getattr(user, "roles", None) or ())
    if not role_ids:
        return []

    def read():
        rows = {row.role_id: row for row in db.session.scalars(
            select(RoleScope).where(RoleScope.role_id.in_(role_ids))
            .options(selectinload(RoleScope.places)))}
        return tuple((rows[i].kind, tuple(p.path for p in rows[i].places)) if i in rows
                     else (SCOPE_SUBTREE, ()) for i in role_ids)
    # kept by each process under the generation: a changed scope, role or place path
    # on any server is read again (app/generation.py)
    return list(generation.kept("role_settings", role_ids, read))


def scope_for_user(user) -> Scope:
    """The account's binding narrowed or widened by its roles' data scopes (the union
    of them, as permissions are): whole banner, own place and below, own place only,
    own records only (the cases it registered, handles or leads; its place and below
    for the rest), or chosen places (each with what lies below it)."""
    from app.models.security import (
        SCOPE_BANNER,
        SCOPE_OWN_PLACE,
        SCOPE_OWN_RECORDS,
        SCOPE_PLACES,
        SCOPE_SUBTREE,
    )

    bound = binding_scope(user)
    if bound is NOTHING:
        return NOTHING
    settings = role_settings(user)
    kinds = {kind for kind, _chosen in settings} or {SCOPE_SUBTREE}
    if SCOPE_BANNER in kinds or (bound.everything and SCOPE_SUBTREE in kinds):
        return Scope(place_path=bound.place_path, department_id=bound.department_id,
                     everything=True, place_id=bound.place_id)
    if bound.place_path is None:  # a department's staff: their department's rows
        return bound
    path, place_id = bound.place_path, bound.place_id
    paths, ids, case_paths, case_ids, own = set(), set(), set(), set(), False
    for kind, chosen in settings or [(SCOPE_SUBTREE, ())]:
        if kind == SCOPE_SUBTREE:
            paths.add(path)
            case_paths.add(path)
        elif kind == SCOPE_OWN_PLACE:
            ids.add(place_id)
            case_ids.add(place_id)
        elif kind == SCOPE_OWN_RECORDS:
            paths.add(path)
            own = True
        elif kind == SCOPE_PLACES:
            paths.update(chosen)
            case_paths.update(chosen)
    own = own and path not in case_paths
    return Scope(place_path=path, place_id=place_id, paths=tuple(sorted(paths)),
                 ids=tuple(sorted(ids)), case_paths=tuple(sorted(case_paths)),
                 case_ids=tuple(sorted(case_ids)),
                 own_cases=(user.id, getattr(user, "person_id", None)) if own else None)


def _signed_in_user():
    """The user of this request: a session login (Flask-Login), or a REST call signed
    with a JWT, whose user FAB's ``protect()`` puts in ``g.user`` and Flask-Login never
    sees."""
    if current_user.is_authenticated:
        return current_user
    user = g.get("user")
    return user if getattr(user, "is_authenticated", False) else None


def current_scope() -> Scope:
    """The signed-in user's scope; outside a request (CLI, jobs) everything."""
    if not has_request_context():
        return EVERYTHING
    user = _signed_in_user()
    key = getattr(user, "id", None)
    cached = g.get("daiban_scope")
    if cached is None or cached[0] != key:
        g.daiban_scope = (key, scope_for_user(user))
    return g.daiban_scope[1]


def scoped(statement, model):
    return statement.where(model.scope_clause(current_scope()))


def _as_pk(pk) -> int | None:
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def load_in_scope(model, pk, scope: Scope | None = None, *, lock: bool = False):
    """The row ``pk`` of ``model`` if it lies in ``scope`` (default: the signed-in
    user's), else None — outside the area and not existing look the same. The one way
    our views, the API and the services load a row by its id (FAB's own pages reach
    the same clause through ``ScopeFilter``). ``lock``: SELECT … FOR UPDATE."""
    pk = _as_pk(pk)
    if pk is None:
        return None
    scope = current_scope() if scope is None else scope
    stmt = (select(model).where(model.id == pk, model.scope_clause(scope))
            .execution_options(populate_existing=True))
    if lock:
        stmt = stmt.with_for_update(of=model)
    return db.session.scalars(stmt).first()


def in_scope(model, pk) -> bool:
    pk = _as_pk(pk)
    return pk is not None and db.session.scalar(
        select(model.id).where(model.id == pk, model.scope_clause(current_scope()))
    ) is not None


class ScopeFilter(BaseFilter):
    """FAB filter that keeps a query to the current user's scope."""

    name = _l("In my area")
    arg_name = "scope"

    def apply(self, query, value):
        clause = self.model.scope_clause(current_scope())
        if isinstance(clause, True_):  # banner-wide: no WHERE at all (fast counts)
            return query
        return query.filter(clause)


class ScopeOrCurrentFilter(ScopeFilter):
    """The choices of an edit form's related field: the scope, plus the value the row
    already has (a township's parent lies above its own staff; keeping it is not
    choosing it). The edit view names those values in ``g.daiban_current``."""

    def apply(self, query, value):
        clause = self.model.scope_clause(current_scope())
        current = g.get("daiban_current", {}).get(self.model)
        if current:
            clause = or_(clause, self.model.id.in_(current))
        return query.filter(clause)


SCOPE_FILTER = [["id", ScopeFilter, lambda: None]]
