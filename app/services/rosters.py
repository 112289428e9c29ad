"""Rules on rosters the database cannot express alone."""

from flask_babel import gettext as _

from app.domain.errors import DomainError


class RosterError(DomainError):
    pass


def check_duty(duty) -> None:
    """A duty carries the details its kind needs, at a place of the right level."""
    place = duty.place
    if duty.kind == "agent" and not duty.employment:
        raise RosterError(_("An agent is either full-time or part-time."))
    if duty.kind == "grid_worker" and place is not None and place.level != "grid":
        raise RosterError(_("A grid worker serves a grid."))
    if duty.kind == "mediator" and not duty.mediation_kind:
        raise RosterError(_("Choose the kind of mediation."))
    if duty.kind == "case_leader" and not duty.title:
        raise RosterError(_("A case-responsible leader needs a title."))
    if duty.kind == "department_staff" and duty.department is None:
        raise RosterError(_("Choose the department."))
