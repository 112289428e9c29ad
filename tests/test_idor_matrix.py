"""The IDOR matrix (issue 11): every role bound inside township A — at the township, a
village, a grid, or a department other than the one B's case is transferred to — tries
every route of every scoped model against the rows of township B: lists and exports
(with filters naming B's rows), show/edit/delete (GET and POST), bulk actions, the case
actions, print pages and the entrustment scan, the REST API's get/put/patch/delete and
case sub-resources, and the cockpit's drill-down links. Nothing of B is shown and
nothing of B changes.

The views and APIs are read from the app (every FAB view whose model has a place-bound
``scope_clause``), so a new view or API is tried without touching this file; a scoped
model without a B row here fails ``test_every_scoped_model_has_a_row_of_b``.

One world for the module (built once, one signed-in client per account). A route that
FAB's permission check refuses an account is refused before any row is read, whichever
row the path names, and the check asks the account's role only: it is tried with one
row of B by the first account of that role, not with each (tests/fab_refusals.py)."""

import datetime
import io
import json
import re

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.sql.elements import True_
from werkzeug.datastructures import FileStorage

from app.security.roles import ALL_ROLES
from tests.clients import sign_in
from tests.conftest import _clear_data
from tests.fab_refusals import refused_by_fab

# username → (role, where the account is bound). Every role of the matrix bound at
# township A, and the narrower bindings besides.
ACCOUNTS = {
    **{f"idor_{role.lower()}": (role, "township") for role in ALL_ROLES},
    "idor_agent_village": ("Agent", "village"),
    "idor_grid_grid": ("GridWorker", "grid"),
    "idor_clerk_grid": ("TownshipStaff", "grid"),
    "idor_dept_hrss": ("DepartmentStaff", "department"),
    "agentA": ("Agent", "township"),  # the world's agent, with a person (own cases)
    "nobody": ("TownshipStaff", None),  # bound nowhere
}
VIEW_CODES = {302, 303, 403, 404, 405}
API_CODES = {403, 404, 405}
MARK = "MARKB"  # in a text field of every row made here for township B
# Dictionaries are shared by the whole banner (app/views/dictionaries.py): every role
# reads them wherever it is bound, and only the system administrator keeps them. Their
# scope clause serves a department's staff (their own department), not a place.
BANNER_WIDE = {"Department"}
TALLY = {"requests": 0, "fab_refusals": 0}


# ---- the world: A and B, and a row of B for every scoped model ------------------------

def _b_rows(world, people):
    """Rows of township B beyond the world's own, made through the services where the
    life of a case needs them (accept with a scan, decline), directly otherwise."""
    from app.extensions import db
    from app.models import (
        Case,
        CaseReview,
        Department,
        Duty,
        DutyRota,
        EscalationRequest,
        JointMeeting,
        JointMeetingCase,
        LeaderReception,
        MediationSession,
        Petitioner,
        Site,
        Training,
        Transfer,
    )
    from app.services import cases as svc
    from app.services import uploads
    from tests.lifecycle_helpers import user
    from tests.world import add_case

    b1, township_b = world.villages["B1"], world.townships["B"]
    case_b = world.cases["B"]
    scan = uploads.save_scan(FileStorage(io.BytesIO(b"%PDF-1.4\n% B scan\n"), "b.pdf"))
    svc.accept(case_b.id, user("agentB"), entrustment_signer=f"{MARK}签字人",
               entrustment_signed_on=datetime.date(2026, 11, 3), entrustment_file=scan)
    petitioner2 = Petitioner(name=f"{MARK}群众二", place=world.villages["B2"])
    db.session.add(petitioner2)
    db.session.commit()
    declined = add_case(world, "B2", world.villages["B2"], petitioner2, title=f"{MARK}不受理")
    svc.decline(declined.id, user("agentB"), reason=f"{MARK}理由", guidance=f"{MARK}指引")
    db.session.commit()

    # a department other than the account "idor_dept_hrss"'s takes B's transfer
    department = db.session.scalars(select(Department).where(Department.code != "HRSS")
                                    .order_by(Department.id)).first()
    agent_b = people["agentB"]
    leader_b = world.people["B"]
    site = Site(kind="talk_room", name_zh=f"{MARK}说事室", place=b1)
    meeting = JointMeeting(held_on=datetime.date(2026, 11, 5), place=township_b,
                           topic=f"{MARK}联席会议")
    rows = [
        site,
        Duty(person=agent_b, kind="village_secretary", place=b1, title=f"{MARK}书记",
             department=department),
        Training(person=agent_b, held_on=datetime.date(2026, 10, 1), topic=f"{MARK}培训"),
        EscalationRequest(case=case_b, from_level="village", to_level="township",
                          reason=f"{MARK}升级", status="pending"),
        Transfer(case=case_b, department=department, due_on=datetime.date(2026, 12, 1)),
        CaseReview(case=case_b, stage="review", reason=f"{MARK}复查",
                   requested_on=datetime.date(2026, 11, 6),
                   answer_due_on=datetime.date(2026, 12, 6)),
        MediationSession(case=case_b, mediator=agent_b, site=site, place=b1,
                         held_on=datetime.date(2026, 11, 4), parties=f"{MARK}双方"),
        meeting,
        JointMeetingCase(meeting=meeting, case=case_b, case_leader=leader_b,
                         person_in_charge=agent_b, working_group=f"{MARK}工作组",
                         plan=f"{MARK}方案", due_on=datetime.date(2026, 12, 20)),
        LeaderReception(kind="reception", leader=leader_b, held_on=datetime.date(2026, 11, 7),
                        place=township_b, note=f"{MARK}接访", cases=[case_b]),
        DutyRota(place=township_b, person=agent_b, duty_on=datetime.date(2026, 11, 8),
                 note=f"{MARK}值班"),
    ]
    db.session.add_all(rows)
    db.session.commit()
    assert db.session.get(Case, case_b.id).entrustment_file == scan


def _b_ids(world):
    """model → ids of township B's rows: whatever lies at or below B's places, hangs on
    B's cases or people, or sits in B's department — found by foreign keys, not by the
    scope clauses under test."""
    from app.extensions import db
    from app.models import Case, Department, Person, Petitioner, Place

    township = world.townships["B"]
    places = set(db.session.scalars(select(Place.id).where(Place.path.like(township.path + "%"))))
    ids = {Place: places}
    for model in (Case, Person, Petitioner, Department):
        ids[model] = set(db.session.scalars(select(model.id).where(model.place_id.in_(places))))
    parents = {"place_id": Place, "case_id": Case, "person_id": Person,
               "department_id": Department, "meeting_id": None}
    for model in _models():
        if model in ids:
            continue
        columns = sa_inspect(model).columns
        found = set()
        for column, parent in parents.items():
            if column in columns and parent is not None:
                found |= set(db.session.scalars(
                    select(model.id).where(columns[column].in_(ids[parent]))))
        ids[model] = found
    # a meeting's cases follow their meeting
    from app.models import JointMeeting, JointMeetingCase

    ids[JointMeetingCase] |= set(db.session.scalars(select(JointMeetingCase.id).where(
        JointMeetingCase.meeting_id.in_(ids[JointMeeting]))))
    return ids


def _models():
    """Every mapped model with a scope clause that depends on the place (not one that
    holds for everybody: the audit trail, data scopes, webhooks — their guard is a
    permission), ordered so parents come first."""
    from app.extensions import db
    from app.security.scope import Scope

    found = []
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if not hasattr(model, "scope_clause") or "id" not in mapper.columns:
            continue
        if model.__name__ in BANNER_WIDE or isinstance(
                model.scope_clause(Scope(place_path="/x/y/")), True_):
            continue
        found.append(model)
    order = ["Place", "Department", "Case", "Person", "Petitioner"]
    return sorted(found, key=lambda m: (order.index(m.__name__) if m.__name__ in order
                                        else len(order), m.__name__))


def _snapshot(b_ids):
    from app.extensions import db

    db.session.expire_all()
    snap = {}
    for model, ids in b_ids.items():
        if not ids:
            continue
        columns = [c.key for c in sa_inspect(model).column_attrs]
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            snap[(model.__name__, row.id)] = tuple(repr(getattr(row, c)) for c in columns)
    return snap


def _bind(world, username, role, where):
    from app.extensions import db
    from app.models import Department
    from tests.world import add_user

    if username in world.users:
        return
    place = {"township": world.townships["A"], "village": world.villages["A1"],
             "grid": world.grids["A1"]}.get(where)
    department = (db.session.scalars(select(Department).where(Department.code == "HRSS")).one()
                  if where == "department" else None)
    world.users[username] = add_user(username, role, place, department)


class Matrix:
    def __init__(self, app, world, b_ids, texts, before, drills):
        self.app, self.world, self.b_ids, self.texts = app, world, b_ids, texts
        self.before, self.drills = before, drills
        self.clients = {}
        self.fab_refused = {}  # an account's role → what FAB's check refused it

    def client(self, username):
        if username not in self.clients:
            self.clients[username] = sign_in(self.app, username)
        return self.clients[username]


@pytest.fixture(scope="module")
def matrix(app):
    from app.extensions import db
    from app.models import Case, Person, Petitioner, Place
    from tests.lifecycle_helpers import staff_people
    from tests.world import build_world

    _clear_data(app)
    clock = app.config.get("DAIBAN_CLOCK")
    app.config["DAIBAN_CLOCK"] = "2026-11-20"
    with app.app_context():
        world = build_world()
        people = staff_people(world)
        _b_rows(world, people)
        for username, (role, where) in ACCOUNTS.items():
            _bind(world, username, role, where)
        b_ids = _b_ids(world)
        # the texts that name B's rows: anything with MARKB, B's places, people,
        # petitioners and case numbers (A's rows are named A…, 甲…, 镇…, 旗…)
        texts = {MARK}
        texts |= {p.name_zh for p in db.session.scalars(
            select(Place).where(Place.id.in_(b_ids[Place])))}
        texts |= {p.name_zh for p in db.session.scalars(
            select(Person).where(Person.id.in_(b_ids[Person])))}
        texts |= {p.name for p in db.session.scalars(
            select(Petitioner).where(Petitioner.id.in_(b_ids[Petitioner])))}
        texts |= {c.number for c in db.session.scalars(
            select(Case).where(Case.id.in_(b_ids[Case])))}
        drills = _drill_urls(app, world)
        m = Matrix(app, world, b_ids, texts, _snapshot(b_ids), drills)
        yield m
        db.session.remove()
    app.config["DAIBAN_CLOCK"] = clock


def _drill_urls(app, world):
    """The cockpit's drill-down links as a banner-wide administrator gets them, for the
    whole banner and for township B: the case lists behind B's numbers."""
    admin = sign_in(app, "admin")
    urls = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith("/caseview/list"):
            urls.add(value)

    for query in ("", f"?township={world.townships['B'].id}"):
        response = admin.get(f"/api/v1/cockpit/figures{query}")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        walk(response.get_json())
    return sorted(urls)


# ---- the routes, read from the app -----------------------------------------------------

def _scoped_views(app):
    """(view, model) for every FAB view and API whose model is place-scoped."""
    from app.extensions import appbuilder

    models = set(_models())
    for view in appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is not None and datamodel.obj in models:
            yield view, datamodel.obj


def _is_api(view):
    from flask_appbuilder.api import BaseApi

    return isinstance(view, BaseApi)


def _rules(app, view):
    prefix = f"{view.endpoint}."
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(prefix)]


def _arg_values(view, arg):
    """Values for a route's other path arguments: its actions, the case actions, the
    case sub-resources."""
    if arg == "name":
        return sorted(getattr(view, "actions", {}) or {}) or ["muldelete"]
    if arg == "action":
        from app.domain.lifecycle import CASE_ACTIONS

        return list(CASE_ACTIONS)
    if arg == "related":
        from app.api_resources import CASE_SUBRESOURCES

        return sorted(CASE_SUBRESOURCES)
    if arg == "filename":
        return ["x"]
    return ["1"]


def _fill(rule, values):
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), path)
    return path


def _text_columns(model):
    out = {}
    for column in sa_inspect(model).columns:
        try:
            kind = column.type.python_type
        except NotImplementedError:
            continue
        if kind is str and not column.primary_key and column.key not in ("path",):
            out[column.key] = "IDOR改"
    return out


# ---- the checks ----------------------------------------------------------------------

class Probe:
    def __init__(self, matrix, username):
        self.m, self.username = matrix, username
        self.client = matrix.client(username)
        self.failures = []
        # (endpoint, method) FAB's permission check refused: it asks the role only, so
        # what it refused one account it refuses every account of the same role
        self.fab_refused = matrix.fab_refused.setdefault(ACCOUNTS[username][0], set())

    def send(self, method, url, **kwargs):
        TALLY["requests"] += 1
        response, refused = refused_by_fab(
            lambda: self.client.open(url, method=method, **kwargs))
        if refused:
            TALLY["fab_refusals"] += 1
            endpoint = self.client.application.url_map.bind("localhost").match(
                url.split("?")[0], method=method)[0]
            self.fab_refused.add((endpoint, method))
        return response

    def refused_by_permission(self, rule, method) -> bool:
        """Did FAB's permission check already refuse this route and method to an account
        of this role (for another row)? Then no other row needs trying."""
        return (rule.endpoint, method) in self.fab_refused

    def body_names_b(self, response, model=None, route_base=None):
        if response.mimetype == "application/json":
            body = json.dumps(response.get_json(silent=True), ensure_ascii=False)
        else:
            body = response.get_data(as_text=True)
        named = [t for t in self.m.texts if t in body]
        if route_base and model is not None:
            for pk in self.m.b_ids.get(model, ()):
                if re.search(rf'{route_base}/(?:show|edit|delete)/{pk}\b|'
                             rf'name="rowid" value="{pk}"', body):
                    named.append(f"{route_base} row {pk}")
        return named

    def fail(self, what, detail):
        self.failures.append(f"{self.username}: {what}: {detail}")

    def listing(self, url, model=None, route_base=None, ids_key=False):
        response = self.send("GET", url)
        if response.status_code >= 500:
            self.fail(url, response.status_code)
            return
        if response.status_code != 200:
            return  # not permitted: nothing listed
        named = self.body_names_b(response, model, route_base)
        if ids_key and response.mimetype == "application/json":
            ids = set((response.get_json() or {}).get("ids", ()))
            named += [f"id {pk}" for pk in ids & self.m.b_ids.get(model, set())]
        if named:
            self.fail(f"GET {url} lists B", sorted(named)[:5])

    def refused(self, method, url, codes, **kwargs):
        response = self.send(method, url, **kwargs)
        if response.status_code not in codes:
            self.fail(f"{method} {url}", f"{response.status_code} "
                      f"{response.get_data(as_text=True)[:150]!r}")
        elif response.status_code in (302, 303):
            location = response.headers.get("Location", "")
            if "/login" not in location and re.search(r"/(show|edit)/", location):
                # a redirect to the row's own page must itself be refused
                again = self.send("GET", location)
                if again.status_code == 200 and self.body_names_b(again):
                    self.fail(f"{method} {url} → {location}", "shows B")


def _b_pks(matrix, model, limit=None):
    pks = sorted(matrix.b_ids.get(model, ()))
    return pks if limit is None else pks[:limit]


def _try_view(probe, app, view, model):
    m = probe.m
    route_base = view.route_base
    relations = []
    for column in getattr(view, "search_columns", []) or []:
        if view.datamodel.is_relation(column):
            related = view.datamodel.get_related_model(column)
            relations += [(column, pk) for pk in _b_pks(m, related, 1)]
    form = {k: v for k, v in _text_columns(model).items()}
    for rule in _rules(app, view):
        args = set(rule.arguments)
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if not args:
            if "GET" in methods and rule.endpoint.endswith((".list", ".export")):
                probe.listing(rule.rule, model, route_base)
                for column, pk in relations if rule.endpoint.endswith(".list") else ():
                    probe.listing(f"{rule.rule}?_flt_0_{column}={pk}", model, route_base)
            continue
        if "pk" not in args:
            continue
        others = sorted(args - {"pk"})
        combos = [{}]
        for arg in others:
            combos = [{**c, arg: v} for c in combos for v in _arg_values(view, arg)]
        writes = rule.endpoint.split(".")[-1] not in ("show", "get")
        # every B row is read; the first is written to
        for index, pk in enumerate(_b_pks(m, model)):
            for values in combos:
                url = _fill(rule, {**values, "pk": pk})
                for method in sorted(methods):
                    if method != "GET" and index >= 1:
                        continue
                    if method == "GET" and writes and index >= 1:
                        continue
                    if probe.refused_by_permission(rule, method):
                        continue
                    if method == "GET":
                        probe.refused("GET", url, VIEW_CODES)
                    else:
                        data = {**form, "version": _version(m, model, pk)}
                        probe.refused(method, url, VIEW_CODES, data=data)
    if "action_post" in {r.endpoint.split(".")[-1] for r in _rules(app, view)}:
        for name in _arg_values(view, "name"):
            probe.refused("POST", f"{route_base}/action_post", VIEW_CODES,
                          data={"action": name, "rowid": [str(pk) for pk in _b_pks(m, model, 2)]})


def _version(matrix, model, pk):
    from app.extensions import db

    if "version" not in sa_inspect(model).columns:
        return "1"
    return str(db.session.get(model, pk).version)


def _try_api(probe, app, view, model):
    m = probe.m
    base = f"/api/v1/{view.resource_name}"
    body = _text_columns(model)
    probe.listing(f"{base}/?q=(page_size:100)", model, ids_key=True)
    for rule in _rules(app, view):
        args = set(rule.arguments)
        if "pk" not in args:
            continue
        others = sorted(args - {"pk"})
        combos = [{}]
        for arg in others:
            combos = [{**c, arg: v} for c in combos for v in _arg_values(view, arg)]
        methods = rule.methods - {"HEAD", "OPTIONS"}
        for index, pk in enumerate(_b_pks(m, model)):
            for values in combos:
                url = _fill(rule, {**values, "pk": pk})
                for method in sorted(methods):
                    if index >= 1 and (method != "GET" or others):
                        continue
                    if probe.refused_by_permission(rule, method):
                        continue
                    if method == "GET":
                        probe.refused("GET", url, API_CODES)
                    else:  # an action's fields are its own: a bare body reaches the row
                        payload = ({**body, "version": _version(m, model, pk)}
                                   if not others else {})
                        probe.refused(method, url, API_CODES, json=payload)
    # PATCH is no route of FAB's: it must not become one by accident
    for pk in _b_pks(m, model, 1):
        probe.refused("PATCH", f"{base}/{pk}", API_CODES, json=body)


ACCOUNT_NAMES = list(ACCOUNTS)


@pytest.mark.parametrize("username", ACCOUNT_NAMES)
def test_no_account_of_a_reaches_b(matrix, username):
    probe = Probe(matrix, username)
    app = matrix.app
    with app.test_request_context():
        views = list(_scoped_views(app))
    for view, model in views:
        if _is_api(view):
            _try_api(probe, app, view, model)
        else:
            _try_view(probe, app, view, model)
    for url in matrix.drills:
        probe.listing(url)
    for query in (f"?township={matrix.world.townships['B'].id}",):
        for base in ("/api/v1/cockpit/figures", "/api/v1/cockpit/summary", "/cockpit/"):
            probe.listing(base + query)
    assert not probe.failures, "\n".join(probe.failures[:40])


def test_every_scoped_model_has_a_row_of_b(matrix):
    missing = [model.__name__ for model in _models() if not matrix.b_ids.get(model)]
    assert not missing, f"add a row of township B for: {missing}"


def test_every_role_has_an_account_in_a(matrix):
    assert {role for role, _where in ACCOUNTS.values()} == set(ALL_ROLES)


def test_the_drill_down_names_b(matrix):
    """The drill-down links are tried for real: the administrator's lead to B's cases."""
    admin = sign_in(matrix.app, "admin")
    pages = {url: admin.get(url).get_data(as_text=True) for url in matrix.drills[:20]}
    shown = [url for url, page in pages.items() if any(n in page for n in matrix.texts)]
    assert len(matrix.drills) > 10 and shown


def test_nothing_of_b_changed(matrix):
    assert _snapshot(matrix.b_ids) == matrix.before
    print(f"\nIDOR matrix: {TALLY['requests']} requests by {len(ACCOUNTS)} accounts, "
          f"{TALLY['fab_refusals']} of them refused by FAB's permission check, "
          f"{sum(len(v) for v in matrix.b_ids.values())} rows of township B")
    assert TALLY["requests"] > 1000
    assert TALLY["fab_refusals"] > 100  # the check is seen, so its repeats are skipped

