"""三通 over REST: /api/v1/exchange/cases exports the user's cases in the upper-level
petition system's layout (JSON or XLSX) and imports the cases it assigns down — the
same service, permission ("Exchange") and scope as the panel's page."""

from apispec.exceptions import DuplicateComponentNameError
from flask import jsonify, make_response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_babel import gettext as _

from app.api_errors import ErrorShape
from app.domain import exchange as layout
from app.extensions import appbuilder
from app.models.choices import CASE_STATES
from app.services import exchange as exchange_service
from app.views.exchange import chosen_state, export_response


def _record_schema() -> dict:
    properties = {f.key: {"type": "string", "nullable": True, "description": f.header}
                  for f in layout.FIELDS}
    properties["head_count"] = {"type": "integer", "minimum": 1, "description": "人数"}
    properties["purpose"]["enum"] = list(layout.PURPOSES.values())
    properties["form"]["enum"] = list(layout.FORMS.values())
    properties["state"]["enum"] = list(layout.UPPER_STATES)
    for key in ("concluded", "first_petition", "collective"):
        properties[key]["enum"] = [layout.YES, layout.NO]
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [f.key for f in layout.FIELDS if f.required]}


def _caller():
    """The signed-in account — a session, or a JWT (FAB's accessor: ``g.user`` is set as
    a side effect of loading the token's user, which a reused ``g`` may skip)."""
    return appbuilder.sm.current_user


class ExchangeApi(ErrorShape, BaseApi):
    resource_name = "exchange"
    class_permission_name = "Exchange"
    method_permission_name = {"export_cases": "read", "import_cases": "write"}
    allow_browser_login = True
    openapi_spec_tag = "Exchange"

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        try:
            api_spec.components.schema("ExchangeRecord", _record_schema())
        except DuplicateComponentNameError:
            pass

    @expose("/cases", methods=["GET"])
    @protect()
    @safe
    def export_cases(self):
        """The user's cases in the upper-level system's record layout.
        ---
        get:
          summary: Export the cases of the user's area (三通 record layout)
          description: >-
            Every case in the signed-in user's area, oldest first, with its values mapped
            onto the upper-level petition system's (docs/exchange.md, mapping_version).
          parameters:
          - in: query
            name: format
            schema: {type: string, enum: [json, xlsx], default: json}
          - in: query
            name: state
            description: only the cases in this daiban state
            schema:
              type: string
              enum: [registered, declined, in_progress, transferred, concluded,
                     followed_up, archived, terminated]
          responses:
            200:
              description: The cases (an .xlsx file when format=xlsx)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      layout: {type: string}
                      mapping_version: {type: string}
                      records:
                        type: array
                        items: {$ref: '#/components/schemas/ExchangeRecord'}
            400:
              $ref: '#/components/responses/400'
        """
        fmt = request.args.get("format", "json")
        if fmt not in ("json", "xlsx"):
            return self.response_400(_("%(field)s: choose one of: %(choices)s.",
                                       field="format", choices="json、xlsx"))
        if request.args.get("state") and chosen_state(request.args["state"]) is None:
            return self.response_400(_("%(field)s: choose one of: %(choices)s.",
                                       field="state", choices="、".join(CASE_STATES)))
        return export_response(_caller(), fmt, chosen_state(request.args.get("state")))

    @expose("/cases", methods=["POST"])
    @protect()
    @safe
    def import_cases(self):
        """Import cases assigned down by the upper-level system (交办件).
        ---
        post:
          summary: Import assigned cases into the screening queue of their places
          description: >-
            All or nothing: every record is checked first; on any problem nothing is
            saved and the answer lists every problem with its record number. A number
            already imported is refused. The body is a JSON export (or its records).
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    mapping_version: {type: string}
                    records:
                      type: array
                      items: {$ref: '#/components/schemas/ExchangeRecord'}
                  required: [records]
          responses:
            201:
              description: The cases were registered
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      created: {type: integer}
                      numbers: {type: array, items: {type: string}}
            400:
              $ref: '#/components/responses/400'
            422:
              description: Nothing was saved; every problem is listed in errors
        """
        if not request.is_json:
            return self.response_400(_("The body must be a JSON object."))
        try:
            records = exchange_service.records_from_json(request.get_json(silent=True))
        except exchange_service.ExchangeFileError as err:
            return self.error(400, str(err))
        result = exchange_service.import_assigned(records, _caller())
        if result.errors:
            body = {"code": "invalid", "message": result.errors[0], "field": None,
                    "errors": result.errors}
            return make_response(jsonify(body), 422)
        return make_response(jsonify(created=result.created, numbers=result.numbers), 201)
