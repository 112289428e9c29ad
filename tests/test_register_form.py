"""The register form cannot save a guess: every required choice starts blank and the
form refuses until it is made; dates are checked against sense and against the case's
own dates; head count and the group flag agree and are never silently replaced; after a
save the user is on the record they saved."""

import datetime
import re

import pytest
from sqlalchemy import func, select

from app.domain.errors import RuleBroken
from app.extensions import db
from app.models import Case, Petitioner
from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import staff_people, user
from tests.pages import form_errors

REQUIRED_CHOICES = ("petitioner", "place", "channel", "category", "purpose", "urgency")


def _cases(**where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Case).filter_by(**where))


def _form(world, **values):
    case_a = world.cases["A"]
    data = {"petitioner": world.petitioners["A"].id, "place": world.villages["A1"].id,
            "channel": case_a.channel_id, "category": case_a.category_id,
            "purpose": "solution", "urgency": "blue", "title": "登记测试", "description": "d",
            "demand": "d", "head_count": "1", "received_on": "2026-11-03"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def _selected(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|'
                      r'<option[^>]*value="([^"]*)"[^>]*selected', select_html)


def test_every_required_choice_starts_blank(world, login):
    html = login("clerkA").get("/caseview/add").get_data(as_text=True)
    for name in REQUIRED_CHOICES:
        chosen = [a or b for a, b in _selected(html, name)]
        assert chosen in ([], [""], ["__None"]), (name, chosen)


@pytest.mark.parametrize("missing", REQUIRED_CHOICES)
def test_the_form_refuses_until_every_choice_is_made(world, login, missing):
    response = login("clerkA").post("/caseview/add", data=_form(world, **{missing: ""}))
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True))
    assert _cases(title="登记测试") == 0


def test_a_saved_case_opens_on_itself(world, login):
    response = login("clerkA").post("/caseview/add", data=_form(world))
    case = db.session.scalar(select(Case).where(Case.title == "登记测试"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/caseview/show/{case.id}")


def test_a_saved_petitioner_opens_on_itself(world, login):
    response = login("clerkA").post("/petitionerview/add", data={
        "name": "新来的", "place": world.villages["A1"].id})
    saved = db.session.scalar(select(Petitioner).where(Petitioner.name == "新来的"))
    assert response.headers["Location"].endswith(f"/petitionerview/show/{saved.id}")


@pytest.mark.parametrize("received", ["2999-05-01", "1999-01-01"])
def test_received_dates_out_of_sense_are_refused(world, login, received):
    response = login("clerkA").post("/caseview/add", data=_form(world, received_on=received))
    assert response.status_code == 200
    assert _cases(title="登记测试") == 0
    assert "收到日期" in response.get_data(as_text=True) or "Received" in response.get_data(
        as_text=True)


def test_the_earliest_received_date_is_configuration(world, db_app, monkeypatch):
    monkeypatch.setitem(db_app.config, "CASE_EARLIEST_RECEIVED_ON", "2026-11-01")
    assert svc.earliest_received_on() == datetime.date(2026, 11, 1)


def test_head_count_without_group_flag_is_refused_by_the_api(world, db_app):
    client = sign_in(db_app, "clerkA")
    case_a = world.cases["A"]
    body = {"petitioner": world.petitioners["A"].id, "place": world.villages["A1"].id,
            "channel": case_a.channel_id, "category": case_a.category_id,
            "purpose": "solution", "urgency": "blue", "title": "群体", "description": "d",
            "demand": "d", "head_count": 12, "received_on": "2026-11-03"}
    refused = client.post("/api/v1/cases/", json=body)
    assert refused.status_code == 422, refused.get_json()
    assert _cases(title="群体") == 0
    accepted = client.post("/api/v1/cases/", json={**body, "is_group": True,
                                                   "representatives": 2})
    assert accepted.status_code == 201, accepted.get_json()
    case = db.session.scalar(select(Case).where(Case.title == "群体"))
    assert (case.is_group, case.head_count, case.is_collective) == (True, 12, True)


def test_dates_given_are_checked_against_the_cases_own(world):
    staff_people(world)
    case = world.cases["A"]
    with pytest.raises(RuleBroken):
        svc.accept(case.id, user("agentA"), entrustment_signer="签字人",
                   entrustment_signed_on=case.received_on - datetime.timedelta(days=1))


def test_entrustment_letter_prints_blank_before_acceptance_and_filled_after(world, db_app):
    people = staff_people(world)
    case = world.cases["A"]
    agent = sign_in(db_app, "agentA")
    page = agent.get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert 'id="print-entrustment"' in page
    blank = agent.get(f"/caseview/entrustment/{case.id}").get_data(as_text=True)
    assert case.number in blank and "王某" not in blank
    assert people["agentA"].name_zh not in blank
    svc.accept(case.id, user("agentA"), entrustment_signer="王某",
               entrustment_signed_on=case.received_on)
    db.session.commit()
    filled = agent.get(f"/caseview/entrustment/{case.id}").get_data(as_text=True)
    assert "王某" in filled and people["agentA"].name_zh in filled


@pytest.mark.parametrize(("heads", "representatives", "saved"), [
    (6, None, False),   # a collective visit names its representatives
    (6, 6, False),      # at most five
    (6, 0, False),
    (5, 2, False),      # five people are a group, not a collective visit
    (41, 5, True),
    (3, None, True),
])
def test_a_collective_visit_gives_its_representatives(world, db_app, english_ui, heads,
                                                      representatives, saved):
    client = sign_in(db_app, "clerkA")
    title = f"集体{heads}-{representatives}"
    response = client.post("/api/v1/cases/", json={
        **{k: v for k, v in _form(world, title=title).items() if k != "head_count"},
        "petitioner": world.petitioners["A"].id, "place": world.villages["A1"].id,
        "channel": world.cases["A"].channel_id, "category": world.cases["A"].category_id,
        "is_group": True, "head_count": heads,
        **({} if representatives is None else {"representatives": representatives})})
    assert (response.status_code == 201) is saved, response.get_json()
    assert _cases(title=title) == (1 if saved else 0)
    if not saved:
        assert "representatives" in response.get_json()["message"]


def test_the_register_page_takes_the_representatives(world, login):
    client = login("clerkA")
    refused = client.post("/caseview/add", data=_form(
        world, title="四十一户", is_group="y", head_count="41"))
    assert refused.status_code == 200 and _cases(title="四十一户") == 0
    client.post("/caseview/add", data=_form(world, title="四十一户", is_group="y",
                                           head_count="41", representatives="3"))
    case = db.session.scalar(select(Case).where(Case.title == "四十一户"))
    assert (case.head_count, case.representatives, case.is_collective) == (41, 3, True)
    page = client.get(f"/caseview/show/{case.id}").get_data(as_text=True)
    assert "41" in page and "3" in page
