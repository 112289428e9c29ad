"""The case actions over REST: ``POST /api/v1/cases/<pk>/<action>``, through the same
input parsing and service functions as the case page. A refusal answers 403 (role),
404 (no such case in your area) or 422 (wrong state, a broken rule, a stale version),
always as JSON with a message in the user's language."""

from flask import g, request
from flask_appbuilder.api import expose, protect, safe
from flask_babel import gettext as _

from app.domain.errors import DomainError
from app.domain.lifecycle import CASE_ACTIONS
from app.models import Case
from app.security.scope import in_scope, load_in_scope
from app.services import action_inputs
from app.services import cases as case_service

_DOC = """Take a lifecycle action on a case.
---
post:
  summary: Take a lifecycle action on a case (accept, escalate, approve, conclude…)
  description: >-
    The action goes through the same rules as the case page - the state chart, the
    role of the user (permission can_ACTION on Case), the area of the user and the
    version of the case. Send version (from GET /api/v1/cases/PK) to be refused
    when someone else acted since. Each action's body is documented on its own path
    (/api/v1/cases/PK/ACTION); fields outside it are refused with 422. Fields per
    action - {fields}
  parameters:
  - in: path
    name: pk
    required: true
    schema:
      type: integer
  - in: path
    name: action
    required: true
    schema:
      type: string
      enum: [{actions}]
  requestBody:
    required: false
    content:
      application/json:
        schema:
          description: The body of the action named in the path - see its own path
            for its schema (CaseActionACTIONInput)
          type: object
  responses:
    200:
      description: The action was taken; the case's new state
      content:
        application/json:
          schema:
            type: object
            properties:
              id:
                type: integer
              state:
                type: string
              level:
                type: string
              version:
                type: integer
              message:
                type: string
    403:
      $ref: '#/components/responses/403'
    404:
      $ref: '#/components/responses/404'
    422:
      $ref: '#/components/responses/422'
"""


def _fields_doc() -> str:
    parts = []
    for action, fields in action_inputs.INPUTS.items():
        names = ", ".join(f.name + ("*" if f.required else "") for f in fields)
        parts.append(f"{action} ({names})")
    return "; ".join(parts) + " - starred fields are required."


RESULT_SCHEMA = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "state": {"type": "string"},
                   "level": {"type": "string"}, "version": {"type": "integer"},
                   "message": {"type": "string"}},
    "example": {"id": 41, "state": "in_progress", "level": "township", "version": 4,
                "message": "Done."},
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "field": {"type": "string", "nullable": True}},
    "required": ["code", "message", "field"],
    "example": {"code": "invalid", "message": "Please fill in: Written reply.",
                "field": "reply"},
}


def _schema_name(action: str) -> str:
    return "CaseAction" + "".join(part.title() for part in action.split("_")) + "Input"


def _action_operation(action: str) -> dict:
    def error(text):
        return {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ApiError"}}}}

    return {
        "summary": f"Case action: {action}",
        "tags": ["Case actions"],
        "security": [{"jwt": []}],
        "parameters": [{"in": "path", "name": "pk", "required": True,
                        "schema": {"type": "integer"}}],
        "requestBody": {"required": any(f.required for f in action_inputs.INPUTS[action]),
                        "content": {"application/json": {"schema": {
                            "$ref": f"#/components/schemas/{_schema_name(action)}"}}}},
        "responses": {
            "200": {"description": "The action was taken; the case's new state",
                    "content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/CaseActionResult"}}}},
            "403": error("The user's role may not take this action"),
            "404": error("No such case in the user's area"),
            "422": error("Wrong state, a broken rule, a stale version, a missing, "
                         "malformed or unknown field"),
        },
    }


class CaseActionsMixin:
    """Mixed into the cases ModelRestApi."""

    def add_api_spec(self, api_spec) -> None:
        """FAB's spec, plus one path per case action with its own request schema,
        generated from ``action_inputs.INPUTS`` (what the service parses)."""
        super().add_api_spec(api_spec)
        for name, schema in (("CaseActionResult", RESULT_SCHEMA), ("ApiError", ERROR_SCHEMA)):
            if name not in api_spec.components.schemas:
                api_spec.components.schema(name, schema)
        for action in CASE_ACTIONS:
            api_spec.components.schema(_schema_name(action), action_inputs.json_schema(action))
            path = self.path_helper(path=f"/<int:pk>/{action}", operations={})
            api_spec.path(path=path, operations={"post": _action_operation(action)})
        # PUT /cases/<pk> parses its body as the edit_details action
        api_spec.components.schema(_schema_name("edit_details"),
                                   action_inputs.json_schema("edit_details"))
        put = api_spec._paths.get(self.path_helper(path="/<pk>", operations={}), {}).get("put")
        if put is not None:
            put["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{_schema_name('edit_details')}"}}}}

    @expose("/<int:pk>/<string:action>", methods=["POST"])
    @protect()
    @safe
    def case_action(self, pk, action):
        if action not in CASE_ACTIONS or not in_scope(Case, pk):
            # out of the area is answered before the body is read: 404, as for any route
            return self.response_404()
        body = request.get_json(silent=True)
        if body is not None and not isinstance(body, dict):
            return self.response_400(message=_("The body must be a JSON object."))
        body = body or {}
        try:
            case = action_inputs.run(action, pk, g.user, body, version=body.get("version"),
                                     strict=True)
        except DomainError as err:
            return self.refusal(err)
        return self.response(200, id=case.id, state=case.state, level=case.level,
                             version=case.version, message=_("Done."))

    case_action.__doc__ = _DOC.format(actions=", ".join(CASE_ACTIONS), fields=_fields_doc())

    @expose("/<int:pk>/actions", methods=["GET"])
    @protect()
    @safe
    def case_actions(self, pk):
        """The actions the signed-in user may take on a case now.
        ---
        get:
          summary: The lifecycle actions the user may take on the case now
          description: >-
            The same answer as the case page's buttons and as taking the action -
            one authority decides all three.
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The case's state, level, version and the actions offered
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      state:
                        type: string
                      level:
                        type: string
                      version:
                        type: integer
                      actions:
                        type: array
                        items:
                          type: string
            404:
              $ref: '#/components/responses/404'
        """
        case = load_in_scope(Case, pk)
        if case is None:
            return self.response_404()
        actions = case_service.available_actions(case, g.user, with_details=True)
        return self.response(200, id=case.id, state=case.state, level=case.level,
                             version=case.version, actions=actions)
