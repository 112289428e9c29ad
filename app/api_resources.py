"""Endpoints under /api/v1/ for every record the panel lists: the same models, the
same scope filter (``ScopedApi``'s ``base_filters``) and the same permission names as
their pages, so a role reads over REST exactly what it reads on screen. Relations are
ids only; text columns take FAB's ``ct``/``sw``/``eq`` filters through
``search_columns`` (never on an ID number or a phone: the pages mask them).

Where a page writes, its resource takes POST, PUT and DELETE (``WriteApi``) with the
page's checks: the same required fields and coded choices, the same people a picker
offers (``app.services.pickers``), the same roster rules and likely-duplicate check.
Records a page only shows (a case's history, mediation sessions, joint-meeting
decisions) change through the case's actions, POST /api/v1/cases/<pk>/<action>."""

import dataclasses
import datetime

from flask import request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_babel import gettext as _
from marshmallow.validate import OneOf, Range
from sqlalchemy import inspect

from app import clock
from app.api import ScopedApi, _checked
from app.api_errors import ErrorShape
from app.cockpit.bulletin import build_bulletin
from app.domain.errors import DomainError
from app.domain.lifecycle import N_
from app.domain.validators import check_id_number, check_phone
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
from app.models.choices import (
    AGENT_SOURCES,
    CATEGORY_LISTS,
    DUTY_KINDS,
    EMPLOYMENT,
    GENDERS,
    MEDIATION_KINDS,
    NATIONAL_FORMS,
    RECEPTION_KINDS,
    SITE_KINDS,
    STATIONING_MODES,
    TRAINING_KINDS,
)
from app.models.reviews import CaseReview
from app.security.scope import current_scope
from app.services import pickers
from app.views.base import interface
from app.views.labels import LABELS

READ_ROUTES = {"get", "get_list", "info"}
_BILINGUAL = ["code", "name_zh", "name_mn"]


class ReadApi(ScopedApi):
    include_route_methods = READ_ROUTES
    # the permissions of the page sharing this permission name: FAB's start-up sync
    # keeps only the last registered list, so the API must not shrink the page's
    base_permissions = ["can_read", "can_write", "can_delete"]
    openapi_spec_methods = {"get_list": {"get": {"description": "Scoped list; filters in q"}}}


class RecordRefused(DomainError):
    def __init__(self, message: str = "", field: str | None = None, **params):
        super().__init__(message, **params)
        self.field = field


class WriteApi(ReadApi):
    """A record its page writes: POST, PUT and DELETE under the page's permission, with
    the page's form checks declared as data — ``required_columns`` (the form's required
    fields), ``choice_columns`` (its coded selects), ``non_negative_columns`` — and the
    page's pickers: a person or petitioner named in a payload must be one the page's
    picker would offer (or the one the record already names)."""

    include_route_methods = READ_ROUTES | {"post", "put", "delete"}
    required_columns: tuple[str, ...] = ()
    choice_columns: dict[str, dict] = {}
    non_negative_columns: tuple[str, ...] = ()
    pick_kinds: dict[str, str] = {}  # as PickerMixin's: where not the model's default

    def _init_properties(self):
        # the pages' field names in refusals (a copy: FAB fills in the missing ones)
        self.label_columns = {**LABELS, **(self.label_columns or {})}
        validators = dict(self.validators_columns or {})
        for column, choices in self.choice_columns.items():
            validators.setdefault(column, OneOf(list(choices), error="Not a valid choice."))
        for column in self.non_negative_columns:
            validators.setdefault(column, Range(min=0, error="Give a number of 0 or more."))
        self.validators_columns = validators
        super()._init_properties()
        self.pick_columns = {}
        for column in sorted({*(self.add_columns or []), *(self.edit_columns or [])}):
            if not self.datamodel.is_relation(column):
                continue
            related = self.datamodel.get_related_model(column)
            kind = self.pick_kinds.get(column) or next(
                (k for k, p in pickers.PICKS.items() if p.model is related and p.duty is None),
                None)
            if kind is not None:
                self.pick_columns[column] = kind

    def _init_model_schemas(self):
        super()._init_model_schemas()
        # the page's required fields are required in the payload (and in the spec)
        for schema in (self.add_model_schema, self.edit_model_schema):
            for column in self.required_columns:
                if column in schema.fields:
                    schema.fields[column].required = True

    def pre_add(self, item):
        super().pre_add(item)
        self.check_record(item)

    def pre_update(self, item):
        super().pre_update(item)
        self.check_record(item)

    def check_record(self, item):
        for column in self.required_columns:
            if getattr(item, column, None) in (None, ""):
                raise RecordRefused(N_("%(column)s is required."), field=column,
                                    column=self.label_columns.get(column, column))
        state = inspect(item)
        for column, kind in self.pick_columns.items():
            row = getattr(item, column, None)
            if row is None or (state.persistent
                               and not state.attrs[column].history.has_changes()):
                continue
            if pickers.chosen(kind, current_scope(), row.id) is None:
                raise RecordRefused(N_("Choose someone the list offers: this one is outside "
                                       "your area or does not hold the duty needed."),
                                    field=column)
        self.check_rules(item)

    def check_rules(self, item):
        """The page's own rules beyond its fields (a duty's details, a duplicate)."""


class HistoryApi(ReadApi):
    """Read-only pages (the case's events, mediation sessions, joint meeting decisions)."""

    base_permissions = ["can_read"]


class DictionaryApi(WriteApi):
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
    # one resource for both pages (the service list and the non-acceptance list): the
    # list a category belongs to is a field here
    add_columns = edit_columns = [*_BILINGUAL, "list", "guidance_zh", "guidance_mn",
                                  "sort_order", "active"]
    required_columns = ("list",)
    choice_columns = {"list": CATEGORY_LISTS}


class ChannelApi(DictionaryApi):
    resource_name = "channels"
    datamodel = interface(Channel)
    class_permission_name = "Channel"
    list_columns = show_columns = ["id", *_BILINGUAL, "national_form", "sort_order", "active"]
    search_columns = [*_BILINGUAL, "national_form", "active"]
    add_columns = edit_columns = [*_BILINGUAL, "national_form", "sort_order", "active"]
    required_columns = ("national_form",)
    choice_columns = {"national_form": NATIONAL_FORMS}


class DepartmentApi(DictionaryApi):
    resource_name = "departments"
    datamodel = interface(Department)
    class_permission_name = "Department"
    list_columns = show_columns = ["id", *_BILINGUAL, "stationing", "place_id", "phone",
                                   "reply_days", "active"]
    search_columns = [*_BILINGUAL, "stationing", "active"]
    order_columns = [*_BILINGUAL]
    base_order = ("code", "asc")
    add_columns = edit_columns = [*_BILINGUAL, "stationing", "place", "reply_days", "phone",
                                  "active"]
    required_columns = ("stationing",)
    choice_columns = {"stationing": STATIONING_MODES}
    validators_columns = {"phone": _checked(check_phone)}


class SiteApi(WriteApi):
    resource_name = "sites"
    datamodel = interface(Site)
    class_permission_name = "Site"
    list_columns = show_columns = [
        "id", "name_zh", "name_mn", "kind", "place_id", "address", "phone", "has_premises",
        "has_agents", "has_procedures", "has_archives", "has_facilities", "has_funding",
        "note"]
    search_columns = ["name_zh", "name_mn", "kind", "place"]
    order_columns = ["name_zh", "kind"]
    add_columns = edit_columns = ["kind", "name_zh", "name_mn", "place", "address", "phone",
                                  *Site.CHECKLIST, "note"]
    required_columns = ("kind", "place")
    choice_columns = {"kind": SITE_KINDS}


class DutyApi(WriteApi):
    resource_name = "duties"
    datamodel = interface(Duty)
    class_permission_name = "Duty"
    list_columns = show_columns = [
        "id", "person_id", "kind", "place_id", "employment", "source", "mediation_kind",
        "committee", "site_id", "title", "department_id", "start_on", "end_on", "active"]
    search_columns = ["person", "kind", "place", "employment", "department", "title", "active"]
    order_columns = ["kind", "start_on"]
    add_columns = edit_columns = [
        "person", "kind", "place", "employment", "source", "mediation_kind", "committee",
        "site", "title", "department", "start_on", "end_on", "active"]
    required_columns = ("person", "kind", "place")
    choice_columns = {"kind": DUTY_KINDS, "employment": EMPLOYMENT, "source": AGENT_SOURCES,
                      "mediation_kind": MEDIATION_KINDS}

    def check_rules(self, item):
        from app.services.rosters import check_duty

        check_duty(item)


class TrainingApi(WriteApi):
    resource_name = "trainings"
    datamodel = interface(Training)
    class_permission_name = "Training"
    list_columns = show_columns = ["id", "person_id", "held_on", "kind", "topic", "hours",
                                   "organiser"]
    search_columns = ["person", "kind", "topic", "held_on", "organiser"]
    order_columns = ["held_on", "kind"]
    add_columns = edit_columns = ["person", "held_on", "kind", "topic", "hours", "organiser"]
    required_columns = ("person", "kind")
    choice_columns = {"kind": TRAINING_KINDS}


class PetitionerApi(WriteApi):
    """Identity numbers and phones do not leave through the API (the page masks them);
    they may be written. A new petitioner who may already be recorded (same ID number,
    same phone, same name in the same village) is refused with the likely matches, as
    on the page, unless the request says ``?not_a_duplicate=true``."""

    resource_name = "petitioners"
    datamodel = interface(Petitioner)
    class_permission_name = "Petitioner"
    list_columns = ["id", "name", "gender", "place_id"]
    show_columns = [*list_columns, "address"]
    search_columns = ["name", "place", "gender"]
    order_columns = ["name"]
    add_columns = edit_columns = ["name", "gender", "id_number", "phone", "place", "address"]
    required_columns = ("name", "place")
    choice_columns = {"gender": GENDERS}
    validators_columns = {"id_number": _checked(check_id_number),
                          "phone": _checked(check_phone)}

    def check_rules(self, item):
        if inspect(item).persistent or request.args.get("not_a_duplicate") == "true":
            return
        matches = pickers.likely_duplicates(
            current_scope(), name=item.name, place_id=item.place.id if item.place else None,
            id_number=item.id_number, phone=item.phone)
        if matches:
            why = {"id_number": _("same ID number"), "phone": _("same phone"),
                   "name_place": _("same name in the same village")}
            listed = "; ".join(f"{row.picker_label} ({why[reason]})"
                               for row, reason in matches)
            err = RecordRefused(
                _("This may be someone already recorded: %(matches)s. Choose them when "
                  "you register the case, or confirm that this is a different person.",
                  matches=listed), field="name")
            err.code = "likely_duplicate"
            raise err


class JointMeetingApi(WriteApi):
    resource_name = "joint_meetings"
    datamodel = interface(JointMeeting)
    class_permission_name = "JointMeeting"
    list_columns = show_columns = ["id", "held_on", "place_id", "topic", "attendees",
                                   "decisions"]
    search_columns = ["held_on", "topic", "place"]
    order_columns = ["held_on"]
    add_columns = edit_columns = ["held_on", "place", "topic", "attendees", "decisions"]
    required_columns = ("place",)


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


class LeaderReceptionApi(WriteApi):
    resource_name = "leader_receptions"
    datamodel = interface(LeaderReception)
    class_permission_name = "LeaderReception"
    list_columns = show_columns = ["id", "kind", "leader_id", "held_on", "place_id",
                                   "batches", "persons", "note"]
    search_columns = ["held_on", "kind", "leader", "place"]
    order_columns = ["held_on", "kind"]
    add_columns = edit_columns = ["held_on", "kind", "leader", "place", "batches", "persons",
                                  "cases", "note"]
    required_columns = ("kind", "leader", "place")
    choice_columns = {"kind": RECEPTION_KINDS}
    non_negative_columns = ("batches", "persons")


class DutyRotaApi(WriteApi):
    resource_name = "duty_rota"
    datamodel = interface(DutyRota)
    class_permission_name = "DutyRota"
    list_columns = show_columns = ["id", "place_id", "person_id", "duty_on", "note"]
    search_columns = ["duty_on", "person", "place"]
    order_columns = ["duty_on"]
    add_columns = edit_columns = ["duty_on", "place", "person", "note"]
    required_columns = ("place", "person")


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
