"""FAB's user, bound to the place (or the department) whose rows it may see."""

from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship
from sqlalchemy.sql.expression import false


class StaffUser(FabUser):
    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}

    place_id = Column(Integer, ForeignKey("place.id"), index=True)
    department_id = Column(Integer, ForeignKey("department.id"), index=True)
    person_id = Column(Integer, ForeignKey("person.id"))
    locale = Column(String(10))
    # raised at logout and on revocation: every session cookie and token issued before
    # carries the old number and is refused
    session_generation = Column(Integer, nullable=False, default=0, server_default="0")
    password_changed_at = Column(DateTime)
    must_change_password = Column(Boolean, nullable=False, default=False,
                                  server_default=false())
    # hashes of the previous passwords (JSON list, newest first)
    password_history = Column(Text)

    place = relationship("Place", foreign_keys=[place_id])
    department = relationship("Department", foreign_keys=[department_id])
    person = relationship("Person", foreign_keys=[person_id])
