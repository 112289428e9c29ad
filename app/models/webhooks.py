"""Webhooks for integrators: HTTPS endpoints an administrator registers per event kind,
and the durable queue of deliveries to them (app/services/webhooks.py)."""

import datetime
import secrets

from flask_appbuilder import Model
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import relationship

from app import clock
from app.security.pii import EncryptedString

EVENT_KINDS_SQL = ("'case_registered','escalation_requested','escalation_decided',"
                   "'transfer_overdue','case_concluded'")


def _now() -> datetime.datetime:
    return clock.now()


def _new_secret() -> str:
    return secrets.token_hex(32)


class WebhookEndpoint(Model):
    __tablename__ = "webhook_endpoint"
    __table_args__ = (
        CheckConstraint(f"event_kind IN ({EVENT_KINDS_SQL})", name="ck_webhook_event_kind"),
    )

    id = Column(Integer, primary_key=True)
    url = Column(String(500), nullable=False)
    event_kind = Column(String(30), nullable=False, index=True)
    # signs every delivery (HMAC-SHA256); encrypted at rest like ID numbers
    secret = Column(EncryptedString(), nullable=False, default=_new_secret)
    description = Column(String(200))
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=_now)

    deliveries = relationship("WebhookDelivery", back_populates="endpoint",
                              cascade="all, delete-orphan", passive_deletes=True)

    def __str__(self) -> str:
        return self.url

    @classmethod
    def scope_clause(cls, scope):
        # banner-wide configuration: who may see it is a permission, not a place
        return true()


class WebhookDelivery(Model):
    """One event for one endpoint: written in the transaction of the event itself, then
    sent (and retried with backoff) by `flask webhooks deliver`."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending','delivered','failed')",
                        name="ck_webhook_delivery_status"),
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_delivery_event"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id = Column(Integer, primary_key=True)
    endpoint_id = Column(Integer, ForeignKey("webhook_endpoint.id", ondelete="CASCADE"),
                         nullable=False, index=True)
    event_kind = Column(String(30), nullable=False)
    event_id = Column(String(80), nullable=False)
    payload = Column(JSON, nullable=False)
    status = Column(String(10), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=_now)
    next_attempt_at = Column(DateTime, nullable=False, default=_now)
    last_attempt_at = Column(DateTime)
    last_status_code = Column(Integer)
    last_error = Column(Text)
    delivered_at = Column(DateTime)

    endpoint = relationship("WebhookEndpoint", back_populates="deliveries")

    @classmethod
    def scope_clause(cls, scope):
        return true()
