"""The place tree (banner → township → village → grid) and the service sites on it."""

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
    event,
    func,
    inspect,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session, relationship

from app.domain.validators import LEVEL_ORDER
from app.models.base import BilingualName


class Place(BilingualName, Model):
    __tablename__ = "place"
    __table_args__ = (
        CheckConstraint("level IN ('banner','township','village','grid')", name="ck_place_level"),
    )

    id = Column(Integer, primary_key=True)
    level = Column(String(10), nullable=False, index=True)
    code = Column(String(15), nullable=False, unique=True)
    parent_id = Column(Integer, ForeignKey("place.id", ondelete="RESTRICT"), index=True)
    # Materialised path of codes, "/150221000000/150221100000/": a subtree is one LIKE.
    path = Column(String(255), nullable=False, index=True)
    households = Column(Integer)
    note = Column(Text)

    parent = relationship("Place", remote_side=[id], back_populates="children")
    children = relationship("Place", back_populates="parent")

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self.level)

    @staticmethod
    def township_path(path: str | None) -> str | None:
        """The path of the township at or above the place with this path (a path holds
        one code per level, the banner's first: "/banner/township/…"); None for the
        banner itself."""
        codes = (path or "").strip("/").split("/")
        return f"/{codes[0]}/{codes[1]}/" if len(codes) >= 2 else None

    @classmethod
    def subtree_ids(cls, path: str):
        """SELECT of the ids of the place with this path and all places below it."""
        return select(cls.id).where(cls.path.like(path + "%"))

    @classmethod
    def id_by_path(cls, path: str) -> int | None:
        """The id of the place with this path, kept by each process under the
        database's generation (app/generation.py; a place's path is watched): a
        statement that names the township by its id lets the planner use that
        township's statistics (a subquery for it left PostgreSQL guessing: 0.8 s instead
        of 80 ms for a clerk's approvals at 10,000,000 cases)."""
        from app import generation
        from app.extensions import db

        return generation.kept("place_id_by_path", path, lambda: db.session.scalar(
            select(cls.id).where(cls.path == path)))

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.id)


@event.listens_for(Session, "before_flush")
def _maintain_place_paths(session, flush_context, instances):
    """Keep Place.path equal to the parent's path plus the code, for a place and,
    when its code or parent changes, for everything below it."""
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Place):
            continue
        parent = _new_parent(session, obj)
        new_path = (parent.path if parent is not None else "/") + f"{obj.code}/"
        old_path = obj.path
        if old_path == new_path:
            continue
        obj.path = new_path
        if old_path and obj in session.dirty:
            session.info.setdefault("daiban_moved_paths", set()).add(new_path)
            session.execute(
                update(Place)
                .where(Place.path.like(old_path + "%"), Place.path != old_path)
                .values(
                    path=literal(new_path, String).concat(
                        func.substr(Place.path, len(old_path) + 1)
                    )
                )
                .execution_options(synchronize_session=False)
            )


@event.listens_for(Session, "after_flush")
def _retownship_moved_cases(session, flush_context):
    """A place moved under another township takes its cases with it: cases keep the
    township above their place in ``cases.township_id`` (the township clerk's scope)."""
    moved = session.info.pop("daiban_moved_paths", None)
    if not moved:
        return
    from app.cockpit import rollup  # (they import the cases, which import this module)
    from app.models import copies

    cases = Model.metadata.tables["cases"]
    connection = session.connection()
    towns = set()  # the cockpit's counts per township: those the cases leave and join
    for path in moved:
        below = session.execute(
            select(Place.id, Place.path).where(Place.path.like(path + "%"))).all()
        townships = {}
        for place_id, place_path in below:
            townships.setdefault(Place.township_path(place_path), []).append(place_id)
        for key, place_ids in townships.items():
            township = (session.scalar(select(Place.id).where(Place.path == key))
                        if key else None)
            here = cases.c.place_id.in_(place_ids)
            towns |= set(connection.scalars(select(rollup.TOWN_OF).where(here).distinct()))
            session.execute(update(cases).where(here).values(township_id=township))
            towns |= {township} if township is not None else set(place_ids)
            # and the township copied onto their escalation requests
            copies.refresh(connection, select(cases.c.id).where(here))
    rollup.refresh_towns(connection, towns)


def _new_parent(session, place):
    """The parent the place is about to have: set through the relationship (parent_id is
    stale until the flush) or through parent_id (the relationship is then stale)."""
    if inspect(place).attrs.parent.history.has_changes():
        return place.parent
    if place.parent_id is None:
        return None
    if place.parent is not None and place.parent.id == place.parent_id:
        return place.parent
    return session.get(Place, place.parent_id)


class Site(BilingualName, Model):
    """A service centre, station or point, a village talk room or a mediation room,
    rated on the 六个有 checklist."""

    __tablename__ = "site"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('centre','station','point','talk_room','mediation_room')",
            name="ck_site_kind",
        ),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    address = Column(String(300))
    phone = Column(String(20))
    # 六个有: premises, dedicated agents, procedures, archives, facilities, funding
    has_premises = Column(Boolean, nullable=False, default=False)
    has_agents = Column(Boolean, nullable=False, default=False)
    has_procedures = Column(Boolean, nullable=False, default=False)
    has_archives = Column(Boolean, nullable=False, default=False)
    has_facilities = Column(Boolean, nullable=False, default=False)
    has_funding = Column(Boolean, nullable=False, default=False)
    note = Column(Text)

    place = relationship("Place")

    CHECKLIST = (
        "has_premises",
        "has_agents",
        "has_procedures",
        "has_archives",
        "has_facilities",
        "has_funding",
    )

    @property
    def checklist_score(self) -> str:
        return f"{sum(bool(getattr(self, c)) for c in self.CHECKLIST)}/6"

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id)
