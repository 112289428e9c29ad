"""REST API under /api/v1/, with the same scope and the same permissions as the panel."""

from flask import g, request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.exceptions import FABException
from flask_babel import gettext as _
from marshmallow import ValidationError
from marshmallow_sqlalchemy.fields import Related, RelatedList
from sqlalchemy import inspect, select

from app.api_actions import CaseActionsMixin
from app.domain.errors import DomainError
from app.domain.lifecycle import CASE_ACTIONS
from app.domain.validators import InvalidValue, check_id_number, check_phone
from app.extensions import db
from app.models import Case, Person, Place
from app.security.roles import METHOD_PERMISSIONS
from app.security.scope import SCOPE_FILTER, ScopeFilter, current_scope
from app.services import cases as case_service
from app.views.base import interface


class OutsideScope(DomainError):
    pass


def _outside_scope(obj) -> bool:
    model = type(obj)
    with db.session.no_autoflush:
        return (
            db.session.scalar(
                select(model.id).where(model.id == obj.id, model.scope_clause(current_scope()))
            )
            is None
        )


def _checked(check):
    def validate(value):
        if value:
            try:
                check(value)
            except InvalidValue as err:
                raise ValidationError(_(str(err))) from err

    return validate


class ExistingRowId(Related):
    """A relation in a payload: the id of an existing row, nothing else. marshmallow-
    sqlalchemy's ``Related`` builds a new row from a dict whose key it cannot find
    (``"category": {"id": 987654, "code": "X", …}`` created a category), and passes
    ``true`` on as id 1."""

    def _deserialize(self, value, *args, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Give the id of an existing record."))
        row = self.session.get(self.related_model, value)
        if row is None:
            raise ValidationError(_("No record has this id."))
        return row


def _ids_only(schema) -> None:
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, RelatedList) else field
        if isinstance(inner, Related):
            inner.__class__ = ExistingRowId


class ScopedApi(ModelRestApi):
    base_filters = SCOPE_FILTER
    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True
    page_size = 25
    max_page_size = 100

    def _init_model_schemas(self):
        super()._init_model_schemas()
        _ids_only(self.add_model_schema)
        _ids_only(self.edit_model_schema)

    def _init_properties(self):
        super()._init_properties()
        self.add_query_rel_fields = dict(self.add_query_rel_fields or {})
        self.edit_query_rel_fields = dict(self.edit_query_rel_fields or {})
        self.scoped_relations = []
        scope = [["id", ScopeFilter, None]]
        for column in sorted({*(self.add_columns or []), *(self.edit_columns or [])}):
            if not self.datamodel.is_relation(column):
                continue
            related = self.datamodel.get_related_model(column)
            if hasattr(related, "scope_clause"):
                self.add_query_rel_fields.setdefault(column, scope)
                self.edit_query_rel_fields.setdefault(column, scope)
                self.scoped_relations.append(column)

    def _get_field_info(self, field, *args, **kwargs):
        # FAB translates a missing description as gettext(""): the catalog's header
        info = super()._get_field_info(field, *args, **kwargs)
        if not self.description_columns.get(field.name):
            info["description"] = ""
        return info

    # FAB's payload schemas accept any existing row for a foreign key (its validators
    # never reach relations): every related row a payload names must be in the scope.
    # Subclasses that add their own checks call super() first.
    def pre_add(self, item):
        self.check_scope(item)

    def pre_update(self, item):
        self.check_scope(item)

    def check_scope(self, item):
        state = inspect(item)
        for column in self.scoped_relations:
            if state.persistent and not state.attrs[column].history.has_changes():
                continue  # kept as it was (a township's parent is above its clerk)
            related = getattr(item, column, None)
            rows = related if isinstance(related, list) else [related]
            if any(row is not None and _outside_scope(row) for row in rows):
                raise OutsideScope(
                    _("%(field)s: this record is outside your area.",
                      field=self.label_columns.get(column, column))
                )

    def get_list_headless(self, **kwargs):
        args = kwargs.get("rison")
        if isinstance(args, dict):  # a negative OFFSET/LIMIT is an error on PostgreSQL
            for key, least in (("page", 0), ("page_size", 1)):
                if isinstance(args.get(key), int) and args[key] < least:
                    args[key] = least
        try:
            return super().get_list_headless(**kwargs)
        except FABException:  # a filter value that does not fit its column
            db.session.rollback()
            return self.response_400(message=_("A search filter's value does not fit its field."))

    # Rule violations found after the payload is parsed (pre_add/pre_update) are the
    # client's fault: 422 with the message, nothing saved.
    def post_headless(self):
        if not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=_("The body must be a JSON object."))
        try:
            return super().post_headless()
        except DomainError as err:
            db.session.rollback()
            return self.response_422(message=_(str(err)))

    def put_headless(self, pk):
        if not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=_("The body must be a JSON object."))
        try:
            return super().put_headless(pk)
        except DomainError as err:
            db.session.rollback()
            return self.response_422(message=_(str(err)))

    def delete_headless(self, pk):
        try:
            return super().delete_headless(pk)
        except DomainError as err:
            db.session.rollback()
            return self.response_422(message=_(str(err)))


class PlaceApi(ScopedApi):
    resource_name = "places"
    datamodel = interface(Place)
    class_permission_name = "Place"
    list_columns = ["id", "level", "code", "name_zh", "name_mn", "parent_id"]
    show_columns = ["id", "level", "code", "name_zh", "name_mn", "parent_id", "households",
                    "note"]
    add_columns = edit_columns = ["level", "code", "name_zh", "name_mn", "parent",
                                  "households", "note"]
    order_columns = ["code", "name_zh", "level"]
    search_columns = ["level", "code", "name_zh", "name_mn", "parent"]

    def pre_add(self, item):
        from app.domain.validators import check_place_code

        super().pre_add(item)
        parent = item.parent
        check_place_code(item.level, item.code, parent.level if parent else None,
                         parent.code if parent else None)

    def pre_update(self, item):
        self.pre_add(item)


class PersonApi(ScopedApi):
    resource_name = "people"
    datamodel = interface(Person)
    class_permission_name = "Person"
    list_columns = ["id", "name_zh", "name_mn", "gender", "place_id", "organisation",
                    "active"]
    show_columns = ["id", "name_zh", "name_mn", "gender", "place_id", "organisation",
                    "position", "active", "note"]
    add_columns = edit_columns = ["name_zh", "name_mn", "gender", "id_number", "phone",
                                  "place", "organisation", "position", "active", "note"]
    search_columns = ["name_zh", "name_mn", "place", "organisation", "active"]
    validators_columns = {
        "id_number": _checked(check_id_number),
        "phone": _checked(check_phone),
    }


class CaseApi(CaseActionsMixin, ScopedApi):
    resource_name = "cases"
    datamodel = interface(Case)
    class_permission_name = "Case"
    list_columns = ["id", "number", "title", "place_id", "responsible_place_id", "category_id",
                    "channel_id", "urgency", "state", "level", "received_on", "due_on",
                    "agent_id", "is_group", "head_count"]
    show_columns = [*list_columns, "description", "demand", "purpose", "resolution_level",
                    "evaluation", "concluded_on", "accepted_on", "petitioner_id",
                    # the life of a case: send "version" back with an action
                    "version", "acceptance_due_on", "extension_days", "supervised",
                    "case_leader_id", "followed_up_on", "stop_agreement", "archived_on",
                    "termination_reason"]
    add_columns = ["petitioner", "place", "channel", "category", "purpose", "urgency",
                   "title", "description", "demand", "is_group", "head_count", "received_on",
                   "is_repeat", "skipped_level"]
    edit_columns = ["channel", "category", "purpose", "urgency", "title", "description",
                    "demand", "is_group", "head_count", "is_repeat", "skipped_level"]
    search_columns = ["number", "title", "place", "responsible_place", "category", "channel",
                      "urgency", "state", "level", "received_on", "agent", "is_group"]
    order_columns = ["number", "received_on", "due_on", "urgency", "state"]

    method_permission_name = {**METHOD_PERMISSIONS, "case_action": "read"}

    def __init__(self):
        super().__init__()
        # one permission per lifecycle action, checked inside case_action
        self.base_permissions = sorted({*self.base_permissions,
                                        *(f"can_{a}" for a in CASE_ACTIONS)})

    def pre_add(self, item):
        super().pre_add(item)
        case_service.register(item, g.user)

    def pre_update(self, item):
        case_service.check_editable(item)

    def pre_delete(self, item):
        case_service.check_editable(item)


API_CLASSES = [PlaceApi, PersonApi, CaseApi]
