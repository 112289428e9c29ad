"""Web hardening applied to every request: security headers, no redirect off the site,
CSRF for REST calls made with the session cookie, and refusals that never turn into a
server error page.

Flask-WTF's CSRFProtect exempts FAB's API blueprints, while FAB's ``@protect()`` also
accepts the session cookie: a cross-site form post (which a browser sends with the
cookie, and which cannot carry a JSON content type without a CORS preflight) could then
take an action. A write to the API with the session cookie must therefore be JSON (or
carry the page's CSRF token); a call signed with a bearer token needs neither."""

import secrets
from urllib.parse import urlsplit

from flask import abort, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.models.base import MAX_INTEGER, MIN_INTEGER

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Scripts: the app's own files, and inline scripts only with this response's nonce
# (csp_nonce(), which FAB's templates ask for through baselib.get_nonce()), so a script
# an attacker manages to store in a page never runs. Styles keep 'unsafe-inline': FAB's
# templates and widgets are full of style attributes, which no nonce can cover, and a
# style cannot run code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_nonce() -> str:
    """The nonce of this response's inline scripts: one per request, fresh every time."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy() -> str:
    nonce = g.get("csp_nonce")
    return CONTENT_SECURITY_POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else "")


def _api_refusal(message: str, status: int = 400):
    return jsonify(message=message), status


def require_json_or_token_for_api_writes():
    if request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
        return None
    if request.authorization is not None:
        return None  # a bearer token is not sent by a browser on its own
    if request.method == "DELETE" and not request.content_length:
        return None  # a form cannot send DELETE; a script from elsewhere needs a preflight
    if request.mimetype == "application/json":
        return None
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    if token and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(token)
            return None
        except ValidationError:
            pass
    return _api_refusal(_("Send the request body as JSON (Content-Type: application/json)."))




def _too_large(value) -> bool:
    """An id in a path (an int, or FAB's string ``<pk>``) beyond any row's."""
    if isinstance(value, str):
        digits = value.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()):  # "¹" is a digit, not a number
            return False
        if len(digits) > 10:
            return True
        value = int(digits)
    return isinstance(value, int) and not MIN_INTEGER <= value <= MAX_INTEGER


def _one_shape(status: int, code: str, message: str, field: str | None = None):
    response = jsonify(code=code, message=message, field=field)
    response.status_code = status
    return response


def refuse_malformed_api_input():
    """Inputs FAB itself answers with a server error, found by fuzzing the OpenAPI spec
    (tests/test_schemathesis.py): a number too large for an id in the path, a rison
    ``q`` the parser fails on with something other than its own error (``1e 5``), and a
    sign-in body without its provider."""
    if any(_too_large(v) for v in (request.view_args or {}).values()):
        if request.path.startswith("/api/"):
            return _one_shape(404, "not_found", _("Not found."))
        abort(404)
    if not request.path.startswith("/api/"):
        return None
    # text never holds a NUL character (PostgreSQL refuses it in every text column)
    if request.content_length and request.is_json:
        raw = request.get_data(cache=True)
        if b"\\u0000" in raw or b"\x00" in raw:
            return _one_shape(400, "bad_request", _("The request is not well formed."))
    query = request.args.get("q")
    if query:
        import prison

        try:
            prison.loads(query)
        except prison.decoder.ParserException:
            pass  # FAB answers these itself (or reads the value as JSON)
        except Exception:  # noqa: BLE001 — the parser's own crashes (ValueError, …)
            return _one_shape(400, "bad_request", _("The request is not well formed."), "q")
    if request.method == "POST" and request.path.rstrip("/") == "/api/v1/security/login":
        body = request.get_json(silent=True)
        if isinstance(body, dict) and not isinstance(body.get("provider"), str):
            return _one_shape(400, "bad_request", _("%(column)s is required.",
                                                    column="provider"), "provider")
    return None


def refuse_what_fab_cannot_answer():
    """Routes every FAB ModelView has — ours and FAB's own (accounts, roles) — that
    answer 500 to an unknown action name, to a list-only action on the single-row
    route, and to a file download when no upload folder exists (daiban keeps none)."""
    endpoint = request.endpoint or ""
    view_name, _, method = endpoint.rpartition(".")
    if method not in ("action", "action_post", "download"):
        return None
    from app.extensions import appbuilder

    view = next((v for v in appbuilder.baseviews if v.endpoint == view_name), None)
    actions = getattr(view, "actions", None)
    if view is None or actions is None or method == "download":
        abort(404)
    if method == "action":
        known = actions.get((request.view_args or {}).get("name"))
        if known is None or not known.single:
            abort(404)
    elif request.form.get("action") not in actions:
        abort(404)
    return None


def _same_site(location: str) -> bool:
    if location.startswith(("//", "/\\", "\\")) or "\\" in location.split("?", 1)[0]:
        return False
    parts = urlsplit(location)
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def harden_response(response):
    response.headers.setdefault("Content-Security-Policy", content_security_policy())
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security",
                                    "max-age=31536000; includeSubDomains")
    location = response.headers.get("Location")
    if location and response.status_code in (301, 302, 303, 307, 308) and not _same_site(
            location):
        response.headers["Location"] = "/"
    return response


def csrf_refused(error):
    from app.views.system import render_error

    return render_error(400)(error)


def init_web_security(app) -> None:
    # a global, not a context processor: FAB's macros are imported without context
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(refuse_malformed_api_input)
    app.before_request(require_json_or_token_for_api_writes)
    app.before_request(refuse_what_fab_cannot_answer)
    app.after_request(harden_response)
    app.register_error_handler(CSRFError, csrf_refused)
