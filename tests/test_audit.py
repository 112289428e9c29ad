"""The audit trail records every write and every sign-in, masks personal information,
cannot be rewritten (on PostgreSQL not even with raw SQL), and is read by the audit
administrator alone; the three administrators' duties are separate (三员分立)."""

import json

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.extensions import appbuilder, db, normalise_database_url
from app.models import AuditEntry, CaseEvent, Person, StaffUser
from app.models.cases import AppendOnlyError
from tests.clients import attempt_sign_in, sign_in, signed_in
from tests.conftest import PG_URL
from tests.world import add_user

pytestmark = pytest.mark.usefixtures("english_ui")

VALID_ID = "11010519491231002X"


def entries(action=None, model=None):
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if model:
        query = query.where(AuditEntry.model == model)
    return db.session.scalars(query).all()


@pytest.fixture()
def duties(world):
    banner = world.banner
    return {name: add_user(name.lower(), name, banner)
            for name in ("SystemAdmin", "SecurityAdmin", "AuditAdmin")}


def test_writes_are_recorded_with_before_and_after_and_pi_masked(world, db_app):
    clerk = sign_in(db_app, "clerkA")
    person = world.people["A"]
    response = clerk.put(f"/api/v1/people/{person.id}",
                         json={"name_zh": "改名", "id_number": VALID_ID})
    assert response.status_code == 200
    update = entries("update", "Person")[-1]
    assert update.username == "clerkA" and update.address == "127.0.0.1"
    assert update.record_id == str(person.id)
    before, after = json.loads(update.before), json.loads(update.after)
    assert before["name_zh"] == "A代办员" and after["name_zh"] == "改名"
    assert after["id_number"] == "1101**********002X"
    assert VALID_ID not in update.after
    created = clerk.post("/api/v1/people/", json={"name_zh": "新人",
                                                 "place": world.villages["A1"].id})
    new_id = created.get_json()["id"]
    assert entries("create", "Person")[-1].record_id == str(new_id)
    clerk.delete(f"/api/v1/people/{new_id}")
    assert json.loads(entries("delete", "Person")[-1].before)["name_zh"] == "新人"


def test_sign_ins_failures_lockouts_and_sign_outs_are_recorded(world, db_app):
    client = db_app.test_client()
    for n in range(6):
        client.post("/login/", data={"username": "clerkA", "password": f"x{n}"})
    assert len(entries("login_failed")) == 5
    assert entries("lockout")[-1].detail == "clerkA"
    clerk = db_app.test_client()  # a sign-in of its own (sign_in may reuse a cookie)
    assert signed_in(attempt_sign_in(db_app, "clerkB", client=clerk))
    assert entries("login")[-1].username == "clerkB"
    clerk.post("/logout/")
    assert entries("logout")[-1].username == "clerkB"
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == "clerkB"))
    # password hashes never reach the trail
    assert all(user.password not in (e.after or "") + (e.before or "") for e in entries())


@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_exports_and_unmasked_views_are_recorded(world, db_app):
    person = world.people["A"]
    person.id_number = VALID_ID
    db.session.commit()
    clerk = sign_in(db_app, "clerkA")
    clerk.get("/personview/export/")
    assert entries("export", "Person")[-1].username == "clerkA"
    clerk.get(f"/personview/edit/{person.id}")
    seen = entries("view_pi", "Person")[-1]
    assert seen.record_id == str(person.id) and "id_number" in seen.detail


def test_role_changes_are_recorded_as_permission_changes(world, db_app, duties):
    role = appbuilder.sm.find_role("Mediator")
    pv = appbuilder.sm.find_permission_view_menu("can_read", "Duty")
    role.permissions.append(pv)
    db.session.commit()
    change = entries("permission", "Role")[-1]
    assert "Duty" in change.after


def test_the_trail_cannot_be_changed_through_the_orm(world):
    entry = entries()[0]
    entry.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(entries()[0])
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()


def test_no_screen_or_api_changes_the_trail(world, db_app, duties):
    pk = entries()[0].id
    for username in ("admin", "auditadmin"):
        client = sign_in(db_app, username)
        assert client.get(f"/auditview/edit/{pk}").status_code in (302, 403, 404)
        assert client.post(f"/auditview/edit/{pk}", data={"detail": "x"}).status_code in (
            302, 403, 404, 405)
        assert client.post(f"/auditview/delete/{pk}").status_code in (302, 403, 404, 405)
        assert client.post("/auditview/action_post", data={
            "action": "muldelete", "rowid": str(pk)}).status_code in (302, 403, 404)
    assert db.session.get(AuditEntry, pk) is not None
    assert len(entries()) >= 1


@pytest.mark.clean_slate  # the CSV export reads on a session of its own
def test_only_the_audit_administrator_reads_the_trail(world, db_app, duties):
    auditor = sign_in(db_app, "auditadmin")
    page = auditor.get("/auditview/list/")
    assert page.status_code == 200
    assert auditor.get("/auditview/export/").status_code == 200
    assert auditor.get("/caseview/list/").status_code in (302, 403)
    assert auditor.get("/api/v1/cases/").status_code in (401, 403)
    for username in ("clerkA", "leader", "systemadmin", "securityadmin"):
        assert sign_in(db_app, username).get("/auditview/list/").status_code in (302, 403)


def test_the_three_administrators_hold_separate_duties(world, db_app, duties):
    system = sign_in(db_app, "systemadmin")
    assert system.get("/users/list/").status_code == 200
    assert system.get("/placeview/list/").status_code == 200
    assert system.get("/roles/list/").status_code in (302, 403)
    security = sign_in(db_app, "securityadmin")
    assert security.get("/roles/list/").status_code == 200
    assert security.get("/users/list/").status_code in (302, 403)
    for client in (system, security):
        assert client.get("/caseview/list/").status_code in (302, 403)
        assert client.get("/petitionerview/list/").status_code in (302, 403)


def test_production_refuses_one_account_with_two_duties(world, db_app, duties, monkeypatch):
    monkeypatch.setitem(db_app.config, "PRODUCTION", True)
    account = duties["SystemAdmin"]
    account.roles.append(appbuilder.sm.find_role("AuditAdmin"))
    with pytest.raises(Exception, match="at most one"):
        db.session.commit()
    db.session.rollback()


@pytest.mark.pg_only
@pytest.mark.clean_slate  # a role of its own signs in on a connection of its own
def test_postgresql_refuses_raw_sql_changes_to_the_trail_and_case_events(world, engine_name):
    if engine_name != "postgresql":
        pytest.skip("the database guard is PostgreSQL's")
    assert entries() and db.session.scalar(select(CaseEvent.id).limit(1))
    role = "daiban_app_wt11"
    db.session.execute(text(f"DROP OWNED BY {role}") if db.session.scalar(text(
        "SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}) else text("SELECT 1"))
    db.session.execute(text(f"DROP ROLE IF EXISTS {role}"))
    db.session.execute(text(f"CREATE ROLE {role} LOGIN"))
    db.session.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    db.session.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON audit_log, case_event "
                            f"TO {role}"))
    db.session.commit()
    url = make_url(normalise_database_url(PG_URL)).set(username=role, password=None)
    engine = create_engine(url)
    try:
        for statement in ("UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log",
                          "UPDATE case_event SET comment = 'x'", "DELETE FROM case_event",
                          "TRUNCATE audit_log"):
            with engine.connect() as conn, pytest.raises(Exception) as refused:
                conn.execute(text(statement))
            assert "append-only" in str(refused.value) or "permission denied" in str(
                refused.value), statement
        with engine.begin() as conn:
            count = conn.execute(text("SELECT count(*) FROM audit_log")).scalar()
        assert count == len(entries())
    finally:
        engine.dispose()
        db.session.execute(text(f"DROP OWNED BY {role}"))
        db.session.execute(text(f"DROP ROLE {role}"))
        db.session.commit()
    # and the superuser too: the trigger is not a privilege
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_log"))
    db.session.rollback()


def test_person_rows_keep_their_audit_after_deletion(world, db_app):
    person = Person(name_zh="临时", place=world.villages["A1"])
    db.session.add(person)
    db.session.commit()
    pk = person.id
    db.session.delete(person)
    db.session.commit()
    assert [e.action for e in entries(model="Person") if e.record_id == str(pk)] == [
        "create", "delete"]
