"""《信访工作条例》 Art. 30, 46: an accusation's petitioner is withheld from the staff of the
accused unit — a place's staff (and those below it) or a department's — on the case page
and in the petitioner register, while everyone else sees them as before."""

import datetime
import io
import re

import pytest

from app.domain.errors import RuleBroken
from app.extensions import db
from app.models import Case, Department, Transfer
from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, staff_people, user
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


def _signed_scan(client, case):
    """Accept the case from its page with a scan of the signed entrustment."""
    page = client.get(f"/caseview/show/{case.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    client.post(f"/caseview/act/{case.id}/accept", data={
        "version": version, "entrustment_signer": "签字人", "entrustment_signed_on": "2026-11-03",
        "entrustment_scan": (io.BytesIO(b"%PDF-1.4\n% test\n"), "scan.pdf")},
        content_type="multipart/form-data")
    db.session.expire_all()
    assert db.session.get(Case, case.id).entrustment_file


def test_the_entrustment_letter_and_scan_withhold_the_accuser_from_the_accused(world, db_app):
    staff_people(world)
    case = world.cases["A"]
    _signed_scan(sign_in(db_app, "agentA"), case)
    _accuse(db.session.get(Case, case.id), place=world.townships["A"])
    for username in ("clerkA", "agentA"):
        client = sign_in(db_app, username)
        letter = client.get(f"/caseview/entrustment/{case.id}").get_data(as_text=True)
        assert case.title in letter and "Withheld" in letter, username
        assert "A群众" not in letter and "签字人" not in letter, username
        assert client.get(f"/caseview/entrustment_scan/{case.id}").status_code == 404
        assert "entrustment_scan" not in client.get(f"/caseview/show/{case.id}").get_data(
            as_text=True)
    leader = sign_in(db_app, "leader")
    letter = leader.get(f"/caseview/entrustment/{case.id}").get_data(as_text=True)
    assert "A群众" in letter and "签字人" in letter and "Withheld" not in letter
    assert leader.get(f"/caseview/entrustment_scan/{case.id}").status_code == 200


def test_the_non_acceptance_notice_withholds_the_accuser_from_the_accused(world, db_app):
    case = svc.decline(world.cases["A"].id, user("clerkA"), reason="不属于受理范围",
                       guidance="向法院起诉")
    _accuse(case, place=world.townships["A"])
    notice = sign_in(db_app, "clerkA").get(f"/caseview/notice/{case.id}").get_data(
        as_text=True)
    assert "不属于受理范围" in notice and "A群众" not in notice and "Withheld" in notice
    notice = sign_in(db_app, "leader").get(f"/caseview/notice/{case.id}").get_data(
        as_text=True)
    assert "A群众" in notice


def test_the_case_api_withholds_the_accuser_from_the_accused(world, db_app):
    staff_people(world)
    case = world.cases["A"]
    _signed_scan(sign_in(db_app, "agentA"), case)
    case = db.session.get(Case, case.id)
    _accuse(case, place=world.townships["A"])
    withheld = {"petitioner_id": None, "entrustment_signer": None, "entrustment_file": None}
    clerk = sign_in(db_app, "clerkA")
    shown = clerk.get(f"/api/v1/cases/{case.id}").get_json()["result"]
    assert shown["title"] == case.title
    assert {k: shown[k] for k in withheld} == withheld
    # the same when the columns are asked for by name, and in the answer to an edit
    picked = clerk.get(f"/api/v1/cases/{case.id}?q=(columns:!(petitioner_id,"
                       "entrustment_signer))").get_json()["result"]
    assert picked == {"petitioner_id": None, "entrustment_signer": None}
    edited = clerk.put(f"/api/v1/cases/{case.id}", json={"demand": "新诉求"}).get_json()
    assert {k: edited["result"][k] for k in withheld} == withheld
    listed = clerk.get("/api/v1/cases/?q=(columns:!(id,petitioner_id))")
    assert "A群众" not in listed.get_data(as_text=True)
    if listed.status_code == 200:
        assert all(row.get("petitioner_id") is None for row in listed.get_json()["result"])
    leader = sign_in(db_app, "leader").get(f"/api/v1/cases/{case.id}").get_json()["result"]
    assert leader["petitioner_id"] == world.petitioners["A"].id
    assert leader["entrustment_signer"] == "签字人" and leader["entrustment_file"]


def test_an_accusation_is_never_transferred_to_the_department_it_accuses(world, db_app):
    staff_people(world)
    hrss = db.session.query(Department).filter_by(code="HRSS").one()
    case = accept(world.cases["A"])
    _accuse(case, department=hrss)
    with pytest.raises(RuleBroken) as refused:
        svc.transfer(case.id, user("clerkA"), department_ids=[hrss.id])
    assert "cannot be transferred to the department it accuses" in refused.value.translate(
        lambda text, **params: text % params)
    db.session.rollback()
    assert db.session.query(Transfer).filter_by(case_id=case.id).count() == 0
    # over the API: refused with the reason, in one body; and not offered on the page
    clerk = sign_in(db_app, "clerkA")
    response = clerk.post(f"/api/v1/cases/{case.id}/transfer", json={
        "department_ids": [hrss.id]})
    assert response.status_code == 422
    assert "department it accuses" in response.get_json()["message"]
    form = re.search(r'id="action-transfer".*?</form>',
                     clerk.get(f"/caseview/show/{case.id}").get_data(as_text=True), re.S)
    assert form and str(hrss) not in form.group(0)
    # any other department takes it as before
    just = db.session.query(Department).filter_by(code="JUST").one()
    svc.transfer(case.id, user("clerkA"), department_ids=[just.id])
    assert [t.department_id for t in db.session.query(Transfer).filter_by(case_id=case.id)] \
        == [just.id]
