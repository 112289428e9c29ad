"""The security administrator's data scopes: for each role, the rows its accounts see
(app/security/scope.py applies them everywhere the scope applies)."""

from flask_appbuilder.models.sqla.filters import FilterNotEqual
from flask_babel import lazy_gettext as _l

from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_
from app.models import RoleScope
from app.models.security import (
    SCOPE_BANNER,
    SCOPE_OWN_PLACE,
    SCOPE_OWN_RECORDS,
    SCOPE_PLACES,
    SCOPE_SUBTREE,
)
from app.security.roles import ROLE_LABELS
from app.security.scope import ScopeFilter
from app.views.base import ScopedModelView, choice_field, choice_formatter, interface

SCOPE_KINDS = {
    SCOPE_BANNER: _l("Whole banner"),
    SCOPE_SUBTREE: _l("Own place and below"),
    SCOPE_OWN_PLACE: _l("Own place only"),
    SCOPE_OWN_RECORDS: _l("Own records only"),
    SCOPE_PLACES: _l("Chosen places and below them"),
}


def _role_label(role) -> str:
    return str(ROLE_LABELS.get(role.name, role.name)) if role is not None else ""


def _kind_field():
    field = choice_field(_l("Data scope"), SCOPE_KINDS)
    field.kwargs["description"] = _l(
        "Own records only: the cases an account registered, handles as agent or leads; "
        "for everything else its place and below.")
    return field


class RoleScopeView(ScopedModelView):
    """A role without a row here sees its accounts' place and everything below it."""

    datamodel = interface(RoleScope)
    class_permission_name = "RoleScope"
    list_title = show_title = _l("Data scopes")
    add_title = edit_title = _l("Data scope")
    label_columns = {"role": _l("Role"), "kind": _l("Data scope"),
                     "places": _l("Chosen places")}
    description_columns = {"places": _l("Only for chosen places.")}
    list_columns = show_columns = ["role", "kind", "places"]
    add_columns = edit_columns = ["role", "kind", "places"]
    search_columns = ["role", "kind"]
    order_columns = ["kind"]
    formatters_columns = {"kind": choice_formatter(SCOPE_KINDS), "role": _role_label,
                          "places": lambda places: ", ".join(str(p) for p in places)}
    add_form_extra_fields = edit_form_extra_fields = {"kind": _kind_field()}
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "places": [["id", ScopeFilter, None], ["level", FilterNotEqual, "grid"]],
    }

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):
            form.role.kwargs["get_label"] = _role_label  # in the reader's language

    def pre_add(self, item):
        if item.kind == SCOPE_PLACES and not item.places:
            raise RuleBroken(N_("Choose the places this role sees."))
        if item.kind != SCOPE_PLACES:
            item.places = []

    def pre_update(self, item):
        self.pre_add(item)
