"""Personal information at rest, in searches and on screen: ID numbers and phones are
stored encrypted, found by their whole value only (through a keyed hash, which keeps ID
numbers unique), shown in full only to a role that may see them — each showing audited —
and the upgrades encrypt the values already stored."""

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db, normalise_database_url
from app.models import AuditEntry, Person, Petitioner
from app.security.pii import decrypt, keyed_hash
from tests.clients import sign_in
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


PHONE = "13912345678"


def _with_pi(row):
    row.id_number, row.phone = VALID_ID, PHONE
    db.session.commit()
    return row


def _showings(model, pk):
    db.session.expire_all()
    return db.session.query(AuditEntry).filter_by(action="view_pi", model=model,
                                                  record_id=str(pk)).count()


def test_a_phone_is_stored_encrypted_and_found_by_its_whole_value_only(world, db_app):
    petitioner = _with_pi(world.petitioners["A"])
    stored, hashed = db.session.execute(text(
        "SELECT phone, phone_hash FROM petitioner WHERE id = :pk"), {"pk": petitioner.id}).one()
    assert stored.startswith("enc:") and PHONE not in stored
    assert hashed == keyed_hash(PHONE)
    client = sign_in(db_app, "mediatorA")
    listed = client.get(f"/petitionerview/list/?_flt_0_phone={PHONE}").get_data(as_text=True)
    assert "A群众" in listed and "139****5678" in listed
    for partial in (PHONE[:7], "139%"):
        assert "A群众" not in client.get(
            f"/petitionerview/list/?_flt_0_phone={partial}").get_data(as_text=True)


def test_full_values_only_for_a_role_that_may_see_them_and_each_showing_audited(world, db_app):
    person = _with_pi(world.people["A"])
    mediator = sign_in(db_app, "mediatorA")  # reads the roster, may not unmask
    page = mediator.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert "A代办员" in page and VALID_ID not in page and PHONE not in page
    assert "show-unmasked" not in page
    assert mediator.get(f"/personview/unmasked/{person.id}").status_code in (302, 403)
    assert _showings("Person", person.id) == 0

    clerk = sign_in(db_app, "clerkA")
    page = clerk.get(f"/personview/show/{person.id}").get_data(as_text=True)
    assert "show-unmasked" in page and VALID_ID not in page
    for n in (1, 2):
        full = clerk.get(f"/personview/unmasked/{person.id}").get_data(as_text=True)
        assert VALID_ID in full and PHONE in full
        assert _showings("Person", person.id) == n
    seen = db.session.query(AuditEntry).filter_by(action="view_pi").all()[-1]
    assert seen.username == "clerkA" and seen.detail == "id_number,phone"
    # outside the scope: nothing, and nothing recorded as shown
    other = world.people["B"]
    other.phone = "13600002222"
    db.session.commit()
    assert clerk.get(f"/personview/unmasked/{other.id}").status_code == 404
    assert _showings("Person", other.id) == 0


def test_an_edit_form_without_the_permission_shows_no_full_value(world, db_app):
    """A grid worker keeps petitioners up to date but never reads their numbers: the
    form shows them masked and blank, and a blank keeps the stored value."""
    petitioner = world.petitioners["A"]
    petitioner.place = world.grids["A1"]
    _with_pi(petitioner)
    grid = sign_in(db_app, "gridA")
    form = grid.get(f"/petitionerview/edit/{petitioner.id}").get_data(as_text=True)
    assert VALID_ID not in form and PHONE not in form
    assert "1101**********002X" in form and "139****5678" in form
    assert _showings("Petitioner", petitioner.id) == 0
    response = grid.post(f"/petitionerview/edit/{petitioner.id}", data={
        "name": "A群众", "gender": "", "id_number": "", "phone": "",
        "place": world.grids["A1"].id, "address": "新地址"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Petitioner, petitioner.id)
    assert (saved.address, saved.id_number, saved.phone) == ("新地址", VALID_ID, PHONE)
    # a value typed replaces the stored one
    grid.post(f"/petitionerview/edit/{petitioner.id}", data={
        "name": "A群众", "gender": "", "id_number": "", "phone": "13800001111",
        "place": world.grids["A1"].id, "address": "新地址"})
    db.session.expire_all()
    assert db.session.get(Petitioner, petitioner.id).phone == "13800001111"
    # the township clerk's form shows them in full, audited
    clerk_form = sign_in(db_app, "clerkA").get(f"/petitionerview/edit/{petitioner.id}")
    assert VALID_ID in clerk_form.get_data(as_text=True)
    assert _showings("Petitioner", petitioner.id) == 1


def test_the_api_answers_a_write_with_masked_values(world, db_app):
    person = _with_pi(world.people["A"])
    clerk = sign_in(db_app, "clerkA")
    answer = clerk.put(f"/api/v1/people/{person.id}", json={"note": "备注"})
    assert answer.status_code == 200
    text_ = answer.get_data(as_text=True)
    assert VALID_ID not in text_ and PHONE not in text_
    assert answer.get_json()["result"]["phone"] == "139****5678"
    created = clerk.post("/api/v1/people/", json={
        "name_zh": "新人", "place": world.villages["A1"].id, "id_number": "110105198001010016",
        "phone": "13700001111"})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert "110105198001010016" not in created.get_data(as_text=True)
    assert "13700001111" not in created.get_data(as_text=True)


def test_the_upgrade_encrypts_the_phones_already_stored(empty_database):  # noqa: F811
    flask(empty_database, "db", "upgrade", "0013")
    engine = create_engine(normalise_database_url(empty_database))
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO place (id, level, code, path, name_zh) VALUES "
                              "(1, 'banner', '150221000000', '/150221000000/', '旗')"))
            conn.execute(text("INSERT INTO petitioner (id, name, place_id, phone) "
                              "VALUES (1, '群众', 1, :p)"), {"p": PHONE})
        flask(empty_database, "db", "upgrade")
        with engine.connect() as conn:
            stored, hashed = conn.execute(text("SELECT phone, phone_hash FROM petitioner")).one()
        flask(empty_database, "db", "downgrade", "0013")
        with engine.connect() as conn:
            restored = conn.execute(text("SELECT phone FROM petitioner")).scalar()
    finally:
        engine.dispose()
    assert stored.startswith("enc:") and PHONE not in stored and len(hashed) == 64
    assert restored == PHONE
