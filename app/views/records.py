from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, NumberRange

from app.models import DutyRota, JointMeeting, JointMeetingCase, LeaderReception, MediationSession
from app.models.choices import MEDIATION_OUTCOMES, RECEPTION_KINDS
from app.views.base import ScopedModelView, choice_field, choice_formatter, interface, yes_no
from app.views.inboxes import case_link
from app.views.labels import LABELS


class JointMeetingCaseView(ScopedModelView):
    """The cases a joint meeting took, with their "六个一" (decided on the case's page)."""

    datamodel = interface(JointMeetingCase)
    class_permission_name = "JointMeetingCase"
    base_permissions = ["can_read"]
    muldelete = None
    list_title = _l("Cases decided")
    label_columns = {**LABELS, "case_leader": _l("Case-responsible leader"),
                     "person_in_charge": _l("Person in charge"),
                     "working_group": _l("Working group"), "plan": _l("Resolution plan"),
                     "response_plan": _l("Response plan"), "due_on": _l("Deadline")}
    list_columns = ["case", "case_leader", "person_in_charge", "working_group", "due_on"]
    show_columns = ["meeting", "case", "case_leader", "person_in_charge", "working_group",
                    "plan", "response_plan", "due_on"]


class JointMeetingView(ScopedModelView):
    datamodel = interface(JointMeeting)
    class_permission_name = "JointMeeting"
    list_title = _l("Joint meetings")
    show_title = add_title = edit_title = _l("Joint meeting")
    label_columns = LABELS
    list_columns = ["held_on", "topic", "place"]
    search_columns = ["held_on", "topic", "place"]
    add_columns = edit_columns = show_columns = ["held_on", "place", "topic", "attendees",
                                                 "decisions"]
    base_order = ("held_on", "desc")
    validators_columns = {"place": [DataRequired()]}
    related_views = [JointMeetingCaseView]


class MediationSessionView(ScopedModelView):
    """Mediation sessions, read-only: each is recorded on its case's page
    (record_mediation, an event in the case's history) and opens that case."""

    datamodel = interface(MediationSession)
    class_permission_name = "MediationSession"
    base_permissions = ["can_read"]
    muldelete = None
    list_title = _l("Mediation sessions")
    show_title = _l("Mediation session")
    label_columns = LABELS
    list_columns = ["held_on", "mediator", "place", "case", "outcome", "judicially_confirmed"]
    search_columns = ["held_on", "mediator", "place", "outcome"]
    show_columns = [
        "held_on", "mediator", "site", "place", "case", "parties", "outcome", "agreement",
        "judicially_confirmed",
    ]
    base_order = ("held_on", "desc")
    formatters_columns = {"outcome": choice_formatter(MEDIATION_OUTCOMES),
                          "judicially_confirmed": yes_no, "case": case_link}


class LeaderReceptionView(ScopedModelView):
    datamodel = interface(LeaderReception)
    class_permission_name = "LeaderReception"
    list_title = _l("Leader receptions")
    show_title = add_title = edit_title = _l("Leader reception")
    label_columns = LABELS
    list_columns = ["held_on", "kind", "leader", "place", "batches", "persons"]
    search_columns = ["held_on", "kind", "leader", "place"]
    add_columns = edit_columns = show_columns = [
        "held_on", "kind", "leader", "place", "batches", "persons", "cases", "note",
    ]
    base_order = ("held_on", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(_l("Kind"), RECEPTION_KINDS),
    }
    formatters_columns = {"kind": choice_formatter(RECEPTION_KINDS)}
    validators_columns = {
        "place": [DataRequired()],
        "leader": [DataRequired()],
        "batches": [NumberRange(min=0)],
        "persons": [NumberRange(min=0)],
    }


class DutyRotaView(ScopedModelView):
    datamodel = interface(DutyRota)
    class_permission_name = "DutyRota"
    list_title = _l("Duty rota")
    show_title = add_title = edit_title = _l("Duty rota entry")
    label_columns = LABELS
    list_columns = ["duty_on", "person", "place", "note"]
    search_columns = ["duty_on", "person", "place"]
    add_columns = edit_columns = show_columns = ["duty_on", "place", "person", "note"]
    base_order = ("duty_on", "desc")
    validators_columns = {"place": [DataRequired()], "person": [DataRequired()]}
