"""What each case action asks for: its fields, their labels and kinds, and how a posted
form or a JSON body becomes the service function's arguments. The case page renders its
forms from this and the REST API parses with it, so both accept exactly the same input."""

import datetime
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_
from app.models.choices import (
    EVALUATIONS,
    MEDIATION_OUTCOMES,
    PURPOSES,
    TERMINATION_REASONS,
    URGENCY,
)
from app.services import cases as case_service

TEXT, TEXTAREA, DATE, INT, BOOL, PERSON, DEPARTMENTS, CHOICE, JOINT_MEETING, FILE = (
    "text", "textarea", "date", "int", "bool", "person", "departments", "choice",
    "joint_meeting", "file",
)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: object
    required: bool = False
    choices: dict | None = None
    duty: str | None = None  # a person field offers only people holding this duty


def _comment(required=False):
    return Field("comment", TEXTAREA, _l("Comment"), required)


INPUTS: dict[str, list[Field]] = {
    "accept": [
        Field("entrustment_signer", TEXT, _l("Entrustment signed by"), True),
        Field("entrustment_signed_on", DATE, _l("Entrustment signed on"), True),
        # the case page uploads the scan (stored as entrustment_file); the API sends a
        # reference to a document kept elsewhere
        Field("entrustment_scan", FILE, _l("Scanned entrustment (PDF, JPEG or PNG)")),
        Field("entrustment_file", TEXT, _l("Scanned entrustment (file reference)")),
        Field("agent_id", PERSON, _l("Agent"), duty="agent"),
        _comment(),
    ],
    "decline": [
        Field("reason", TEXTAREA, _l("Reason for not accepting"), True),
        Field("guidance", TEXTAREA, _l("Guidance: where to go instead")),
    ],
    "assign_agent": [Field("agent_id", PERSON, _l("Agent"), True, duty="agent"), _comment()],
    "record_progress": [
        Field("comment", TEXTAREA, _l("Progress"), True),
        Field("attachment", TEXT, _l("Attachment (file reference)")),
    ],
    "record_mediation": [
        Field("mediator_id", PERSON, _l("Mediator"), True, duty="mediator"),
        Field("held_on", DATE, _l("Held on"), True),
        Field("parties", TEXTAREA, _l("Parties"), True),
        Field("outcome", CHOICE, _l("Outcome"), True, MEDIATION_OUTCOMES),
        Field("agreement", TEXTAREA, _l("Agreement")),
        Field("judicially_confirmed", BOOL, _l("Judicially confirmed")),
    ],
    "request_escalation": [
        Field("reason", TEXTAREA, _l("Why this is beyond this level's powers"), True),
    ],
    "approve_escalation": [_comment()],
    "send_back_escalation": [_comment(required=True)],
    "decide_joint_meeting": [
        Field("meeting_id", JOINT_MEETING, _l("Joint meeting")),
        Field("case_leader_id", PERSON, _l("Case-responsible leader"), True,
              duty="case_leader"),
        Field("working_group", TEXTAREA, _l("Working group"), True),
        Field("person_in_charge_id", PERSON, _l("Person in charge"), True),
        Field("department_ids", DEPARTMENTS, _l("Departments transferred to"), True),
        Field("plan", TEXTAREA, _l("Resolution plan"), True),
        Field("response_plan", TEXTAREA, _l("Response plan")),
        Field("due_on", DATE, _l("Deadline"), True),
    ],
    "transfer": [
        Field("department_ids", DEPARTMENTS, _l("Departments"), True),
        Field("due_on", DATE, _l("Reply by")),
        _comment(),
    ],
    "reply_transfer": [Field("reply", TEXTAREA, _l("Reply"), True)],
    "extend_deadline": [
        Field("days", INT, _l("Days (at most 30)"), True),
        Field("reason", TEXTAREA, _l("Reason (told to the petitioner)"), True),
    ],
    "supervise": [_comment(required=True)],
    "conclude": [
        Field("reply", TEXTAREA, _l("Written reply"), True),
        Field("attachment", TEXT, _l("Attachment (file reference)")),
    ],
    "evaluate": [
        Field("evaluation", CHOICE, _l("Evaluation"), True, EVALUATIONS),
        _comment(),
    ],
    "follow_up": [
        Field("note", TEXTAREA, _l("Follow-up visit"), True),
        Field("followed_up_on", DATE, _l("Visited on")),
        Field("stop_agreement", BOOL, _l("Signed an agreement to stop petitioning")),
    ],
    "request_review": [
        Field("reason", TEXTAREA, _l("Why the petitioner contests the answer"), True),
        Field("requested_on", DATE, _l("Requested on")),
    ],
    "answer_review": [
        Field("opinion", TEXTAREA, _l("Review opinion"), True),
        Field("upheld", BOOL, _l("The original handling is upheld")),
    ],
    "archive": [_comment()],
    # the edit page and PUT /api/v1/cases/<pk>: only the fields given change
    "edit_details": [
        # required when given: only the accused unit and the comment may be cleared
        Field("channel", INT, _l("Channel"), True),
        Field("category", INT, _l("Category"), True),
        Field("purpose", CHOICE, _l("Purpose"), True, PURPOSES),
        Field("urgency", CHOICE, _l("Urgency"), True, URGENCY),
        Field("title", TEXT, _l("Title"), True),
        Field("description", TEXTAREA, _l("Description"), True),
        Field("demand", TEXTAREA, _l("Demand"), True),
        Field("is_group", BOOL, _l("Group case")),
        Field("head_count", INT, _l("Head count"), True),
        Field("representatives", INT, _l("Representatives")),
        Field("is_repeat", BOOL, _l("Repeat petition")),
        Field("skipped_level", BOOL, _l("Skipped a level")),
        Field("accused_department", INT, _l("Accused department")),
        Field("accused_place", INT, _l("Accused place")),
        _comment(),
    ],
    "terminate": [
        Field("reason", CHOICE, _l("Reason for termination"), True, TERMINATION_REASONS),
        _comment(),
    ],
}


# --- the JSON contract: one schema per action, generated from INPUTS ------------------
API_EXTRA = {"version": {"type": "integer", "example": 3,
                         "description": "The case's version from GET /api/v1/cases/PK: "
                                        "refused (422) when someone acted since"}}
_EXAMPLES = {TEXT: "…", TEXTAREA: "…", DATE: "2026-11-03", INT: 7, PERSON: 12,
             JOINT_MEETING: 4, BOOL: True, DEPARTMENTS: [3, 5]}


def _property(field: Field) -> dict:
    if field.kind == DATE:
        prop = {"type": "string", "format": "date"}
    elif field.kind in (INT, PERSON, JOINT_MEETING):
        prop = {"type": "integer"}
    elif field.kind == BOOL:
        prop = {"type": "boolean"}
    elif field.kind == DEPARTMENTS:
        prop = {"type": "array", "items": {"type": "integer"}, "minItems": 1}
    elif field.kind == CHOICE:
        prop = {"type": "string", "enum": list(field.choices)}
    else:
        prop = {"type": "string"}
    example = next(iter(field.choices)) if field.kind == CHOICE else _EXAMPLES[field.kind]
    return {**prop, "description": str(field.label), "example": example}


def api_fields(action: str) -> list[Field]:
    """The fields a JSON body may carry (a file is uploaded on the page only; the API
    sends its reference in the matching text field)."""
    return [f for f in INPUTS[action] if f.kind != FILE]


def json_schema(action: str) -> dict:
    """The OpenAPI schema of the action's JSON body: names, types, enums, required
    fields and an example, from the same declaration ``parse`` reads."""
    fields = api_fields(action)
    properties = {f.name: _property(f) for f in fields}
    properties.update(API_EXTRA)
    schema = {"type": "object", "properties": properties, "additionalProperties": False,
              "example": {f.name: properties[f.name]["example"] for f in fields
                          if f.required or action in PARTIAL}}
    required = [f.name for f in fields if f.required and action not in PARTIAL]
    if required:
        schema["required"] = required
    return schema


def _parse_date(value, field: Field):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as err:
        raise _refused(N_("%(field)s: enter a date as YYYY-MM-DD."), field,
                       field=str(field.label)) from err


def _parse_int(value, field: Field):
    try:
        return int(str(value).strip())
    except ValueError as err:
        raise _refused(N_("%(field)s: enter a whole number."), field,
                       field=str(field.label)) from err


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


# actions whose fields change only when given (the others: a missing box is "no")
PARTIAL = frozenset({"edit_details"})


def _refused(message: str, at: Field | str, **params) -> RuleBroken:
    name = at if isinstance(at, str) else at.name
    err = RuleBroken(message, **params)
    err.field = name
    return err


def check_known(action: str, data) -> None:
    """A JSON body names only the action's documented fields (and ``version``)."""
    known = {f.name for f in api_fields(action)} | set(API_EXTRA)
    for name in sorted(set(data) - known):
        err = _refused(N_("This field is not accepted here: %(name)s."), name, name=name)
        err.code = "unknown_field"
        raise err


def parse(action: str, data, get_list=None, strict=False) -> dict:
    """Arguments for the service function from a form (``get_list`` = form.getlist) or
    a JSON object. Missing required fields are refused; unknown ones too when
    ``strict`` (the API: its schema forbids them), ignored otherwise (a page's form
    carries its CSRF token and buttons)."""
    if action not in INPUTS:
        raise RuleBroken(N_("Unknown action."))
    if strict:
        check_known(action, data)
    kwargs = {}
    per_department = _reply_by_per_department(data) if action == "transfer" else {}
    for field in INPUTS[action]:
        if field.kind == FILE:  # stored by the caller, passed on as a reference
            continue
        if per_department and field.name == "due_on":
            continue
        if action in PARTIAL and field.name not in data:
            continue
        if field.kind == DEPARTMENTS:
            value = get_list(field.name) if get_list else data.get(field.name)
            if isinstance(value, str | int):
                value = [value]
        else:
            value = data.get(field.name)
        if _blank(value):
            if field.kind == BOOL:
                kwargs[field.name] = False
            elif field.required:
                raise _refused(N_("Please fill in: %(field)s."), field,
                               field=str(field.label))
            continue
        if field.kind == DATE:
            value = _parse_date(value, field)
        elif field.kind in (INT, PERSON, JOINT_MEETING):
            value = _parse_int(value, field)
        elif field.kind == DEPARTMENTS:
            value = [_parse_int(v, field) for v in value]
        elif field.kind == BOOL:
            value = value in (True, 1, "1", "y", "yes", "on", "true", "True")
        elif field.kind == CHOICE and value not in field.choices:
            raise _refused(N_("%(field)s: choose one of the options."), field,
                           field=str(field.label))
        kwargs[field.name] = value
    if per_department:
        common = data.get("due_on")
        if not _blank(common) and not isinstance(common, dict):
            per_department[None] = _parse_date(common, REPLY_BY)
        kwargs["due_on"] = per_department
    return kwargs


REPLY_BY = Field("due_on", DATE, _l("Reply by"))


def _reply_by_per_department(data) -> dict:
    """A transfer's reply-by date for each department: ``due_on_<department id>`` (a
    form, or JSON), or ``"due_on": {"<department id>": "<date>"}`` in JSON."""
    given = dict(data.get("due_on")) if isinstance(data.get("due_on"), dict) else {}
    given.update({key[len("due_on_"):]: value for key, value in data.items()
                  if isinstance(key, str) and key.startswith("due_on_")})
    return {_parse_int(key, REPLY_BY): _parse_date(value, REPLY_BY)
            for key, value in given.items() if not _blank(value)}


def run(action: str, case_id: int, user, data, get_list=None, version=None, strict=False):
    """Parse the input and take the action through the service layer."""
    kwargs = parse(action, data, get_list, strict)
    return case_service.ACTION_FUNCTIONS[action](case_id, user, version=version, **kwargs)
