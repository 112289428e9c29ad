from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from app.models import Category, Channel, Department
from app.models.choices import CATEGORY_LISTS, NATIONAL_FORMS, STATIONING_MODES
from app.views.base import ScopedModelView, choice_field, choice_formatter, interface, yes_no
from app.views.labels import LABELS
from app.views.validators import Phone

_BILINGUAL = ["code", "name_zh", "name_mn"]


class DictionaryView(ScopedModelView):
    """Dictionaries are shared by the whole banner: no place scope."""

    base_filters = []
    label_columns = LABELS
    order_columns = ["code", "name_zh", "name_mn", "sort_order"]
    base_order = ("sort_order", "asc")


class ServiceCategoryView(DictionaryView):
    datamodel = interface(Category)
    class_permission_name = "Category"
    list_title = _l("Service list")
    show_title = add_title = edit_title = _l("Service category")
    base_filters = [["list", FilterEqual, "service"]]
    list_columns = [*_BILINGUAL, "sort_order", "active"]
    search_columns = ["code", "name_zh", "name_mn", "active"]
    add_columns = edit_columns = show_columns = [*_BILINGUAL, "sort_order", "active"]
    formatters_columns = {"active": yes_no}

    def pre_add(self, item):
        item.list = "service"


class ExcludedCategoryView(DictionaryView):
    datamodel = interface(Category)
    class_permission_name = "Category"
    list_title = _l("Non-acceptance list")
    show_title = add_title = edit_title = _l("Non-acceptance category")
    base_filters = [["list", FilterEqual, "excluded"]]
    list_columns = [*_BILINGUAL, "guidance_zh", "active"]
    search_columns = ["code", "name_zh", "name_mn", "active"]
    add_columns = edit_columns = show_columns = [
        *_BILINGUAL, "guidance_zh", "guidance_mn", "sort_order", "active",
    ]
    formatters_columns = {"active": yes_no, "list": choice_formatter(CATEGORY_LISTS)}

    def pre_add(self, item):
        item.list = "excluded"


class ChannelView(DictionaryView):
    datamodel = interface(Channel)
    class_permission_name = "Channel"
    list_title = _l("Channels")
    show_title = add_title = edit_title = _l("Channel")
    list_columns = [*_BILINGUAL, "national_form", "active"]
    search_columns = ["code", "name_zh", "name_mn", "national_form"]
    add_columns = edit_columns = show_columns = [
        *_BILINGUAL, "national_form", "sort_order", "active",
    ]
    add_form_extra_fields = edit_form_extra_fields = {
        "national_form": choice_field(_l("National form"), NATIONAL_FORMS),
    }
    formatters_columns = {"national_form": choice_formatter(NATIONAL_FORMS), "active": yes_no}


class DepartmentView(DictionaryView):
    datamodel = interface(Department)
    class_permission_name = "Department"
    list_title = _l("Stationed departments")
    show_title = add_title = edit_title = _l("Stationed department")
    list_columns = [*_BILINGUAL, "stationing", "reply_days", "phone", "active"]
    search_columns = ["code", "name_zh", "name_mn", "stationing"]
    add_columns = edit_columns = show_columns = [
        *_BILINGUAL, "stationing", "place", "reply_days", "phone", "active",
    ]
    base_order = ("code", "asc")
    add_form_extra_fields = edit_form_extra_fields = {
        "stationing": choice_field(_l("Stationing"), STATIONING_MODES),
    }
    formatters_columns = {"stationing": choice_formatter(STATIONING_MODES), "active": yes_no}
    validators_columns = {"phone": [Phone()]}
