"""Coded values stored in the database, with their labels in the user's language.

Codes are English and stable; labels go through Flask-Babel. The domain layer uses the
codes only (see app/domain)."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

PLACE_LEVELS = {
    "banner": _l("Banner"),
    "township": _l("Township"),
    "village": _l("Village"),
    "grid": _l("Grid"),
}
PLACE_LEVEL_ORDER = ["banner", "township", "village", "grid"]

SITE_KINDS = {
    "centre": _l("Agency service centre"),
    "station": _l("Agency service station"),
    "point": _l("Agency service point"),
    "talk_room": _l("Village talk room"),
    "mediation_room": _l("Mediation room"),
}

STATIONING_MODES = {
    "resident": _l("Permanently stationed"),
    "rotating": _l("Stationed by rotation"),
    "on_call": _l("Stationed on call"),
}

DUTY_KINDS = {
    "agent": _l("Agent"),
    "grid_worker": _l("Grid worker"),
    "mediator": _l("Mediator"),
    "case_leader": _l("Case-responsible leader"),
    "department_staff": _l("Stationed department staff"),
    "village_secretary": _l("Village secretary"),
}

EMPLOYMENT = {"full_time": _l("Full-time"), "part_time": _l("Part-time")}

AGENT_SOURCES = {
    "village_cadre": _l("Village committee member"),
    "grid_worker": _l("Grid worker"),
    "legal_adviser": _l("Legal adviser"),
    "deputy": _l("People's deputy"),
    "notable": _l("Respected local"),
    "other": _l("Other"),
}

MEDIATION_KINDS = {
    "people": _l("People's mediation"),
    "administrative": _l("Administrative mediation"),
    "judicial": _l("Judicial mediation"),
    "trade": _l("Trade mediation"),
}

TRAINING_KINDS = {
    "topic": _l("Topical training"),
    "law_night_school": _l("Law night school"),
    "other": _l("Other"),
}

GENDERS = {"male": _l("Male"), "female": _l("Female")}

CATEGORY_LISTS = {"service": _l("Service list"), "excluded": _l("Non-acceptance list")}

URGENCY = {"red": _l("Red"), "yellow": _l("Yellow"), "blue": _l("Blue")}

# Purposes used by the upper-level petition information system (five kinds).
PURPOSES = {
    "solution": _l("Seeking a solution"),
    "suggestion": _l("Opinion or suggestion"),
    "appeal": _l("Appeal"),
    "complaint": _l("Accusation or complaint"),
    "other": _l("Other"),
}

# Forms of the upper-level petition information system (eight kinds); each channel
# maps onto one, so a case exports without loss.
NATIONAL_FORMS = {
    "letter": _l("Letter"),
    "visit": _l("Visit"),
    "online": _l("Online"),
    "mobile": _l("Mobile"),
    "wechat": _l("WeChat"),
    "suggestion": _l("Online suggestion"),
    "phone": _l("Phone"),
    "mailbox": _l("Leader's mailbox"),
}

CASE_STATES = {
    "registered": _l("Registered"),
    "declined": _l("Not accepted"),
    "in_progress": _l("Being handled"),
    "transferred": _l("Transferred to departments"),
    "concluded": _l("Concluded"),
    "followed_up": _l("Followed up"),
    "archived": _l("Archived"),
    "terminated": _l("Terminated"),
}

CASE_LEVELS = {
    "village": _l("Village"),
    "township": _l("Township"),
    "banner": _l("Banner"),
    "joint_meeting": _l("Joint meeting"),
}

EVALUATIONS = {
    "satisfied": _l("Satisfied"),
    "fairly_satisfied": _l("Fairly satisfied"),
    "dissatisfied": _l("Dissatisfied"),
}

ESCALATION_STATUSES = {
    "pending": _l("Awaiting approval"),
    "approved": _l("Approved"),
    "sent_back": _l("Sent back"),
}

TRANSFER_STATUSES = {"open": _l("Awaiting reply"), "replied": _l("Replied")}

RECEPTION_KINDS = {
    "reception": _l("Leader reception at the centre"),
    "appointment": _l("Reception by appointment"),
    "field_visit": _l("Leader field visit"),
}

MEDIATION_OUTCOMES = {
    "agreed": _l("Agreement reached"),
    "failed": _l("No agreement"),
    "ongoing": _l("Ongoing"),
}


_LABELS: dict = {}


def label(choices: dict, code: str | None) -> str:
    """A code's label in the user's language. Each label is translated once per process
    and language (the cache holds the label object itself, so its id stays its own): a
    list page shows the same few labels in every row."""
    if code is None:
        return ""
    value = choices.get(code, code)
    if isinstance(value, str):
        return value
    key = (id(value), str(get_locale()))
    entry = _LABELS.get(key)
    if entry is None or entry[0] is not value:
        entry = _LABELS[key] = (value, str(value))
    return entry[1]


# --- the life of a case (app/domain/lifecycle.py) --------------------------------------
TERMINATION_REASONS = {
    "withdrawn": _l("Withdrawn by the petitioner"),
    "litigation": _l("Entered litigation, arbitration or administrative review"),
    "other": _l("Other"),
}

CASE_ACTIONS = {
    "register": _l("Register"),
    "accept": _l("Accept for agency"),
    "decline": _l("Decline (not accepted)"),
    "assign_agent": _l("Assign agent"),
    "record_progress": _l("Record progress"),
    "record_mediation": _l("Record mediation session"),
    "request_escalation": _l("Request escalation"),
    "approve_escalation": _l("Approve escalation"),
    "send_back_escalation": _l("Send escalation back"),
    "decide_joint_meeting": _l("Joint meeting decision"),
    "transfer": _l("Transfer to departments"),
    "reply_transfer": _l("Department reply"),
    "extend_deadline": _l("Extend deadline"),
    "supervise": _l("Supervise"),
    "conclude": _l("Conclude with written reply"),
    "evaluate": _l("Record evaluation"),
    "follow_up": _l("Record follow-up visit"),
    "request_review": _l("Request review (re-review)"),
    "answer_review": _l("Answer review"),
    "archive": _l("Archive"),
    "terminate": _l("Terminate"),
    "edit_details": _l("Edit case details"),
}

DEADLINE_STATUSES = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "on_time": _l("On time"),
}

REVIEW_STAGES = {"review": _l("Review"), "re_review": _l("Re-review")}

# --- webhooks for integrators (app/services/webhooks.py) -------------------------------
WEBHOOK_EVENTS = {
    "case_registered": _l("Case registered"),
    "escalation_requested": _l("Escalation requested"),
    "escalation_decided": _l("Escalation decided"),
    "transfer_overdue": _l("Transfer overdue"),
    "case_concluded": _l("Case concluded"),
}

WEBHOOK_STATUSES = {
    "pending": _l("Waiting to be sent"),
    "delivered": _l("Delivered"),
    "failed": _l("Given up"),
}
