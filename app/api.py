"""REST API under /api/v1/, with the same scope and the same permissions as the panel."""

import functools
import json

import jsonschema
from flask import g, request
from flask_appbuilder.api import (
    BaseApi,
    ModelRestApi,
    expose,
    merge_response_func,
    protect,
    rison,
    safe,
)
from flask_appbuilder.api.schemas import get_info_schema, get_item_schema, get_list_schema
from flask_appbuilder.const import (
    API_ADD_COLUMNS_RIS_KEY,
    API_ADD_TITLE_RIS_KEY,
    API_DESCRIPTION_COLUMNS_RIS_KEY,
    API_EDIT_COLUMNS_RIS_KEY,
    API_EDIT_TITLE_RIS_KEY,
    API_FILTERS_RIS_KEY,
    API_LABEL_COLUMNS_RIS_KEY,
    API_LIST_COLUMNS_RIS_KEY,
    API_LIST_TITLE_RIS_KEY,
    API_ORDER_COLUMNS_RIS_KEY,
    API_PERMISSIONS_RIS_KEY,
    API_SHOW_COLUMNS_RIS_KEY,
    API_SHOW_TITLE_RIS_KEY,
)
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _
from marshmallow import ValidationError, fields
from marshmallow.validate import Range
from marshmallow_sqlalchemy.fields import Related, RelatedList
from sqlalchemy import inspect, select
from sqlalchemy.exc import DataError

from app.api_actions import CaseActionsMixin
from app.api_errors import ErrorShape
from app.domain.errors import DomainError
from app.domain.lifecycle import CASE_ACTIONS
from app.domain.validators import InvalidValue, check_id_number, check_phone
from app.extensions import db
from app.models import Case, Person, Place
from app.models.base import MAX_INTEGER, MIN_INTEGER
from app.security.confidential import withhold_identity
from app.security.roles import METHOD_PERMISSIONS
from app.security.scope import (
    SCOPE_FILTER,
    ScopeFilter,
    current_scope,
    in_scope,
    load_in_scope,
)
from app.services import action_inputs
from app.services import cases as case_service
from app.views.base import MASKS, interface


class OutsideScope(DomainError):
    pass


def _outside_scope(obj) -> bool:
    with db.session.no_autoflush:
        return not in_scope(type(obj), obj.id)


def _checked(check):
    def validate(value):
        if value:
            try:
                check(value)
            except InvalidValue as err:
                raise ValidationError(_(str(err))) from err

    return validate


# a number beyond an INTEGER column in a payload is refused (422), never sent on (a 500)
_INT_RANGE = dict(min=MIN_INTEGER, max=MAX_INTEGER, error="Not a valid integer.")


class ExistingRowId(Related):
    """A relation in a payload: the id of an existing row, nothing else. marshmallow-
    sqlalchemy's ``Related`` builds a new row from a dict whose key it cannot find
    (``"category": {"id": 987654, "code": "X", …}`` created a category), and passes
    ``true`` on as id 1."""

    def _deserialize(self, value, *args, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Give the id of an existing record."))
        if not _INT_RANGE["min"] <= value <= _INT_RANGE["max"]:
            raise ValidationError(_("No record has this id."))
        row = self.session.get(self.related_model, value)
        if row is None:
            raise ValidationError(_("No record has this id."))
        return row


def _bounded_ints(schema) -> None:
    for field in schema.fields.values():
        if type(field) is fields.Integer and not any(
                isinstance(v, Range) and v.max is not None for v in field.validators):
            field.validators.append(Range(**_INT_RANGE))


def _ids_only(schema) -> None:
    for field in schema.fields.values():
        inner = field.inner if isinstance(field, RelatedList) else field
        if isinstance(inner, Related):
            inner.__class__ = ExistingRowId
            # so the OpenAPI spec says what to send: an id, or a list of ids
            inner.metadata.update(type="integer")
            if inner is not field:
                field.metadata.update(type="array")


def checked_rison(schema):
    """FAB's ``@rison(schema)`` with the schema's check done by a validator built once.
    FAB calls ``jsonschema.validate``, which first checks the schema itself against its
    draft's meta-schema, on every request: 14 ms of a 38 ms API list, 3 ms of an item,
    6 ms of ``_info`` (bench/trace_request.py). Parsing ``q`` and its 400s stay FAB's:
    this is FAB's ``@rison()`` without a schema around the check; a value the schema
    refuses is a 400 in the user's language."""
    kind = jsonschema.validators.validator_for(schema)
    kind.check_schema(schema)
    validator = kind(schema)

    def decorator(endpoint):
        @functools.wraps(endpoint)
        def checked(self, *args, **kwargs):
            error = jsonschema.exceptions.best_match(validator.iter_errors(kwargs["rison"]))
            if error is not None:
                reason = str(error).split("\n", 1)[0]
                return self.error(400, _("The query (q) is not valid here: %(reason)s",
                                         reason=reason), field="q")
            return endpoint(self, *args, **kwargs)

        return rison()(checked)

    return decorator


class ScopedApi(ErrorShape, ModelRestApi):
    base_filters = SCOPE_FILTER
    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True
    page_size = 25
    max_page_size = 100

    def _init_model_schemas(self):
        super()._init_model_schemas()
        _ids_only(self.add_model_schema)
        _ids_only(self.edit_model_schema)
        _bounded_ints(self.add_model_schema)
        _bounded_ints(self.edit_model_schema)

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
                err = OutsideScope(
                    _("%(field)s: this record is outside your area.",
                      field=self.label_columns.get(column, column))
                )
                err.field = column
                raise err

    # FAB's three reading endpoints, decorated as FAB decorates them (the same URL,
    # permission, merged keys and OpenAPI text) but for checked_rison
    @expose("/_info", methods=["GET"])
    @protect()
    @safe
    @checked_rison(get_info_schema)
    @permission_name("info")
    @merge_response_func(BaseApi.merge_current_user_permissions, API_PERMISSIONS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_add_field_info, API_ADD_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_edit_field_info, API_EDIT_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_search_filters, API_FILTERS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_add_title, API_ADD_TITLE_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_edit_title, API_EDIT_TITLE_RIS_KEY)
    def info(self, **kwargs):
        return self.info_headless(**kwargs)

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @checked_rison(get_item_schema)
    @merge_response_func(ModelRestApi.merge_show_label_columns, API_LABEL_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_show_columns, API_SHOW_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_description_columns,
                         API_DESCRIPTION_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_show_title, API_SHOW_TITLE_RIS_KEY)
    def get(self, pk, **kwargs):
        return self.get_headless(pk, **kwargs)

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    @checked_rison(get_list_schema)
    @merge_response_func(ModelRestApi.merge_order_columns, API_ORDER_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_list_label_columns, API_LABEL_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_description_columns,
                         API_DESCRIPTION_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_list_columns, API_LIST_COLUMNS_RIS_KEY)
    @merge_response_func(ModelRestApi.merge_list_title, API_LIST_TITLE_RIS_KEY)
    def get_list(self, **kwargs):
        return self.get_list_headless(**kwargs)

    info.__doc__ = ModelRestApi.info.__doc__
    get.__doc__ = ModelRestApi.get.__doc__
    get_list.__doc__ = ModelRestApi.get_list.__doc__

    def get_list_headless(self, **kwargs):
        args = kwargs.get("rison")
        if isinstance(args, dict):  # a negative OFFSET/LIMIT is an error on PostgreSQL
            for key, least in (("page", 0), ("page_size", 1)):
                if isinstance(args.get(key), int) and args[key] < least:
                    args[key] = least
        try:
            return super().get_list_headless(**kwargs)
        except (FABException, OverflowError, DataError):  # a value that does not fit its column
            db.session.rollback()
            return self.response_400(message=_("A search filter's value does not fit its field."))

    def domain_refusal(self, err: DomainError):
        """A refusal raised in pre_add/pre_update/pre_delete, in the user's language with
        its parameters (a message raised already translated passes through)."""
        db.session.rollback()
        return self.error(err.status, err.translate(_), code=err.code, field=err.field)

    # Rule violations found after the payload is parsed (pre_add/pre_update) are the
    # client's fault: 422 with the message, nothing saved.
    def post_headless(self):
        if not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=_("The body must be a JSON object."))
        try:
            return super().post_headless()
        except DomainError as err:
            return self.domain_refusal(err)

    def put_headless(self, pk):
        if not isinstance(request.get_json(silent=True), dict):
            return self.response_400(message=_("The body must be a JSON object."))
        try:
            return super().put_headless(pk)
        except DomainError as err:
            return self.domain_refusal(err)

    def delete_headless(self, pk):
        try:
            return super().delete_headless(pk)
        except DomainError as err:
            return self.domain_refusal(err)


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
    method_permission_name = {**METHOD_PERMISSIONS, "import_people": "write"}

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    def import_people(self):
        """The roster from a spreadsheet, as the "Import people" page takes it.
        ---
        post:
          summary: Import people and their duties from a CSV or XLSX file (all or nothing)
          description: >-
            The same file, columns and checks as the panel's Import people page (its
            template: /people-import/template.csv). Every row is checked first; on any
            problem nothing is saved and the message lists each row's problems.
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, format: binary}
          responses:
            200:
              description: How many people were created and updated
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      created: {type: integer}
                      updated: {type: integer}
            400:
              $ref: '#/components/responses/400'
            422:
              $ref: '#/components/responses/422'
        """
        from app.services.people_import import import_people, read_rows
        from app.views.imports import MAX_BYTES

        upload = request.files.get("file")
        if upload is None:
            return self.response_400(message=_("Choose a CSV or XLSX file."))
        payload = upload.read(MAX_BYTES + 1)
        if len(payload) > MAX_BYTES:
            return self.response_400(message=_("The file is larger than 5 MB."))
        try:
            rows = read_rows(upload.filename or "", payload)
        except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
            return self.response_400(message=_("The file could not be read as CSV or XLSX."))
        result = import_people(rows, current_scope())
        if result.errors:
            return self.error(422, " ".join(result.errors), field="file")
        return self.response(200, created=result.created, updated=result.updated)

    # FAB answers a write with the row as written, ID number and phone in full: masked
    # here, like every page that shows them (full showings are the panel's, audited)
    def post_headless(self):
        return _masked_answer(super().post_headless())

    def put_headless(self, pk):
        return _masked_answer(super().put_headless(pk))


def _masked_answer(response):
    body = response.get_json(silent=True) if response.is_json else None
    result = body.get("result") if isinstance(body, dict) else None
    if isinstance(result, dict):
        for column, mask in MASKS.items():
            if result.get(column):
                result[column] = mask(result[column])
        response.set_data(json.dumps(body))
    return response


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
                    "termination_reason",
                    # what the panel's case page shows besides
                    "is_repeat", "skipped_level", "decline_reason", "decline_guidance",
                    "representatives",
                    "reply", "followup_note", "entrustment_signer", "entrustment_signed_on",
                    "entrustment_file", "registered_at", "registered_by_id"]
    add_columns = ["petitioner", "place", "channel", "category", "purpose", "urgency",
                   "title", "description", "demand", "is_group", "head_count",
                   "representatives", "received_on", "is_repeat", "skipped_level"]
    edit_columns = ["channel", "category", "purpose", "urgency", "title", "description",
                    "demand", "is_group", "head_count", "representatives", "is_repeat",
                    "skipped_level"]
    search_columns = ["number", "title", "place", "responsible_place", "category", "channel",
                      "urgency", "state", "level", "received_on", "agent", "is_group"]
    order_columns = ["number", "received_on", "due_on", "urgency", "state"]

    method_permission_name = {**METHOD_PERMISSIONS, "case_action": "read",
                              "case_actions": "read", "case_related": "read"}

    def __init__(self):
        super().__init__()
        # one permission per lifecycle action, checked inside case_action
        self.base_permissions = sorted({*self.base_permissions,
                                        *(f"can_{a}" for a in CASE_ACTIONS)})

    def pre_add(self, item):
        super().pre_add(item)
        case_service.register(item, g.user)

    def pre_get(self, data):
        """An accusation's petitioner and signer are blanked for the accused unit's staff
        (the case page withholds them too)."""
        case = db.session.get(Case, data["id"])
        if case is not None:
            withhold_identity(case, data["result"])

    def put_headless(self, pk):
        """The details change through ``case_service.edit_details`` (an event with
        before and after; relations by id only), never by loading the payload into the
        row: send the fields to change and, to be refused when someone acted since,
        the case's ``version``."""
        if load_in_scope(Case, pk) is None:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=_("The body must be a JSON object."))
        try:
            case = action_inputs.run("edit_details", pk, g.user, body,
                                     version=body.get("version"), strict=True)
        except DomainError as err:
            db.session.rollback()
            return self.refusal(err)
        return self.response(200, id=case.id, result=withhold_identity(
            case, self.show_model_schema.dump(case)))

    def pre_delete(self, item):
        case_service.check_editable(item)

    @expose("/<int:pk>/<string:related>", methods=["GET"])
    @protect()
    @safe
    def case_related(self, pk, related):
        """A case's history and records, oldest first.
        ---
        get:
          summary: A case's events, escalations, transfers, reviews or mediation sessions
          description: >-
            The rows of the case that the signed-in user may read (the same scope as
            the case and as /api/v1/case_events, /escalations, /transfers, /reviews
            and /mediation_sessions), with the same fields as those resources.
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - in: path
            name: related
            required: true
            schema:
              type: string
              enum: [events, escalations, transfers, reviews, mediation_sessions]
          responses:
            200:
              description: The rows, oldest first
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      count: {type: integer}
                      result: {type: array, items: {type: object}}
            404:
              $ref: '#/components/responses/404'
        """
        from app.api_resources import CASE_SUBRESOURCES, row_json

        api = CASE_SUBRESOURCES.get(related)
        if api is None or load_in_scope(Case, pk) is None:
            return self.response_404()
        model = api.datamodel.obj
        rows = db.session.scalars(
            select(model).where(model.case_id == pk, model.scope_clause(current_scope()))
            .order_by(model.id)).all()
        result = [row_json(row, api.list_columns) for row in rows]
        return self.response(200, id=pk, count=len(result), result=result)


API_CLASSES = [PlaceApi, PersonApi, CaseApi]
