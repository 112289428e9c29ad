"""Registers the reports rely on beside the cases: joint meetings, mediation sessions,
leader receptions and the village secretaries' duty rota."""

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import relationship

from app.models.cases import Case

reception_case = Table(
    "reception_case",
    Model.metadata,
    Column("reception_id", Integer, ForeignKey("leader_reception.id", ondelete="CASCADE"),
           primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
)


class JointMeeting(Model):
    """信访工作联席会议: takes the hardest cases and decides the "六个一" for each."""

    __tablename__ = "joint_meeting"

    id = Column(Integer, primary_key=True)
    held_on = Column(Date, nullable=False, index=True)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False)
    topic = Column(String(200), nullable=False)
    attendees = Column(Text)
    decisions = Column(Text)

    place = relationship("Place")
    items = relationship("JointMeetingCase", back_populates="meeting",
                         cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id)


class JointMeetingCase(Model):
    """A case taken by a joint meeting: its leader, working group, person in charge,
    plan and deadline."""

    __tablename__ = "joint_meeting_case"

    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False, index=True)
    case_leader_id = Column(Integer, ForeignKey("person.id"), nullable=False)
    person_in_charge_id = Column(Integer, ForeignKey("person.id"), nullable=False)
    working_group = Column(Text, nullable=False)
    plan = Column(Text, nullable=False)
    response_plan = Column(Text)
    due_on = Column(Date, nullable=False)

    meeting = relationship("JointMeeting", back_populates="items")
    case = relationship("Case")
    case_leader = relationship("Person", foreign_keys=[case_leader_id])
    person_in_charge = relationship("Person", foreign_keys=[person_in_charge_id])

    @classmethod
    def scope_clause(cls, scope):
        return scope.via(cls.case_id, Case)


class MediationSession(Model):
    __tablename__ = "mediation_session"
    __table_args__ = (
        CheckConstraint("outcome IN ('agreed','failed','ongoing')", name="ck_mediation_outcome"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), index=True)
    mediator_id = Column(Integer, ForeignKey("person.id"), nullable=False)
    site_id = Column(Integer, ForeignKey("site.id"))
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    held_on = Column(Date, nullable=False)
    parties = Column(Text, nullable=False)
    outcome = Column(String(10), nullable=False, default="ongoing")
    agreement = Column(Text)
    judicially_confirmed = Column(Boolean, nullable=False, default=False)

    case = relationship("Case")
    mediator = relationship("Person")
    site = relationship("Site")
    place = relationship("Place")

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id)


class LeaderReception(Model):
    """接访 / 约访 / 下访: a leader receiving petitioners, counted in batches and persons."""

    __tablename__ = "leader_reception"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('reception','appointment','field_visit')", name="ck_reception_kind"
        ),
        CheckConstraint("batches >= 0 AND persons >= batches", name="ck_reception_counts"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(12), nullable=False)
    leader_id = Column(Integer, ForeignKey("person.id"), nullable=False, index=True)
    held_on = Column(Date, nullable=False, index=True)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    batches = Column(Integer, nullable=False, default=1)
    persons = Column(Integer, nullable=False, default=1)
    note = Column(Text)

    leader = relationship("Person")
    place = relationship("Place")
    cases = relationship("Case", secondary=reception_case)

    def __str__(self) -> str:
        return f"{self.held_on} {self.leader}"

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id)


class DutyRota(Model):
    """A village secretary's turn at the township reception room."""

    __tablename__ = "duty_rota"

    id = Column(Integer, primary_key=True)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    person_id = Column(Integer, ForeignKey("person.id"), nullable=False)
    duty_on = Column(Date, nullable=False, index=True)
    note = Column(String(300))

    place = relationship("Place")
    person = relationship("Person")

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id)
