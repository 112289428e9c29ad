"""《信访工作条例》 Art. 30, 46: an accusation's petitioner is withheld from the staff of the
accused unit — a place's staff (and those below it) or a department's — on the case page
and in the petitioner register, while everyone else sees them as before."""

import datetime

import pytest

from app.extensions import db
from app.models import Department, Transfer
from tests.lifecycle_helpers import sign_in
from tests.write_guard import direct_case_writes


@pytest.fixture(autouse=True)
def _sets_up_cases_directly():
    """These tests put case rows in the states they need directly (accused units, stored
    payloads, declined guidance): test setup, not a write path of the app."""
    with direct_case_writes():
        yield


pytestmark = pytest.mark.usefixtures("english_ui")


def _accuse(case, place=None, department=None):
    case.purpose = "complaint"
    case.accused_place_id = place.id if place is not None else None
    case.accused_department_id = department.id if department is not None else None
    db.session.commit()


def test_the_accused_townships_staff_never_see_who_accuses_it(world, db_app):
    case = world.cases["A"]
    _accuse(case, place=world.townships["A"])
    for username in ("clerkA", "agentA", "mediatorA"):
        client = sign_in(db_app, username)
        page = client.get(f"/caseview/show/{case.id}").get_data(as_text=True)
        assert case.title in page, username  # the matter itself is theirs to handle
        assert "A群众" not in page and "Withheld" in page, username
        if username == "clerkA":
            assert "A群众" not in client.get("/petitionerview/list/").get_data(as_text=True)
            pk = world.petitioners["A"].id
            assert client.get(f"/petitionerview/show/{pk}").status_code in (302, 404)
    leader = sign_in(db_app, "leader").get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert "A群众" in leader and "Withheld" not in leader


def test_the_accused_departments_staff_never_see_who_accuses_it(world, db_app):
    case = world.cases["A"]
    hrss = db.session.query(Department).filter_by(code="HRSS").one()
    _accuse(case, department=hrss)
    db.session.add(Transfer(case_id=case.id, department_id=hrss.id,
                            due_on=datetime.date(2026, 12, 31)))
    db.session.commit()
    page = sign_in(db_app, "dept").get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert case.title in page and "A群众" not in page
    clerk = sign_in(db_app, "clerkA").get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert "A群众" in clerk


def test_a_case_that_is_not_an_accusation_hides_nothing(world, db_app):
    case = world.cases["A"]
    case.accused_place_id = world.townships["A"].id
    db.session.commit()
    page = sign_in(db_app, "clerkA").get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert "A群众" in page
