"""Read endpoints under /api/v1/ for every record the panel lists: the same models, the
same scope filter (``ScopedApi``'s ``base_filters``) and the same permission names as
their pages, so a role reads over REST exactly what it reads on screen. Relations are
ids only; text columns take FAB's ``ct``/``sw``/``eq`` filters through
``search_columns``. Writes to these records stay on their pages for now (the pages'
choice and roster checks live in their forms)."""

import dataclasses
import datetime

from flask import request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_babel import gettext as _

from app import clock
from app.api import ScopedApi
from app.api_errors import ErrorShape
from app.cockpit.bulletin import build_bulletin
from app.models import (
    AuditEntry,
    CaseEvent,
    Category,
    Channel,
    Department,
    Duty,
    DutyRota,
    EscalationRequest,
    JointMeeting,
    JointMeetingCase,
    LeaderReception,
    MediationSession,
    Petitioner,
    RoleScope,
    Site,
    Training,
    Transfer,
)
from app.models.reviews import CaseReview
from app.security.scope import current_scope
from app.views.base import interface

READ_ROUTES = {"get", "get_list", "info"}
_BILINGUAL = ["code", "name_zh", "name_mn"]


class ReadApi(ScopedApi):
    include_route_methods = READ_ROUTES
    # the permissions of the page sharing this permission name: FAB's start-up sync
    # keeps only the last registered list, so the API must not shrink the page's
    base_permissions = ["can_read", "can_write", "can_delete"]
    openapi_spec_methods = {"get_list": {"get": {"description": "Scoped list; filters in q"}}}


class HistoryApi(ReadApi):
    """Read-only pages (the case's events, mediation sessions, joint meeting decisions)."""

    base_permissions = ["can_read"]


class DictionaryApi(ReadApi):
    """Shared by the whole banner: no place scope (as their pages)."""

    base_filters = []
    order_columns = ["code", "name_zh", "name_mn", "sort_order"]
    base_order = ("sort_order", "asc")


class CategoryApi(DictionaryApi):
    resource_name = "categories"
    datamodel = interface(Category)
    class_permission_name = "Category"
    list_columns = show_columns = [
        "id", *_BILINGUAL, "list", "guidance_zh", "guidance_mn", "sort_order", "active"]
    search_columns = [*_BILINGUAL, "list", "active"]


class ChannelApi(DictionaryApi):
    resource_name = "channels"
    datamodel = interface(Channel)
    class_permission_name = "Channel"
    list_columns = show_columns = ["id", *_BILINGUAL, "national_form", "sort_order", "active"]
    search_columns = [*_BILINGUAL, "national_form", "active"]


class DepartmentApi(DictionaryApi):
    resource_name = "departments"
    datamodel = interface(Department)
    class_permission_name = "Department"
    list_columns = show_columns = ["id", *_BILINGUAL, "stationing", "place_id", "phone",
                                   "reply_days", "active"]
    search_columns = [*_BILINGUAL, "stationing", "active"]
    order_columns = [*_BILINGUAL]
    base_order = ("code", "asc")


class SiteApi(ReadApi):
    resource_name = "sites"
    datamodel = interface(Site)
    class_permission_name = "Site"
    list_columns = show_columns = [
        "id", "name_zh", "name_mn", "kind", "place_id", "address", "phone", "has_premises",
        "has_agents", "has_procedures", "has_archives", "has_facilities", "has_funding",
        "note"]
    search_columns = ["name_zh", "name_mn", "kind", "place"]
    order_columns = ["name_zh", "kind"]


class DutyApi(ReadApi):
    resource_name = "duties"
    datamodel = interface(Duty)
    class_permission_name = "Duty"
    list_columns = show_columns = [
        "id", "person_id", "kind", "place_id", "employment", "source", "mediation_kind",
        "committee", "site_id", "title", "department_id", "start_on", "end_on", "active"]
    search_columns = ["person", "kind", "place", "employment", "department", "title", "active"]
    order_columns = ["kind", "start_on"]


class TrainingApi(ReadApi):
    resource_name = "trainings"
    datamodel = interface(Training)
    class_permission_name = "Training"
    list_columns = show_columns = ["id", "person_id", "held_on", "kind", "topic", "hours",
                                   "organiser"]
    search_columns = ["person", "kind", "topic", "held_on", "organiser"]
    order_columns = ["held_on", "kind"]


class PetitionerApi(ReadApi):
    """Identity numbers and phones do not leave through the API (the page masks them)."""

    resource_name = "petitioners"
    datamodel = interface(Petitioner)
    class_permission_name = "Petitioner"
    list_columns = ["id", "name", "gender", "place_id"]
    show_columns = [*list_columns, "address"]
    search_columns = ["name", "place", "gender"]
    order_columns = ["name"]


class JointMeetingApi(ReadApi):
    resource_name = "joint_meetings"
    datamodel = interface(JointMeeting)
    class_permission_name = "JointMeeting"
    list_columns = show_columns = ["id", "held_on", "place_id", "topic", "attendees",
                                   "decisions"]
    search_columns = ["held_on", "topic", "place"]
    order_columns = ["held_on"]


class JointMeetingCaseApi(HistoryApi):
    resource_name = "joint_meeting_cases"
    datamodel = interface(JointMeetingCase)
    class_permission_name = "JointMeetingCase"
    list_columns = show_columns = ["id", "meeting_id", "case_id", "case_leader_id",
                                   "person_in_charge_id", "working_group", "plan",
                                   "response_plan", "due_on"]
    search_columns = ["meeting", "case", "case_leader", "due_on"]
    order_columns = ["due_on"]


class MediationSessionApi(HistoryApi):
    resource_name = "mediation_sessions"
    datamodel = interface(MediationSession)
    class_permission_name = "MediationSession"
    list_columns = show_columns = ["id", "case_id", "mediator_id", "site_id", "place_id",
                                   "held_on", "parties", "outcome", "agreement",
                                   "judicially_confirmed"]
    search_columns = ["case", "held_on", "mediator", "place", "outcome"]
    order_columns = ["held_on"]


class LeaderReceptionApi(ReadApi):
    resource_name = "leader_receptions"
    datamodel = interface(LeaderReception)
    class_permission_name = "LeaderReception"
    list_columns = show_columns = ["id", "kind", "leader_id", "held_on", "place_id",
                                   "batches", "persons", "note"]
    search_columns = ["held_on", "kind", "leader", "place"]
    order_columns = ["held_on", "kind"]


class DutyRotaApi(ReadApi):
    resource_name = "duty_rota"
    datamodel = interface(DutyRota)
    class_permission_name = "DutyRota"
    list_columns = show_columns = ["id", "place_id", "person_id", "duty_on", "note"]
    search_columns = ["duty_on", "person", "place"]
    order_columns = ["duty_on"]


# --- a case's history: whoever reads the case's events reads these -------------------
class CaseEventApi(HistoryApi):
    resource_name = "case_events"
    datamodel = interface(CaseEvent)
    class_permission_name = "CaseEvent"
    list_columns = show_columns = ["id", "case_id", "at", "user_id", "action", "from_state",
                                   "to_state", "comment", "attachment", "data"]
    search_columns = ["case", "action", "at"]
    order_columns = ["at", "id"]
    base_order = ("id", "asc")


class EscalationRequestApi(HistoryApi):
    resource_name = "escalations"
    datamodel = interface(EscalationRequest)
    class_permission_name = "CaseEvent"
    list_columns = show_columns = ["id", "case_id", "from_level", "to_level", "reason",
                                   "requested_by_id", "requested_at", "status",
                                   "decided_by_id", "decided_at", "comment"]
    search_columns = ["case", "status", "to_level", "requested_at"]
    order_columns = ["requested_at", "id"]
    base_order = ("id", "asc")


class TransferApi(HistoryApi):
    resource_name = "transfers"
    datamodel = interface(Transfer)
    class_permission_name = "CaseEvent"
    list_columns = show_columns = ["id", "case_id", "department_id", "assigned_at", "due_on",
                                   "status", "replied_at", "reply"]
    search_columns = ["case", "department", "status", "due_on"]
    order_columns = ["assigned_at", "due_on", "id"]
    base_order = ("id", "asc")


class CaseReviewApi(HistoryApi):
    resource_name = "reviews"
    datamodel = interface(CaseReview)
    class_permission_name = "CaseEvent"
    list_columns = show_columns = ["id", "case_id", "stage", "reason", "requested_on",
                                   "requested_by_id", "answer_due_on", "status",
                                   "answered_on", "answered_by_id", "opinion", "upheld"]
    search_columns = ["case", "stage", "status"]
    order_columns = ["requested_on", "id"]
    base_order = ("id", "asc")


# case sub-resource name → the API listing those rows (GET /api/v1/cases/<pk>/<name>)
CASE_SUBRESOURCES = {
    "events": CaseEventApi,
    "escalations": EscalationRequestApi,
    "transfers": TransferApi,
    "reviews": CaseReviewApi,
    "mediation_sessions": MediationSessionApi,
}


def _jsonable(value):
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def row_json(row, columns) -> dict:
    return {column: _jsonable(getattr(row, column)) for column in columns}


class BulletinApi(ErrorShape, BaseApi):
    resource_name = "bulletin"
    class_permission_name = "Bulletin"
    method_permission_name = {"daily": "read"}
    allow_browser_login = True
    openapi_spec_tag = "Bulletin"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def daily(self):
        """The daily bulletin of the user's area, as the bulletin page shows it.
        ---
        get:
          summary: The daily bulletin of the user's area for a day (today by default)
          parameters:
          - {in: query, name: date, schema: {type: string, format: date}}
          responses:
            200: {description: The bulletin's figures and the cases to watch}
            400:
              $ref: '#/components/responses/400'
        """
        value = (request.args.get("date") or "").strip()
        try:
            day = datetime.date.fromisoformat(value) if value else clock.today()
        except ValueError:
            return self.response_400(
                message=_('"%(value)s" is not a date (write it as 2026-01-31).', value=value))
        b = build_bulletin(day, current_scope())
        body = _jsonable(dataclasses.asdict(b))
        body.update(reception_visits=b.reception_visits, reception_persons=b.reception_persons)
        return self.response(200, **body)


class AuditApi(HistoryApi):
    """The audit trail, read by the audit administrator only (the page's permission);
    nothing can write or delete it here or anywhere."""

    resource_name = "audit"
    datamodel = interface(AuditEntry)
    class_permission_name = "AuditLog"
    list_columns = show_columns = ["id", "at", "username", "address", "action", "model",
                                   "record_id", "detail", "before", "after"]
    search_columns = ["username", "address", "action", "model", "record_id"]
    order_columns = ["at", "id"]
    base_order = ("at", "desc")


class RoleScopeApi(ReadApi):
    """Each role's data scope, read by the security administrator (the page's
    permission); set on the page, where the places are chosen."""

    resource_name = "data_scopes"
    datamodel = interface(RoleScope)
    class_permission_name = "RoleScope"
    list_columns = show_columns = ["id", "role_id", "kind", "places.id"]
    search_columns = ["kind"]
    order_columns = ["kind"]


RESOURCE_APIS = [
    CategoryApi, ChannelApi, DepartmentApi, SiteApi, DutyApi, TrainingApi, PetitionerApi,
    JointMeetingApi, JointMeetingCaseApi, MediationSessionApi, LeaderReceptionApi,
    DutyRotaApi, CaseEventApi, EscalationRequestApi, TransferApi, CaseReviewApi, BulletinApi,
    AuditApi, RoleScopeApi,
]
