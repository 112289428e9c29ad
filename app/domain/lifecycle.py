"""The life of a case: which action applies in which state and where it leads — in ONE
table (``CHART``) — plus the guards the regulations add (no acceptance without an
entrustment, nothing accepted from the non-acceptance list, one extension, one pending
escalation at a time…). Who may take an action is app/domain/authority.py.

Plain Python, no Flask or ORM: the services, the views and the API ask this module,
and its unit tests run every state × action."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.domain.errors import RuleBroken


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

SAME = "="  # target: the state does not change


@dataclass(frozen=True)
class Rule:
    sources: frozenset
    target: str

    def target_from(self, state):
        return state if self.target == SAME else self.target


def _rule(sources, target) -> Rule:
    return Rule(frozenset(sources), target)


_HANDLING = (IN_PROGRESS, TRANSFERRED)

# action → (the states it applies in, the state it leads to). Who may take it is decided
# in app/domain/authority.py.
CHART: dict[str, Rule] = {
    "register": _rule({NEW}, REGISTERED),
    "accept": _rule({REGISTERED}, IN_PROGRESS),
    "decline": _rule({REGISTERED}, DECLINED),
    "assign_agent": _rule({REGISTERED, *_HANDLING}, SAME),
    "record_progress": _rule(_HANDLING, SAME),
    "record_mediation": _rule(_HANDLING, SAME),
    "request_escalation": _rule({IN_PROGRESS}, SAME),
    "approve_escalation": _rule({IN_PROGRESS}, SAME),
    "send_back_escalation": _rule({IN_PROGRESS}, SAME),
    "decide_joint_meeting": _rule({IN_PROGRESS}, TRANSFERRED),
    "transfer": _rule(_HANDLING, TRANSFERRED),
    "reply_transfer": _rule({TRANSFERRED}, SAME),
    "extend_deadline": _rule(_HANDLING, SAME),
    "supervise": _rule(OPEN_STATES, SAME),
    "conclude": _rule(_HANDLING, CONCLUDED),
    "evaluate": _rule({CONCLUDED, FOLLOWED_UP}, SAME),
    "follow_up": _rule({CONCLUDED}, FOLLOWED_UP),
    "request_review": _rule({CONCLUDED, FOLLOWED_UP}, SAME),
    "answer_review": _rule({CONCLUDED, FOLLOWED_UP}, SAME),
    "archive": _rule({FOLLOWED_UP, DECLINED, TERMINATED}, ARCHIVED),
    "terminate": _rule(OPEN_STATES, TERMINATED),
    # the details of the matter (category, urgency, title…): in every state but archived
    "edit_details": _rule(set(STATES) - {ARCHIVED}, SAME),
}
ACTIONS = tuple(CHART)
# the actions a case's page offers as forms and the API as POST /cases/<pk>/<action>
# (registration and the details have forms of their own: add and edit)
CASE_ACTIONS = tuple(a for a in ACTIONS if a not in ("register", "edit_details"))


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case, read from wherever it is stored."""

    state: str | None
    level: str = "village"
    place_path: str | None = None  # where the matter arose (village or grid)
    responsible_place_path: str | None = None  # the place that holds the case now
    agent_id: int | None = None  # roster person
    case_leader_id: int | None = None  # roster person
    registered_by_id: int | None = None  # account
    category_excluded: bool = False
    has_entrustment: bool = False
    pending_escalation_to: str | None = None
    pending_requested_by_id: int | None = None  # account that asked
    extended: bool = False
    open_transfer_departments: frozenset = field(default_factory=frozenset)
    evaluated: bool = False
    review_pending: bool = False
    reviews_answered: int = 0  # 1 after the review (复查), 2 after the re-review (复核)

    @property
    def open_transfers(self) -> int:
        return len(self.open_transfer_departments)


def next_level(level: str) -> str | None:
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def guard(action: str, facts: CaseFacts) -> None:
    """The regulations' guards of ``action`` (raise RuleBroken), asked after the state
    chart and the authority (app/domain/authority.py) have said yes."""
    check_guard = _GUARDS.get(action)
    if check_guard is not None:
        check_guard(facts)


def resolution_level(levels_reached: Iterable[str], current_level: str) -> str:
    """The level a case was resolved at: the highest it reached (levels only go up),
    counted in the village / township / banner funnel."""
    highest = max([current_level, *levels_reached], key=LEVELS.index)
    return FUNNEL_LEVEL[highest]


# --- guards ----------------------------------------------------------------------------
def _accept(facts: CaseFacts) -> None:
    if facts.category_excluded:
        raise RuleBroken(N_("A matter on the non-acceptance list cannot be accepted; "
                            "decline it with a reason and guidance."))
    if not facts.has_entrustment:
        raise RuleBroken(N_("Record the petitioner's signed entrustment before accepting "
                            "the case for agency."))


def _request_escalation(facts: CaseFacts) -> None:
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is already waiting for approval."))
    if next_level(facts.level) is None:
        raise RuleBroken(N_("The case is already with the joint meeting, the highest "
                            "level."))


def _decide_joint_meeting(facts: CaseFacts) -> None:
    if facts.level != "joint_meeting":
        raise RuleBroken(N_("Only a case escalated to the joint meeting can be decided by "
                            "it."))
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is still waiting for approval."))


def _reply_transfer(facts: CaseFacts) -> None:
    if facts.open_transfers <= 0:
        raise RuleBroken(N_("No transfer is waiting for a reply."))


def _extend(facts: CaseFacts) -> None:
    if facts.extended:
        raise RuleBroken(N_("The deadline has already been extended once."))


def _conclude(facts: CaseFacts) -> None:
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is still waiting for approval."))
    if facts.open_transfers > 0:
        raise RuleBroken(N_("Departments have not yet replied to every transfer."))


REVIEW_STAGES = ("review", "re_review")


def next_review_stage(reviews_answered: int) -> str | None:
    """review, then re-review, then nothing: concluded at three levels (三级终结)."""
    return REVIEW_STAGES[reviews_answered] if reviews_answered < len(REVIEW_STAGES) else None


def _request_review(facts: CaseFacts) -> None:
    if facts.review_pending:
        raise RuleBroken(N_("A review request is already waiting for an answer."))
    if next_review_stage(facts.reviews_answered) is None:
        raise RuleBroken(N_("This matter has been through review and re-review and is "
                            "concluded (三级终结); it is not accepted again."))


def _answer_review(facts: CaseFacts) -> None:
    if not facts.review_pending:
        raise RuleBroken(N_("No review request is waiting for an answer."))


def _archive(facts: CaseFacts) -> None:
    if facts.review_pending:
        raise RuleBroken(N_("A review request is still waiting for an answer."))


def _no_pending_escalation(facts: CaseFacts) -> None:
    if facts.pending_escalation_to is not None:
        raise RuleBroken(N_("An escalation request is still waiting for approval."))


_GUARDS = {
    "accept": _accept,
    "request_escalation": _request_escalation,
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
