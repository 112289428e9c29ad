from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from app.models import Place, Site
from app.models.choices import PLACE_LEVELS, SITE_KINDS
from app.views.base import ScopedModelView, choice_field, choice_formatter, interface, yes_no
from app.views.cases import CaseView
from app.views.labels import LABELS
from app.views.rosters import PersonView
from app.views.validators import PlaceCode


class SiteView(ScopedModelView):
    datamodel = interface(Site)
    class_permission_name = "Site"
    list_title = _l("Service sites")
    show_title = add_title = edit_title = _l("Service site")
    label_columns = LABELS
    list_columns = ["name", "kind", "place", "phone", "checklist_score"]
    search_columns = ["name_zh", "name_mn", "kind", "place"]
    add_columns = edit_columns = [
        "kind", "name_zh", "name_mn", "place", "address", "phone", *Site.CHECKLIST, "note",
    ]
    show_columns = ["name_zh", "name_mn", "kind", "place", "address", "phone",
                    *Site.CHECKLIST, "checklist_score", "note"]
    order_columns = ["kind"]
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(_l("Kind"), SITE_KINDS),
    }
    formatters_columns = {
        "kind": choice_formatter(SITE_KINDS),
        **{c: yes_no for c in Site.CHECKLIST},
    }
    validators_columns = {"place": [DataRequired()]}


class PlaceView(ScopedModelView):
    datamodel = interface(Place)
    class_permission_name = "Place"
    list_title = _l("Places")
    show_title = add_title = edit_title = _l("Place")
    label_columns = LABELS
    list_columns = ["name", "level", "code", "parent", "households"]
    search_columns = ["name_zh", "name_mn", "level", "code", "parent"]
    add_columns = edit_columns = ["level", "parent", "code", "name_zh", "name_mn",
                                  "households", "note"]
    show_columns = ["name_zh", "name_mn", "level", "code", "parent", "households", "note"]
    order_columns = ["code", "level", "households"]
    base_order = ("code", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "level": choice_field(_l("Level"), PLACE_LEVELS),
    }
    validators_columns = {"code": [PlaceCode()]}
    formatters_columns = {"level": choice_formatter(PLACE_LEVELS)}
    related_views = [SiteView, PersonView, CaseView]

