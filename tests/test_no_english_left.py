"""No English left on the pages staff use, in either language: every visible string of
daiban's and Flask-AppBuilder's screens comes from the catalogs."""

import html
import re

import pytest

from app import seed_data

PAGES = [
    "/", "/placeview/list/", "/placeview/add", "/siteview/list/", "/siteview/add",
    "/personview/list/", "/personview/add", "/dutyview/list/", "/trainingview/list/",
    "/caseview/list/", "/caseview/add", "/petitionerview/list/", "/jointmeetingview/list/",
    "/mediationsessionview/list/", "/leaderreceptionview/list/", "/dutyrotaview/list/",
    "/servicecategoryview/list/", "/excludedcategoryview/list/", "/channelview/list/",
    "/channelview/add", "/departmentview/list/", "/users/list/", "/users/add",
    "/users/userinfo/", "/nosuchpage/",
]
# Not checked: /roles/list/ shows permission and view-menu identifiers (can_read on
# Case), which are data, not interface text.
# Words that are the same in every language here: codes, names from the test world,
# FAB's brand-free technical terms.
ALLOWED = {"csv", "admin", "test", "openid", "example", "org", "daiban", "ldap",
           "oid", "db", "ip", "url", "uuid", "mac", "csrf", "leader", "caseleader", "dept",
           "clerka", "clerkb", "agenta", "agentb", "grida", "gridb", "mediatora",
           "mediatorb", "nobody", "public", "bannerleader", "townshipstaff", "agent",
           "gridworker", "mediator", "departmentstaff", "systemadmin", "securityadmin",
           "auditadmin"}
# dictionary codes (shown in the Code column) are identifiers, not text
ALLOWED |= {part.lower() for code, *_ in seed_data.CHANNELS + seed_data.DEPARTMENTS
            for part in re.split(r"[_\W]+", code) if part}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    # the hidden empty option of a select2 (the widget shows its translated placeholder)
    page = re.sub(r'<option[^>]*value="__None"[^>]*>__None</option>', " ", page)
    titles = " ".join(re.findall(r'(?:title|placeholder|aria-label)="([^"]*)"', page))
    titles += " ".join(re.findall(r'<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + titles)


@pytest.mark.parametrize("language", ["zh", "mn"])
def test_pages_have_no_untranslated_english(world, login, language):
    client = login("admin")
    client.get(f"/lang/{language}")
    problems = {}
    for path in PAGES:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", visible_text(
            response.get_data(as_text=True))) if w.lower() not in ALLOWED}
        if words:
            problems[path] = sorted(words)
    assert not problems, "\n".join(f"{p}: {w}" for p, w in problems.items())
