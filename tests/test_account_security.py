"""Accounts hold up against guessing and theft: the password policy, lockout per account
and address (which an attacker cannot turn against the account's owner), forced
changes, session limits and cookie flags, and no demo passwords in production."""

import datetime
import time

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import LoginAttempt, StaffUser
from app.security import accounts
from tests.clients import attempt_sign_in, sign_in, signed_in
from tests.lifecycle_helpers import user

pytestmark = pytest.mark.usefixtures("english_ui")

GOOD = "Str0ng-Pass"


def _login(db_app, username="clerkA", password="password", address="10.0.0.1", api=False):
    response = attempt_sign_in(db_app, username, password, api=api, address=address)
    if api:
        return response.status_code
    return 200 if signed_in(response) else 401


@pytest.mark.parametrize(("password", "ok"), [
    ("Str0ng-Pass", True), ("short1A", False), ("alllowercase1", False),
    ("ALLUPPER-CASE", False), ("ALLUPPER-CASE1", True), ("xclerkA-9X", False), ("12345678", False),
])
def test_password_policy(world, password, ok):
    with world_request():
        assert (accounts.password_problems(password, "clerkA") == []) == ok


def world_request():
    from flask import current_app

    return current_app.test_request_context("/")


def test_the_last_five_passwords_cannot_be_reused(world, db_app):
    client = sign_in(db_app, "clerkA")
    current = "password"
    for n in range(3):
        new = f"Fresh-{n}-Pass"
        client.post("/resetmypassword/form", data={
            "old_password": current, "password": new, "conf_password": new})
        current = new
    client.post("/resetmypassword/form", data={
        "old_password": current, "password": "Fresh-0-Pass", "conf_password": "Fresh-0-Pass"})
    assert _login(db_app, password=current, address="10.0.0.9") == 200
    assert _login(db_app, password="Fresh-0-Pass", address="10.0.0.9") == 401


def test_administrator_reset_forces_a_change_at_next_sign_in(world, db_app):
    admin = sign_in(db_app, "admin")
    pk = user("clerkA").id
    admin.post(f"/resetpassword/form?pk={pk}", data={
        "password": "Temp-Pass-1", "conf_password": "Temp-Pass-1"})
    db.session.expire_all()
    assert user("clerkA").must_change_password
    clerk = sign_in(db_app, "clerkA", "Temp-Pass-1")
    page = clerk.get("/caseview/list/")
    assert page.status_code == 302 and "resetmypassword" in page.headers["Location"]
    clerk.post("/resetmypassword/form", data={
        "old_password": "Temp-Pass-1", "password": GOOD, "conf_password": GOOD})
    assert clerk.get("/caseview/list/").status_code == 200


def test_an_old_password_must_be_changed(world, db_app):
    db.session.execute(update(StaffUser).where(StaffUser.username == "clerkA").values(
        password_changed_at=datetime.datetime(2020, 1, 1)))
    db.session.commit()
    clerk = sign_in(db_app, "clerkA")
    assert clerk.get("/api/v1/cases/").status_code == 403


@pytest.mark.parametrize("api", [False, True])
def test_guessing_locks_the_account_from_that_address_only(world, db_app, api):
    for n in range(5):
        assert _login(db_app, password=f"guess{n}", address="10.6.6.6", api=api) == 401
    locked = 429 if api else 401
    assert _login(db_app, address="10.6.6.6", api=api) == locked
    # the owner, elsewhere, is not locked out by someone else's guesses
    assert _login(db_app, address="10.0.0.2", api=api) == 200


def test_the_lock_ends_after_the_configured_time(world, db_app):
    for n in range(5):
        _login(db_app, password=f"guess{n}", address="10.6.6.6")
    assert _login(db_app, address="10.6.6.6") == 401
    db.session.execute(update(LoginAttempt).values(at=LoginAttempt.at - datetime.timedelta(
        seconds=db_app.config["LOCKOUT_SECONDS"] + 1)))
    db.session.commit()
    assert _login(db_app, address="10.6.6.6") == 200


def test_one_address_guessing_many_accounts_is_locked(world, db_app):
    names = ["clerkA", "clerkB", "agentA", "agentB", "gridA"]
    for n in range(db_app.config["LOCKOUT_ADDRESS_THRESHOLD"]):
        _login(db_app, username=names[n % 5], password=f"guess{n}", address="10.7.7.7")
    assert _login(db_app, username="leader", address="10.7.7.7", api=True) == 429
    assert _login(db_app, username="leader", address="10.0.0.3", api=True) == 200


def test_a_session_ends_after_its_absolute_lifetime(world, db_app):
    client = sign_in(db_app, "clerkA")
    assert client.get("/api/v1/cases/").status_code == 200
    with client.session_transaction() as session:
        session[accounts.SESSION_STARTED] -= db_app.config["SESSION_ABSOLUTE_SECONDS"] + 1
    assert client.get("/api/v1/cases/").status_code == 401


def test_idle_timeout_is_thirty_minutes_and_cookies_are_hardened(world, db_app):
    assert db_app.permanent_session_lifetime == datetime.timedelta(minutes=30)
    response = db_app.test_client().post("/login/", data={"username": "clerkA",
                                                          "password": "password"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_a_session_idle_longer_than_the_limit_is_signed_out(world, db_app, monkeypatch):
    """Checked by the server (the cookie's signed timestamp), not left to the browser: a
    copied cookie replayed after the idle limit is dead."""
    idle = db_app.permanent_session_lifetime.total_seconds()
    real_time, later = time.time, [0]
    monkeypatch.setattr(time, "time", lambda: real_time() + later[0])
    client = sign_in(db_app, "clerkA")
    for _ in range(3):  # busy for longer than the limit: each request renews the session
        later[0] += idle - 60
        assert client.get("/api/v1/cases/").status_code == 200
    stolen = client.get_cookie(db_app.config["SESSION_COOKIE_NAME"]).value
    later[0] += idle + 1
    assert client.get("/api/v1/cases/").status_code == 401
    page = client.get("/caseview/list/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    replay = db_app.test_client()
    replay.set_cookie(db_app.config["SESSION_COOKIE_NAME"], stolen)
    assert replay.get("/api/v1/cases/").status_code == 401


def test_cookies_are_secure_over_https(world, db_app, monkeypatch):
    monkeypatch.setitem(db_app.config, "SESSION_COOKIE_SECURE", True)
    response = db_app.test_client().post("/login/", base_url="https://localhost", data={
        "username": "clerkA", "password": "password"})
    assert "Secure" in response.headers["Set-Cookie"]


def test_signing_in_starts_a_new_session(world, db_app):
    client = db_app.test_client()
    client.get("/login/")
    with client.session_transaction() as session:
        session[accounts.SESSION_ID] = "planted"
    client.post("/login/", data={"username": "clerkA", "password": "password"})
    with client.session_transaction() as session:
        assert session[accounts.SESSION_ID] != "planted"


def test_seed_demo_refuses_a_production_configuration(db_app, monkeypatch):
    monkeypatch.setitem(db_app.config, "PRODUCTION", True)
    result = db_app.test_cli_runner().invoke(args=["seed-demo", "--cases", "1"])
    assert result.exit_code != 0
    assert "production" in result.output
    assert db.session.query(StaffUser).count() == 0
