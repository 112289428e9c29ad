"""Personal information at rest and in searches: an ID number is stored encrypted, found
by its whole value only, unique through its keyed hash, and the upgrade encrypts the
numbers already stored."""

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db, normalise_database_url
from app.models import Person, Petitioner
from app.security.pii import decrypt, keyed_hash
from tests.lifecycle_helpers import sign_in
from tests.test_migrations import empty_database, flask  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("english_ui")

VALID_ID = "11010519491231002X"
OTHER_ID = "110105194912310021"


def test_an_id_number_is_stored_encrypted(world):
    petitioner = world.petitioners["A"]
    petitioner.id_number = VALID_ID
    db.session.commit()
    stored = db.session.execute(text("SELECT id_number, id_number_hash FROM petitioner "
                                     "WHERE id = :pk"), {"pk": petitioner.id}).one()
    assert VALID_ID not in stored[0] and stored[0].startswith("enc:")
    assert stored[1] == keyed_hash(VALID_ID) and VALID_ID not in stored[1]
    assert decrypt(stored[0]) == VALID_ID
    db.session.expire_all()
    assert db.session.get(Petitioner, petitioner.id).id_number == VALID_ID


def test_the_same_id_number_twice_is_refused(world, db_app):
    world.people["A"].id_number = VALID_ID
    db.session.commit()
    clerk = sign_in(db_app, "clerkA")
    response = clerk.post("/api/v1/people/", json={
        "name_zh": "重复", "place": world.villages["A1"].id, "id_number": VALID_ID})
    assert response.status_code == 422
    assert db.session.query(Person).filter_by(name_zh="重复").count() == 0


def test_the_whole_number_finds_the_row_a_lower_case_x_too(world, db_app):
    petitioner = world.petitioners["A"]
    petitioner.id_number = VALID_ID
    db.session.commit()
    client = sign_in(db_app, "mediatorA")
    assert "A群众" in client.get(
        f"/petitionerview/list/?_flt_0_id_number={VALID_ID.lower()}").get_data(as_text=True)
    assert "A群众" not in client.get(
        f"/petitionerview/list/?_flt_0_id_number={OTHER_ID}").get_data(as_text=True)


def test_the_upgrade_encrypts_the_numbers_already_stored(empty_database):  # noqa: F811
    flask(empty_database, "db", "upgrade", "0005")
    engine = create_engine(normalise_database_url(empty_database))
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO place (id, level, code, path, name_zh) VALUES "
                              "(1, 'banner', '150221000000', '/150221000000/', '旗')"))
            conn.execute(text("INSERT INTO petitioner (id, name, place_id, id_number) "
                              "VALUES (1, '群众', 1, :n)"), {"n": VALID_ID})
        flask(empty_database, "db", "upgrade")
        with engine.connect() as conn:
            stored, hashed = conn.execute(text(
                "SELECT id_number, id_number_hash FROM petitioner")).one()
    finally:
        engine.dispose()
    assert stored.startswith("enc:") and VALID_ID not in stored
    assert hashed and len(hashed) == 64
