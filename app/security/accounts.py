"""Accounts (等保 2.0 level 3, identification and authentication): the password policy,
lockout of password guessing, and sessions that end when the user leaves.

- Passwords: at least PASSWORD_MIN_LENGTH (8) characters of three classes (lower case,
  upper case, digits, others), not the username, none of the last PASSWORD_HISTORY (5);
  a change is forced on the first sign-in of an account an administrator created and
  after an administrator reset, and when PASSWORD_MAX_AGE_DAYS have passed.
- Lockout: LOCKOUT_THRESHOLD (5) failed sign-ins for one account from one address lock
  that account *from that address* for LOCKOUT_SECONDS; LOCKOUT_ADDRESS_THRESHOLD
  failures from one address, whatever the accounts, lock the address. An attacker thus
  locks out only themselves: the account's owner, signing in from elsewhere, is never
  locked out by someone else's guesses. The web form and the REST login alike.
- Sessions: idle timeout (PERMANENT_SESSION_LIFETIME, refreshed by every request),
  absolute lifetime (SESSION_ABSOLUTE_SECONDS from sign-in), and a per-account session
  generation written into the session cookie and into every JWT: signing out (or an
  administrator's revocation) raises it, so every cookie and token issued before — a
  copied cookie, a refresh token — is refused from then on.
"""

import datetime
import json
import secrets
import time

from flask import current_app, g, jsonify, redirect, request, session, url_for
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.lifecycle import N_
from app.extensions import db
from app.models.security import LoginAttempt
from app.models.user import StaffUser

SESSION_GENERATION = "_daiban_gen"
SESSION_STARTED = "_daiban_started"
SESSION_ID = "_daiban_sid"


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def _config(name, default):
    return current_app.config.get(name, default)


# ---- password policy ---------------------------------------------------------------------

def hash_password(password: str) -> str:
    """The stored form of ``password``, as FAB's own forms store it (its configured
    method and salt length)."""
    return generate_password_hash(
        password=password, method=_config("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=_config("FAB_PASSWORD_HASH_SALT_LENGTH", 16))


def password_problems(password: str, username: str | None, previous_hashes=()) -> list[str]:
    problems = []
    if len(password or "") < _config("PASSWORD_MIN_LENGTH", 8):
        problems.append(_("A password has at least %(n)s characters.",
                          n=_config("PASSWORD_MIN_LENGTH", 8)))
    classes = sum((
        any(c.islower() for c in password), any(c.isupper() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ))
    if classes < 3:
        problems.append(_("A password mixes three of: lower case, upper case, digits, "
                          "other characters."))
    if username and username.lower() in (password or "").lower():
        problems.append(_("A password may not contain the username."))
    if any(check_password_hash(h, password) for h in previous_hashes if h):
        problems.append(_("A password may not be one of the last %(n)s.",
                          n=_config("PASSWORD_HISTORY", 5)))
    return problems


def previous_hashes(user) -> list[str]:
    if user is None:
        return []
    history = json.loads(user.password_history or "[]")
    return [user.password, *history][: _config("PASSWORD_HISTORY", 5)]


def own_account_refusal(account_id, *, deleting: bool = False,
                        active: bool = True) -> str | None:
    """Why the signed-in administrator may not delete the account ``account_id`` — or
    leave it inactive (``active``) — when it is their own, else None: they would be
    signed out for good, and the last administrator would lock everyone out. Another
    administrator can. The accounts page and the accounts API both ask this (a msgid)."""
    user = g.get("user")
    if account_id is None or user is None or not getattr(user, "is_authenticated", False) \
            or str(user.id) != str(account_id):
        return None
    if deleting:
        return N_("You cannot delete your own account; another administrator can.")
    if not active:
        return N_("You cannot deactivate your own account; another administrator can.")
    return None


def _account_of_this_request():
    """Whose password the posted form sets: a new account (its username), the account
    an administrator resets (?pk=), or one's own."""
    if "username" in request.form:
        return request.form.get("username"), None
    pk = request.args.get("pk")
    if pk and pk.isdigit():
        user = db.session.get(StaffUser, int(pk))
        return (user.username if user else None), user
    user = g.get("user")
    if user is not None and getattr(user, "is_authenticated", False):
        return user.username, user
    return None, None


def password_policy(password: str) -> None:
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB calls it from every password form."""
    username, user = _account_of_this_request()
    problems = password_problems(password, username, previous_hashes(user))
    if problems:
        raise PasswordComplexityValidationError(" ".join(problems))


def remember_old_password(user) -> None:
    """Before a new hash is stored: keep the old one in the history."""
    if user.password:
        history = [user.password, *json.loads(user.password_history or "[]")]
        user.password_history = json.dumps(history[: _config("PASSWORD_HISTORY", 5)])


def password_expired(user) -> bool:
    days = _config("PASSWORD_MAX_AGE_DAYS", None)
    changed = getattr(user, "password_changed_at", None)
    return bool(days) and changed is not None and (
        _now() - changed > datetime.timedelta(days=days))


def must_change_password(user) -> bool:
    return bool(getattr(user, "must_change_password", False)) or password_expired(user)


# ---- lockout -----------------------------------------------------------------------------

def client_address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _failures_since(where, window_start):
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).where(*where, LoginAttempt.success.is_(True)))
    since = max(window_start, last_success) if last_success else window_start
    return db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        *where, LoginAttempt.success.is_(False), LoginAttempt.at > since))


def is_locked(username: str, address: str) -> bool:
    window_start = _now() - datetime.timedelta(seconds=_config("LOCKOUT_SECONDS", 900))
    pair = (LoginAttempt.username == username[:256], LoginAttempt.address == address)
    if _failures_since(pair, window_start) >= _config("LOCKOUT_THRESHOLD", 5):
        return True
    by_address = (LoginAttempt.address == address,)
    return _failures_since(by_address, window_start) >= _config("LOCKOUT_ADDRESS_THRESHOLD",
                                                                 20)


def record_attempt(username: str, address: str, success: bool) -> None:
    db.session.add(LoginAttempt(username=username[:256], address=address, success=success))
    db.session.commit()


# ---- sessions and tokens -----------------------------------------------------------------

def start_session(user) -> None:
    """At sign-in: a new session id, the account's generation and the start time."""
    session[SESSION_ID] = secrets.token_urlsafe(16)
    session[SESSION_GENERATION] = user.session_generation or 0
    session[SESSION_STARTED] = int(time.time())
    session.permanent = True


def session_is_current(user) -> bool:
    if session.get(SESSION_GENERATION) != (user.session_generation or 0):
        return False
    started = session.get(SESSION_STARTED)
    limit = _config("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
    return isinstance(started, int) and time.time() - started <= limit


def end_all_sessions(user) -> None:
    """Every session cookie and token of the account issued so far stops working."""
    user.session_generation = (user.session_generation or 0) + 1
    db.session.commit()


def token_claims(identity) -> dict:
    user = db.session.get(StaffUser, int(identity)) if str(identity).isdigit() else None
    return {"gen": user.session_generation if user else -1}


def token_revoked(jwt_header, jwt_data) -> bool:
    identity = jwt_data.get("sub")
    user = db.session.get(StaffUser, int(identity)) if str(identity).isdigit() else None
    return user is None or jwt_data.get("gen") != (user.session_generation or 0)


# ---- wiring ------------------------------------------------------------------------------

def _on_login(sender, user, **extra):
    start_session(user)


_CHANGE_ALLOWED = ("ResetMyPasswordView.", "DaibanResetMyPasswordView.", "AuthDBView.",
                   "DaibanAuthDBView.", "static", "appbuilder.static", "LocaleView.",
                   "DaibanLocaleView.", "system.")


def force_password_change():
    """An account whose password an administrator set, or whose password is older than
    PASSWORD_MAX_AGE_DAYS, does nothing before changing it."""
    endpoint = request.endpoint or ""
    if endpoint.startswith(_CHANGE_ALLOWED) or endpoint.endswith(".static"):
        return None
    user = g.get("user") if request.path.startswith("/api/") else None
    user = user if user is not None and getattr(user, "is_authenticated", False) else (
        current_user if current_user.is_authenticated else None)
    if user is None or not must_change_password(user):
        return None
    message = _("Change your password before going on.")
    if request.path.startswith("/api/"):
        return jsonify(message=message), 403
    from flask import flash

    flash(message, "warning")
    return redirect(url_for("DaibanResetMyPasswordView.this_form_get"))


def _locked_login_is_429(response):
    if g.get("daiban_login_locked") and request.path.startswith("/api/"):
        refused = jsonify(message=_("Too many failed sign-ins: try again in %(minutes)s "
                                    "minutes.", minutes=_config("LOCKOUT_SECONDS", 900) // 60))
        refused.status_code = 429
        return refused
    return response


def limit_api_login(appbuilder) -> None:
    """FAB rate-limits the web login form only; the REST login gets the same limit."""
    sm = appbuilder.sm
    if not sm.is_auth_limited:
        return
    for view in appbuilder.baseviews:
        if type(view).__name__ == "SecurityApi" and view.blueprint is not None:
            sm.limiter.limit(sm.auth_rate_limit, methods=["POST"])(view.blueprint)


def init_accounts(app) -> None:
    from app.extensions import appbuilder

    with app.app_context():
        limit_api_login(appbuilder)
    app.config["FAB_PASSWORD_COMPLEXITY_VALIDATOR"] = password_policy
    user_logged_in.connect(_on_login, app)
    app.before_request(force_password_change)
    app.after_request(_locked_login_is_429)
