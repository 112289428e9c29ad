"""Choosing a language: explicit choice → the user's saved language → session/cookie →
Accept-Language → Chinese; unknown codes fall back cleanly; the choice survives logout."""

import re

from flask_babel import gettext, refresh

from app.extensions import db
from app.language import LANG_COOKIE
from app.models.user import StaffUser

MN_LOGIN = "ᠨᠡᠪᠲᠡᠷᠡᠬᠦ"  # "Login"/"Sign in" in the Mongolian catalog
ZH_LOGIN = "登录"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_first_visit_is_chinese(db_app):
    response = db_app.test_client().get("/login/")
    assert response.status_code == 200
    assert html_lang(response) == "zh-Hans"
    assert ZH_LOGIN in response.get_data(as_text=True)


def test_first_visit_follows_accept_language(db_app):
    client = db_app.test_client()
    mongolian = client.get("/login/", headers={"Accept-Language": "mn-Mong-CN,mn;q=0.9,zh;q=0.5"})
    assert html_lang(mongolian) == "mn-Mong"
    assert MN_LOGIN in mongolian.get_data(as_text=True)
    other = db_app.test_client().get("/login/", headers={"Accept-Language": "en-GB,fr;q=0.8"})
    assert html_lang(other) == "zh-Hans"


def test_explicit_parameter_wins_and_bad_codes_fall_back(db_app):
    client = db_app.test_client()
    assert html_lang(client.get("/login/?_l_=mn")) == "mn-Mong"
    for bad in ("xx", "", "../../etc", "mn" * 40):
        response = client.get("/login/", query_string={"_l_": bad})
        assert response.status_code == 200
        assert html_lang(response) == "zh-Hans"


def test_unknown_language_url_does_not_404(db_app):
    client = db_app.test_client()
    response = client.get("/lang/klingon")
    assert response.status_code == 302
    assert LANG_COOKIE not in response.headers.get("Set-Cookie", "")
    assert html_lang(client.get("/login/")) == "zh-Hans"


def test_switch_returns_to_the_same_page_only_on_this_site(db_app):
    client = db_app.test_client()
    back = client.get("/lang/mn", headers={"Referer": "http://localhost/login/?_l_=zh&x=1"})
    assert back.headers["Location"] == "/login/?x=1"
    elsewhere = client.get("/lang/zh", headers={"Referer": "https://evil.example/phish"})
    assert elsewhere.headers["Location"] == "/"


def test_garbage_cookie_is_ignored(db_app):
    client = db_app.test_client()
    client.set_cookie(LANG_COOKIE, "<script>")
    response = client.get("/login/", headers={"Accept-Language": "mn"})
    assert response.status_code == 200
    assert html_lang(response) == "mn-Mong"


def test_switcher_is_on_the_login_page(db_app):
    page = db_app.test_client().get("/login/").get_data(as_text=True)
    assert 'href="/lang/mn"' in page and 'href="/lang/zh"' in page
    assert 'lang="mn-Mong"' in page  # the Mongolian entry is marked as Mongolian


def test_choice_is_saved_on_the_account_and_survives_logout(world, login):
    client = login("clerkA")
    response = client.get("/lang/mn")
    assert response.status_code == 302
    assert f"{LANG_COOKIE}=mn" in response.headers["Set-Cookie"]
    db.session.expire_all()
    assert db.session.query(StaffUser).filter_by(username="clerkA").one().locale == "mn"
    assert html_lang(client.get("/caseview/list/")) == "mn-Mong"
    client.post("/logout/")  # signing out is a POST
    assert html_lang(client.get("/login/")) == "mn-Mong"  # cookie/session after logout

    # another browser, set to Chinese: the account's language wins once signed in
    fresh = login("clerkA")
    page = fresh.get("/caseview/list/", headers={"Accept-Language": "zh-CN"})
    assert html_lang(page) == "mn-Mong"


def test_switching_back_to_chinese(world, login):
    client = login("clerkA")
    client.get("/lang/mn")
    client.get("/lang/zh")
    db.session.expire_all()
    assert db.session.query(StaffUser).filter_by(username="clerkA").one().locale == "zh"
    assert html_lang(client.get("/caseview/list/")) == "zh-Hans"


def test_our_catalog_is_merged_over_flask_appbuilders(db_app):
    with db_app.test_request_context("/?_l_=zh"):
        refresh()
        assert gettext("Add") == "添加"  # a gap in FAB's own zh catalog
        assert gettext("Back") == "返回"  # FAB says 后退; ours wins
    with db_app.test_request_context("/?_l_=mn"):
        refresh()
        assert gettext("Add") == "ᠨᠡᠮᠡᠬᠦ"
        assert gettext("Search") == "ᠬᠠᠢᠬᠤ"


def test_wtforms_messages_are_mongolian(world, login):
    client = login("admin")
    client.get("/lang/mn")
    page = client.post("/placeview/add", data={"level": "village", "code": "x",
                                               "name_zh": "", "households": "many"})
    text = page.get_data(as_text=True)
    assert "ᠬᠦᠴᠦᠨ ᠦᠭᠡᠢ ᠪᠦᠬᠦᠯᠢ ᠲᠣᠭ\u180eᠠ" in text  # "Not a valid integer value."
    assert "ᠬᠣᠰᠢᠭᠤ\u202fᠶᠢᠨ ᠺᠣᠳ 6 ᠣᠷᠣᠨ" in text  # the domain's place-code message (N_)
    assert "Not a valid" not in text and "This field is required" not in text
