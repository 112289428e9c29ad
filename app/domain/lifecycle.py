"""The life of a case: which action applies in which state, who may take it, and where
it leads — in ONE table (``CHART``) — plus the guards the regulations add (no
acceptance without an entrustment, nothing accepted from the non-acceptance list, one
extension, one pending escalation at a time…).

Plain Python, no Flask or ORM: the services, the views and the API ask this module,
and its unit tests run every state × action × role."""

from collections.abc import Iterable
from dataclasses import dataclass, replace

from app.domain.errors import ActionNotAllowed, RoleNotAllowed, RuleBroken


def N_(message: str) -> str:
    """Marks a msgid for translation where it is shown."""
    return message


# --- states, levels, roles -------------------------------------------------------------
NEW = None  # a case not yet registered
REGISTERED = "registered"
DECLINED = "declined"
IN_PROGRESS = "in_progress"
TRANSFERRED = "transferred"
CONCLUDED = "concluded"
FOLLOWED_UP = "followed_up"
ARCHIVED = "archived"
TERMINATED = "terminated"
STATES = (REGISTERED, DECLINED, IN_PROGRESS, TRANSFERRED, CONCLUDED, FOLLOWED_UP, ARCHIVED,
          TERMINATED)
OPEN_STATES = (REGISTERED, IN_PROGRESS, TRANSFERRED)
FINAL_STATES = (ARCHIVED,)

LEVELS = ("village", "township", "banner", "joint_meeting")
# the funnel counts a case taken by the joint meeting as resolved at the banner
FUNNEL_LEVEL = {"village": "village", "township": "township", "banner": "banner",
                "joint_meeting": "banner"}

AGENT, GRID_WORKER, MEDIATOR = "Agent", "GridWorker", "Mediator"
CASE_LEADER, DEPARTMENT_STAFF = "CaseLeader", "DepartmentStaff"
TOWNSHIP_STAFF, BANNER_LEADER, ADMIN = "TownshipStaff", "BannerLeader", "Admin"
ROLES = (AGENT, GRID_WORKER, MEDIATOR, CASE_LEADER, DEPARTMENT_STAFF, TOWNSHIP_STAFF,
         BANNER_LEADER, ADMIN)

# who approves an escalation, by the level the case would move to
APPROVERS_BY_TARGET_LEVEL = {
    "township": frozenset({TOWNSHIP_STAFF, ADMIN}),
    "banner": frozenset({BANNER_LEADER, ADMIN}),
    "joint_meeting": frozenset({BANNER_LEADER, ADMIN}),
}

SAME = "="  # target: the state does not change


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    target: str
    roles: frozenset

    def target_from(self, state):
        return state if self.target == SAME else self.target


def _rule(sources, target, *roles) -> Rule:
    return Rule(frozenset(sources), target, frozenset((*roles, ADMIN)))


_HANDLING = (IN_PROGRESS, TRANSFERRED)

# action → (states it applies in, the state it leads to, the roles that may take it)
CHART: dict[str, Rule] = {
    "register": _rule({NEW}, REGISTERED, AGENT, GRID_WORKER, TOWNSHIP_STAFF),
    "accept": _rule({REGISTERED}, IN_PROGRESS, AGENT, TOWNSHIP_STAFF),
    "decline": _rule({REGISTERED}, DECLINED, AGENT, TOWNSHIP_STAFF),
    "assign_agent": _rule({REGISTERED, *_HANDLING}, SAME, TOWNSHIP_STAFF, BANNER_LEADER),
    "record_progress": _rule(_HANDLING, SAME, AGENT, TOWNSHIP_STAFF, CASE_LEADER,
                             BANNER_LEADER),
    "record_mediation": _rule(_HANDLING, SAME, AGENT, MEDIATOR, TOWNSHIP_STAFF),
    "request_escalation": _rule({IN_PROGRESS}, SAME, AGENT, TOWNSHIP_STAFF, BANNER_LEADER),
    "approve_escalation": _rule({IN_PROGRESS}, SAME, TOWNSHIP_STAFF, BANNER_LEADER),
    "send_back_escalation": _rule({IN_PROGRESS}, SAME, TOWNSHIP_STAFF, BANNER_LEADER),
    "decide_joint_meeting": _rule({IN_PROGRESS}, TRANSFERRED, BANNER_LEADER),
    "transfer": _rule(_HANDLING, TRANSFERRED, TOWNSHIP_STAFF, BANNER_LEADER),
    "reply_transfer": _rule({TRANSFERRED}, SAME, DEPARTMENT_STAFF),
    "extend_deadline": _rule(_HANDLING, SAME, TOWNSHIP_STAFF, BANNER_LEADER),
    "supervise": _rule(OPEN_STATES, SAME, TOWNSHIP_STAFF, BANNER_LEADER),
    "conclude": _rule(_HANDLING, CONCLUDED, AGENT, TOWNSHIP_STAFF, CASE_LEADER,
                      BANNER_LEADER),
    "evaluate": _rule({CONCLUDED, FOLLOWED_UP}, SAME, AGENT, TOWNSHIP_STAFF),
    "follow_up": _rule({CONCLUDED}, FOLLOWED_UP, AGENT, TOWNSHIP_STAFF, CASE_LEADER),
    "request_review": _rule({CONCLUDED, FOLLOWED_UP}, SAME, AGENT, TOWNSHIP_STAFF),
    "answer_review": _rule({CONCLUDED, FOLLOWED_UP}, SAME, TOWNSHIP_STAFF, BANNER_LEADER),
    "archive": _rule({FOLLOWED_UP, DECLINED, TERMINATED}, ARCHIVED, TOWNSHIP_STAFF,
                     BANNER_LEADER),
    "terminate": _rule(OPEN_STATES, TERMINATED, TOWNSHIP_STAFF, BANNER_LEADER),
}
ACTIONS = tuple(CHART)
# the actions a case's page and the API offer (registration has its own form)
CASE_ACTIONS = tuple(a for a in ACTIONS if a != "register")


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case, read from wherever it is stored."""

    state: str | None
    level: str = "village"
    category_excluded: bool = False
    has_entrustment: bool = False
    pending_escalation_to: str | None = None
    extended: bool = False
    open_transfers: int = 0
    evaluated: bool = False
    review_pending: bool = False
    reviews_answered: int = 0  # 1 after the review (复查), 2 after the re-review (复核)


def transition(action: str, state: str | None, roles: Iterable[str]) -> str:
    """The state ``action`` leads to from ``state`` for a user with ``roles``; refuses a
    wrong state before a wrong role (the page then says what is wrong with the case)."""
    rule = CHART.get(action)
    if rule is None:
        raise ActionNotAllowed(N_("Unknown action."))
    if state not in rule.sources:
        raise ActionNotAllowed(N_("This action is not possible in the case's present state."))
    if not rule.roles & set(roles):
        raise RoleNotAllowed(N_("Your role may not take this action."))
    return rule.target_from(state)


def next_level(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def check(action: str, facts: CaseFacts, roles: Iterable[str]) -> str:
    """``transition`` plus the guards; returns the target state or raises."""
    roles = set(roles)
    target = transition(action, facts.state, roles)
    guard = _GUARDS.get(action)
    if guard is not None:
        guard(facts, roles)
    return target


def allowed(action: str, facts: CaseFacts, roles: Iterable[str]) -> bool:
    try:
        check(action, facts, roles)
    except (ActionNotAllowed, RoleNotAllowed, RuleBroken):
        return False
    return True


def available_actions(facts: CaseFacts, roles: Iterable[str]) -> list[str]:
    """The actions to offer now. Acceptance is offered while the entrustment is still
    missing, because accepting is where the signed entrustment is recorded."""
    roles = set(roles)
    offered = []
    for action in CASE_ACTIONS:
        as_offered = replace(facts, has_entrustment=True) if action == "accept" else facts
        if allowed(action, as_offered, roles):
            offered.append(action)
    return offered


def permissions_by_role() -> dict[str, tuple[str, ...]]:
    """role → the case actions the chart lets it take (the role matrix's lifecycle
    block; registering is the ordinary write permission)."""
    return {
        role: tuple(a for a in CASE_ACTIONS if role in CHART[a].roles)
        for role in ROLES
        if role != ADMIN
    }


def resolution_level(levels_reached: Iterable[str], current_level: str) -> str:
    """The level a case was resolved at: the highest it reached (levels only go up),
    counted in the village / township / banner funnel."""
    highest = max([current_level, *levels_reached], key=LEVELS.index)
    return FUNNEL_LEVEL[highest]


# --- guards ----------------------------------------------------------------------------
def _accept(facts: CaseFacts, roles) -> None:
    if facts.category_excluded:
        raise RuleBroken(N_("A matter on the non-acceptance list cannot be accepted; "
                            "decline it with a reason and guidance."))
    if not facts.has_entrustment:
        raise RuleBroken(N_("Record the petitioner's signed entrustment before accepting "
                            "the case for agency."))


def _request_escalation(facts: CaseFacts, roles) -> None:
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is already waiting for approval."))
    if next_level(facts.level) is None:
        raise RuleBroken(N_("The case is already with the joint meeting, the highest "
                            "level."))


def _decide_escalation(facts: CaseFacts, roles) -> None:
    if facts.pending_escalation_to is None:
        raise RuleBroken(N_("No escalation request is waiting for approval: it has already "
                            "been decided, or none was made."))
    if not APPROVERS_BY_TARGET_LEVEL[facts.pending_escalation_to] & roles:
        raise RoleNotAllowed(N_("Only an approver at the next level may decide this "
                                "escalation."))


def _decide_joint_meeting(facts: CaseFacts, roles) -> None:
    if facts.level != "joint_meeting":
        raise RuleBroken(N_("Only a case escalated to the joint meeting can be decided by "
                            "it."))
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is still waiting for approval."))


def _reply_transfer(facts: CaseFacts, roles) -> None:
    if facts.open_transfers <= 0:
        raise RuleBroken(N_("No transfer is waiting for a reply."))


def _extend(facts: CaseFacts, roles) -> None:
    if facts.extended:
        raise RuleBroken(N_("The deadline has already been extended once."))


def _conclude(facts: CaseFacts, roles) -> None:
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is still waiting for approval."))
    if facts.open_transfers > 0:
        raise RuleBroken(N_("Departments have not yet replied to every transfer."))


REVIEW_STAGES = ("review", "re_review")


def next_review_stage(reviews_answered: int) -> str | None:
    """review, then re-review, then nothing: concluded at three levels (三级终结)."""
    return REVIEW_STAGES[reviews_answered] if reviews_answered < len(REVIEW_STAGES) else None


def _request_review(facts: CaseFacts, roles) -> None:
    if facts.review_pending:
        raise RuleBroken(N_("A review request is already waiting for an answer."))
    if next_review_stage(facts.reviews_answered) is None:
        raise RuleBroken(N_("This matter has been through review and re-review and is "
                            "concluded (三级终结); it is not accepted again."))


def _answer_review(facts: CaseFacts, roles) -> None:
    if not facts.review_pending:
        raise RuleBroken(N_("No review request is waiting for an answer."))


def _archive(facts: CaseFacts, roles) -> None:
    if facts.review_pending:
        raise RuleBroken(N_("A review request is still waiting for an answer."))


def _no_pending_escalation(facts: CaseFacts, roles) -> None:
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is still waiting for approval."))


_GUARDS = {
    "accept": _accept,
    "request_escalation": _request_escalation,
    "approve_escalation": _decide_escalation,
    "send_back_escalation": _decide_escalation,
    "decide_joint_meeting": _decide_joint_meeting,
    "transfer": _no_pending_escalation,
    "reply_transfer": _reply_transfer,
    "extend_deadline": _extend,
    "conclude": _conclude,
    "terminate": _no_pending_escalation,
    "request_review": _request_review,
    "answer_review": _answer_review,
    "archive": _archive,
}
