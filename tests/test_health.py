"""GET /health tells a monitor whether the app and its database answer."""

from sqlalchemy.exc import OperationalError

from app.extensions import db


def test_health_is_ok_when_the_database_answers(db_app):
    response = db_app.test_client().get("/health")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json()["status"] == "ok"


def test_health_needs_no_login_and_sets_no_cookie(db_app):
    response = db_app.test_client().get("/health")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_health_is_503_when_the_database_does_not_answer(db_app, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = db_app.test_client().get("/health")
    assert response.status_code == 503
    assert response.is_json
    body = response.get_json()
    assert body["status"] != "ok"
    assert "connection refused" not in response.get_data(as_text=True)


def test_health_recovers_when_the_database_is_back(db_app, monkeypatch):
    client = db_app.test_client()

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    assert client.get("/health").status_code == 503
    monkeypatch.undo()
    assert client.get("/health").status_code == 200
