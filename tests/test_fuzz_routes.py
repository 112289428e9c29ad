"""No input gives a server error: every route of the app, signed out, as a township
clerk and as an administrator, is fed the malformed inputs the security review found
(and their kin) in the path, the query string, a form body and a JSON body. A response
is never a 500, and never shows a traceback, SQL or an exception's class name.

A route and method FAB's permission check refuses the account (its view never runs, nor
reads what the request carries) is tried with the first malformed request only
(tests/fab_refusals.py)."""

import re

import pytest

from tests.clients import sign_in
from tests.fab_refusals import refused_by_fab

# every route, the CSV exports too (they read on a session of their own)
pytestmark = [pytest.mark.usefixtures("english_ui"), pytest.mark.clean_slate]

PATH_VALUES = {"pk": ["1", "-1", "x'"], "name": ["muldelete", "nosuch"],
               "action": ["archive", "nosuch"], "filename": ["../../etc/passwd"],
               "locale": ["xx"], "version": ["x"]}
# every list (pages and REST) gets every malformed query; other routes one of them
QUERIES = ["q=(", "q=(page:-5,page_size:-1)", "q=(filters:!((col:x,opr:y,value:!n)))",
           "q=(order_column:x,order_direction:y)", "_flt_9_name_zh=x&_flt_0_id_number='",
           "psize_CaseView=abc&page_CaseView=-3&_oc_CaseView=nope"]
FORMS = [{"name_zh": "<script>x</script>", "parent": "abc", "place": "-1",
          "rowid": ["abc", "1"], "action": "nosuch", "version": "x"}]
JSONS = [{"place": None, "category": {"id": 987654}, "petitioner": [1], "title": 5,
          "parent": "x", "version": "x", "entrustment_signed_on": "2026-13-45"}, [1, 2]]
LEAKS = re.compile(r"Traceback|sqlalchemy|psycopg|sqlite3|IntegrityError|KeyError|"
                   r"TypeError|AttributeError|ValueError|OperationalError|ProgrammingError")
SKIP = ("/static/", "/appbuilder/", "/logout/", "/swagger/")


def _urls(app):
    """Each route once per malformed value of one path argument (the others at their
    first value): a few requests a route, not the product of every value."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(SKIP):
            continue
        args = sorted(rule.arguments)
        first = {arg: PATH_VALUES.get(arg, ["x"])[0] for arg in args}
        combos = [first] + [{**first, arg: v} for arg in args
                            for v in PATH_VALUES.get(arg, ["x"])[1:]]
        for values in combos:
            path = rule.rule
            for arg, value in values.items():
                path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", value, path)
            yield rule.rule, path, rule.methods - {"HEAD", "OPTIONS"}


def _is_list(path):
    return path.endswith("/list/") or re.fullmatch(r"/api/v1/\w+/", path) is not None


def _check(response, what):
    assert response.status_code < 500, what
    if response.mimetype in ("text/html", "application/json"):
        body = response.get_data(as_text=True)
        assert not LEAKS.search(body), (what, LEAKS.search(body).group(0))


@pytest.mark.parametrize("who", [None, "clerkA", "admin"])
def test_no_route_answers_500_to_malformed_input(world, db_app, who):
    client = sign_in(db_app, who) if who else db_app.test_client()
    tried = 0
    refused = set()  # (rule, method) FAB's permission check refused

    def send(rule, method, what, **kwargs):
        nonlocal tried
        if (rule, method) in refused:
            return
        response, by_fab = refused_by_fab(lambda: client.open(method=method, **kwargs))
        _check(response, what)
        tried += 1
        if by_fab:
            refused.add((rule, method))

    for rule, path, methods in _urls(db_app):
        if "GET" in methods:
            for query in QUERIES if _is_list(path) else QUERIES[:1]:
                url = f"{path}?{query}"
                send(rule, "GET", f"GET {url}", path=url)
        for method in sorted(methods - {"GET"}):
            for form in FORMS:
                send(rule, method, f"{method} {path} form", path=path, data=form)
            if path.startswith("/api/"):
                for body in JSONS:
                    send(rule, method, f"{method} {path} json {body!r}", path=path, json=body)
    assert tried > 400
    if who:  # every route was tried signed in: none signed the account out (the
        # administrator deleting their own account did, and the rest went untried)
        assert client.get("/api/v1/me/").status_code == 200
