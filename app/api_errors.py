"""One error body for every /api/v1/ refusal: ``{"code", "message", "field"}`` — a
stable code a client can branch on, a message in the user's language and the request
field at fault (null when the refusal is about the whole request)."""

from flask import jsonify, make_response
from flask_babel import gettext as _

from app.domain.errors import DomainError
from app.domain.lifecycle import N_

# how FAB's ModelRestApi starts a 422 for a failed commit (post, put, delete)
FAB_DATABASE_ERROR = "Database exception occurred"

# marshmallow's messages (FAB's payload schemas, our choice and range validators) → a
# code and a message in the user's language
MARSHMALLOW_MESSAGES = {
    "Missing data for required field.": (None, N_("This field is required.")),
    "Field may not be null.": (None, N_("This field is required.")),
    "Unknown field.": ("unknown_field", N_("This field is not accepted here: %(name)s.")),
    "Not a valid integer.": (None, N_("Not a valid integer value.")),
    "Not a valid date.": (None, N_("Not a valid date value.")),
    "Not a valid choice.": (None, N_("Not a valid choice.")),
    "Give a number of 0 or more.": (None, N_("Give a number of 0 or more.")),
}

DEFAULT_CODES = {400: "bad_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
                 405: "method_not_allowed", 422: "invalid", 500: "internal_error"}


def _first(messages):
    """FAB hands marshmallow's ``{field: [message, …]}`` to ``response_422``."""
    if isinstance(messages, dict):
        field, value = next(iter(messages.items()), (None, ""))
        inner_field, text = _first(value)
        return (field if inner_field is None else f"{field}.{inner_field}"), text
    if isinstance(messages, list | tuple):
        return _first(messages[0]) if messages else (None, "")
    return None, str(messages)


def install_jwt_errors(jwt_manager) -> None:
    """Missing, malformed and expired tokens answer in the same shape (flask-jwt-extended
    would say ``{"msg": …}``)."""

    def refuse(_reason=None, *_args):
        body = {"code": "unauthorised", "message": _("Sign in first."), "field": None}
        return make_response(jsonify(body), 401)

    jwt_manager.unauthorized_loader(refuse)
    jwt_manager.invalid_token_loader(refuse)
    jwt_manager.expired_token_loader(refuse)


class ErrorShape:
    """Mixed into every API class before FAB's: its ``response_4xx`` helpers (also
    called by ``@protect`` and the rison parser) answer in the one shape."""

    def error(self, status: int, message=None, *, code=None, field=None):
        if isinstance(message, dict | list):
            field, message = _first(message)
            known = MARSHMALLOW_MESSAGES.get(message)
            if known is not None:  # marshmallow speaks English only
                code = code or known[0]
                message = _(known[1], name=field)
        # FAB's self.response() takes the status as "code": build the body here
        body = {"code": code or DEFAULT_CODES.get(status, "error"),
                "message": str(message), "field": field}
        resp = make_response(jsonify(body), status)
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        return resp

    def refusal(self, err: DomainError):
        return self.error(err.status, err.translate(_), code=err.code,
                          field=getattr(err, "field", None))

    def response_400(self, message=None):
        return self.error(400, message or _("The request is not well formed."))

    def response_401(self):
        return self.error(401, _("Sign in first."))

    def response_403(self):
        return self.error(403, _("Your role does not allow this."))

    def response_404(self):
        return self.error(404, _("Not found."))

    def response_422(self, message=None):
        if isinstance(message, str) and message.startswith(FAB_DATABASE_ERROR):
            # FAB would hand the database's own error text (tables, constraints) to the
            # client: say what the page says
            return self.error(422, _("This change conflicts with other records: a value "
                                     "that must be unique is already taken, or other "
                                     "records still refer to this one."), code="conflict")
        return self.error(422, message or _("The request could not be processed."))

    def response_500(self, message=None):
        return self.error(500, _("The request could not be processed."))
