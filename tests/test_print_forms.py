"""Printed letters and notices in the reader's language, however it was chosen: the
page is marked mn-Mong, dates are in Mongolian form, and guidance that came from the
category is shown in the reader's language (stored as a fact, not as the decliner's
sentence). Guidance typed by staff is printed as typed."""

import datetime

import pytest

from app.extensions import db
from app.services import cases as svc
from tests.lifecycle_helpers import category, user
from tests.write_guard import direct_case_writes


@pytest.fixture(autouse=True)
def _sets_up_cases_directly():
    """These tests put case rows in the states they need directly (accused units, stored
    payloads, declined guidance): test setup, not a write path of the app."""
    with direct_case_writes():
        yield



def _decline(world, guidance=None):
    case = world.cases["A"]
    case.category = category("X02")
    db.session.commit()
    return svc.decline(case.id, user("agentA"), reason="已进入诉讼程序", guidance=guidance)


def test_category_guidance_is_printed_in_the_readers_language(world, login):
    case = _decline(world)  # declined by a Chinese-speaking agent
    assert case.decline_guidance_from_category
    x02 = category("X02")
    client = login("agentA")
    mn = client.get(f"/caseview/notice/{case.id}?_l_=mn").get_data(as_text=True)
    assert '<html lang="mn-Mong"' in mn
    assert x02.guidance_mn in mn and x02.guidance_zh not in mn
    assert "ᠰᠠᠷ\u180eᠠ" in mn and datetime.date.today().isoformat() not in mn
    assert "css/mongolian.css" in mn and 'class="daiban-print-form"' in mn
    zh = client.get(f"/caseview/notice/{case.id}?_l_=zh").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in zh and x02.guidance_zh in zh
    assert "年" in zh


def test_typed_guidance_is_printed_as_typed(world, login):
    case = _decline(world, guidance="请向旗人民法院起诉")
    assert not case.decline_guidance_from_category
    mn = login("agentA").get(f"/caseview/notice/{case.id}?_l_=mn").get_data(as_text=True)
    assert "请向旗人民法院起诉" in mn


def test_the_entrustment_letter_follows_the_parameter_language(world, login):
    case = world.cases["A"]
    # accepted: the letter is filled in, with its date (before acceptance it is blank)
    svc.accept(case.id, user("clerkA"), entrustment_signer="签字人",
               entrustment_signed_on=datetime.date(2026, 11, 3))
    page = login("agentA").get(f"/caseview/entrustment/{case.id}?_l_=mn")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="mn-Mong" class="daiban-print-page">' in html
    assert "ᠣᠨ\u202fᠤ" in html  # a Mongolian date: the year's …
