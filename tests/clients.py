"""The one test client and the one way to sign in, for every test module: through the
login form (``sign_in``, the ``login`` fixture of conftest), with a token over REST
(``api_token``, ``token_client``), or as a bare attempt whose outcome is the test's
subject (``attempt_sign_in``, ``signed_in``). Browser tests sign in in Chromium
(tests/browser_support.py, ``sign_in_page``)."""

import contextvars

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


def sign_in(app, username, password="password") -> IsolatedClient:
    """A client signed in through the login form as ``username``."""
    from app.extensions import db

    client = IsolatedClient(app, app.response_class, use_cookies=True)
    response = attempt_sign_in(app, username, password, client=client)
    assert response.status_code == 302, f"login failed for {username}"
    db.session.expire_all()
    return client


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
