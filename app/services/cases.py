"""The only code that creates or changes a case. Views, the REST API and the CLI call
these functions; each writes the case and its event in one transaction."""

import datetime
import uuid

from app.extensions import db
from app.models import Case, CaseEvent

LEVEL_OF_PLACE = {"grid": "village", "village": "village", "township": "township",
                  "banner": "banner"}


def _actor_id(user) -> int | None:
    return getattr(user, "id", None)


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
