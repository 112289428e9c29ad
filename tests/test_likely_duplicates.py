"""Before a new petitioner is recorded, the ones who may be the same person are shown:
the same ID number, the same phone, or the same name in the same village — within the
user's area. The clerk picks the existing one when registering the case, or confirms
that this is someone else."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petitioner
from tests.pages import form_errors
from tests.test_bad_input import VALID_ID


def _count(**where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Petitioner).filter_by(**where))


@pytest.fixture()
def recorded(world):
    bater = Petitioner(name="巴特尔", place=world.villages["A1"], id_number=VALID_ID,
                       phone="13800138000")
    db.session.add(bater)
    db.session.commit()
    return bater


@pytest.mark.parametrize(("given", "why"), [
    ({"name": "巴特尔"}, "same name in the same village"),
    ({"name": "巴图", "phone": "13800138000"}, "same phone"),
    ({"name": "巴图", "id_number": VALID_ID.lower()}, "same ID number"),
])
def test_a_likely_duplicate_is_shown_before_a_new_petitioner_is_saved(
        world, login, english_ui, recorded, given, why):
    clerk = login("clerkA")
    data = {"place": world.villages["A1"].id, "id_number": "", "phone": "", **given}
    before = _count()
    response = clerk.post("/petitionerview/add", data=data)
    assert response.status_code == 200
    errors = " ".join(form_errors(response.get_data(as_text=True)))
    assert "巴特尔" in errors and world.villages["A1"].name_zh in errors and why in errors
    assert VALID_ID not in errors and "13800138000" not in errors  # masked
    assert _count() == before
    if why != "same ID number":  # an ID number is one person's: never saved twice
        confirmed = clerk.post("/petitionerview/add", data={**data, "not_a_duplicate": "y"})
        assert confirmed.status_code == 302
        assert _count() == before + 1


def test_the_same_name_in_another_village_or_area_is_no_match(world, login, recorded):
    clerk = login("clerkA")
    response = clerk.post("/petitionerview/add", data={
        "name": "巴特尔", "place": world.villages["A2"].id, "id_number": "", "phone": ""})
    assert response.status_code == 302
    # clerkB's area does not hold clerkA's 巴特尔: nothing of them is shown there
    other = login("clerkB").post("/petitionerview/add", data={
        "name": "巴特尔", "place": world.villages["B1"].id, "id_number": "",
        "phone": "13800138000"})
    assert other.status_code == 302
    assert _count(name="巴特尔") == 3
