"""FAB's user, bound to the place (or the department) whose rows it may see."""

from flask_appbuilder.security.sqla.models import User as FabUser
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class StaffUser(FabUser):
    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}

    place_id = Column(Integer, ForeignKey("place.id"), index=True)
    department_id = Column(Integer, ForeignKey("department.id"), index=True)
    person_id = Column(Integer, ForeignKey("person.id"))
    locale = Column(String(10))

    place = relationship("Place", foreign_keys=[place_id])
    department = relationship("Department", foreign_keys=[department_id])
    person = relationship("Person", foreign_keys=[person_id])
