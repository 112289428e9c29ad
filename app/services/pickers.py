"""Who may be chosen for a field that names a person: one statement per kind of choice,
asked by the pickers (what a page offers, searched as the user types) and by the
services (what the server allows). A person field offers only active people holding
the duty it needs, in the user's scope; a petitioner field offers the user's area's
petitioners — for a grid worker, those of the grid's village (households are usually
recorded at the village, and a grid worker registers for them)."""

import dataclasses
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Duty, Person, Petitioner
from app.models.base import MAX_INTEGER, MIN_INTEGER
from app.models.places import Place
from app.security.scope import Scope

LIMIT = 20  # rows a picker receives per keystroke


@dataclass(frozen=True)
class Pick:
    model: type
    duty: str | None = None  # a person must hold this duty (None: anyone on the roster)


PICKS = {
    "petitioner": Pick(Petitioner),
    "person": Pick(Person),
    "agent": Pick(Person, "agent"),
    "mediator": Pick(Person, "mediator"),
    "case_leader": Pick(Person, "case_leader"),
    "grid_worker": Pick(Person, "grid_worker"),
}


def _petitioner_scope(scope: Scope) -> Scope:
    """A grid's scope reaches its village's petitioners (and the grid's own): each grid
    among the scope's places stands for its village."""
    if scope.everything or not scope.paths:
        return scope
    grids = dict(db.session.execute(
        select(Place.path, Place.parent_id).where(Place.path.in_(scope.paths),
                                                  Place.level == "grid")).all())
    if not grids:
        return scope
    villages = dict(db.session.execute(
        select(Place.id, Place.path).where(Place.id.in_(list(grids.values())))).all())
    paths = tuple(dict.fromkeys(villages.get(grids.get(p), p) for p in scope.paths))
    return dataclasses.replace(scope, paths=paths)


def eligible(kind: str, scope: Scope):
    """The statement of every row that may be chosen for ``kind`` in ``scope``."""
    pick = PICKS[kind]
    model = pick.model
    if model is Petitioner:
        return select(Petitioner).where(Petitioner.scope_clause(_petitioner_scope(scope)))
    statement = select(Person).where(Person.scope_clause(scope), Person.active.is_(True))
    if pick.duty is not None:
        statement = statement.where(Person.id.in_(
            select(Duty.person_id).where(Duty.kind == pick.duty, Duty.active.is_(True))))
    return statement


def search(kind: str, scope: Scope, term: str = "", ids=None, limit: int = LIMIT) -> list:
    """Up to ``limit`` eligible rows whose name contains ``term`` (or whose id is in
    ``ids``), with what their labels show loaded."""
    model = PICKS[kind].model
    statement = eligible(kind, scope)
    if ids is not None:
        statement = statement.where(model.id.in_([int(pk) for pk in ids]))
    elif term:
        like = f"%{term}%"
        names = ((Petitioner.name,) if model is Petitioner
                 else (Person.name_zh, Person.name_mn))
        statement = statement.where(or_(*(c.ilike(like) for c in names)))
    options = [selectinload(model.place)]
    if model is Person:
        options.append(selectinload(Person.duties))
    name = Petitioner.name if model is Petitioner else Person.name_zh
    return db.session.scalars(
        statement.options(*options).order_by(name, model.id).limit(limit)).all()


def chosen(kind: str, scope: Scope, pk):
    """The row chosen for ``kind`` if it may be chosen, else None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not MIN_INTEGER <= pk <= MAX_INTEGER:
        return None
    model = PICKS[kind].model
    return db.session.scalar(eligible(kind, scope).where(model.id == pk))


def likely_duplicates(scope: Scope, *, name=None, place_id=None, id_number=None, phone=None,
                      exclude_id=None) -> list[tuple[Petitioner, str]]:
    """Petitioners in the user's area who may be the one about to be recorded, each with
    why: the same ID number, the same phone, or the same name in the same village."""
    from app.security.pii import keyed_hash

    reasons = []
    if id_number:
        reasons.append((Petitioner.id_number_hash == keyed_hash(id_number), "id_number"))
    if phone:  # phones are encrypted at rest: compared by their keyed hash
        reasons.append((Petitioner.phone_hash == keyed_hash(phone), "phone"))
    if name and place_id:
        reasons.append(((Petitioner.name == name.strip()) & (Petitioner.place_id == place_id),
                        "name_place"))
    found: dict[int, tuple[Petitioner, str]] = {}
    for clause, reason in reasons:
        statement = eligible("petitioner", scope).where(clause)
        if exclude_id is not None:
            statement = statement.where(Petitioner.id != exclude_id)
        for row in db.session.scalars(statement.options(selectinload(Petitioner.place))
                                      .order_by(Petitioner.id).limit(LIMIT)):
            found.setdefault(row.id, (row, reason))
    return list(found.values())
