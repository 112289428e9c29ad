"""Guessing is slowed down by two locks that answer differently: the account lock (five
failures, tests/test_account_security.py) and Flask-Limiter's request limit on both
sign-in routes, which answers 429 whatever the names tried. The limiter is switched off
for the rest of the suite (its counters would leak between tests), so this runs the app
as it is configured for production — limits on — in a process of its own, against the
test database."""

import json
import textwrap

import pytest

from tests.flask_process import script

PROBE = textwrap.dedent("""
    import json, sys
    from app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": sys.argv[1], "SECRET_KEY": "x" * 48,
                      "RATELIMIT_STORAGE_URI": "memory://",
                      "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    assert app.config["RATELIMIT_ENABLED"] and app.config["AUTH_RATE_LIMITED"]
    limit = int(app.config["AUTH_RATE_LIMIT"].split()[0])
    client = app.test_client()

    def web(n, address):
        return client.post("/login/", environ_base={"REMOTE_ADDR": address},
                           data={"username": f"guess{n}", "password": "x"}).status_code

    def api(n, address, username=None, password="x"):
        return client.post("/api/v1/security/login", environ_base={"REMOTE_ADDR": address},
                           json={"username": username or f"guess{n}", "password": password,
                                 "provider": "db"}).status_code

    print(json.dumps({
        "limit": limit,
        # a new name every time: no account lock can be what stops these
        "web": [web(n, "10.9.0.1") for n in range(limit + 1)],
        "api": [api(n, "10.9.0.2") for n in range(limit + 1)],
        # the limit is per address: the right password from elsewhere still works
        "elsewhere": api(0, "10.9.0.3", "clerkA", "password"),
    }))
""")


@pytest.mark.usefixtures("world")
@pytest.mark.clean_slate  # a process of its own reads the world
def test_both_sign_in_routes_answer_429_past_the_request_limit(db_app):
    url = db_app.config["SQLALCHEMY_DATABASE_URI"]
    run = script(PROBE, url)
    assert run.returncode == 0, run.stderr[-2000:]
    codes = json.loads(run.stdout.strip().splitlines()[-1])
    limit = codes["limit"]
    assert codes["web"][:limit] == [302] * limit  # back to the form, with its error
    assert codes["web"][limit] == 429
    assert codes["api"][:limit] == [401] * limit
    assert codes["api"][limit] == 429
    assert codes["elsewhere"] == 200
