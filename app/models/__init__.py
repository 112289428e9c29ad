"""All models, imported here so Alembic and the app see one metadata."""

from app.models import normalise  # noqa: F401  (NFC for every stored text)
from app.models.audit import AuditEntry
from app.models.cases import Case, CaseEvent, EscalationRequest, Transfer
from app.models.dictionaries import Category, Channel, Department
from app.models.generation import CacheGeneration
from app.models.people import Duty, Person, Petitioner, Training
from app.models.places import Place, Site
from app.models.records import (
    DutyRota,
    JointMeeting,
    JointMeetingCase,
    LeaderReception,
    MediationSession,
    reception_case,
)
from app.models.reviews import CaseReview
from app.models.search import SEARCH_OBJECTS  # noqa: F401  (search indexes' DDL)
from app.models.security import LoginAttempt, RoleScope
from app.models.stats import CaseStat, CaseStatTown
from app.models.user import StaffUser
from app.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AuditEntry",
    "CacheGeneration",
    "Case",
    "CaseEvent",
    "CaseReview",
    "CaseStat",
    "CaseStatTown",
    "Category",
    "Channel",
    "Department",
    "Duty",
    "DutyRota",
    "EscalationRequest",
    "JointMeeting",
    "JointMeetingCase",
    "LeaderReception",
    "LoginAttempt",
    "MediationSession",
    "Person",
    "Petitioner",
    "Place",
    "RoleScope",
    "Site",
    "Training",
    "Transfer",
    "StaffUser",
    "WebhookDelivery",
    "WebhookEndpoint",
    "reception_case",
]
