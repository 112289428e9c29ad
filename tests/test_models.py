"""The model's own rules: identity numbers, phones and place codes (plain Python), the
database's constraints, the place tree's materialised path, and the append-only case
history."""

import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain.validators import (
    InvalidValue,
    check_id_number,
    check_phone,
    check_place_code,
    id_number_checksum,
    mask_id_number,
    mask_phone,
)
from app.extensions import db
from app.models import Case, CaseEvent, Duty, LeaderReception, Person, Place, Site
from app.models.cases import AppendOnlyError

# GB 11643-1999's own example: Beijing Chaoyang, born 1949-12-31, check character X.
VALID_ID = "11010519491231002X"


# ---- identity numbers --------------------------------------------------------------------

def test_valid_id_number_passes():
    assert check_id_number(VALID_ID) == VALID_ID


def test_checksum_follows_iso_7064_mod_11_2():
    assert id_number_checksum(VALID_ID[:17]) == "X"
    number = "15022119900307123"
    digit = id_number_checksum(number)
    assert check_id_number(number + digit) == number + digit


def test_lowercase_x_and_spaces_are_normalised():
    assert check_id_number(" 110105194912310 02x ") == VALID_ID


@pytest.mark.parametrize("wrong", ["0", "1", "9"])
def test_wrong_check_character_is_refused(wrong):
    with pytest.raises(InvalidValue, match="check character"):
        check_id_number(VALID_ID[:17] + wrong)


@pytest.mark.parametrize("birth", ["19490231", "19491301", "18991231", "20230229"])
def test_birth_date_that_does_not_exist_is_refused(birth):
    first17 = VALID_ID[:6] + birth + VALID_ID[14:17]
    with pytest.raises(InvalidValue, match="birth date"):
        check_id_number(first17 + id_number_checksum(first17))


@pytest.mark.parametrize("shape", ["", "1101051949123100", "11010519491231002XX",
                                   "1101051949123100AX", "X10105194912310021"])
def test_wrong_shape_is_refused(shape):
    with pytest.raises(InvalidValue, match="17 digits"):
        check_id_number(shape)


def test_id_number_and_phone_are_masked_for_display():
    assert mask_id_number(VALID_ID) == "1101**********002X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number(None) == mask_phone(None) == ""


# ---- phones ------------------------------------------------------------------------------

@pytest.mark.parametrize(("given", "stored"), [
    ("13800138000", "13800138000"),
    (" 138 0013 8000 ", "13800138000"),
    ("0477-1234567", "0477-1234567"),
    ("04771234567", "04771234567"),
    ("010-12345678", "010-12345678"),
    ("12345", "12345"),
])
def test_valid_phones(given, stored):
    assert check_phone(given) == stored


@pytest.mark.parametrize("phone", ["1380013800", "138001380001", "23800138000", "12800138000",
                                   "0477-123", "abc", "+8613800138000x"])
def test_invalid_phones(phone):
    with pytest.raises(InvalidValue):
        check_phone(phone)


# ---- place codes -------------------------------------------------------------------------

@pytest.mark.parametrize(("level", "code", "parent_level", "parent_code"), [
    ("banner", "150221000000", None, None),
    ("township", "150221100000", "banner", "150221000000"),
    ("village", "150221100201", "township", "150221100000"),
    ("grid", "150221100201001", "village", "150221100201"),
])
def test_place_codes_of_each_level(level, code, parent_level, parent_code):
    assert check_place_code(level, code, parent_level, parent_code) == code


@pytest.mark.parametrize(("level", "code", "parent_level", "parent_code", "message"), [
    ("banner", "150221100000", None, None, "banner code"),
    ("banner", "15022100000", None, None, "banner code"),
    ("township", "150221100001", "banner", "150221000000", "banner code"),
    ("village", "15022110020", "township", "150221100000", "banner code"),
    ("grid", "150221100201", "village", "150221100201", "banner code"),
    ("village", "150221100201", None, None, "no parent"),
    ("village", "150221100201", "banner", "150221000000", "one level above"),
    ("grid", "150221100201001", "township", "150221100000", "one level above"),
    ("township", "150222100000", "banner", "150221000000", "begin with the parent"),
    ("village", "150221101201", "township", "150221100000", "begin with the parent"),
    ("grid", "150221100202001", "village", "150221100201", "begin with the parent"),
    ("county", "150221000000", None, None, "Unknown place level"),
])
def test_bad_place_codes(level, code, parent_level, parent_code, message):
    with pytest.raises(InvalidValue, match=message):
        check_place_code(level, code, parent_level, parent_code)


# ---- database constraints ----------------------------------------------------------------

def _flush_fails(*rows):
    db.session.add_all(rows)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_agent_duty_without_employment_is_refused_by_the_database(world):
    _flush_fails(Duty(person=world.people["A"], kind="agent", place=world.villages["A1"]))


@pytest.mark.parametrize("values", [
    {"kind": "mediator"},                       # no kind of mediation
    {"kind": "case_leader"},                    # no title
    {"kind": "department_staff"},               # no department
    {"kind": "sheriff"},                        # no such duty
    {"kind": "agent", "employment": "hourly"},  # no such employment
])
def test_duties_missing_what_their_kind_needs_are_refused(world, values):
    _flush_fails(Duty(person=world.people["A"], place=world.villages["A1"], **values))


def test_a_complete_agent_duty_is_stored(world):
    db.session.add(Duty(person=world.people["A"], kind="agent", employment="full_time",
                        place=world.villages["A1"]))
    db.session.commit()
    assert world.people["A"].duty_summary


def test_place_level_and_code_constraints(world):
    _flush_fails(Place(level="county", code="150221900000", name_zh="县",
                       parent=world.banner))
    _flush_fails(Place(level="village", code=world.villages["A1"].code, name_zh="重码村",
                       parent=world.townships["A"]))


def test_case_constraints(world):
    case = world.cases["A"]
    for column, value in (("urgency", "green"), ("state", "lost"), ("head_count", 0)):
        setattr(case, column, value)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    case = db.session.get(Case, world.cases["A"].id)
    case.is_group, case.head_count = False, 5  # one petitioner is one head
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_id_numbers_are_unique(world):
    db.session.add(Person(name_zh="甲", place=world.villages["A1"], id_number=VALID_ID))
    db.session.commit()
    _flush_fails(Person(name_zh="乙", place=world.villages["A1"], id_number=VALID_ID))


def test_other_check_constraints(world):
    _flush_fails(Site(kind="palace", name_zh="宫", place=world.villages["A1"]))
    _flush_fails(LeaderReception(kind="reception", leader=world.people["A"],
                                 held_on=datetime.date(2026, 11, 1), place=world.townships["A"],
                                 batches=3, persons=2))


# ---- the place tree's path ---------------------------------------------------------------

def _path(place_id) -> str:
    return db.session.scalar(select(Place.path).where(Place.id == place_id))


def test_new_place_path_is_its_parents_plus_its_code(world):
    grid = world.grids["A1"]
    assert grid.path == "/150221000000/150221100000/150221100201/150221100201001/"


def test_changing_a_code_updates_the_whole_subtree(world):
    township = world.townships["A"]
    township.code = "150221102000"
    db.session.commit()
    db.session.expire_all()
    assert _path(township.id) == "/150221000000/150221102000/"
    assert _path(world.villages["A1"].id) == "/150221000000/150221102000/150221100201/"
    assert _path(world.grids["A2"].id) == (
        "/150221000000/150221102000/150221100202/150221100202001/")
    # the other township is untouched
    assert _path(world.grids["B1"].id) == (
        "/150221000000/150221101000/150221101201/150221101201001/")


def test_moving_a_place_to_another_parent_moves_its_subtree(world):
    village = world.villages["A2"]
    village.parent = world.townships["B"]
    db.session.commit()
    db.session.expire_all()
    assert _path(village.id) == "/150221000000/150221101000/150221100202/"
    assert _path(world.grids["A2"].id) == "/150221000000/150221101000/150221100202/150221100202001/"


def test_moving_by_parent_id_moves_the_subtree_too(world):
    village = world.villages["A2"]
    village.parent_id = world.townships["B"].id
    db.session.commit()
    db.session.expire_all()
    assert _path(world.grids["A2"].id).startswith("/150221000000/150221101000/")


def test_moved_subtree_changes_scope(world):
    """The path is what scope reads: after the move, township B's subtree holds it."""
    from app.security.scope import Scope

    village = world.villages["A2"]
    village.parent = world.townships["B"]
    db.session.commit()
    db.session.expire_all()
    scope_b = Scope(place_path=_path(world.townships["B"].id))
    in_b = set(db.session.scalars(select(Place.id).where(Place.scope_clause(scope_b))))
    assert {village.id, world.grids["A2"].id} <= in_b


# ---- append-only case history ------------------------------------------------------------

def _first_event(case) -> CaseEvent:
    return db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).one()


def test_registration_writes_the_first_event(world):
    event = _first_event(world.cases["A"])
    assert (event.action, event.from_state, event.to_state) == ("register", None, "registered")


def test_case_event_cannot_be_changed(world):
    event = _first_event(world.cases["A"])
    event.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert _first_event(world.cases["A"]).comment is None


def test_case_event_cannot_be_deleted(world):
    db.session.delete(_first_event(world.cases["A"]))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    assert _first_event(world.cases["A"]) is not None


def test_case_event_can_be_appended(world):
    db.session.add(CaseEvent(case_id=world.cases["A"].id, action="note", comment="补充"))
    db.session.commit()
    count = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == world.cases["A"].id)).all()
    assert len(count) == 2
