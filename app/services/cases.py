"""The only code that creates or changes a case. Views, the REST API and the CLI call
these functions; each locks the case row (found within the user's scope), asks the one
authority (app/domain/authority.py: state chart, who holds the case, the regulations'
guards) and the role's permission, and writes the change and its immutable event in
one transaction — or raises a DomainError and changes nothing. ``available_actions``
asks the same question for the case page, the API and the CLI."""

import dataclasses
import datetime
import uuid
from contextlib import contextmanager

from flask import current_app, has_app_context
from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app import clock
from app.domain import authority, deadlines, lifecycle
from app.domain.errors import CaseNotFound, RoleNotAllowed, RuleBroken, StaleCase
from app.domain.lifecycle import N_
from app.extensions import appbuilder, db
from app.models import (
    Case,
    CaseEvent,
    CaseReview,
    Category,
    Channel,
    Department,
    EscalationRequest,
    JointMeeting,
    JointMeetingCase,
    MediationSession,
    Person,
    Place,
    Transfer,
)
from app.models.cases import COLLECTIVE_MIN_HEADS, MAX_REPRESENTATIVES
from app.models.choices import (
    EVALUATIONS,
    MEDIATION_OUTCOMES,
    PURPOSES,
    TERMINATION_REASONS,
    URGENCY,
)
from app.security.confidential import COMPLAINT
from app.security.scope import EVERYTHING, binding_scope, load_in_scope, scope_for_user
from app.services import pickers

LEVEL_OF_PLACE = {"grid": "village", "village": "village", "township": "township",
                  "banner": "banner"}


def _actor_id(user) -> int | None:
    return getattr(user, "id", None)


def today() -> datetime.date:
    return clock.today()


def deadline_rules() -> deadlines.DeadlineRules:
    if has_app_context():
        return deadlines.DeadlineRules.from_config(current_app.config)
    return deadlines.DeadlineRules()


# --- registration ------------------------------------------------------------------------
def prepare_registration(case: Case, user=None) -> None:
    """Fill what registration decides, before the case is first saved. A case arises in
    a village or in one of its grids (a grid worker registers from their grid): the
    village holds it."""
    with db.session.no_autoflush:  # the case is not in the session yet
        place = case.place
        if place is None or not authority.may_register_at(
                actor_of(user), place.path, place.level):
            raise RuleBroken(N_("A case is registered in a village or a grid of your area."))
        if case.responsible_place is None and case.responsible_place_id is None:
            case.responsible_place = place.parent if place.level == "grid" else place
    responsible = case.responsible_place
    case.level = LEVEL_OF_PLACE[responsible.level] if responsible is not None else "village"
    case.state = "registered"
    case.number = case.number or f"TMP-{uuid.uuid4().hex[:12]}"
    case.registered_by_id = _actor_id(user)
    if case.head_count is None:
        case.head_count = 1
    _check_head_count(bool(case.is_group), case.head_count, case.representatives)
    if case.received_on is None:
        case.received_on = clock.today()
    _not_in_future(case.received_on, N_("Received on"))
    earliest = earliest_received_on()
    if case.received_on < earliest:
        raise RuleBroken(N_("%(field)s cannot be before %(other)s."),
                         field=N_("Received on"), other=earliest.isoformat())
    case.acceptance_due_on = deadlines.acceptance_due(case.received_on, deadline_rules())


def earliest_received_on() -> datetime.date:
    """The earliest received date registration takes (CASE_EARLIEST_RECEIVED_ON): older
    matters are a typing error, not a case."""
    value = current_app.config.get("CASE_EARLIEST_RECEIVED_ON") if has_app_context() else None
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return value or datetime.date(2005, 1, 1)


def _check_head_count(is_group: bool, head_count, representatives=None) -> None:
    """Head count, group flag and representatives agree; a value is refused, never
    silently replaced. More than COLLECTIVE_MIN_HEADS people make a collective visit,
    which sends 1 to MAX_REPRESENTATIVES representatives (条例 Art. 20)."""
    if isinstance(head_count, bool) or not isinstance(head_count, int) or head_count < 1:
        raise RuleBroken(N_("%(field)s: enter a whole number."), field=N_("Head count"))
    if not is_group and head_count != 1:
        raise RuleBroken(N_("A petition by more than one person is a group petition: "
                            "tick it, or give a head count of 1."))
    collective = is_group and head_count > COLLECTIVE_MIN_HEADS
    if representatives is None:
        if collective:
            raise RuleBroken(N_("More than %(heads)s people are a collective visit: give "
                                "the number of their representatives (1 to %(most)s)."),
                             heads=COLLECTIVE_MIN_HEADS, most=MAX_REPRESENTATIVES)
        return
    if isinstance(representatives, bool) or not isinstance(representatives, int):
        raise RuleBroken(N_("%(field)s: enter a whole number."), field=N_("Representatives"))
    if not collective:
        raise RuleBroken(N_("Only a collective visit (more than %(heads)s people) has "
                            "representatives: leave the number empty."),
                         heads=COLLECTIVE_MIN_HEADS)
    if not 1 <= representatives <= MAX_REPRESENTATIVES:
        raise RuleBroken(N_("A collective visit sends 1 to %(most)s representatives."),
                         most=MAX_REPRESENTATIVES)


def prepare_assigned(case: Case, user=None, *, time_limit=None) -> None:
    """A case assigned down by the upper-level petition system (交办件) is registered
    like any other, into the screening queue of its place; the time limit the assigning
    system set, when it gives one, is the deadline for the acceptance decision."""
    prepare_registration(case, user)
    if time_limit is not None:
        if time_limit < case.received_on:
            raise RuleBroken(N_("%(field)s cannot be before %(other)s."),
                             field=N_("Time limit"), other=case.received_on.isoformat())
        case.acceptance_due_on = time_limit


def finish_registration(case: Case, user=None, data: dict | None = None) -> None:
    """Give the case its number and its first event (after it has an id)."""
    if case.number.startswith("TMP-"):
        case.number = f"{case.received_on.year}{case.id:08d}"
    db.session.add(
        CaseEvent(
            case_id=case.id,
            user_id=_actor_id(user),
            action="register",
            from_state=None,
            to_state="registered",
            data=data or None,
        )
    )


def register(case: Case, user=None) -> Case:
    """Register a case and write its first event; the caller's commit saves both
    (FAB's add commits right after pre_add)."""
    prepare_registration(case, user)
    db.session.add(case)
    db.session.flush()
    finish_registration(case, user)
    return case


# --- who, where, what now -------------------------------------------------------------------
def roles_of(user) -> set[str]:
    """A user's role names; no user (the CLI, a job) acts as the system, like Admin."""
    if user is None:
        return {lifecycle.ADMIN}
    return {role.name for role in user.roles}


def actor_of(user) -> authority.Actor:
    """The plain values the authority decides from."""
    if user is None:
        return authority.SYSTEM
    place = getattr(user, "place", None)
    return authority.Actor(
        roles=frozenset(roles_of(user)),
        user_id=user.id,
        place_path=place.path if place is not None else None,
        place_level=place.level if place is not None else None,
        department_id=getattr(user, "department_id", None),
        person_id=getattr(user, "person_id", None),
    )


def _scope(user):
    return EVERYTHING if user is None else scope_for_user(user)


def _pending_escalation(case_id: int, lock: bool = False) -> EscalationRequest | None:
    stmt = select(EscalationRequest).where(
        EscalationRequest.case_id == case_id, EscalationRequest.status == "pending"
    )
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).first()


def _open_transfer_departments(case_id: int) -> frozenset:
    return frozenset(db.session.scalars(
        select(Transfer.department_id).where(Transfer.case_id == case_id,
                                             Transfer.status == "open")
    ))


def _reviews(case_id: int) -> list[CaseReview]:
    return list(db.session.scalars(
        select(CaseReview).where(CaseReview.case_id == case_id).order_by(CaseReview.id)
        .execution_options(populate_existing=True)
    ))


def facts_of(case: Case) -> lifecycle.CaseFacts:
    pending = _pending_escalation(case.id)
    reviews = _reviews(case.id)
    return lifecycle.CaseFacts(
        state=case.state,
        level=case.level,
        place_path=case.place.path if case.place is not None else None,
        responsible_place_path=(case.responsible_place.path
                                if case.responsible_place is not None else None),
        agent_id=case.agent_id,
        case_leader_id=case.case_leader_id,
        registered_by_id=case.registered_by_id,
        category_excluded=case.category is not None and case.category.list == "excluded",
        has_entrustment=bool(case.entrustment_signer and case.entrustment_signed_on),
        pending_escalation_to=pending.to_level if pending else None,
        pending_requested_by_id=pending.requested_by_id if pending else None,
        extended=case.extension_days is not None,
        open_transfer_departments=_open_transfer_departments(case.id),
        evaluated=case.evaluation is not None,
        review_pending=any(r.status == "pending" for r in reviews),
        reviews_answered=sum(r.status == "answered" for r in reviews),
    )


def _permission(action: str) -> str:
    return "can_write" if action == "edit_details" else f"can_{action}"


def permitted(user, action: str) -> bool:
    """The role's permission for ``action`` on Case (an administrator may revoke one
    from a role in the UI); the system has every one."""
    if user is None:
        return True
    role_ids = [role.id for role in user.roles]
    return bool(role_ids) and appbuilder.sm.exist_permission_on_roles(
        "Case", _permission(action), role_ids)


def refusal(action: str, case: Case, user, facts=None):
    """Why ``user`` may not take ``action`` on ``case`` now, or None if they may: the
    one authority, then the role's permission."""
    facts = facts or facts_of(case)
    refused = authority.decide(action, actor_of(user), facts)
    if refused is None and not permitted(user, action):
        refused = RoleNotAllowed(N_("Your role may not take this action."))
    return refused


def available_actions(case: Case, user, with_details: bool = False) -> list[str]:
    """The actions ``user`` may take on ``case`` right now: the case page's buttons, and
    (``with_details``: editing the details too) the API's and the CLI's list."""
    actions = (*lifecycle.CASE_ACTIONS, "edit_details") if with_details else \
        lifecycle.CASE_ACTIONS
    offered = authority.available(actor_of(user), facts_of(case), actions)
    return [action for action in offered if permitted(user, action)]


def awaiting_approval_clause(user, scope=None):
    """SQL over EscalationRequest (joined to its Case and the case's Place) for the
    pending escalations ``user`` may decide: the levels the authority says they approve
    (``authority.approvable_levels``), cases in their area, not their own requests —
    the approvals inbox and its counts use it; a test proves it lists exactly the cases
    whose page offers approve_escalation. ``scope``: also within this data scope, tested
    in the same probe of the case (the navbar counts it on every page)."""
    actor = actor_of(user)
    levels = authority.approvable_levels(actor)
    if not levels or not permitted(user, "approve_escalation"):
        return false()
    clauses = [EscalationRequest.status == "pending", EscalationRequest.to_level.in_(levels)]
    # an account bound to the banner at the root of the tree covers every case: no test
    area = None if actor.is_admin or binding_scope(user).everything else actor.place_path
    township = _township_tested(area, scope)
    if township is not None:
        # a township's requests carry it (ix_escalation_township_pending): no probe
        clauses.append(EscalationRequest.township_id == township)
    else:
        case_tests = [Case.subtree_clause(area)] if area is not None else []
        if scope is not None and not scope.everything:
            case_tests.append(Case.scope_clause(scope))
        if case_tests:
            clauses.append(exists(select(Case.id).where(
                Case.id == EscalationRequest.case_id, *case_tests)))
    if actor.user_id is not None:
        clauses.append(or_(EscalationRequest.requested_by_id.is_(None),
                           EscalationRequest.requested_by_id != actor.user_id))
    return and_(true(), *clauses)


def single_township(scope) -> int | None:
    """The id of the township whose subtree is exactly what ``scope`` reaches of the
    cases (a township clerk's), else None: such cases carry it (``township_id``), and
    its counts are kept per township (case_stat_town)."""
    return _township_tested(None, scope)


def _township_tested(area, scope):
    """The id of the township when each test of the case ``awaiting_approval_clause``
    would make — the subtree ``area`` (None: no such test) and the data scope — is
    that township's subtree (a township clerk's): the requests then carry it. None
    otherwise."""
    paths = {area} if area is not None else set()
    if scope is not None and not scope.everything:
        if (scope.case_ids or scope.own_cases is not None or scope.department_id is not None
                or not scope.case_paths):
            return None
        paths.update(scope.case_paths)
    if len(paths) != 1:
        return None
    path = paths.pop()
    return Place.id_by_path(path) if path and path.count("/") == 3 else None


def answerable_transfers_clause(user):
    """SQL over Transfer for the transfers ``user`` answers (their department's)."""
    actor = actor_of(user)
    if actor.is_admin:
        return true()
    if actor.department_id is None or lifecycle.DEPARTMENT_STAFF not in actor.roles:
        return false()
    return Transfer.department_id == actor.department_id


def may_edit_details(case: Case, user) -> bool:
    return refusal("edit_details", case, user) is None


# --- the transaction every action runs in --------------------------------------------------
@dataclasses.dataclass
class Acting:
    case: Case
    facts: lifecycle.CaseFacts
    target: str
    from_state: str
    comment: str | None = None
    attachment: str | None = None
    data: dict = dataclasses.field(default_factory=dict)
    unchanged: bool = False  # set by an action that found nothing to change


def _load_for_update(case_id, user, expected_version) -> Case:
    case = load_in_scope(Case, case_id, _scope(user), lock=True)
    if case is None:
        raise CaseNotFound(N_("There is no such case in your area."))
    if expected_version not in (None, "") and str(expected_version) != str(case.version):
        raise StaleCase(N_("Someone else has acted on this case since you opened it. "
                           "Reload the page and try again; nothing was changed."))
    return case


@contextmanager
def _acting(action, case_id, user, version=None, **fact_overrides):
    """Lock the case, check the rule, let the caller change it, then write the event and
    commit; any refusal or failure rolls everything back."""
    try:
        case = _load_for_update(case_id, user, version)
        facts = dataclasses.replace(facts_of(case), **fact_overrides)
        refused = refusal(action, case, user, facts)
        if refused is not None:
            raise refused
        target = lifecycle.CHART[action].target_from(facts.state)
        acting = Acting(case=case, facts=facts, target=target, from_state=case.state)
        yield acting
        if acting.unchanged:
            db.session.rollback()
            return
        case.state = acting.target
        flag_modified(case, "state")  # every action makes older pages stale
        db.session.add(
            CaseEvent(
                case_id=case.id,
                user_id=_actor_id(user),
                action=action,
                from_state=acting.from_state,
                to_state=acting.target,
                comment=acting.comment,
                attachment=acting.attachment,
                data=acting.data or None,
            )
        )
        db.session.commit()
    except StaleDataError as err:
        db.session.rollback()
        raise StaleCase(N_("Someone else has acted on this case since you opened it. "
                           "Reload the page and try again; nothing was changed.")) from err
    except BaseException:
        db.session.rollback()
        raise


def _required(value, field: str):
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuleBroken(N_("Please fill in: %(field)s."), field=field)
    return value.strip() if isinstance(value, str) else value


def _person_in_scope(person_id, user, field: str, duty: str = "person") -> Person:
    """The person chosen for a field: in the user's area and holding the duty the field
    needs (app/services/pickers.py — the same statement the page's picker offers)."""
    _required(person_id, field)
    person = pickers.chosen(duty, _scope(user), person_id)
    if person is None:
        if duty != "person" and pickers.chosen("person", _scope(user), person_id):
            raise RuleBroken(N_("The person chosen for %(field)s does not hold that duty."),
                             field=field)
        raise RuleBroken(N_("The person chosen for %(field)s is not in your area."),
                         field=field)
    return person


def _departments(department_ids) -> list[Department]:
    ids = sorted({int(i) for i in department_ids or []})
    if not ids:
        raise RuleBroken(N_("Choose at least one department."))
    found = db.session.scalars(select(Department).where(Department.id.in_(ids))).all()
    if len(found) != len(ids):
        raise RuleBroken(N_("Unknown department."))
    return list(found)


def _not_in_future(day: datetime.date, field: str, not_before=None,
                   not_before_field: str | None = None) -> datetime.date:
    """A date the user gives: not in the future, nor before the case's own date it
    follows (the entrustment after receipt, a follow-up after conclusion…)."""
    if day > today():
        raise RuleBroken(N_("%(field)s cannot be in the future."), field=field)
    if not_before is not None and day < not_before:
        raise RuleBroken(N_("%(field)s cannot be before %(other)s."), field=field,
                         other=not_before_field)
    return day


# --- the actions ------------------------------------------------------------------------------
def accept(case_id, user, *, entrustment_signer, entrustment_signed_on, entrustment_file=None,
           agent_id=None, comment=None, version=None):
    """Accept for agency: the signed entrustment is recorded with the acceptance."""
    signed = bool(entrustment_signer and str(entrustment_signer).strip()
                  and entrustment_signed_on)
    with _acting("accept", case_id, user, version, has_entrustment=signed) as a:
        case = a.case
        case.entrustment_signer = entrustment_signer.strip()
        case.entrustment_signed_on = _not_in_future(
            entrustment_signed_on, N_("Entrustment signed on"), case.received_on,
            N_("Received on"))
        case.entrustment_file = entrustment_file or None
        if agent_id not in (None, ""):
            case.agent = _person_in_scope(agent_id, user, N_("Agent"), "agent")
        elif case.agent_id is None and getattr(user, "person_id", None):
            case.agent_id = user.person_id
        case.accepted_on = today()
        case.due_on = deadlines.conclusion_due(case.accepted_on, case.urgency,
                                               deadline_rules())
        a.comment = comment
        a.attachment = case.entrustment_file
        a.data = {"due_on": case.due_on.isoformat()}
    return a.case


def decline(case_id, user, *, reason, guidance=None, comment=None, version=None):
    """Not accepted: the reason and where to go instead are recorded (and printable)."""
    with _acting("decline", case_id, user, version) as a:
        case = a.case
        case.decline_reason = _required(reason, N_("Reason"))
        case.decline_guidance_from_category = not (guidance and str(guidance).strip())
        guidance = guidance or (case.category.guidance if case.category else "")
        case.decline_guidance = _required(guidance, N_("Guidance"))
        a.comment = comment or case.decline_reason
    return a.case


def assign_agent(case_id, user, *, agent_id, comment=None, version=None):
    with _acting("assign_agent", case_id, user, version) as a:
        old = a.case.agent_id
        a.case.agent = _person_in_scope(agent_id, user, N_("Agent"), "agent")
        a.comment = comment
        a.data = {"from_agent_id": old, "to_agent_id": a.case.agent.id}
    return a.case


def record_progress(case_id, user, *, comment, attachment=None, version=None):
    with _acting("record_progress", case_id, user, version) as a:
        a.comment = _required(comment, N_("Progress"))
        a.attachment = attachment or None
    return a.case


def record_mediation(case_id, user, *, mediator_id, held_on, parties, outcome,
                     agreement=None, judicially_confirmed=False, comment=None, version=None):
    with _acting("record_mediation", case_id, user, version) as a:
        if outcome not in MEDIATION_OUTCOMES:
            raise RuleBroken(N_("Choose an outcome."))
        session = MediationSession(
            case_id=a.case.id,
            mediator=_person_in_scope(mediator_id, user, N_("Mediator"), "mediator"),
            place_id=a.case.responsible_place_id,
            held_on=_not_in_future(_required(held_on, N_("Held on")), N_("Held on"),
                                   a.case.received_on, N_("Received on")),
            parties=_required(parties, N_("Parties")),
            outcome=outcome,
            agreement=agreement or None,
            judicially_confirmed=bool(judicially_confirmed),
        )
        db.session.add(session)
        db.session.flush()
        a.comment = comment or agreement
        a.data = {"mediation_session_id": session.id, "outcome": outcome}
    return a.case


def request_escalation(case_id, user, *, reason, version=None):
    """Ask the next level to take the case (beyond this level's powers)."""
    with _acting("request_escalation", case_id, user, version) as a:
        to_level = lifecycle.next_level(a.case.level)
        request = EscalationRequest(
            case_id=a.case.id,
            from_level=a.case.level,
            to_level=to_level,
            reason=_required(reason, N_("Reason")),
            requested_by_id=_actor_id(user),
        )
        db.session.add(request)
        db.session.flush()
        a.comment = request.reason
        a.data = {"escalation_id": request.id, "from_level": request.from_level,
                  "to_level": to_level}
    return a.case


def escalation_target_place(case: Case, to_level: str):
    """The place that takes the case when it moves up to ``to_level``."""
    place = case.responsible_place
    if to_level == "joint_meeting":
        return place
    while place is not None and LEVEL_OF_PLACE.get(place.level) != to_level:
        place = place.parent
    return place


def approve_escalation(case_id, user, *, comment=None, version=None):
    """The case moves up one level, to a new responsible place; its agent stays with
    it (一人受理、全程代办) — the new level may assign another with assign_agent."""
    with _acting("approve_escalation", case_id, user, version) as a:
        request = _pending_escalation(a.case.id, lock=True)
        if request is None:  # decided by someone else a moment ago
            raise StaleCase(N_("This escalation has already been decided."))
        target_place = escalation_target_place(a.case, request.to_level)
        if target_place is None:
            raise RuleBroken(N_("There is no place at the next level above this case's "
                                "responsible place."))
        request.status = "approved"
        request.decided_by_id = _actor_id(user)
        request.decided_at = clock.now()
        request.comment = comment or None
        a.case.level = request.to_level
        a.case.responsible_place = target_place
        a.comment = comment
        a.data = {"escalation_id": request.id, "from_level": request.from_level,
                  "to_level": request.to_level, "responsible_place_id": target_place.id}
    return a.case


def send_back_escalation(case_id, user, *, comment, version=None):
    with _acting("send_back_escalation", case_id, user, version) as a:
        request = _pending_escalation(a.case.id, lock=True)
        if request is None:
            raise StaleCase(N_("This escalation has already been decided."))
        request.status = "sent_back"
        request.decided_by_id = _actor_id(user)
        request.decided_at = clock.now()
        request.comment = _required(comment, N_("Comment"))
        a.comment = request.comment
        a.data = {"escalation_id": request.id, "to_level": request.to_level}
    return a.case


def default_reply_by(department: Department, case_due, rules=None) -> datetime.date:
    """A department's reply-by date when none is given: its configured reply days from
    today, kept within the case's own deadline."""
    due = deadlines.add_days(today(), department.reply_days, rules or deadline_rules())
    if case_due is not None and case_due >= today():
        due = min(due, case_due)
    return due


def reply_by_bounds(case: Case) -> tuple[datetime.date, datetime.date | None]:
    """The earliest and latest reply-by date a transfer of ``case`` takes."""
    due = case.effective_due_on
    return today(), (due if due is not None and due >= today() else None)


def _open_transfers_to(case: Case, departments, reply_by=None, case_due=None
                       ) -> list[Transfer]:
    """One transfer per department, each with its own reply-by date: the one given for
    that department (``reply_by`` is a date for all of them or a mapping department id →
    date), else the department's configured reply days — never in the past, never after
    the case's own deadline (a date given is refused, a default is kept within it)."""
    already = set(db.session.scalars(
        select(Transfer.department_id).where(Transfer.case_id == case.id,
                                             Transfer.status == "open")
    ))
    case_due = case_due or case.effective_due_on
    rules = deadline_rules()
    transfers = []
    for department in departments:
        if case.purpose == COMPLAINT and department.id == case.accused_department_id:
            # 《信访工作条例》 Art. 30: an accusation is never handed to the accused
            raise RuleBroken(N_("This case is an accusation against %(name)s: it cannot be "
                                "transferred to the department it accuses."),
                             name=str(department))
        if department.id in already:
            raise RuleBroken(N_("The case is already waiting for a reply from %(name)s."),
                             name=str(department))
        given = (reply_by.get(department.id, reply_by.get(None))
                 if isinstance(reply_by, dict) else reply_by)
        if given:
            if given < today():
                raise RuleBroken(N_("%(field)s cannot be in the past."), field=N_("Reply by"))
            if case_due is not None and given > case_due:
                raise RuleBroken(N_("%(field)s cannot be after the case's deadline "
                                    "(%(date)s)."), field=N_("Reply by"),
                                 date=case_due.isoformat())
            due = given
        else:
            due = default_reply_by(department, case_due, rules)
        transfer = Transfer(case_id=case.id, department_id=department.id, due_on=due)
        db.session.add(transfer)
        transfers.append(transfer)
    db.session.flush()
    return transfers


def decide_joint_meeting(case_id, user, *, case_leader_id, person_in_charge_id,
                         working_group, plan, department_ids, due_on, response_plan=None,
                         meeting_id=None, held_on=None, topic=None, version=None):
    """"六个一": a 包案领导, a working group, a person in charge, a plan, the departments
    the case is transferred to, and a deadline."""
    with _acting("decide_joint_meeting", case_id, user, version) as a:
        case = a.case
        due_on = _required(due_on, N_("Deadline"))
        if due_on <= today():
            raise RuleBroken(N_("The deadline must be after today."))
        if meeting_id not in (None, ""):
            meeting = load_in_scope(JointMeeting, int(meeting_id), _scope(user))
            if meeting is None:
                raise RuleBroken(N_("There is no such joint meeting in your area."))
        else:
            meeting = JointMeeting(held_on=held_on or today(), place=case.responsible_place,
                                   topic=topic or case.title)
            db.session.add(meeting)
        leader = _person_in_scope(case_leader_id, user, N_("Case-responsible leader"),
                                  "case_leader")
        item = JointMeetingCase(
            meeting=meeting,
            case_id=case.id,
            case_leader=leader,
            person_in_charge=_person_in_scope(person_in_charge_id, user,
                                              N_("Person in charge")),
            working_group=_required(working_group, N_("Working group")),
            plan=_required(plan, N_("Plan")),
            response_plan=response_plan or None,
            due_on=due_on,
        )
        db.session.add(item)
        transfers = _open_transfers_to(case, _departments(department_ids), case_due=due_on)
        case.case_leader = leader
        case.due_on = due_on
        a.comment = item.plan
        a.data = {"joint_meeting_id": meeting.id, "case_leader_id": leader.id,
                  "department_ids": [t.department_id for t in transfers],
                  "due_on": due_on.isoformat()}
    return a.case


def transfer(case_id, user, *, department_ids, due_on=None, comment=None, version=None):
    """交办: the case goes to stationed departments, each with a reply-by date of its own
    (``due_on``: one date for all, or department id → date)."""
    with _acting("transfer", case_id, user, version) as a:
        transfers = _open_transfers_to(a.case, _departments(department_ids), due_on)
        a.comment = comment
        a.data = {"department_ids": [t.department_id for t in transfers],
                  "due_on": {str(t.department_id): t.due_on.isoformat() for t in transfers}}
    return a.case


def reply_transfer(case_id, user, *, reply, transfer_id=None, version=None):
    """A stationed department answers the transfer addressed to it."""
    with _acting("reply_transfer", case_id, user, version) as a:
        stmt = select(Transfer).where(Transfer.case_id == a.case.id, Transfer.status == "open")
        if transfer_id not in (None, ""):
            stmt = stmt.where(Transfer.id == int(transfer_id))
        department_id = getattr(user, "department_id", None)
        if lifecycle.ADMIN not in roles_of(user):
            stmt = stmt.where(Transfer.department_id == department_id)
        item = db.session.scalars(stmt.with_for_update().order_by(Transfer.id)).first()
        if item is None:
            raise RuleBroken(N_("No transfer to your department is waiting for a reply."))
        item.status = "replied"
        item.reply = _required(reply, N_("Reply"))
        item.replied_at = clock.now()
        a.comment = item.reply
        a.data = {"transfer_id": item.id, "department_id": item.department_id,
                  "on_time": item.on_time}
    return a.case


def extend_deadline(case_id, user, *, days, reason, version=None):
    """One extension of at most 30 days, approved by the unit's head (this action)."""
    with _acting("extend_deadline", case_id, user, version) as a:
        case = a.case
        reason = _required(reason, N_("Reason"))
        if case.due_on is None:
            raise RuleBroken(N_("The case has no deadline to extend."))
        old = case.due_on
        case.due_on = deadlines.extended_due(old, int(days), case.extension_days is not None,
                                             deadline_rules())
        case.extension_days = int(days)
        a.comment = reason
        a.data = {"days": int(days), "from_due_on": old.isoformat(),
                  "to_due_on": case.due_on.isoformat()}
    return a.case


def supervise(case_id, user, *, comment, version=None):
    """督办: a leader flags the case; the flag shows on every list."""
    with _acting("supervise", case_id, user, version) as a:
        a.case.supervised = True
        a.comment = _required(comment, N_("Comment"))
    return a.case


def _levels_reached(case: Case) -> list[str]:
    return list(db.session.scalars(
        select(EscalationRequest.to_level).where(EscalationRequest.case_id == case.id,
                                                 EscalationRequest.status == "approved")
    ))


def conclude(case_id, user, *, reply, attachment=None, version=None):
    """办结: a written reply; the resolution level comes from the case's history."""
    with _acting("conclude", case_id, user, version) as a:
        case = a.case
        case.reply = _required(reply, N_("Written reply"))
        case.concluded_on = today()
        case.resolution_level = lifecycle.resolution_level(_levels_reached(case), case.level)
        a.comment = case.reply
        a.attachment = attachment or None
        a.data = {"resolution_level": case.resolution_level}
    return a.case


def evaluate(case_id, user, *, evaluation, comment=None, version=None):
    with _acting("evaluate", case_id, user, version) as a:
        if evaluation not in EVALUATIONS:
            raise RuleBroken(N_("Choose an evaluation."))
        a.case.evaluation = evaluation
        a.comment = comment
        a.data = {"evaluation": evaluation}
    return a.case


def follow_up(case_id, user, *, note, stop_agreement=False, followed_up_on=None,
              version=None):
    """回访, and whether the petitioner signed an agreement to stop petitioning."""
    with _acting("follow_up", case_id, user, version) as a:
        case = a.case
        case.followup_note = _required(note, N_("Follow-up note"))
        case.followed_up_on = _not_in_future(followed_up_on or today(), N_("Followed up on"),
                                             case.concluded_on, N_("Concluded on"))
        case.stop_agreement = bool(stop_agreement)
        a.comment = case.followup_note
        a.data = {"stop_agreement": case.stop_agreement}
    return a.case


def request_review(case_id, user, *, reason, requested_on=None, version=None):
    """复查, then 复核: asked within 30 days of the written answer it contests; the
    next level answers within 30 days."""
    with _acting("request_review", case_id, user, version) as a:
        case = a.case
        answered = [r for r in _reviews(case.id) if r.status == "answered"]
        last_answer_on = answered[-1].answered_on if answered else case.concluded_on
        requested_on = _not_in_future(requested_on or today(), N_("Requested on"))
        rules = deadline_rules()
        deadlines.check_review_window(last_answer_on, requested_on, rules)
        review = CaseReview(
            case_id=case.id,
            stage=lifecycle.next_review_stage(len(answered)),
            reason=_required(reason, N_("Reason")),
            requested_on=requested_on,
            requested_by_id=_actor_id(user),
            answer_due_on=deadlines.review_answer_due(requested_on, rules),
        )
        db.session.add(review)
        db.session.flush()
        a.comment = review.reason
        a.data = {"review_id": review.id, "stage": review.stage,
                  "answer_due_on": review.answer_due_on.isoformat()}
    return a.case


def answer_review(case_id, user, *, opinion, upheld=False, version=None):
    with _acting("answer_review", case_id, user, version) as a:
        review = db.session.scalars(
            select(CaseReview).where(CaseReview.case_id == a.case.id,
                                     CaseReview.status == "pending").with_for_update()
        ).first()
        review.status = "answered"
        review.opinion = _required(opinion, N_("Opinion"))
        review.upheld = bool(upheld)
        review.answered_on = today()
        review.answered_by_id = _actor_id(user)
        a.comment = review.opinion
        a.data = {"review_id": review.id, "stage": review.stage, "upheld": review.upheld,
                  "on_time": review.on_time}
    return a.case


def archive(case_id, user, *, comment=None, version=None):
    """整理归档: after this the case is read-only for everyone."""
    with _acting("archive", case_id, user, version) as a:
        a.case.archived_on = today()
        a.comment = comment
    return a.case


def terminate(case_id, user, *, reason, comment=None, version=None):
    with _acting("terminate", case_id, user, version) as a:
        if reason not in TERMINATION_REASONS:
            raise RuleBroken(N_("Choose a reason for termination."))
        a.case.termination_reason = reason
        a.comment = comment
        a.data = {"reason": reason}
    return a.case




# --- the details of the matter ------------------------------------------------------------
# input name → column (relations are given by id, as in the REST API's payloads)
DETAIL_FIELDS = {"channel": "channel_id", "category": "category_id", "purpose": "purpose",
                 "urgency": "urgency", "title": "title", "description": "description",
                 "demand": "demand", "is_group": "is_group", "head_count": "head_count",
                 "representatives": "representatives",
                 "is_repeat": "is_repeat", "skipped_level": "skipped_level",
                 # an accusation's accused unit (its staff never see the petitioner)
                 "accused_department": "accused_department_id",
                 "accused_place": "accused_place_id"}
_DETAIL_LABELS = {"channel": N_("Channel"), "category": N_("Category"),
                  "purpose": N_("Purpose"), "urgency": N_("Urgency"), "title": N_("Title"),
                  "description": N_("Description"), "demand": N_("Demand"),
                  "head_count": N_("Head count"), "representatives": N_("Representatives")}


def _detail_value(name: str, value):
    """A detail as the case stores it, or RuleBroken with the field's name."""
    label = _DETAIL_LABELS.get(name, name)
    if name in ("accused_department", "accused_place"):
        if value in (None, ""):
            return None
        model = Department if name == "accused_department" else Place
        row = db.session.get(model, value) if isinstance(value, int) and \
            not isinstance(value, bool) else None
        if row is None or getattr(row, "level", None) == "grid":
            raise RuleBroken(N_("%(field)s: choose one of the options."), field=label)
        return row.id
    if name in ("channel", "category"):
        model = Channel if name == "channel" else Category
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleBroken(N_("%(field)s: choose one of the options."), field=label)
        row = db.session.get(model, value)
        if row is None or not getattr(row, "active", True):
            raise RuleBroken(N_("%(field)s: choose one of the options."), field=label)
        return row.id
    if name in ("purpose", "urgency"):
        if value not in (PURPOSES if name == "purpose" else URGENCY):
            raise RuleBroken(N_("%(field)s: choose one of the options."), field=label)
        return value
    if name in ("title", "description", "demand"):
        return _required(value, label)
    if name == "head_count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise RuleBroken(N_("%(field)s: enter a whole number."), field=label)
        return value
    if name == "representatives":
        if value in (None, ""):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise RuleBroken(N_("%(field)s: enter a whole number."), field=label)
        return value
    return bool(value)


def _urgency_due(case: Case, urgency: str):
    """The deadline an urgency sets for an accepted case (with its extension)."""
    rules = deadline_rules()
    due = deadlines.conclusion_due(case.accepted_on, urgency, rules)
    if case.extension_days:
        due = deadlines.add_days(due, case.extension_days, rules)
    return due


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def edit_details(case_id, user, *, version=None, comment=None, **changes):
    """Change the details of the matter (channel, category, purpose, urgency, title,
    description, demand, head count, flags) — the edit page and PUT /api/v1/cases/<pk>.
    The event records each field before and after; a new urgency moves the deadline it
    had set (not one a joint meeting or an extension decided otherwise), and the
    history says so. Nothing changed → no event."""
    unknown = sorted(set(changes) - set(DETAIL_FIELDS))
    if unknown:
        raise RuleBroken(N_("These fields cannot be changed here: %(fields)s."),
                         fields=", ".join(unknown))
    with _acting("edit_details", case_id, user, version) as a:
        case = a.case
        values = {DETAIL_FIELDS[name]: _detail_value(name, value)
                  for name, value in changes.items()}
        if {"is_group", "head_count", "representatives"} & set(values):
            _check_head_count(values.get("is_group", case.is_group),
                              values.get("head_count", case.head_count),
                              values.get("representatives", case.representatives))
        before, after = {}, {}
        for name, value in values.items():
            old = getattr(case, name)
            if old != value:
                before[name], after[name] = old, value
        if not after:
            a.unchanged = True
            return case
        old_urgency = case.urgency
        for name, value in after.items():
            setattr(case, name, value)
        if ("urgency" in after and case.accepted_on is not None and case.due_on is not None
                and case.state in lifecycle.OPEN_STATES
                and case.due_on == _urgency_due(case, old_urgency)):
            new_due = _urgency_due(case, case.urgency)
            if new_due != case.due_on:
                before["due_on"], after["due_on"] = case.due_on, new_due
                case.due_on = new_due
        a.comment = comment or None
        a.data = {"before": {k: _jsonable(v) for k, v in before.items()},
                  "after": {k: _jsonable(v) for k, v in after.items()}}
    return a.case


def check_editable(case: Case) -> None:
    """Details of an archived case never change (the edit form and the API's PUT)."""
    if case.state == lifecycle.ARCHIVED:
        raise RuleBroken(N_("This case is archived and can no longer be changed."))


ACTION_FUNCTIONS = {
    "accept": accept,
    "decline": decline,
    "assign_agent": assign_agent,
    "record_progress": record_progress,
    "record_mediation": record_mediation,
    "request_escalation": request_escalation,
    "approve_escalation": approve_escalation,
    "send_back_escalation": send_back_escalation,
    "decide_joint_meeting": decide_joint_meeting,
    "transfer": transfer,
    "reply_transfer": reply_transfer,
    "extend_deadline": extend_deadline,
    "supervise": supervise,
    "conclude": conclude,
    "evaluate": evaluate,
    "follow_up": follow_up,
    "request_review": request_review,
    "answer_review": answer_review,
    "archive": archive,
    "terminate": terminate,
    "edit_details": edit_details,
}
