"""People and their duties (one person may hold several), training records, and
petitioners (whose identity numbers and phones are personal information)."""

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.orm import relationship, validates

from app.domain.validators import mask_id_number, mask_phone
from app.models.base import BilingualName
from app.models.normalise import blank_to_none
from app.security.pii import EncryptedString


def _label_parts(who, detail) -> str:
    parts = [str(who), str(who.place) if who.place is not None else "", detail,
             mask_phone(who.phone) if who.phone else ""]
    return " · ".join(p for p in parts if p)


class Person(BilingualName, Model):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("gender IS NULL OR gender IN ('male','female')", name="ck_person_gender"),
        UniqueConstraint("id_number_hash", name="uq_person_id_number_hash"),
    )

    id = Column(Integer, primary_key=True)
    gender = Column(String(6))
    # personal information: encrypted at rest (app/security/pii.py), masked when shown,
    # searched by whole value only, through the keyed hash (which keeps ID numbers unique)
    id_number = Column(EncryptedString(), unique=True)
    id_number_hash = Column(String(64))
    masked_columns = ("id_number", "phone")
    phone = Column(EncryptedString())
    phone_hash = Column(String(64), index=True)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    organisation = Column(String(200))
    position = Column(String(100))
    active = Column(Boolean, nullable=False, default=True)
    note = Column(Text)

    place = relationship("Place")
    duties = relationship("Duty", back_populates="person", cascade="all, delete-orphan")
    trainings = relationship("Training", back_populates="person", cascade="all, delete-orphan")

    @validates("id_number", "phone")
    def _blank_is_none(self, _key, value):
        # an identity field left blank is unknown (NULL), never '': a unique column
        # holds any number of unknowns but only one ''
        return blank_to_none(value)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def picker_label(self) -> str:
        """What tells two people of the same name apart in a picker: their place, their
        duties and the masked tail of their phone."""
        return _label_parts(self, self.duty_summary)

    @property
    def duty_summary(self) -> str:
        from app.models.choices import DUTY_KINDS, label

        return "、".join(label(DUTY_KINDS, d.kind) for d in self.duties if d.active)

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(
            cls.place_id,
            department_column=cls.id,
            department_subquery=lambda dept: select(Duty.person_id).where(
                Duty.department_id == dept
            ),
        )


class Duty(Model):
    """One duty a person holds: agent, grid worker, mediator, case leader, staff of a
    stationed department or village secretary, at a place."""

    __tablename__ = "duty"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('agent','grid_worker','mediator','case_leader','department_staff',"
            "'village_secretary')",
            name="ck_duty_kind",
        ),
        CheckConstraint("kind <> 'agent' OR employment IS NOT NULL", name="ck_duty_agent"),
        CheckConstraint(
            "kind <> 'mediator' OR mediation_kind IS NOT NULL", name="ck_duty_mediator"
        ),
        CheckConstraint("kind <> 'case_leader' OR title IS NOT NULL", name="ck_duty_leader"),
        CheckConstraint(
            "kind <> 'department_staff' OR department_id IS NOT NULL", name="ck_duty_department"
        ),
        CheckConstraint(
            "employment IS NULL OR employment IN ('full_time','part_time')",
            name="ck_duty_employment",
        ),
    )

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False,
                       index=True)
    kind = Column(String(20), nullable=False, index=True)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    employment = Column(String(10))
    source = Column(String(20))
    mediation_kind = Column(String(20))
    committee = Column(String(100))
    site_id = Column(Integer, ForeignKey("site.id"))
    title = Column(String(100))
    department_id = Column(Integer, ForeignKey("department.id"), index=True)
    start_on = Column(Date)
    end_on = Column(Date)
    active = Column(Boolean, nullable=False, default=True)

    person = relationship("Person", back_populates="duties")
    place = relationship("Place")
    site = relationship("Site")
    department = relationship("Department")

    def __str__(self) -> str:
        from app.models.choices import DUTY_KINDS, label

        return f"{self.person} · {label(DUTY_KINDS, self.kind)} · {self.place}"

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id, department_column=cls.department_id)


class Training(Model):
    __tablename__ = "training"

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False,
                       index=True)
    held_on = Column(Date, nullable=False)
    kind = Column(String(20), nullable=False, default="topic")
    topic = Column(String(200), nullable=False)
    hours = Column(Numeric(5, 1))
    organiser = Column(String(200))

    person = relationship("Person", back_populates="trainings")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"

    @classmethod
    def scope_clause(cls, scope):
        return scope.via(cls.person_id, Person)


class Petitioner(Model):
    __tablename__ = "petitioner"
    __table_args__ = (
        CheckConstraint(
            "gender IS NULL OR gender IN ('male','female')", name="ck_petitioner_gender"
        ),
        UniqueConstraint("id_number_hash", name="uq_petitioner_id_number_hash"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, index=True)
    gender = Column(String(6))
    # personal information: encrypted at rest (app/security/pii.py), masked when shown,
    # searched by whole value only, through the keyed hash (which keeps ID numbers unique)
    id_number = Column(EncryptedString(), unique=True)
    id_number_hash = Column(String(64))
    masked_columns = ("id_number", "phone")
    phone = Column(EncryptedString())
    phone_hash = Column(String(64), index=True)
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    address = Column(String(300))

    place = relationship("Place")
    cases = relationship("Case", back_populates="petitioner")

    @validates("id_number", "phone")
    def _blank_is_none(self, _key, value):
        # an identity field left blank is unknown (NULL), never '': a unique column
        # holds any number of unknowns but only one ''
        return blank_to_none(value)

    def __str__(self) -> str:
        return self.name

    @property
    def picker_label(self) -> str:
        """Name, village, masked ID number or phone: enough to pick the right one of
        two petitioners of the same name."""
        return _label_parts(self, self.id_number_masked)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @classmethod
    def scope_clause(cls, scope):
        from app.security.confidential import petitioner_hidden_clause

        # the petitioner of an accusation is never in the accused unit's staff's scope
        return and_(scope.place_clause(cls.place_id), ~petitioner_hidden_clause(cls, scope))
