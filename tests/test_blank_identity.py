"""An ID number or phone left blank is unknown (NULL), not '': any number of people and
petitioners may lack one, while a real number stays unique — and the message saying so
is in the user's language, whichever language saw it first. Migration 0005a turns the
'' already stored into NULL."""

from sqlalchemy import create_engine, func, select, text

from app.extensions import db, normalise_database_url
from app.models import Person, Petitioner
from tests.test_bad_input import VALID_ID, form_errors
from tests.test_cockpit_migration import database_url, flask  # noqa: F401  (fixture)


def _count(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_two_petitioners_without_id_numbers_are_both_saved(world, login):
    clerk = login("clerkA")
    village = world.villages["A1"].id
    for name in ("无证甲", "无证乙"):
        response = clerk.post("/petitionerview/add", data={
            "name": name, "place": village, "id_number": "", "phone": ""})
        assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.scalars(
        select(Petitioner).where(Petitioner.name.in_(["无证甲", "无证乙"]))).all()
    assert [(p.id_number, p.phone) for p in saved] == [(None, None), (None, None)]


def test_two_people_without_id_numbers_are_both_saved(world, login):
    clerk = login("clerkA")
    for name in ("无证丙", "无证丁"):
        clerk.post("/personview/add", data={"name_zh": name, "place": world.villages["A1"].id,
                                            "id_number": " ", "active": "y"})
    assert _count(Person, id_number=None) >= 2
    assert _count(Person, name_zh="无证丁") == 1


def test_a_taken_id_number_is_refused_once_in_the_users_language(world, login):
    db.session.add(Petitioner(name="持证者", place=world.villages["A1"], id_number=VALID_ID))
    db.session.commit()
    data = {"name": "重号者", "place": world.villages["A1"].id, "id_number": VALID_ID}
    clerk = login("clerkA")
    clerk.get("/lang/mn")
    clerk.post("/petitionerview/add", data=data)
    clerk.get("/lang/zh")
    errors = form_errors(clerk.post("/petitionerview/add", data=data).get_data(as_text=True))
    assert _count(Petitioner, name="重号者") == 0
    other = login("clerkB")
    assert errors.count("已经存在。") == 1
    errors = form_errors(other.post("/petitionerview/add", data={
        **data, "place": world.villages["B1"].id}).get_data(as_text=True))
    assert errors.count("已经存在。") == 1
    assert not any("\u1820" <= ch <= "\u18af" for ch in " ".join(errors))
    assert _count(Petitioner, name="重号者") == 0


def test_migration_0005a_turns_blank_identities_into_null(database_url):  # noqa: F811
    flask(database_url, "db", "upgrade", "0003")
    engine = create_engine(normalise_database_url(database_url))
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO place (id, level, code, path, name_zh) VALUES "
                          "(1, 'banner', '150221000000', '/150221000000/', '旗')"))
        conn.execute(text("INSERT INTO petitioner (id, name, place_id, id_number, phone) "
                          "VALUES (1, '甲', 1, '', ' '), (2, '乙', 1, :idn, '13800138000')"),
                     {"idn": VALID_ID})
        conn.execute(text("INSERT INTO person (id, name_zh, place_id, id_number, phone, "
                          "active) VALUES (1, '丙', 1, '', '', true)"))
    flask(database_url, "db", "upgrade")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, id_number, phone FROM petitioner ORDER BY id")
                            ).all()
        # blanks became NULL before 0006 and 0016 encrypted the real values at rest
        assert rows[0] == (1, None, None)
        assert rows[1][1] not in (None, "", VALID_ID)
        assert rows[1][2].startswith("enc:") and "13800138000" not in rows[1][2]
        assert conn.execute(text("SELECT id_number, phone FROM person")).all() == [(None, None)]
    engine.dispose()
    flask(database_url, "db", "downgrade", "0003")
    flask(database_url, "db", "upgrade")
