"""One's own account over REST, as the pages "Your user information" and "Reset my
password" change it: names and e-mail; the password with the current one asked and the
policy applied, after which the old password and the old token no longer work."""

from app.extensions import db
from app.models import StaffUser
from tests.clients import attempt_sign_in


def _token(app, username, password="password"):
    response = attempt_sign_in(app, username, password, api=True)
    return response.status_code, (response.get_json() or {}).get("access_token")


def test_one_reads_and_changes_ones_own_names(world, db_app, english_ui):
    _status, token = _token(db_app, "clerkA")
    client, headers = db_app.test_client(), {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me/", headers=headers).get_json()["result"]
    assert me["username"] == "clerkA" and me["place_id"] == world.townships["A"].id
    changed = client.put("/api/v1/me/", headers=headers,
                         json={"first_name": "其其格", "email": "qiqige@example.org"})
    assert changed.status_code == 200, changed.get_json()
    db.session.expire_all()
    account = db.session.query(StaffUser).filter_by(username="clerkA").one()
    assert (account.first_name, account.email) == ("其其格", "qiqige@example.org")
    # nothing else of the account is written here
    refused = client.put("/api/v1/me/", headers=headers, json={"place_id": 1})
    assert refused.status_code == 422 and refused.get_json()["code"] == "unknown_field"
    bad = client.put("/api/v1/me/", headers=headers, json={"email": "not-an-address"})
    assert bad.status_code == 422 and bad.get_json()["field"] == "email"


def test_one_changes_ones_own_password_with_the_current_one(world, db_app, english_ui):
    _status, token = _token(db_app, "agentA")
    client, headers = db_app.test_client(), {"Authorization": f"Bearer {token}"}
    wrong = client.put("/api/v1/me/password", headers=headers,
                       json={"old_password": "guess", "password": "New-2026-pass"})
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "old_password"
    weak = client.put("/api/v1/me/password", headers=headers,
                      json={"old_password": "password", "password": "short"})
    assert weak.status_code == 422 and weak.get_json()["field"] == "password"
    done = client.put("/api/v1/me/password", headers=headers,
                      json={"old_password": "password", "password": "New-2026-pass"})
    assert done.status_code == 200, done.get_json()
    assert _token(db_app, "agentA")[0] == 401
    assert _token(db_app, "agentA", "New-2026-pass")[0] == 200
    # the token of before the change is dead; one's own change asks for nothing more
    assert client.get("/api/v1/me/", headers=headers).status_code == 401
    db.session.expire_all()
    account = db.session.query(StaffUser).filter_by(username="agentA").one()
    assert not account.must_change_password
