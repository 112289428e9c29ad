"""The Content-Security-Policy runs only the app's own scripts: files from its origin and
inline scripts carrying this response's nonce — never 'unsafe-inline', never an inline
event handler — on every kind of page, FAB's own (login, accounts, roles, Swagger) and
ours (lists, the case page, forms, the cockpit's charts, the bulletin, printed forms).
tests/test_browser.py checks in Chromium that the pages still work under it."""

import datetime
import re
from html.parser import HTMLParser

import pytest

from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import staff_people, user

pytestmark = pytest.mark.usefixtures("english_ui")


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline, self.files, self.handlers, self.js_urls = [], [], [], []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [(tag, name) for name in attrs if name.startswith("on")]
        self.js_urls += [(tag, name) for name, value in attrs.items()
                         if (value or "").strip().lower().startswith("javascript:")]
        if tag == "script":
            if attrs.get("src"):
                self.files.append(attrs)
            elif attrs.get("type", "text/javascript") in ("text/javascript", "module"):
                self._open = attrs  # a script that runs (not a JSON data block)

    def handle_data(self, data):
        if self._open is not None and data.strip():
            self.inline.append(self._open)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def _pages(world):
    case, declined = world.cases["A"], world.cases["B"]
    today = datetime.date.today().isoformat()
    role = world.users["clerkA"].roles[0].id
    return [
        "/", "/caseview/list/", "/caseview/list/?_flt_0_title=x", f"/caseview/show/{case.id}",
        f"/caseview/edit/{case.id}", "/caseview/add", f"/caseview/entrustment/{case.id}",
        f"/caseview/notice/{declined.id}", "/personview/list/", "/personview/add",
        "/placeview/list/", f"/cockpit/?date_from=2026-01-01&date_to={today}",
        f"/bulletin/?date={today}", "/users/list/", "/users/add", "/roles/list/",
        f"/roles/edit/{role}", "/resetmypassword/form", "/swagger/v1",
    ]


@pytest.fixture()
def declined(world):
    staff_people(world)
    svc.decline(world.cases["B"].id, user("clerkB"), reason="不属于受理范围", guidance="法院")
    return world


def _policy(response) -> dict:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_no_page_runs_an_inline_script_without_its_nonce(declined, db_app):
    admin, signed_out = sign_in(db_app, "admin"), db_app.test_client()
    checked = 0
    for client, url in [*((admin, url) for url in _pages(declined)), (signed_out, "/login/")]:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.mimetype != "text/html":
            continue
        policy = _policy(response)
        assert "'unsafe-inline'" not in policy["script-src"], url
        assert "'unsafe-eval'" not in policy["script-src"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        nonces = [s[len("'nonce-"):-1] for s in policy["script-src"] if s.startswith("'nonce-")]
        scripts = _Scripts()
        scripts.feed(response.get_data(as_text=True))
        assert not scripts.handlers and not scripts.js_urls, (url, scripts.handlers)
        for script in scripts.inline:
            assert nonces and script.get("nonce") == nonces[0], (url, script)
        for script in scripts.files:
            assert not re.match(r"(https?:)?//", script["src"]), (url, script["src"])
        checked += len(scripts.inline)
    assert checked >= 10  # the pages do have inline scripts: each one carries the nonce


def test_the_nonce_is_new_on_every_response(world, db_app):
    client = sign_in(db_app, "admin")
    seen = {re.search(r"'nonce-([^']+)'", client.get("/caseview/list/").headers[
        "Content-Security-Policy"]).group(1) for _ in range(3)}
    assert len(seen) == 3
    # a JSON answer has no script, and no nonce to give away
    api = client.get("/api/v1/cases/").headers["Content-Security-Policy"]
    assert "nonce-" not in api and "'unsafe-inline'" not in api.split("script-src")[1].split(";")[0]
