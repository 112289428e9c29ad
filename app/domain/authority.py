"""Who may take which action on a case, now — decided in ONE place.

``decide(action, actor, facts)`` answers from plain values: the actor (roles, the place
or department they are bound to and its level, the roster person they are) and the
case's facts (state, level, the places, agent, case leader, the pending escalation and
who asked for it, open transfers). The case page's buttons, the inboxes and their
counts, the REST API and the CLI all ask it (through ``app/services/cases.py``), so
what is offered and what is allowed cannot disagree.

The rule of 信访代办制: 一人受理、全程代办 — the case's agent stays with the petitioner at
every level (progress, mediation, asking for escalation or review, evaluation, return
visits) — but the *decisions* belong to the level that now holds the case: its office
(staff and leaders bound to the responsible place) and its 包案领导 once one is named.
An escalation is approved by the level it goes to, never by whoever asked for it.
``docs/lifecycle.md`` shows the table below; a test checks the two agree.

Plain Python: no Flask, no ORM."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from app.domain import lifecycle as lc
from app.domain.errors import ActionNotAllowed, DomainError, RoleNotAllowed, RuleBroken
from app.domain.lifecycle import N_, CaseFacts

TS, BL, CL = lc.TOWNSHIP_STAFF, lc.BANNER_LEADER, lc.CASE_LEADER
AGENT, GRID, MEDIATOR, DEPT, ADMIN = (lc.AGENT, lc.GRID_WORKER, lc.MEDIATOR,
                                      lc.DEPARTMENT_STAFF, lc.ADMIN)
OFFICE_ROLES = frozenset({TS, BL})

# the kind of place whose office approves an escalation to each level, and its roles
APPROVING_PLACE_LEVEL = {"township": "township", "banner": "banner",
                         "joint_meeting": "banner"}
APPROVER_ROLES = {"township": frozenset({TS, BL}), "banner": frozenset({TS, BL}),
                  "joint_meeting": frozenset({BL})}


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in account, or the system (the CLI without --as, jobs)."""

    roles: frozenset
    user_id: int | None = None
    place_path: str | None = None  # materialised path of the bound place, "/b/t/v/"
    place_level: str | None = None  # banner, township, village or grid
    department_id: int | None = None
    person_id: int | None = None  # the roster person behind the account

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    def covers(self, path: str | None) -> bool:
        """The place with this path lies in the actor's area (their place or below)."""
        return bool(self.place_path and path and path.startswith(self.place_path))


SYSTEM = Actor(roles=frozenset({ADMIN}))


# --- who: the clauses an action's authority is made of ---------------------------------
@dataclass(frozen=True)
class Who:
    """One way of holding authority over a case: the roles that can hold it, the test
    that the actor holds it on this case, and how the docs name it."""

    key: str
    roles: frozenset
    label: str
    test: Callable[[Actor, CaseFacts], bool]

    def holds(self, actor: Actor, facts: CaseFacts) -> bool:
        return bool(self.roles & actor.roles) and self.test(actor, facts)


def _holds_office(actor: Actor, facts: CaseFacts) -> bool:
    held_at = facts.responsible_place_path
    if not held_at or not actor.place_path:
        return False
    if actor.place_path == held_at:
        return True
    # a village's service point has no office of its own: its township's station
    # handles the village's cases with the agent
    return (facts.level == "village" and actor.place_level == "township"
            and held_at.startswith(actor.place_path))


def _is_case_agent(actor: Actor, facts: CaseFacts) -> bool:
    return actor.person_id is not None and actor.person_id == facts.agent_id


def _is_case_leader(actor: Actor, facts: CaseFacts) -> bool:
    return actor.person_id is not None and actor.person_id == facts.case_leader_id


def _in_area(actor: Actor, facts: CaseFacts) -> bool:
    return actor.covers(facts.place_path)


def _above_in_area(actor: Actor, facts: CaseFacts) -> bool:
    return actor.covers(facts.responsible_place_path)


def _is_registrant(actor: Actor, facts: CaseFacts) -> bool:
    return (facts.state == lc.REGISTERED and actor.user_id is not None
            and actor.user_id == facts.registered_by_id)


def _screens(actor: Actor, facts: CaseFacts) -> bool:
    return facts.state == lc.REGISTERED and _in_area(actor, facts)


def approvable_levels(actor: Actor) -> list[str]:
    """The levels whose escalations this actor approves: their role, and the kind of
    place they are bound to (a township's office approves escalations to the township,
    the banner's to the banner; only a banner leader sends a case to the joint
    meeting). The approvals inbox and its count filter with this list too."""
    if actor.is_admin:
        return list(APPROVER_ROLES)
    return [level for level, roles in APPROVER_ROLES.items()
            if roles & actor.roles and actor.place_level == APPROVING_PLACE_LEVEL[level]]


def _approves(actor: Actor, facts: CaseFacts) -> bool:
    to_level = facts.pending_escalation_to
    if to_level is None or to_level not in approvable_levels(actor):
        return False
    # the approving office is the one above the case's place at that level
    return actor.is_admin or _in_area(actor, facts)


def _chairs_joint_meeting(actor: Actor, facts: CaseFacts) -> bool:
    return actor.place_level == "banner" and _in_area(actor, facts)


def _answers_transfer(actor: Actor, facts: CaseFacts) -> bool:
    return actor.department_id is not None and \
        actor.department_id in facts.open_transfer_departments


def _village_agent(actor: Actor, facts: CaseFacts) -> bool:
    return facts.level == "village" and _is_case_agent(actor, facts)


OFFICE = Who("office", OFFICE_ROLES,
             "the office holding the case", _holds_office)
CASE_AGENT = Who("case_agent", frozenset({AGENT}), "the case's agent",
                 _is_case_agent)
VILLAGE_AGENT = Who("village_agent", frozenset({AGENT}),
                    "the case's agent, at the village level",
                    _village_agent)
CASE_LEADER = Who("case_leader", frozenset({CL}), "its case leader (包案领导)",
                  _is_case_leader)
AREA_AGENT = Who("area_agent", frozenset({AGENT}),
                 "an agent of the area, while screening",
                 _screens)
AREA_MEDIATOR = Who("area_mediator", frozenset({MEDIATOR}),
                    "a mediator of the area", _in_area)
LEADER_ABOVE = Who("leader_above", frozenset({BL}),
                   "a leader above the office",
                   _above_in_area)
REGISTRANT = Who("registrant", frozenset({AGENT, GRID, TS}),
                 "whoever registered it, while screening", _is_registrant)
APPROVER = Who("approver", frozenset({TS, BL}),
               "the office of the level it goes to, never the requester", _approves)
CHAIR = Who("chair", frozenset({BL}), "a banner leader (the joint meeting)",
            _chairs_joint_meeting)
DEPARTMENT = Who("department", frozenset({DEPT}),
                 "a department whose transfer is open",
                 _answers_transfer)

_DECIDERS = (OFFICE, CASE_LEADER)

# action → the ways of holding authority over it (Admin holds every one)
WHO: dict[str, tuple[Who, ...]] = {
    "accept": (OFFICE, AREA_AGENT),
    "decline": (OFFICE, AREA_AGENT),
    "assign_agent": _DECIDERS,
    "edit_details": (CASE_AGENT, *_DECIDERS, AREA_AGENT, REGISTRANT),
    "record_progress": (CASE_AGENT, *_DECIDERS),
    "record_mediation": (CASE_AGENT, OFFICE, AREA_MEDIATOR),
    "request_escalation": (CASE_AGENT, OFFICE),
    "approve_escalation": (APPROVER,),
    "send_back_escalation": (APPROVER,),
    "decide_joint_meeting": (CHAIR,),
    "transfer": _DECIDERS,
    "reply_transfer": (DEPARTMENT,),
    "extend_deadline": _DECIDERS,
    "supervise": (*_DECIDERS, LEADER_ABOVE),
    "conclude": (*_DECIDERS, VILLAGE_AGENT),
    "evaluate": (CASE_AGENT, OFFICE),
    "follow_up": (CASE_AGENT, *_DECIDERS),
    "request_review": (CASE_AGENT, OFFICE),
    # the regulations send a review to the next level up (Art. 35): a leader above the
    # office may answer it too
    "answer_review": (*_DECIDERS, LEADER_ABOVE),
    "archive": _DECIDERS,
    "terminate": _DECIDERS,
}

# who may register a case, and for which places (the add form's place choices follow)
REGISTERING_ROLES = frozenset({AGENT, GRID, TS})
ESCALATION_DECISIONS = ("approve_escalation", "send_back_escalation")


def roles_for(action: str) -> frozenset:
    """Every role that can ever take ``action`` (the role matrix's permission block)."""
    if action == "register":
        return REGISTERING_ROLES | {ADMIN}
    return frozenset({ADMIN}.union(*(who.roles for who in WHO[action])))


def permissions_by_role() -> dict[str, tuple[str, ...]]:
    """role → the case actions it can ever take (each is a permission can_<action> on
    Case, so an administrator can still revoke one from a role)."""
    return {role: tuple(a for a in lc.CASE_ACTIONS if role in roles_for(a))
            for role in lc.ROLES if role != ADMIN}


# --- the decision -------------------------------------------------------------------------
_NOT_YOURS = {
    "office": N_("This decision belongs to the level that now holds the case."),
    "case_agent": N_("Only the case's own agent or the office holding the case may do "
                     "this."),
    "approver": N_("An escalation is decided by the level it goes to."),
    "department": N_("No transfer to your department is waiting for a reply."),
    "case_leader": N_("Only the case's responsible leader may do this."),
}


def _who_refusal(action: str, actor: Actor, facts: CaseFacts) -> DomainError | None:
    if actor.is_admin:
        return None
    ways = WHO[action]
    if any(way.holds(actor, facts) for way in ways):
        return None
    if not actor.roles & roles_for(action):
        return RoleNotAllowed(N_("Your role may not take this action."))
    first = ways[0].key
    if actor.roles == {CL} and CASE_LEADER in ways:
        first = "case_leader"
    if first == "department":  # their department could answer; nothing waits for it
        return RuleBroken(_NOT_YOURS[first])
    return RoleNotAllowed(_NOT_YOURS.get(first, _NOT_YOURS["office"]))


def decide(action: str, actor: Actor, facts: CaseFacts) -> DomainError | None:
    """None when ``actor`` may take ``action`` on the case now; otherwise the refusal
    to show (a wrong state first, then who, then the regulations' guards)."""
    rule = lc.CHART.get(action)
    if rule is None or action == "register":
        return ActionNotAllowed(N_("Unknown action."))
    if facts.state == lc.ARCHIVED:
        return ActionNotAllowed(N_("This case is archived and can no longer be changed."))
    if facts.state not in rule.sources:
        return ActionNotAllowed(N_("This action is not possible in the case's present "
                                   "state."))
    if action in ESCALATION_DECISIONS:
        if facts.pending_escalation_to is None:
            return RuleBroken(N_("No escalation request is waiting for approval: it has "
                                 "already been decided, or none was made."))
        if actor.user_id is not None and actor.user_id == facts.pending_requested_by_id:
            return RoleNotAllowed(N_("Nobody may decide an escalation they asked for "
                                     "themselves."))
    refusal = _who_refusal(action, actor, facts)
    if refusal is not None:
        return refusal
    try:
        lc.guard(action, facts)
    except DomainError as err:
        return err
    return None


def check(action: str, actor: Actor, facts: CaseFacts) -> str:
    """``decide``, raising the refusal; returns the state the action leads to."""
    refusal = decide(action, actor, facts)
    if refusal is not None:
        raise refusal
    return lc.CHART[action].target_from(facts.state)


def available(actor: Actor, facts: CaseFacts, actions: Iterable[str] = lc.CASE_ACTIONS
              ) -> list[str]:
    """The actions to offer now. Acceptance is offered while the entrustment is still
    missing, because accepting is where the signed entrustment is recorded."""
    offered = []
    for action in actions:
        as_offered = replace(facts, has_entrustment=True) if action == "accept" else facts
        if decide(action, actor, as_offered) is None:
            offered.append(action)
    return offered


def may_register_at(actor: Actor, place_path: str | None, place_level: str | None) -> bool:
    """A case is registered in a village or a grid of the actor's area (a grid worker:
    their own grid)."""
    if not actor.roles & roles_for("register"):
        return False
    if place_level not in ("village", "grid"):
        return False
    return actor.is_admin or actor.covers(place_path)


def authority_table() -> list[tuple[str, str, list[str]]]:
    """(action, the states it applies in, who may take it) — docs/lifecycle.md's table
    is checked against this."""
    rows = []
    for action in (*lc.CASE_ACTIONS, "edit_details"):
        states = ", ".join(s for s in lc.STATES if s in lc.CHART[action].sources)
        rows.append((action, states, [who.label for who in WHO[action]]))
    return rows
