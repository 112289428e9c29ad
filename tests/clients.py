"""The one test client and the one way to sign in, for every test module: through the
login form (``sign_in``, the ``login`` fixture of conftest), with a token over REST
(``api_token``, ``token_client``), or as a bare attempt whose outcome is the test's
subject (``attempt_sign_in``, ``signed_in``). Browser tests sign in in Chromium
(tests/browser_support.py, ``sign_in_page``)."""

import contextvars
import time

from flask.testing import FlaskClient


class IsolatedClient(FlaskClient):
    """Runs every request in its own context, as a server does. Tests hold an app context
    for their database work, and Flask reuses a context that is already pushed: flask.g —
    and with it the signed-in user Flask-Login caches there — would then leak from one
    request (and one client) into the next. A streamed body (CSV export) is read while
    its request is still there."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(self._open_and_read, *args, **kwargs)

    def _open_and_read(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        response.get_data()
        return response


def attempt_sign_in(app, username, password="password", *, api=False, address=None,
                    client=None):
    """One sign-in attempt, its response: the login form, or FAB's token login at
    /api/v1/security/login with ``api=True``; from ``address`` (REMOTE_ADDR) if given."""
    client = client or IsolatedClient(app, app.response_class, use_cookies=True)
    environ = {"REMOTE_ADDR": address} if address else {}
    if api:
        return client.post("/api/v1/security/login", environ_base=environ, json={
            "username": username, "password": password, "provider": "db"})
    return client.post("/login/", environ_base=environ,
                       data={"username": username, "password": password})


def signed_in(response) -> bool:
    """Did the attempt sign in? A token for the API; for the form, a redirect away from
    the login page (a refusal redirects back to it)."""
    if response.mimetype == "application/json":
        return response.status_code == 200 and "access_token" in (response.get_json() or {})
    return response.status_code == 302 and "/login" not in response.headers["Location"]


# While a module shares its world (tests/conftest.py, _SharedDatabase), every test meets
# the same accounts: a sign-in's cookies are kept and handed to the next sign-in of the
# same account while the account is as it was (session generation, password hash, in the
# same world) — after each test's rollback it is. conftest sets ``world``; cookies are
# kept a short while only, so that a test of the idle timeout meets a fresh sign-in.
REUSE = {"world": None, "cookies": {}}
REUSE_SECONDS = 20


def sign_in(app, username, password="password") -> IsolatedClient:
    """A client signed in through the login form as ``username`` (see REUSE)."""
    from app.extensions import db

    client = IsolatedClient(app, app.response_class, use_cookies=True)
    key = _reuse_key(username, password)
    kept = REUSE["cookies"].get(key) if key else None
    if kept and time.monotonic() - kept[0] < REUSE_SECONDS:
        client._cookies = dict(kept[1])
        return client
    response = attempt_sign_in(app, username, password, client=client)
    assert response.status_code == 302, f"login failed for {username}"
    db.session.expire_all()
    if key:
        REUSE["cookies"][key] = (time.monotonic(), dict(client._cookies))
    return client


def _reuse_key(username, password):
    if REUSE["world"] is None:
        return None
    from sqlalchemy import select

    from app.extensions import db
    from app.models import StaffUser

    account = db.session.execute(select(
        StaffUser.id, StaffUser.session_generation, StaffUser.password, StaffUser.active)
        .where(StaffUser.username == username)).one_or_none()
    return (REUSE["world"], username, password, tuple(account)) if account else None


def api_token(app, username, password="password") -> str:
    """An access token of FAB's JWT login for ``username``."""
    response = attempt_sign_in(app, username, password, api=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["access_token"]


def token_client(app, username, password="password") -> IsolatedClient:
    """A client that sends ``username``'s token with every request (and no cookie)."""
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {api_token(app, username, password)}"
    return client
