"""The one test client and the one way to sign in, for every test module (the ``login``
fixture in conftest, ``sign_in`` and ``FreshContextClient`` in lifecycle_helpers are
this, under the names older tests use)."""

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


def sign_in(app, username, password="password") -> IsolatedClient:
    """A client signed in through the login form as ``username``."""
    from app.extensions import db

    client = IsolatedClient(app, app.response_class, use_cookies=True)
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, f"login failed for {username}"
    db.session.expire_all()
    return client
