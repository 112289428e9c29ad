"""Sign-in attempts, kept to lock out password guessing (per account and source address)."""

import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String


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
