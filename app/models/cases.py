"""Cases (信访事项), their append-only event history, escalation requests and
transfers to stationed departments."""

import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    false,
    or_,
    select,
    text,
    true,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import relationship

from app import clock
from app.domain.validators import mask_phone
from app.models.places import Place

# more than this many people make a collective visit (《信访工作条例》 Art. 20)
COLLECTIVE_MIN_HEADS = 5
MAX_REPRESENTATIVES = 5


def _now() -> datetime.datetime:
    return clock.now()


class Case(Model):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("urgency IN ('red','yellow','blue')", name="ck_case_urgency"),
        CheckConstraint(
            "state IN ('registered','declined','in_progress','transferred','concluded',"
            "'followed_up','archived','terminated')",
            name="ck_case_state",
        ),
        CheckConstraint(
            "level IN ('village','township','banner','joint_meeting')", name="ck_case_level"
        ),
        CheckConstraint(
            "resolution_level IS NULL OR resolution_level IN "
            "('village','township','banner','joint_meeting')",
            name="ck_case_resolution_level",
        ),
        CheckConstraint(
            "evaluation IS NULL OR evaluation IN ('satisfied','fairly_satisfied','dissatisfied')",
            name="ck_case_evaluation",
        ),
        CheckConstraint("head_count >= 1", name="ck_case_head_count"),
        CheckConstraint("is_group OR head_count = 1", name="ck_case_group_head_count"),
        CheckConstraint("representatives IS NULL OR (representatives >= 1 AND "
                        "representatives <= 5 AND representatives <= head_count)",
                        name="ck_case_representatives"),
        # (state, received_on): ix_case_cockpit_open leads with it (migration 0019)
        # a place's cases, newest first; the township inside it, so a township clerk's
        # list filtered by one of its villages is answered from the index alone
        Index("ix_case_place_received_township", "place_id", "received_on", "id",
              "township_id"),
        # a township's cases, newest first: a township clerk's list is one index range
        Index("ix_case_township_received", "township_id", "received_on", "id"),
        # open work by due date (the landing page, the cockpit, the bulletin: due_parts):
        # banner-wide, a township's, an agent's, a case leader's
        Index("ix_case_state_due", "state", "due_on", "id"),
        Index("ix_case_state_acceptance_due", "state", "acceptance_due_on", "id"),
        Index("ix_case_township_state_due", "township_id", "state", "due_on", "id"),
        Index("ix_case_township_state_acceptance_due", "township_id", "state",
              "acceptance_due_on", "id"),
        Index("ix_case_agent_state_due", "agent_id", "state", "due_on", "id"),
        # partial: nine cases in ten have no case leader, and SQLite's statistics (the
        # average rows per key, NULLs included) then priced a leader's cases at 500,000
        # and read the whole township instead (migration 0021)
        Index("ix_case_leader_state_due", "case_leader_id", "state", "due_on", "id",
              postgresql_where=text("case_leader_id IS NOT NULL"),
              sqlite_where=text("case_leader_id IS NOT NULL")),
        # newest first with the id as tie-breaker: a deep page skips index entries only
        Index("ix_case_received_id", "received_on", "id"),
        UniqueConstraint("upper_number", name="uq_cases_upper_number"),
    )

    id = Column(Integer, primary_key=True)
    number = Column(String(20), nullable=False, unique=True)
    petitioner_id = Column(Integer, ForeignKey("petitioner.id"), nullable=False, index=True)
    # where the matter arose (the petitioner's village); the scope of the case
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False)
    # The township above ``place`` (None for a case at the banner itself), kept by the
    # flush (below) and by place moves (app/models/places.py): a township clerk's scope is
    # `township_id = …`, one index range, where a subtree of places was an OR of two
    # subqueries that no index answered (0.3–1.3 s a list page at 1,000,000 cases).
    township_id = Column(Integer, ForeignKey("place.id"))
    # the place now responsible for handling it (moves up on escalation)
    responsible_place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    # agent_id, case_leader_id and received_on are indexed as the first columns of
    # longer indexes (ix_case_agent_state_due, ix_case_leader_state_due,
    # ix_case_received_id; migration 0019 dropped their own)
    agent_id = Column(Integer, ForeignKey("person.id"))
    case_leader_id = Column(Integer, ForeignKey("person.id"))
    channel_id = Column(Integer, ForeignKey("channel.id"), nullable=False, index=True)
    category_id = Column(Integer, ForeignKey("category.id"), nullable=False, index=True)
    purpose = Column(String(20), nullable=False, default="solution")
    urgency = Column(String(6), nullable=False, default="blue")
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=False)
    demand = Column(Text, nullable=False)
    is_group = Column(Boolean, nullable=False, default=False)
    head_count = Column(Integer, nullable=False, default=1)
    # a collective visit's representatives (条例 Art. 20: at most MAX_REPRESENTATIVES)
    representatives = Column(Integer)
    is_repeat = Column(Boolean, nullable=False, default=False)
    skipped_level = Column(Boolean, nullable=False, default=False)

    received_on = Column(Date, nullable=False)
    registered_at = Column(DateTime, nullable=False, default=_now)
    registered_by_id = Column(Integer, ForeignKey("ab_user.id"))

    state = Column(String(12), nullable=False, default="registered")
    level = Column(String(14), nullable=False, default="village")
    version = Column(Integer, nullable=False, default=1)

    entrustment_signer = Column(String(200))
    entrustment_signed_on = Column(Date)
    entrustment_file = Column(String(300))

    decline_reason = Column(Text)
    decline_guidance = Column(Text)
    # the guidance was the category's (stored above as it read then): show the
    # category's guidance in the reader's language (decline_guidance_text)
    decline_guidance_from_category = Column(Boolean, nullable=False, default=False,
                                            server_default=false())
    accepted_on = Column(Date)
    acceptance_due_on = Column(Date)
    due_on = Column(Date, index=True)
    extension_days = Column(Integer)
    supervised = Column(Boolean, nullable=False, default=False)
    concluded_on = Column(Date, index=True)
    reply = Column(Text)
    resolution_level = Column(String(14))
    evaluation = Column(String(20))
    followed_up_on = Column(Date)
    followup_note = Column(Text)
    stop_agreement = Column(Boolean, nullable=False, default=False)
    archived_on = Column(Date)
    termination_reason = Column(String(20))
    # an accusation or complaint names the accused unit: its staff never learn who
    # brought it (app/security/confidential.py)
    accused_department_id = Column(Integer, ForeignKey("department.id"))
    accused_place_id = Column(Integer, ForeignKey("place.id"))
    # 三通: a case assigned down by the upper-level petition system (交办件) keeps its
    # number there (unique: the same assignment is never imported twice) and who
    # registered it there and when (app/domain/exchange.py)
    upper_number = Column(String(40))
    upper_registered_on = Column(Date)
    upper_unit = Column(String(200))
    upper_clerk = Column(String(100))

    petitioner = relationship("Petitioner", back_populates="cases")
    place = relationship("Place", foreign_keys=[place_id])
    responsible_place = relationship("Place", foreign_keys=[responsible_place_id])
    agent = relationship("Person", foreign_keys=[agent_id])
    case_leader = relationship("Person", foreign_keys=[case_leader_id])
    channel = relationship("Channel")
    category = relationship("Category")
    registered_by = relationship("StaffUser", foreign_keys=[registered_by_id])
    events = relationship("CaseEvent", back_populates="case", order_by="CaseEvent.id")
    escalations = relationship(
        "EscalationRequest", back_populates="case", order_by="EscalationRequest.id"
    )
    transfers = relationship("Transfer", back_populates="case", order_by="Transfer.id")
    accused_department = relationship("Department", foreign_keys=[accused_department_id])
    accused_place = relationship("Place", foreign_keys=[accused_place_id])

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def decline_guidance_text(self) -> str:
        """Where to go instead, in the reader's language when it came from the category;
        as typed otherwise."""
        if self.decline_guidance_from_category and self.category is not None:
            return self.category.guidance or self.decline_guidance or ""
        return self.decline_guidance or ""

    @property
    def effective_due_on(self) -> datetime.date | None:
        """What the case is due for now: the acceptance decision while registered, the
        conclusion while handled; nothing once closed."""
        if self.state == "registered":
            return self.acceptance_due_on
        if self.state in ("in_progress", "transferred"):
            return self.due_on
        return None

    # The SQL twin of effective_due_on: every "overdue" and "due soon" — the case list's
    # filters, the cockpit's figures and drill-downs, the bulletin — counts through it,
    # so they cannot disagree. The state test comes first so that both engines walk the
    # (small) set of open cases by the state index; an OR of two date ranges made
    # SQLite scan the due-date index over every case (1.8 s at 1,000,000 cases).
    @classmethod
    def effective_due_on_sql(cls):
        return sql_case((cls.state == "registered", cls.acceptance_due_on), else_=cls.due_on)

    @classmethod
    def due_parts(cls):
        """Open cases as disjoint parts, one per open state, each with the column that
        holds its effective due date: (state, due column). Each part is a range of an
        index that leads with (a scope column,) the state and that date
        (ix_case_state_due …), so a count is a sum of index ranges and "the ten due
        first" a merge of ten per part."""
        return (("registered", cls.acceptance_due_on), ("in_progress", cls.due_on),
                ("transferred", cls.due_on))

    @classmethod
    def due_before_parts(cls, day: datetime.date):
        """due_before_clause as disjoint conditions (see due_parts)."""
        return tuple(and_(cls.state == state, due < day) for state, due in cls.due_parts())

    @classmethod
    def due_between_parts(cls, first: datetime.date, last: datetime.date):
        return tuple(and_(cls.state == state, due.between(first, last))
                     for state, due in cls.due_parts())

    @classmethod
    def due_before_clause(cls, day: datetime.date):
        return and_(cls.state.in_(("registered", "in_progress", "transferred")),
                    cls.effective_due_on_sql() < day)

    @classmethod
    def due_between_clause(cls, first: datetime.date, last: datetime.date):
        return and_(cls.state.in_(("registered", "in_progress", "transferred")),
                    cls.effective_due_on_sql().between(first, last))

    @property
    def days_left(self) -> int | None:
        due = self.effective_due_on
        return None if due is None else (due - clock.today()).days

    @property
    def is_collective(self) -> bool:
        """A collective visit (集体访): more than COLLECTIVE_MIN_HEADS people (条例 Art. 20
        has them send at most five representatives)."""
        return bool(self.is_group) and (self.head_count or 0) > COLLECTIVE_MIN_HEADS

    @property
    def petitioner_phone_masked(self) -> str:
        return mask_phone(self.petitioner.phone if self.petitioner else None)

    # who brought the case, as the signed-in user may see it
    def _withheld(self, value):
        from app.security.confidential import WITHHELD, identity_withheld

        return str(WITHHELD) if identity_withheld(self) else value

    @property
    def petitioner_for_viewer(self):
        return self._withheld(self.petitioner)

    @property
    def petitioner_phone_for_viewer(self) -> str:
        return self._withheld(self.petitioner_phone_masked)

    @property
    def entrustment_signer_for_viewer(self):
        return self._withheld(self.entrustment_signer)

    @classmethod
    def subtree_clause(cls, path: str):
        """Cases that arose at the place with this path or below it: a township's as
        ``township_id`` (one index range), any other place's as its places."""
        if path.count("/") == 3:  # "/banner/township/"
            township = Place.id_by_path(path)
            return false() if township is None else cls.township_id == township
        return cls.place_id.in_(Place.subtree_ids(path))

    @classmethod
    def reached_by_department(cls, department_id):
        """The ids of the cases a stationed department's staff reach: those transferred
        to it (from ix_transfer_department_case alone)."""
        return select(Transfer.case_id).where(Transfer.department_id == department_id)

    @classmethod
    def scope_clause(cls, scope, per_row: bool = False):
        """The responsible place is always the case's place or one of its ancestors
        (registration sets it to the place, escalation moves it to a parent), so a case
        is in a subtree exactly when its place is: a township's subtree is
        ``township_id``, one index range; a village's or a grid's, its places. A scope
        may also reach single places (``case_ids``) and its own cases (``own_cases``:
        registered, handled as agent or led, within the account's subtree).

        A department's cases (those transferred to it) are the same set either way
        ``per_row`` says: by default the list of its cases (the lists read them all);
        with ``per_row``, a probe of its transfers for each row — for a caller whose
        other conditions are already a narrow index range (the landing page's due
        parts), where listing the department's cases for each part cost SQLite 12 ms."""
        if scope.everything:
            return true()
        parts = [cls.subtree_clause(path) for path in scope.case_paths]
        if scope.case_ids:
            parts.append(cls.place_id.in_(scope.case_ids))
        if scope.own_cases is not None and scope.place_path:
            user_id, person_id = scope.own_cases
            mine = [cls.registered_by_id == user_id]
            if person_id is not None:
                mine += [cls.agent_id == person_id, cls.case_leader_id == person_id]
            parts.append(and_(cls.place_id.in_(Place.subtree_ids(scope.place_path)),
                              or_(*mine)))
        if scope.department_id is not None:
            if per_row:
                parts.append(cls.reached_by_department(scope.department_id)
                             .where(Transfer.case_id == cls.id).exists())
            else:
                parts.append(cls.id.in_(cls.reached_by_department(scope.department_id)))
        if not parts:
            return false()
        return or_(*parts) if len(parts) > 1 else parts[0]


def township_of(connection, place_id):
    """The id of the township at or above a place (None at the banner)."""
    if place_id is None:
        return None
    township = Place.township_path(
        connection.scalar(select(Place.path).where(Place.id == place_id)))
    if township is None:
        return None
    return connection.scalar(select(Place.id).where(Place.path == township))


@event.listens_for(Case, "before_insert")
def _township_on_insert(mapper, connection, target):
    target.township_id = township_of(connection, target.place_id)


@event.listens_for(Case, "before_update")
def _township_on_update(mapper, connection, target):
    from sqlalchemy import inspect as sa_inspect

    if sa_inspect(target).attrs.place_id.history.has_changes():
        target.township_id = township_of(connection, target.place_id)


class CaseEvent(Model):
    """One action on a case. Append-only: the ORM refuses to change or delete one."""

    __tablename__ = "case_event"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=_now)
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    action = Column(String(30), nullable=False)
    from_state = Column(String(12))
    to_state = Column(String(12))
    comment = Column(Text)
    attachment = Column(String(300))
    data = Column(JSON)

    case = relationship("Case", back_populates="events")
    user = relationship("StaffUser")

    def __str__(self) -> str:
        return f"{self.at} {self.action}"

    @classmethod
    def scope_clause(cls, scope):
        return scope.via(cls.case_id, Case)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(CaseEvent, "before_update")
def _refuse_event_update(mapper, connection, target):
    raise AppendOnlyError("case events are append-only")


@event.listens_for(CaseEvent, "before_delete")
def _refuse_event_delete(mapper, connection, target):
    raise AppendOnlyError("case events are append-only")


class EscalationRequest(Model):
    """An agent's request to move a case up one level, and the approver's decision."""

    __tablename__ = "escalation_request"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending','approved','sent_back')", name="ck_escalation_status"
        ),
        # the pending ones a user may decide, read from the index alone up to the case
        Index("ix_escalation_status_level", "status", "to_level", "case_id",
              "requested_by_id"),
        # a township clerk's pending approvals (the menu's count on every page)
        Index("ix_escalation_township_pending", "township_id", "status", "to_level",
              "requested_at"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    from_level = Column(String(14), nullable=False)
    to_level = Column(String(14), nullable=False)
    reason = Column(Text, nullable=False)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"))
    requested_at = Column(DateTime, nullable=False, default=_now)
    status = Column(String(10), nullable=False, default="pending")
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"))
    decided_at = Column(DateTime)
    comment = Column(Text)
    # the case's township, copied (app/models/copies.py: never written by hand)
    township_id = Column(Integer, ForeignKey("place.id"))

    case = relationship("Case", back_populates="escalations")
    requested_by = relationship("StaffUser", foreign_keys=[requested_by_id])
    decided_by = relationship("StaffUser", foreign_keys=[decided_by_id])

    @classmethod
    def scope_clause(cls, scope):
        return scope.via(cls.case_id, Case)


class Transfer(Model):
    """A case transferred (交办) to a stationed department, with a reply deadline."""

    __tablename__ = "transfer"
    __table_args__ = (
        CheckConstraint("status IN ('open','replied')", name="ck_transfer_status"),
        Index("ix_transfer_department_case", "department_id", "case_id"),
        # a department's cases by state, from the index alone (its landing page)
        Index("ix_transfer_department_state", "department_id", "case_state", "case_id"),
        # its transfers waiting for a reply, by reply-by date (its landing page, their
        # count): one range in order, where (department_id, case_id) read all of them
        # and sorted them — 13 ms of the landing page's SQL at 1,000,000 cases (0026)
        Index("ix_transfer_department_open_due", "department_id", "status", "due_on", "id"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    # indexed with the case (ix_transfer_department_case): a department's cases are
    # read from the index alone (its staff's scope)
    department_id = Column(Integer, ForeignKey("department.id"), nullable=False)
    assigned_at = Column(DateTime, nullable=False, default=_now)
    due_on = Column(Date, nullable=False)
    status = Column(String(10), nullable=False, default="open")
    replied_at = Column(DateTime)
    reply = Column(Text)
    # the case's state, copied (app/models/copies.py: never written by hand)
    case_state = Column(String(12))

    case = relationship("Case", back_populates="transfers")
    department = relationship("Department")

    @property
    def on_time(self) -> bool | None:
        if self.replied_at is None:
            return None
        return self.replied_at.date() <= self.due_on

    @property
    def overdue(self) -> bool:
        """Still unanswered after its reply-by date."""
        return self.status == "open" and self.due_on < datetime.date.today()

    @classmethod
    def overdue_clause(cls, day: datetime.date):
        return and_(cls.status == "open", cls.due_on < day)

    @classmethod
    def scope_clause(cls, scope):
        """A transfer is in scope when its case is: a department's staff reach every
        transfer of the cases transferred to them (theirs among them). One test of the
        case, with no OR beside it, so that an index on transfer still answers the rest
        of the query (a department's inbox: its own open transfers)."""
        return scope.via(cls.case_id, Case)
