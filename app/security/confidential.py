"""《信访工作条例》 Art. 30 and 46: nothing of an accusation reaches the accused. A case
whose purpose is an accusation or complaint names the accused unit — a department, or a
place (a township's or the banner's government) — and the staff of that unit (accounts
bound to the department, or to the place or a place below it) may see the case their
work needs but never who brought it: the petitioner, their phone and the entrustment's
signer are withheld on every page, print and API answer (the signed scan is not served),
the petitioner's own row leaves their scope, and the case is never transferred to the
department it accuses (app/services/cases.py)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, literal, or_, select

COMPLAINT = "complaint"
WITHHELD = _l("Withheld: an accusation against your unit")
# the columns of a case that tell who brought it (the entrustment's scan bears a signature)
IDENTITY_COLUMNS = ("petitioner_id", "entrustment_signer", "entrustment_file")


def _places_at_or_above(path: str):
    from app.models.places import Place

    return select(Place.id).where(literal(path).like(Place.path + "%"))


def accuses_clause(case_model, scope):
    """SQL: the case accuses the unit of the scope's user."""
    if scope.everything and not scope.place_path:
        return false()
    parts = []
    if scope.department_id is not None:
        parts.append(case_model.accused_department_id == scope.department_id)
    if scope.place_path:
        parts.append(case_model.accused_place_id.in_(_places_at_or_above(scope.place_path)))
    if not parts:
        return false()
    return and_(case_model.purpose == COMPLAINT, or_(*parts))


def identity_withheld(case, scope=None) -> bool:
    if case.purpose != COMPLAINT:
        return False
    if scope is None:
        from app.security.scope import current_scope

        scope = current_scope()
    if case.accused_department_id is not None and (
            scope.department_id == case.accused_department_id):
        return True
    accused = case.accused_place
    return bool(accused is not None and scope.place_path
                and scope.place_path.startswith(accused.path))


def petitioner_hidden_clause(petitioner_model, scope):
    """SQL: the petitioner brought an accusation against the scope's unit."""
    from app.models.cases import Case

    return select(Case.id).where(Case.petitioner_id == petitioner_model.id,
                                 accuses_clause(Case, scope)).exists()


def withhold_identity(case, data: dict) -> dict:
    """A case as the REST API returns it, with who brought it blanked for the accused."""
    if identity_withheld(case):
        for column in IDENTITY_COLUMNS:
            if column in data:
                data[column] = None
    return data
