"""One way to write a case, watched in every test (autouse fixture, see conftest)."""

import contextlib

import pytest

# Every change to a case goes through app/services/cases.py, which writes a CaseEvent in
# the same transaction. This guard watches every test: a transaction that inserts or
# changes a case row (through the ORM, or an ORM bulk UPDATE/DELETE) without an event for
# that case fails the test at commit. Fixtures that build a world with counts known in
# advance (the cockpit's) say so explicitly with ``direct_case_writes()``.
_direct = {"depth": 0}  # process-wide: fixtures may write from threads too
_WRITES, _EVENTS = "daiban_case_writes", "daiban_case_events"


class CaseWrittenWithoutEvent(AssertionError):
    pass


@contextlib.contextmanager
def direct_case_writes():
    """Test setup that writes case rows directly (not a code path of the app)."""
    _direct["depth"] += 1
    try:
        yield
    finally:
        _direct["depth"] -= 1


def _note_case_writes(session, flush_context):
    from sqlalchemy import inspect as sa_inspect

    from app.models import Case, CaseEvent

    if _direct["depth"]:
        return
    writes = session.info.setdefault(_WRITES, set())
    events = session.info.setdefault(_EVENTS, set())
    for obj in session.new:
        if isinstance(obj, CaseEvent):
            events.add(obj.case_id)
        elif isinstance(obj, Case):
            writes.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Case) and any(
                attr.history.has_changes() for attr in sa_inspect(obj).attrs
                if attr.key not in ("events", "escalations", "transfers")):
            writes.add(obj.id)


def _note_bulk_case_writes(state):
    from app.models import Case

    if _direct["depth"] or not (state.is_update or state.is_delete):
        return
    if any(mapper.class_ is Case for mapper in state.all_mappers):
        raise CaseWrittenWithoutEvent(
            "a bulk UPDATE/DELETE of cases bypasses the service layer and its events")


def _check_case_writes(session):
    if _direct["depth"]:
        return _forget_case_writes(session)
    session.flush()  # commit flushes after this event: see the last changes too
    missing = session.info.get(_WRITES, set()) - session.info.get(_EVENTS, set())
    _forget_case_writes(session)
    if missing:
        raise CaseWrittenWithoutEvent(
            f"case(s) {sorted(missing)} changed without an event in the same transaction")


def _forget_case_writes(session, *args):
    session.info.pop(_WRITES, None)
    session.info.pop(_EVENTS, None)


@pytest.fixture(autouse=True)
def one_way_to_write_a_case():
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    listeners = (("after_flush", _note_case_writes), ("do_orm_execute", _note_bulk_case_writes),
                 ("before_commit", _check_case_writes), ("after_rollback", _forget_case_writes),
                 ("after_soft_rollback", _forget_case_writes))
    for name, listener in listeners:
        event.listen(Session, name, listener)
    yield
    for name, listener in listeners:
        event.remove(Session, name, listener)
