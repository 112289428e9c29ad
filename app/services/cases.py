"""The only code that creates or changes a case. Views, the REST API and the CLI call
these functions; each checks the state chart (app/domain/lifecycle.py), the user's role
and scope, locks the case row, and writes the change and its immutable event in one
transaction — or raises a DomainError and changes nothing."""

import dataclasses
import datetime
import uuid
from contextlib import contextmanager

from flask import current_app, has_app_context
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.domain import deadlines, lifecycle
from app.domain.errors import CaseNotFound, RoleNotAllowed, RuleBroken, StaleCase
from app.domain.lifecycle import N_
from app.extensions import db
from app.models import (
    Case,
    CaseEvent,
    CaseReview,
    Department,
    EscalationRequest,
    JointMeeting,
    JointMeetingCase,
    MediationSession,
    Person,
    Transfer,
)
from app.models.choices import EVALUATIONS, MEDIATION_OUTCOMES, TERMINATION_REASONS
from app.security.scope import EVERYTHING, scope_for_user

LEVEL_OF_PLACE = {"grid": "village", "village": "village", "township": "township",
                  "banner": "banner"}


def _actor_id(user) -> int | None:
    return getattr(user, "id", None)


def today() -> datetime.date:
    return datetime.date.today()


def deadline_rules() -> deadlines.DeadlineRules:
    if has_app_context():
        return deadlines.DeadlineRules.from_config(current_app.config)
    return deadlines.DeadlineRules()


# --- registration ------------------------------------------------------------------------
def prepare_registration(case: Case, user=None) -> None:
    """Fill what registration decides, before the case is first saved."""
    if case.place is not None and case.place.level == "grid":
        case.place = case.place.parent
    if case.responsible_place is None and case.responsible_place_id is None:
        case.responsible_place = case.place
    responsible = case.responsible_place
    case.level = LEVEL_OF_PLACE[responsible.level] if responsible is not None else "village"
    case.state = "registered"
    case.number = case.number or f"TMP-{uuid.uuid4().hex[:12]}"
    case.registered_by_id = _actor_id(user)
    if not case.is_group:
        case.head_count = 1
    if case.received_on is None:
        case.received_on = datetime.date.today()
    case.acceptance_due_on = deadlines.acceptance_due(case.received_on, deadline_rules())


def finish_registration(case: Case, user=None) -> None:
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


def _scope(user):
    return EVERYTHING if user is None else scope_for_user(user)


def _pending_escalation(case_id: int, lock: bool = False) -> EscalationRequest | None:
    stmt = select(EscalationRequest).where(
        EscalationRequest.case_id == case_id, EscalationRequest.status == "pending"
    )
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalars(stmt.execution_options(populate_existing=True)).first()


def _open_transfers(case_id: int) -> int:
    return db.session.scalar(
        select(func.count(Transfer.id)).where(Transfer.case_id == case_id,
                                              Transfer.status == "open")
    )


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
        category_excluded=case.category is not None and case.category.list == "excluded",
        has_entrustment=bool(case.entrustment_signer and case.entrustment_signed_on),
        pending_escalation_to=pending.to_level if pending else None,
        extended=case.extension_days is not None,
        open_transfers=_open_transfers(case.id),
        evaluated=case.evaluation is not None,
        review_pending=any(r.status == "pending" for r in reviews),
        reviews_answered=sum(r.status == "answered" for r in reviews),
    )


def available_actions(case: Case, user) -> list[str]:
    """The actions ``user`` may take on ``case`` right now (the case page's buttons)."""
    roles = roles_of(user)
    facts = facts_of(case)
    actions = lifecycle.available_actions(facts, roles)
    return [a for a in actions if _personal_refusal(a, case, user, roles) is None]


def _personal_refusal(action: str, case: Case, user, roles: set[str]):
    """A case-responsible leader acts only on the cases they lead; department staff
    reply only when a transfer to their own department is open. Returns the refusal."""
    if action == "reply_transfer" and lifecycle.ADMIN not in roles:
        department_id = getattr(user, "department_id", None)
        open_for_me = department_id is not None and db.session.scalar(
            select(func.count(Transfer.id)).where(
                Transfer.case_id == case.id, Transfer.status == "open",
                Transfer.department_id == department_id)
        ) > 0
        if not open_for_me:
            return RuleBroken(N_("No transfer to your department is waiting for a reply."))
    others = lifecycle.CHART[action].roles - {lifecycle.CASE_LEADER}
    if lifecycle.CASE_LEADER in roles and not roles & others and (
        case.case_leader_id is None
        or case.case_leader_id != getattr(user, "person_id", None)
    ):
        return RoleNotAllowed(N_("Only the case's responsible leader may do this."))
    return None


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


def _load_for_update(case_id, user, expected_version) -> Case:
    stmt = (
        select(Case)
        .where(Case.id == case_id, Case.scope_clause(_scope(user)))
        .with_for_update(of=Case)
        .execution_options(populate_existing=True)
    )
    case = db.session.scalars(stmt).first()
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
        roles = roles_of(user)
        target = lifecycle.check(action, facts, roles)
        refusal = _personal_refusal(action, case, user, roles)
        if refusal is not None:
            raise refusal
        acting = Acting(case=case, facts=facts, target=target, from_state=case.state)
        yield acting
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


def _person_in_scope(person_id, user, field: str) -> Person:
    _required(person_id, field)
    person = db.session.scalars(
        select(Person).where(Person.id == int(person_id), Person.scope_clause(_scope(user)))
    ).first()
    if person is None:
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


def _not_in_future(day: datetime.date, field: str) -> datetime.date:
    if day > today():
        raise RuleBroken(N_("%(field)s cannot be in the future."), field=field)
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
        case.entrustment_signed_on = _not_in_future(entrustment_signed_on,
                                                    N_("Entrustment signed on"))
        case.entrustment_file = entrustment_file or None
        if agent_id not in (None, ""):
            case.agent = _person_in_scope(agent_id, user, N_("Agent"))
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
        a.case.agent = _person_in_scope(agent_id, user, N_("Agent"))
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
            mediator=_person_in_scope(mediator_id, user, N_("Mediator")),
            place_id=a.case.responsible_place_id,
            held_on=_not_in_future(_required(held_on, N_("Held on")), N_("Held on")),
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


def _check_approver_place(user, target_place) -> None:
    """The approver works at the level the case moves to, over the place it moves to."""
    if user is None or lifecycle.ADMIN in roles_of(user):
        return
    user_place = getattr(user, "place", None)
    if (
        user_place is None
        or target_place is None
        or not _scope(user).contains_place(target_place)
        or user_place.level != target_place.level
    ):
        raise RoleNotAllowed(N_("Only an approver at the next level may decide this "
                                "escalation."))


def approve_escalation(case_id, user, *, agent_id=None, comment=None, version=None):
    """The case moves up one level, to a new responsible place (and agent)."""
    with _acting("approve_escalation", case_id, user, version) as a:
        request = _pending_escalation(a.case.id, lock=True)
        if request is None:  # decided by someone else a moment ago
            raise StaleCase(N_("This escalation has already been decided."))
        target_place = escalation_target_place(a.case, request.to_level)
        if target_place is None:
            raise RuleBroken(N_("There is no place at the next level above this case's "
                                "responsible place."))
        _check_approver_place(user, target_place)
        request.status = "approved"
        request.decided_by_id = _actor_id(user)
        request.decided_at = datetime.datetime.now().replace(microsecond=0)
        request.comment = comment or None
        a.case.level = request.to_level
        a.case.responsible_place = target_place
        a.case.agent = (_person_in_scope(agent_id, user, N_("Agent"))
                        if agent_id not in (None, "") else None)
        a.comment = comment
        a.data = {"escalation_id": request.id, "from_level": request.from_level,
                  "to_level": request.to_level, "responsible_place_id": target_place.id}
    return a.case


def send_back_escalation(case_id, user, *, comment, version=None):
    with _acting("send_back_escalation", case_id, user, version) as a:
        request = _pending_escalation(a.case.id, lock=True)
        if request is None:
            raise StaleCase(N_("This escalation has already been decided."))
        _check_approver_place(user, escalation_target_place(a.case, request.to_level))
        request.status = "sent_back"
        request.decided_by_id = _actor_id(user)
        request.decided_at = datetime.datetime.now().replace(microsecond=0)
        request.comment = _required(comment, N_("Comment"))
        a.comment = request.comment
        a.data = {"escalation_id": request.id, "to_level": request.to_level}
    return a.case


def _open_transfers_to(case: Case, departments, due_on=None) -> list[Transfer]:
    already = set(db.session.scalars(
        select(Transfer.department_id).where(Transfer.case_id == case.id,
                                             Transfer.status == "open")
    ))
    rules = deadline_rules()
    transfers = []
    for department in departments:
        if department.id in already:
            raise RuleBroken(N_("The case is already waiting for a reply from %(name)s."),
                             name=str(department))
        reply_due = deadlines.add_days(today(), department.reply_days, rules)
        transfer = Transfer(case_id=case.id, department_id=department.id,
                            due_on=min(due_on, reply_due) if due_on else reply_due)
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
            meeting = db.session.scalars(
                select(JointMeeting).where(JointMeeting.id == int(meeting_id),
                                           JointMeeting.scope_clause(_scope(user)))
            ).first()
            if meeting is None:
                raise RuleBroken(N_("There is no such joint meeting in your area."))
        else:
            meeting = JointMeeting(held_on=held_on or today(), place=case.responsible_place,
                                   topic=topic or case.title)
            db.session.add(meeting)
        leader = _person_in_scope(case_leader_id, user, N_("Case-responsible leader"))
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
        transfers = _open_transfers_to(case, _departments(department_ids), due_on)
        case.case_leader = leader
        case.due_on = due_on
        a.comment = item.plan
        a.data = {"joint_meeting_id": meeting.id, "case_leader_id": leader.id,
                  "department_ids": [t.department_id for t in transfers],
                  "due_on": due_on.isoformat()}
    return a.case


def transfer(case_id, user, *, department_ids, due_on=None, comment=None, version=None):
    """交办: the case goes to stationed departments, each with a reply deadline."""
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
        item.replied_at = datetime.datetime.now().replace(microsecond=0)
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
        case.followed_up_on = _not_in_future(followed_up_on or today(), N_("Followed up on"))
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
}


def check_editable(case: Case) -> None:
    """Details of an archived case never change (the edit form and the API's PUT)."""
    if case.state == lifecycle.ARCHIVED:
        raise RuleBroken(N_("This case is archived and can no longer be changed."))
