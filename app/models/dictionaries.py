"""Dictionaries administrators keep in both languages: categories (the service list and
the non-acceptance list), channels, and the stationed departments."""

from flask_appbuilder import Model
from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.i18n import localized
from app.models.base import BilingualName


class Category(BilingualName, Model):
    """A kind of matter: on the service list (accepted for agency) or on the
    non-acceptance list (declined with a reason and guidance, still counted)."""

    __tablename__ = "category"
    __table_args__ = (
        CheckConstraint("list IN ('service','excluded')", name="ck_category_list"),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    list = Column(String(10), nullable=False, default="service")
    guidance_zh = Column(Text)
    guidance_mn = Column(Text)
    sort_order = Column(Integer, nullable=False, default=0)
    active = Column(Boolean, nullable=False, default=True)

    @property
    def guidance(self) -> str:
        return localized(self.guidance_zh, self.guidance_mn) if (
            self.guidance_zh or self.guidance_mn
        ) else ""


class Channel(BilingualName, Model):
    """How a matter came in; each maps onto one of the national system's eight forms."""

    __tablename__ = "channel"

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    national_form = Column(String(20), nullable=False, default="visit")
    sort_order = Column(Integer, nullable=False, default=0)
    active = Column(Boolean, nullable=False, default=True)


class Department(BilingualName, Model):
    """A functional department or judicial body stationed at the banner's centre."""

    __tablename__ = "department"
    __table_args__ = (
        CheckConstraint(
            "stationing IN ('resident','rotating','on_call')", name="ck_department_stationing"
        ),
    )

    id = Column(Integer, primary_key=True)
    code = Column(String(20), nullable=False, unique=True)
    stationing = Column(String(10), nullable=False, default="resident")
    place_id = Column(Integer, ForeignKey("place.id"), nullable=False, index=True)
    phone = Column(String(20))
    reply_days = Column(Integer, nullable=False, default=15)
    active = Column(Boolean, nullable=False, default=True)

    place = relationship("Place")

    @classmethod
    def scope_clause(cls, scope):
        return scope.place_clause(cls.place_id, department_column=cls.id)
