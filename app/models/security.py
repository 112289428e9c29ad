"""Sign-in attempts, kept to lock out password guessing (per account and source address);
the data scope of each role."""

import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    true,
)
from sqlalchemy.orm import relationship


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class LoginAttempt(Model):
    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_account", "username", "address", "at"),
        Index("ix_login_attempt_address", "address", "at"),
    )

    id = Column(Integer, primary_key=True)
    username = Column(String(256), nullable=False)
    address = Column(String(64), nullable=False)
    at = Column(DateTime, nullable=False, default=_now)
    success = Column(Boolean, nullable=False)


# --- data scope as a per-role setting (app/security/scope.py applies it) -----------------
SCOPE_BANNER = "banner"
SCOPE_SUBTREE = "subtree"
SCOPE_OWN_PLACE = "own_place"
SCOPE_OWN_RECORDS = "own_records"
SCOPE_PLACES = "places"
SCOPE_KINDS = (SCOPE_BANNER, SCOPE_SUBTREE, SCOPE_OWN_PLACE, SCOPE_OWN_RECORDS, SCOPE_PLACES)

role_scope_place = Table(
    "role_scope_place",
    Model.metadata,
    Column("role_scope_id", Integer, ForeignKey("role_scope.id", ondelete="CASCADE"),
           primary_key=True),
    Column("place_id", Integer, ForeignKey("place.id", ondelete="CASCADE"), primary_key=True),
)


class RoleScope(Model):
    """The rows a role's accounts see, set by the security administrator. A role without
    one sees its accounts' own place and everything below it (the default)."""

    __tablename__ = "role_scope"
    __table_args__ = (
        CheckConstraint("kind IN ('banner','subtree','own_place','own_records','places')",
                        name="ck_role_scope_kind"),
    )

    id = Column(Integer, primary_key=True)
    role_id = Column(Integer, ForeignKey("ab_role.id", ondelete="CASCADE"), nullable=False,
                     unique=True)
    kind = Column(String(20), nullable=False, default=SCOPE_SUBTREE)

    role = relationship("Role")
    places = relationship("Place", secondary=role_scope_place, order_by="Place.path")

    def __str__(self) -> str:
        return f"{self.role} {self.kind}"

    @classmethod
    def scope_clause(cls, scope):
        # who may set them is a permission (the security administrator's), not a place
        return true()
