"""`flask --app app seed-demo`: a believable banner, one login per role, idempotent."""

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, Category, Channel, Department, Duty, Person, Place, Site
from app.security.roles import ALL_ROLES
from tests.conftest import copy_of
from tests.test_migrations import empty_database, flask  # noqa: F401  (fixture)

# the CLI seeds and checks the cockpit on connections of its own
pytestmark = pytest.mark.clean_slate


def _demo(app) -> list[dict]:
    """`seed-demo --cases 300 --json` on the emptied database: its logins. Run through
    the CLI the first time a session asks; after that its rows are inserted again
    (copy_of): the seed is deterministic, and the idempotency test runs it itself."""

    def run():
        result = app.test_cli_runner().invoke(args=["seed-demo", "--cases", "300", "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    return copy_of("seed-demo --cases 300", run, db.session.connection, db.session.commit)


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Place, Site, Person, Duty, Case, Category, Channel, Department)
    }


def test_seed_demo_builds_the_banner_and_is_idempotent(db_app):
    runner = db_app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--cases", "400", "--json"])
    assert result.exit_code == 0, result.output
    logins = json.loads(result.output)

    levels = dict(db.session.execute(select(Place.level, func.count()).group_by(Place.level)).all())
    assert levels["banner"] == 1
    assert levels["township"] == 9
    assert levels["village"] == 80
    assert levels["grid"] >= 80
    first = _counts()
    assert first["Person"] >= 300
    assert first["Case"] == 400
    assert db.session.scalar(
        select(func.count()).select_from(Category).where(Category.list == "service")) == 22
    assert db.session.scalar(
        select(func.count()).select_from(Category).where(Category.list == "excluded")) == 4
    states = db.session.scalars(select(Case.state).distinct()).all()
    assert {"registered", "in_progress", "concluded", "archived"} <= set(states)
    assert len(db.session.scalars(select(Case.urgency).distinct()).all()) == 3
    assert db.session.scalar(select(func.count()).select_from(Place).where(
        Place.name_mn.is_(None))) == 0

    # one login per role; the township-level roles once in each of two townships
    roles = [login["role"] for login in logins]
    assert set(roles) == set(ALL_ROLES)
    for role in ("TownshipStaff", "Agent", "Mediator", "GridWorker"):
        places = {login["place"] for login in logins if login["role"] == role}
        assert len(places) >= 2, role
    assert all(login["password"] for login in logins)

    again = runner.invoke(args=["seed-demo", "--cases", "400"])
    assert again.exit_code == 0, again.output
    assert _counts() == first

    more = runner.invoke(args=["seed-demo", "--cases", "450"])
    assert more.exit_code == 0, more.output
    assert _counts()["Case"] == 450


def test_demo_logins_sign_in_and_see_their_township_only(db_app, login):
    logins = _demo(db_app)
    clerk = next(x for x in logins if x["username"] == "clerk1")
    client = login("clerk1", clerk["password"])
    body = client.get("/api/v1/cases/?q=(page_size:100)").get_json()
    assert body["count"] > 0
    township = db.session.scalar(select(Place).where(Place.name_zh == clerk["place"]))
    in_township = db.session.scalar(
        select(func.count()).select_from(Case).where(
            Case.place_id.in_(Place.subtree_ids(township.path))))
    assert body["count"] == in_township < 300


def test_seed_dictionaries_loads_the_lists_once(world, db_app):
    runner = db_app.test_cli_runner()
    before = _counts()
    result = runner.invoke(args=["seed-dictionaries"])
    assert result.exit_code == 0, result.output
    assert _counts() == before  # the world already has them: nothing is added twice
    db.session.execute(Category.__table__.delete().where(Category.code == "S22"))
    db.session.commit()
    runner.invoke(args=["seed-dictionaries"])
    assert db.session.scalar(select(func.count()).select_from(Category).where(
        Category.code == "S22")) == 1


def test_the_demo_banner_shows_on_the_cockpit(db_app):
    from app.cockpit import rollup
    from app.models import Transfer, copies

    _demo(db_app)
    with db.engine.connect() as connection:
        assert rollup.differences(connection) == {}
        # the seeded transfers and escalations carry their case's state and township
        assert copies.differences(connection) == {}
        assert connection.scalar(select(func.count()).select_from(Transfer.__table__)) > 0


def test_every_demo_login_is_a_roster_person_and_agents_hold_cases(db_app):
    from app.models import StaffUser

    _demo(db_app)
    users = db.session.scalars(select(StaffUser)).all()
    assert users and all(u.person_id is not None for u in users)
    duty_of = {"Agent": "agent", "GridWorker": "grid_worker", "Mediator": "mediator"}
    for u in users:
        role = u.roles[0].name
        if role in duty_of:
            kinds = {d.kind for d in db.session.get(Person, u.person_id).duties}
            assert duty_of[role] in kinds, u.username
        if role == "Agent":
            held = db.session.scalar(select(func.count()).select_from(Case).where(
                Case.agent_id == u.person_id))
            assert held > 0, u.username
    assert db.session.scalar(select(func.count()).select_from(Duty)) > 0


def test_seed_demo_on_a_freshly_migrated_database_creates_the_roles_it_needs(
        empty_database):  # noqa: F811  (the fixture)
    flask(empty_database, "db", "upgrade")
    result = flask(empty_database, "seed-demo", "--cases", "30", "--json")
    assert {login["role"] for login in json.loads(result.stdout)} == set(ALL_ROLES)
