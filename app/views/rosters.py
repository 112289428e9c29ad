from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import DataRequired

from app.models import Duty, Person, Petitioner, Training
from app.models.choices import (
    AGENT_SOURCES,
    DUTY_KINDS,
    EMPLOYMENT,
    GENDERS,
    MEDIATION_KINDS,
    TRAINING_KINDS,
)
from app.views.base import (
    PersonalInformationMixin,
    ScopedModelView,
    choice_field,
    choice_formatter,
    interface,
    yes_no,
)
from app.views.cases import CaseView
from app.views.labels import LABELS
from app.views.validators import IdNumber, NoLikelyDuplicate, Phone


class DutyView(ScopedModelView):
    datamodel = interface(Duty)
    class_permission_name = "Duty"
    list_title = _l("Duties")
    show_title = add_title = edit_title = _l("Duty")
    label_columns = LABELS
    list_columns = ["person", "kind", "place", "employment", "title", "department", "active"]
    search_columns = ["person", "kind", "place", "employment", "department", "active"]
    add_columns = edit_columns = [
        "person", "kind", "place", "employment", "source", "mediation_kind", "committee",
        "site", "title", "department", "start_on", "end_on", "active",
    ]
    show_columns = add_columns
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(_l("Kind"), DUTY_KINDS),
        "employment": choice_field(_l("Full-time or part-time"), EMPLOYMENT, required=False),
        "source": choice_field(_l("Drawn from"), AGENT_SOURCES, required=False),
        "mediation_kind": choice_field(_l("Kind of mediation"), MEDIATION_KINDS, required=False),
    }
    formatters_columns = {
        "kind": choice_formatter(DUTY_KINDS),
        "employment": choice_formatter(EMPLOYMENT),
        "source": choice_formatter(AGENT_SOURCES),
        "mediation_kind": choice_formatter(MEDIATION_KINDS),
        "active": yes_no,
    }
    validators_columns = {"person": [DataRequired()], "place": [DataRequired()]}

    def pre_add(self, item):
        from app.services.rosters import check_duty

        check_duty(item)

    pre_update = pre_add


class TrainingView(ScopedModelView):
    datamodel = interface(Training)
    class_permission_name = "Training"
    list_title = _l("Training records")
    show_title = add_title = edit_title = _l("Training record")
    label_columns = LABELS
    list_columns = ["held_on", "person", "kind", "topic", "hours", "organiser"]
    search_columns = ["person", "kind", "topic", "held_on"]
    add_columns = edit_columns = show_columns = [
        "person", "held_on", "kind", "topic", "hours", "organiser",
    ]
    base_order = ("held_on", "desc")
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(_l("Kind"), TRAINING_KINDS),
    }
    formatters_columns = {"kind": choice_formatter(TRAINING_KINDS)}
    validators_columns = {"person": [DataRequired()]}


class PersonView(PersonalInformationMixin, ScopedModelView):
    datamodel = interface(Person)
    class_permission_name = "Person"
    list_title = _l("People")
    show_title = add_title = edit_title = _l("Person")
    label_columns = LABELS
    list_columns = ["name", "gender", "place", "organisation", "duty_summary", "phone_masked"]
    list_eager = ("duties",)
    search_columns = ["name_zh", "name_mn", "place", "organisation", "phone", "active"]
    add_columns = edit_columns = [
        "name_zh", "name_mn", "gender", "id_number", "phone", "place", "organisation",
        "position", "active", "note",
    ]
    show_columns = [
        "name_zh", "name_mn", "gender", "id_number_masked", "phone_masked", "place",
        "organisation", "position", "duty_summary", "active", "note",
    ]
    order_columns = ["name_zh", "name_mn", "organisation"]
    base_order = ("name_zh", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "gender": choice_field(_l("Gender"), GENDERS, required=False),
    }
    formatters_columns = {"gender": choice_formatter(GENDERS), "active": yes_no}
    validators_columns = {
        "id_number": [IdNumber()],
        "phone": [Phone()],
        "place": [DataRequired()],
    }
    related_views = [DutyView, TrainingView, CaseView]


class PetitionerView(PersonalInformationMixin, ScopedModelView):
    datamodel = interface(Petitioner)
    class_permission_name = "Petitioner"
    list_title = _l("Petitioners")
    show_title = add_title = edit_title = _l("Petitioner")
    label_columns = LABELS
    list_columns = ["name", "gender", "place", "phone_masked", "id_number_masked"]
    search_columns = ["name", "place", "phone", "id_number"]
    edit_columns = ["name", "gender", "id_number", "phone", "place", "address"]
    # a likely duplicate is shown before a new petitioner is recorded (NoLikelyDuplicate)
    add_columns = [*edit_columns, "not_a_duplicate"]
    show_columns = ["name", "gender", "id_number_masked", "phone_masked", "place", "address"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    edit_form_extra_fields = {
        "gender": choice_field(_l("Gender"), GENDERS, required=False),
    }
    add_form_extra_fields = {
        **edit_form_extra_fields,
        "not_a_duplicate": BooleanField(_l("A different person: record anyway")),
    }
    formatters_columns = {"gender": choice_formatter(GENDERS)}
    validators_columns = {
        "name": [NoLikelyDuplicate()],
        "id_number": [IdNumber()],
        "phone": [Phone()],
        "place": [DataRequired()],
    }
    related_views = [CaseView]
