"""Offered exactly when allowed: a small banner with an account for every role at every
level it can be bound to, and cases at every level and state. For every (account ×
case) the case page, the REST API and the CLI list exactly the actions the one rule
(``available_actions``) offers; a covering set of the offered actions (every account
takes every action it may take somewhere, every action is taken on every case where
anyone may take it) is taken through the REST API, the CLI and the case page's form; and
a covering set of the refusals the rule gives (asked in-process for every account × case
× action) is tried on every surface, refused with the rule's own answer, changing
nothing. Each attempt runs inside a savepoint that is
rolled back, so every attempt meets the same world.

The services ask the same rule before they change anything (``svc.refusal`` in
``_acting``); the surfaces are tried with every account refused every action it may not
take, every kind of refusal each account meets and every different refusal of every
action (``_refusals_to_try``) rather than all ~5,500 refusals."""

import dataclasses
import datetime
import json
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from app.domain.errors import (
    ActionNotAllowed,
    CaseNotFound,
    RoleNotAllowed,
    RuleBroken,
)
from app.domain.lifecycle import CASE_ACTIONS
from app.extensions import db
from app.models import Case, CaseEvent, Duty, Person
from app.security.scope import load_in_scope, scope_for_user
from app.services import cases as svc
from tests.clients import sign_in
from tests.lifecycle_helpers import department, staff_people, user
from tests.world import add_case, add_user

# one_connection() below holds its own outer transaction for each attempt
pytestmark = [pytest.mark.usefixtures("english_ui"), pytest.mark.clean_slate]

ACTIONS = (*CASE_ACTIONS, "edit_details")
SIGNED = "2026-11-03"


def _accounts(world, people):
    """One account per role × level it can be bound to (besides tests/world.py's)."""
    village = world.villages["A1"]
    add_user("agentV", "Agent", village)
    add_user("agentBanner", "Agent", world.banner)
    add_user("clerkV", "TownshipStaff", village)
    add_user("centre", "TownshipStaff", world.banner)
    add_user("tleaderA", "BannerLeader", world.townships["A"])
    add_user("mediatorV", "Mediator", village)
    user("agentV").person_id = people["agentV"].id
    user("agentBanner").person_id = people["banneragent"].id
    db.session.commit()


def _cases(world, people):
    """Cases at every level and state, moved there by the services (so every write has
    its event), all in township A's village A1 (one in B, one from A1's grid)."""
    A = world.villages["A1"]
    petitioner = world.petitioners["A"]
    n = iter(range(100))

    def new(**kw):
        return add_case(world, f"m{next(n)}", kw.pop("place", A), kw.pop("who", petitioner),
                        **kw).id

    def accepted(agent="agentA"):
        case_id = new()
        svc.accept(case_id, user(agent), entrustment_signer="签字人",
                   entrustment_signed_on=datetime.date(2026, 11, 3))
        return case_id

    def up(case_id, requester, approver):
        svc.request_escalation(case_id, user(requester), reason="超出本级事权")
        if approver:
            svc.approve_escalation(case_id, user(approver))
        return case_id

    cases = {}
    cases["registered"] = new()
    grid_case = Case(petitioner=petitioner, place=world.grids["A1"], title="网格上报",
                     description="d", demand="d", channel=world.cases["A"].channel,
                     category=world.cases["A"].category, urgency="blue",
                     received_on=datetime.date(2026, 11, 2))
    svc.register(grid_case, user("gridA"))  # a grid worker reports from their grid
    db.session.commit()
    cases["registered_grid"] = grid_case.id
    cases["village_agentV"] = accepted("agentV")
    cases["village"] = accepted()
    cases["village_pending"] = up(accepted(), "agentA", None)
    cases["township"] = up(accepted(), "agentA", "clerkA")
    cases["township_pending"] = up(up(accepted(), "agentA", "clerkA"), "clerkA", None)
    cases["banner"] = up(up(accepted(), "agentA", "tleaderA"), "agentA", "centre")
    at_banner = up(up(accepted(), "agentA", "clerkA"), "agentA", "leader")
    cases["banner_pending_leader"] = up(at_banner, "leader", None)  # the leader's own ask
    cases["joint_meeting"] = up(up(up(accepted(), "agentA", "clerkA"), "agentA", "leader"),
                                "agentA", "leader")
    jm = up(up(up(accepted(), "agentA", "clerkA"), "agentA", "leader"), "agentA", "leader")
    svc.decide_joint_meeting(
        jm, user("leader"), case_leader_id=people["caseleader"].id,
        person_in_charge_id=people["incharge"].id, working_group="专班", plan="方案",
        department_ids=[department("HRSS").id], due_on=svc.today() + datetime.timedelta(40))
    cases["joint_meeting_decided"] = jm
    township_transfer = up(accepted(), "agentA", "clerkA")
    svc.transfer(township_transfer, user("clerkA"), department_ids=[department("HRSS").id])
    cases["township_transferred"] = township_transfer
    concluded = accepted()
    svc.conclude(concluded, user("agentA"), reply="答复")
    cases["concluded"] = concluded
    reviewed = up(accepted(), "agentA", "clerkA")
    svc.conclude(reviewed, user("clerkA"), reply="答复")
    svc.follow_up(reviewed, user("agentA"), note="回访")
    svc.request_review(reviewed, user("agentA"), reason="不服")
    cases["township_review_pending"] = reviewed
    followed = accepted()
    svc.conclude(followed, user("agentA"), reply="答复")
    svc.follow_up(followed, user("agentA"), note="回访")
    cases["followed_up"] = followed
    declined = new()
    svc.decline(declined, user("clerkA"), reason="不属于受理范围", guidance="去法院")
    cases["declined"] = declined
    terminated = accepted()
    svc.terminate(terminated, user("clerkA"), reason="withdrawn")
    cases["terminated"] = terminated
    archived = new()
    svc.terminate(archived, user("clerkA"), reason="withdrawn")
    svc.archive(archived, user("clerkA"))
    cases["archived"] = archived
    other = add_case(world, "otherB", world.villages["B1"], world.petitioners["B"])
    svc.accept(other.id, user("agentB"), entrustment_signer="签字人",
               entrustment_signed_on=datetime.date(2026, 11, 3))
    cases["other_township"] = other.id
    return cases


@pytest.fixture()
def matrix(db_app, world):
    people = staff_people(world)
    people["agentV"] = Person(name_zh="村代办员", place=world.villages["A1"])
    people["agentV"].duties.append(Duty(kind="agent", place=world.villages["A1"],
                                        employment="part_time"))
    db.session.add(people["agentV"])
    db.session.commit()
    _accounts(world, people)
    cases = _cases(world, people)
    mediator = Person(name_zh="村调解员", place=world.villages["A1"])
    mediator_b = Person(name_zh="乙村调解员", place=world.villages["B1"])
    for someone in (mediator, mediator_b):
        someone.duties.append(Duty(kind="mediator", place=someone.place,
                                   mediation_kind="people"))
    db.session.add_all([mediator, mediator_b])
    db.session.commit()
    inputs = {
        "accept": {"entrustment_signer": "签字人", "entrustment_signed_on": SIGNED},
        "decline": {"reason": "理由", "guidance": "指引"},
        "assign_agent": {"agent_id": people["agentA"].id},
        "record_progress": {"comment": "进展"},
        "record_mediation": {"mediator_id": mediator.id, "held_on": "2026-11-10",
                             "parties": "双方", "outcome": "agreed"},
        "request_escalation": {"reason": "超出本级事权"},
        "approve_escalation": {"comment": "同意"},
        "send_back_escalation": {"comment": "退回"},
        "decide_joint_meeting": {
            "case_leader_id": people["caseleader"].id,
            "person_in_charge_id": people["incharge"].id, "working_group": "专班",
            "plan": "方案", "department_ids": [department("LAND").id],
            "due_on": (svc.today() + datetime.timedelta(40)).isoformat()},
        "transfer": {"department_ids": [department("JUST").id]},
        "reply_transfer": {"reply": "已办理"},
        "extend_deadline": {"days": 10, "reason": "情况复杂"},
        "supervise": {"comment": "督办"},
        "conclude": {"reply": "书面答复"},
        "evaluate": {"evaluation": "satisfied"},
        "follow_up": {"note": "回访"},
        "request_review": {"reason": "不服"},
        "answer_review": {"opinion": "维持"},
        "archive": {},
        "terminate": {"reason": "withdrawn"},
        "edit_details": {"title": "改过的标题"},
    }
    # every role at every level it can be bound to (and the other township's clerk)
    accounts = ["admin", "leader", "centre", "caseleader", "dept", "tleaderA", "clerkA",
                "clerkB", "clerkV", "agentBanner", "agentA", "agentV", "mediatorA",
                "mediatorV", "gridA"]
    # the other township's case names its own people
    inputs_b = {**inputs, "assign_agent": {"agent_id": people["agentB"].id},
                "record_mediation": {**inputs["record_mediation"],
                                     "mediator_id": mediator_b.id}}
    return cases, {key: inputs_b if key == "other_township" else inputs for key in cases}, \
        accounts


@contextmanager
def one_connection(app):
    """Every session of every request (and the CLI) on one connection inside an outer
    transaction; ``checkpoint()`` rolls each attempt back."""
    connection = db.engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # pysqlite's own BEGIN comes too late for savepoints: emit it ourselves
        connection.connection.driver_connection.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    engines = db._app_engines[app]
    engine = engines[None]
    factory = db.session.session_factory
    db.session.remove()
    engines[None] = connection
    factory.configure(join_transaction_mode="create_savepoint")

    @contextmanager
    def checkpoint():
        savepoint = connection.begin_nested()
        try:
            yield
        finally:
            db.session.remove()
            savepoint.rollback()

    try:
        yield checkpoint
    finally:
        db.session.remove()
        engines[None] = engine
        factory.kw.pop("join_transaction_mode", None)
        outer.rollback()
        if sqlite:
            connection.invalidate()
        connection.close()


def _footprint(case_id):
    """What a refused action must leave as it was (read on the shared connection, not
    through a session of the test's own)."""
    connection = db.engines[None]
    return (connection.scalar(select(Case.version).where(Case.id == case_id)),
            connection.scalar(select(func.count(CaseEvent.id))
                              .where(CaseEvent.case_id == case_id)))


_ACTION = re.compile(r'id="action-(\w+)"')


def _page_offers(client, case_id):
    response = client.get(f"/caseview/show/{case_id}")
    if response.status_code == 404:
        return None
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    offered = set(_ACTION.findall(html))
    if 'id="edit-details"' in html:
        offered.add("edit_details")
    return offered


def _api_take(client, case_id, action, body):
    if action == "edit_details":
        return client.put(f"/api/v1/cases/{case_id}", json=body)
    return client.post(f"/api/v1/cases/{case_id}/{action}", json=body)


def _cli_args(case_id, action, username, body):
    args = ["case-action", str(case_id), action, "--as", username]
    for name, value in body.items():
        for item in value if isinstance(value, list) else [value]:
            args += ["--set", f"{name}={item}"]
    return args


# the rule's answers for a world, asked once a module (the three tests build the same
# world, under new ids on PostgreSQL: the answers are by account and case key)
_ANSWERS: dict = {}


def _the_rule(db_app, cases, accounts) -> dict:
    """What the one rule answers for every (account × case × action), asked in-process:
    ``{(account, case key): (offered, outcome)}``, ``offered`` being what
    ``available_actions`` offers (None: the case is outside the account's area) and
    ``outcome[action]`` None when the rule allows it, else the refusal the service
    raises (``svc.refusal``, which every service asks before it changes anything; a case
    outside the area is not found)."""
    known = (tuple(accounts), tuple(cases))
    if known in _ANSWERS:
        return _ANSWERS[known]
    answers = {}
    with one_connection(db_app) as checkpoint:
        for name in accounts:
            for key, case_id in cases.items():
                with checkpoint():
                    acting = user(name)
                    case = load_in_scope(Case, case_id, scope_for_user(acting))
                    if case is None:
                        answers[(name, key)] = (None, dict.fromkeys(ACTIONS, CaseNotFound(
                            "There is no such case in your area.")))
                        continue
                    offered = set(svc.available_actions(case, acting, with_details=True))
                    facts = svc.facts_of(case)
                    # accepting records the signed entrustment the inputs carry
                    signed = dataclasses.replace(facts, has_entrustment=True)
                    outcome = {action: svc.refusal(
                        action, case, acting, signed if action == "accept" else facts)
                        for action in ACTIONS}
                    answers[(name, key)] = (offered, outcome)
    _ANSWERS[known] = answers
    return answers


def _refusals_to_try(answers) -> dict:
    """Which refusals every surface is tried with, chosen so that each account is
    refused each action it may not take somewhere, each account meets each kind of
    refusal it gets, and each different refusal of each action (its kind and message)
    is met by some account: ``{(account, case key): [action, ...]}``."""
    signature = {}  # (account, action) → {(kind, message): first case key}
    for (name, key), (_offered, outcome) in answers.items():
        for action, refused in outcome.items():
            if refused is not None:
                signature.setdefault((name, action), {}).setdefault(
                    (type(refused), refused.message), key)
    chosen, actions_met, kinds_met = set(), set(), set()
    for (name, action), by_refusal in signature.items():
        def unmet(item, name=name, action=action):
            (kind, message), _key = item
            return ((action, kind, message) in actions_met, (name, kind) in kinds_met)
        (kind, message), key = min(by_refusal.items(), key=unmet)
        chosen.add((name, key, action))
        actions_met.add((action, kind, message))
        kinds_met.add((name, kind))
    for (name, action), by_refusal in signature.items():
        for (kind, message), key in by_refusal.items():
            if (action, kind, message) not in actions_met or (name, kind) not in kinds_met:
                chosen.add((name, key, action))
                actions_met.add((action, kind, message))
                kinds_met.add((name, kind))
    plan = {}
    for name, key, action in sorted(chosen):
        plan.setdefault((name, key), []).append(action)
    return plan


def _allowed_to_take(answers) -> set:
    """Which allowed actions every surface takes, chosen so that each account takes each
    action the rule lets it take somewhere, and each action is taken on each case where
    the rule lets anyone take it: ``{(account, case key, action)}``, about half of the
    ~500 allowed triples. What each surface offers is compared with the rule for every
    (account × case), and the services behind the surfaces are the same: what the left-out
    triples would add is the same action again by the same account on another case."""
    chosen, by_account, by_case = set(), set(), set()
    for (name, key), (_offered, outcome) in sorted(answers.items()):
        for action in sorted(a for a, refused in outcome.items() if refused is None):
            if (name, action) not in by_account or (key, action) not in by_case:
                chosen.add((name, key, action))
                by_account.add((name, action))
                by_case.add((key, action))
    return chosen


def test_the_rule_is_rich_enough(db_app, matrix):
    """The world makes most roles act somewhere and the rule refuse in many ways; the
    surfaces below are tried with every allowed action and a covering set of refusals."""
    cases, _inputs, accounts = matrix
    answers = _the_rule(db_app, cases, accounts)
    for (name, key), (offered, outcome) in answers.items():  # one rule, asked two ways
        assert {action for action, refused in outcome.items() if refused is None} == (
            offered or set()), (name, key)
    allowed = sum(refused is None for _offered, outcome in answers.values()
                  for refused in outcome.values())
    kinds = {type(refused) for _offered, outcome in answers.values()
             for refused in outcome.values() if refused is not None}
    assert len(answers) * len(ACTIONS) == len(accounts) * len(cases) * len(ACTIONS)
    assert allowed > 150, allowed
    assert {CaseNotFound, ActionNotAllowed, RoleNotAllowed, RuleBroken} <= kinds, kinds
    acting = {name for (name, _key), (_offered, outcome) in answers.items()
              if any(refused is None for refused in outcome.values())}
    assert len(acting) >= len(accounts) - 2, set(accounts) - acting
    tried = sum(map(len, _refusals_to_try(answers).values()))
    taken = _allowed_to_take(answers)
    # every account that may act, and every action allowed somewhere, is taken
    assert {name for name, _key, _action in taken} == acting
    assert {action for _name, _key, action in taken} == {
        action for _offered, outcome in answers.values()
        for action, refused in outcome.items() if refused is None}
    print(json.dumps({"triples": len(answers) * len(ACTIONS), "allowed": allowed,
                      "allowed_taken_on_each_surface": len(taken),
                      "refusals_tried_on_each_surface": tried}))


def test_page_api_and_cli_offer_exactly_what_succeeds(db_app, matrix):
    """For every (account × case): the case page, the REST API and the CLI list exactly
    what the rule offers; the covering set of offered actions (``_allowed_to_take``)
    succeeds through the API and the CLI; and the covering set of refusals is refused by
    both, with the rule's own answer (status and code), changing nothing."""
    cases, inputs, accounts = matrix
    answers = _the_rule(db_app, cases, accounts)
    refuse = _refusals_to_try(answers)
    take = _allowed_to_take(answers)
    clients = {name: sign_in(db_app, name) for name in accounts}
    role_may = {(name, action): svc.permitted(user(name), action)
                for name in accounts for action in ACTIONS}
    runner = db_app.test_cli_runner()
    for name in accounts:  # one outer transaction per account keeps PostgreSQL's lock
        client = clients[name]  # table small
        with one_connection(db_app) as checkpoint:
            for key, case_id in cases.items():
                offered, outcome = answers[(name, key)]
                with checkpoint():
                    page = _page_offers(client, case_id)
                    listed = client.get(f"/api/v1/cases/{case_id}/actions")
                    cli = runner.invoke(args=["case-actions", str(case_id), "--as", name])
                if offered is None:  # outside the area: nothing offered, nothing found
                    assert page is None and listed.status_code == 404, (name, key)
                    assert cli.exit_code != 0, (name, key)
                else:
                    assert cli.exit_code == 0, cli.output
                    api_offered = set(listed.get_json()["actions"])
                    assert page == api_offered == set(cli.output.split()) == offered, (
                        name, key)
                before = _footprint(case_id)
                for action in sorted(offered or ()):  # taken, then rolled back
                    if (name, key, action) not in take:
                        continue
                    body = inputs[key][action]
                    with checkpoint():
                        response = _api_take(client, case_id, action, body)
                    assert response.status_code == 200, (
                        name, key, action, response.get_json())
                    with checkpoint():
                        result = runner.invoke(args=_cli_args(case_id, action, name, body))
                    assert result.exit_code == 0, (name, key, action, result.output)
                for action in refuse.get((name, key), ()):  # refused: nothing to roll back
                    refused = outcome[action]
                    body = inputs[key][action]
                    response = _api_take(client, case_id, action, body)
                    answer = (response.status_code, (response.get_json() or {}).get("code"))
                    # FAB's permission on the API's method may answer before the rule
                    assert answer == (refused.status, refused.code) or (
                        answer == (403, "forbidden") and not role_may[(name, action)]), (
                        name, key, action, answer, refused)
                    result = runner.invoke(args=_cli_args(case_id, action, name, body))
                    assert result.exit_code != 0, (name, key, action)
                assert _footprint(case_id) == before, (name, key)  # refusals changed nothing


def _flashed(client) -> set[str]:
    with client.session_transaction() as session:
        return {category for category, _ in session.pop("_flashes", [])}


def test_the_page_takes_what_it_offers(db_app, matrix):
    """Through the case page's own forms: the offered actions of the covering set are
    taken successfully, and a forged post of one not offered — the covering set of
    refusals the rule gives the account the action — is refused and changes nothing."""
    from tests.lifecycle_helpers import _VERSION

    cases, inputs, accounts = matrix
    answers = _the_rule(db_app, cases, accounts)
    refuse = _refusals_to_try(answers)
    take = _allowed_to_take(answers)
    for name in accounts:  # one outer transaction per account (PostgreSQL's lock table)
        client = sign_in(db_app, name)
        with one_connection(db_app) as checkpoint:
            for key, case_id in cases.items():
                if not any((name, key, action) in take for action in CASE_ACTIONS) and not (
                        set(refuse.get((name, key), ())) & set(CASE_ACTIONS)):
                    continue  # nothing to post; what the page offers is compared above
                with checkpoint():
                    response = client.get(f"/caseview/show/{case_id}")
                    html = response.get_data(as_text=True)
                offered = set(_ACTION.findall(html)) if response.status_code == 200 else set()
                assert offered == (answers[(name, key)][0] or set()) - {"edit_details"}
                before = _footprint(case_id)
                version = _VERSION.search(html).group(1) if offered else str(before[0])
                for action in sorted(offered):
                    if (name, key, action) not in take:
                        continue
                    form = {**inputs[key][action], "version": version}
                    with checkpoint():
                        client.post(f"/caseview/act/{case_id}/{action}", data=form)
                        assert _footprint(case_id) != before, (name, key, action)
                    assert _flashed(client) == {"success"}, (name, key, action)
                for action in refuse.get((name, key), ()):
                    if action not in CASE_ACTIONS:  # details are edited on their own form
                        continue
                    refused = answers[(name, key)][1][action]
                    form = {**inputs[key][action], "version": version}
                    posted = client.post(f"/caseview/act/{case_id}/{action}", data=form)
                    if isinstance(refused, CaseNotFound):
                        assert posted.status_code == 404, (name, key, action)
                    else:
                        assert _flashed(client) == {"danger"}, (name, key, action, refused)
                assert _footprint(case_id) == before, (name, key)
