"""Stored text never runs as script: a payload in every free-text field, read back on
every page it appears on — lists, show and edit pages, the case page, the cockpit's
charts, the bulletin and the printed forms — arrives escaped."""

import datetime

import pytest

from app.extensions import db
from app.models import Category
from tests.clients import sign_in
from tests.lifecycle_helpers import accept, staff_people
from tests.write_guard import direct_case_writes


@pytest.fixture(autouse=True)
def _sets_up_cases_directly():
    """These tests put case rows in the states they need directly (accused units, stored
    payloads, declined guidance): test setup, not a write path of the app."""
    with direct_case_writes():
        yield


pytestmark = pytest.mark.usefixtures("english_ui")

PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>',
            "</script><svg onload=alert(3)>", "{{7*7}}--x_x--0_0--"]


@pytest.fixture()
def poisoned(world):
    staff_people(world)
    payload = "".join(PAYLOADS)
    world.townships["A"].name_zh = "A镇" + payload
    world.villages["A1"].name_zh = "A1村" + payload
    world.people["A"].name_zh = "代办员" + payload
    world.people["A"].organisation = payload
    world.petitioners["A"].name = "群众" + payload
    world.petitioners["A"].address = payload
    case = world.cases["A"]
    case.title, case.description, case.demand = (payload,) * 3
    db.session.query(Category).filter_by(id=case.category_id).one().name_zh = payload
    db.session.commit()
    accept(case)
    case.entrustment_signer = payload
    db.session.commit()
    return world


def _pages(world):
    case, person = world.cases["A"], world.people["A"]
    petitioner, place = world.petitioners["A"], world.villages["A1"]
    today = datetime.date.today().isoformat()
    return [
        "/caseview/list/", f"/caseview/show/{case.id}", f"/caseview/edit/{case.id}",
        f"/caseview/entrustment/{case.id}", "/placeview/list/", f"/placeview/show/{place.id}",
        f"/placeview/edit/{place.id}", "/personview/list/", f"/personview/show/{person.id}",
        f"/personview/edit/{person.id}", "/petitionerview/list/",
        f"/petitionerview/show/{petitioner.id}", "/servicecategoryview/list/",
        f"/cockpit/?date_from=2026-01-01&date_to={today}", f"/bulletin/?date={today}",
        "/caseeventview/list/",
    ]


@pytest.mark.parametrize("who", ["admin", "clerkA"])
def test_payloads_arrive_escaped_everywhere(poisoned, db_app, who):
    client = sign_in(db_app, who)
    seen = 0
    for url in _pages(poisoned):
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True)
        for payload in PAYLOADS[:3]:
            assert payload not in body, (url, payload)
        seen += "alert(1)" in body
    assert seen >= 8  # the text is there, escaped, not filtered away
    # the REST API returns the text as it is, as JSON a browser never renders as a page
    api = client.get(f"/api/v1/cases/{poisoned.cases['A'].id}")
    assert api.mimetype == "application/json"
    assert api.headers["X-Content-Type-Options"] == "nosniff"
