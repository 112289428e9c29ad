"""Columns of a case copied onto the rows that hang from it, so that a role's everyday
count is one index range instead of a probe of a million cases:

- ``transfer.case_state`` (the case's state): a stationed department's "how its cases
  stand" counts its transfers by it (ix_transfer_department_state), where counting the
  states of the 8,500 cases transferred to it read 8,500 scattered cases;
- ``escalation_request.township_id`` (the case's township): a township clerk's pending
  approvals, counted in the menu of every page, are its township's
  (ix_escalation_township_pending), where each of the banner's pending requests probed
  its case.

The copies are never written by hand: ``refresh`` sets them from the cases, and the
session listeners of app/cockpit/rollup.py call it in the same flush as any change to a
case's state or place and any new transfer or escalation request (and a place moved to
another township, app/models/places.py). ``differences`` says whether they are in step
(``flask cockpit check-stats``); the tests that drive every action assert it."""

from sqlalchemy import select, update

from app.models.cases import Case, EscalationRequest, Transfer

CASES = Case.__table__
# (the copy, the case's column it copies)
COPIES = (
    (Transfer.__table__.c.case_state, CASES.c.state),
    (EscalationRequest.__table__.c.township_id, CASES.c.township_id),
)


def refresh(connection, case_ids=None) -> None:
    """Set the copies of these cases' rows (``case_ids``: ids or a select of them; None:
    every row) from their cases, writing only the rows that differ."""
    if isinstance(case_ids, (list, set, tuple, frozenset)) and not case_ids:
        return
    for copy, source in COPIES:
        table = copy.table
        value = select(source).where(CASES.c.id == table.c.case_id).scalar_subquery()
        statement = update(table).values({copy.name: value}).where(
            copy.is_distinct_from(value))
        if case_ids is not None:
            statement = statement.where(table.c.case_id.in_(case_ids))
        connection.execute(statement)


def differences(connection) -> dict:
    """{("table.column", row id): (stored, actual)} for every copy out of step."""
    wrong = {}
    for copy, source in COPIES:
        table = copy.table
        rows = connection.execute(
            select(table.c.id, copy, source).join(CASES, CASES.c.id == table.c.case_id)
            .where(copy.is_distinct_from(source)))
        for row_id, stored, actual in rows:
            wrong[(f"{table.name}.{copy.name}", row_id)] = (stored, actual)
    return wrong
