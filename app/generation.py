"""What every request reads and almost never changes — the roles' permissions, the data
scopes, the place tree's paths, the dictionaries offered in search forms — kept in each
process between requests, and never stale on any of several app servers.

The database holds one *generation*: a random token in ``cache_generation``, replaced in
the same transaction as any write to a watched table (the ORM's flushes and its bulk
statements: the one way the app writes). A request reads the token once, in one small
statement, and a process answers from what it kept under that token, or reads the
database and keeps the answer under it. A change committed on one server is a new token
for every server's next request; a change rolled back leaves the old token, whose
answers were read before it — a token is random, so one is never reused for other data.

A request that itself changed a watched table keeps nothing for others (what it reads
after the change is not yet committed). Outside a request (the CLI, jobs) nothing is
kept. A raw SQL write to a watched table (a migration) must call ``bump`` too."""

import threading
import uuid
from collections import OrderedDict
from contextlib import contextmanager

from flask import g, has_request_context
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models.generation import CacheGeneration

TABLE = CacheGeneration.__table__
SIZE = 1024
# table → whether a change to one of its collections (a role's permissions, a scope's
# places) changes what is kept; otherwise only its own columns, new rows and deletions do
# (a place gaining a case is not a change of the place tree)
WATCHED: dict[str, bool] = {
    "ab_role": True, "ab_permission_view": True, "ab_permission": False,
    "ab_view_menu": False, "role_scope": True, "place": False,
}
_UNREAD = object()


class Bounded:
    """What a process keeps: at most ``size`` entries, the least recently used dropped
    first; safe across a worker's threads."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


_kept = Bounded(SIZE)


def watch(table_name: str) -> None:
    """Count writes to ``table_name`` as changes of the generation (a dictionary whose
    entries a search form offers to everyone)."""
    WATCHED.setdefault(table_name, False)


def token() -> str | None:
    """This request's generation, read once; None outside a request, after this
    request's own change, or before the table has its row."""
    if not has_request_context():
        return None
    current = g.get("daiban_generation", _UNREAD)
    if current is _UNREAD:
        current = db.session.execute(
            select(TABLE.c.token).where(TABLE.c.id == 1)).scalar()
        g.daiban_generation = current
    return current


def kept(kind: str, key, compute):
    """``compute()``, or what this process kept for (``kind``, ``key``) under this
    request's generation. Within a request the answer is kept in any case."""
    local = g.setdefault("daiban_kept", {}) if has_request_context() else {}
    if (kind, key) in local:
        return local[(kind, key)]
    generation = token()
    full_key = (generation, kind, key)
    value = _kept.get(full_key, _UNREAD) if generation is not None else _UNREAD
    if value is _UNREAD:
        value = compute()
        # the generation may have changed while computing (this request's own flush)
        if generation is not None and g.get("daiban_generation") == generation:
            _kept.put(full_key, value)
    local[(kind, key)] = value
    return value


def bump(connection_or_session) -> None:
    """A new generation, in the caller's transaction."""
    new = uuid.uuid4().hex
    changed = connection_or_session.execute(
        update(TABLE).where(TABLE.c.id == 1).values(token=new)).rowcount
    if not changed:  # the table's first row (or one a test emptied)
        connection_or_session.execute(insert(TABLE).values(id=1, token=new))
    if has_request_context():
        g.daiban_generation = None
        g.pop("daiban_kept", None)


def _table_of(obj) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


def _changes_generation(session, obj, deleted_or_new: bool) -> bool:
    name = _table_of(obj)
    if name not in WATCHED:
        return False
    return deleted_or_new or session.is_modified(obj, include_collections=WATCHED[name])


# session.info: a run of transactions that ends with one new generation (see as_one_change)
_AS_ONE = "daiban_generation_as_one"


@contextmanager
def as_one_change(session):
    """Many transactions, one new generation at the end: FAB's permission pass commits
    each permission on its own (~300 commits on a fresh install), and each would replace
    the token. What any server keeps meanwhile is kept under a token the end replaces.
    The end's new generation is committed, whether the block succeeded or not."""
    session.info[_AS_ONE] = True
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    finally:
        try:
            bump(session)
            session.commit()  # (its flush of the block's last changes bumps nothing more)
        finally:
            session.info.pop(_AS_ONE, None)


def _bump_once(session) -> None:
    """One new generation per transaction (or savepoint): the first change's is enough,
    no one else sees the token before the commit."""
    if session.info.get(_AS_ONE):
        return
    transaction = session.get_nested_transaction() or session.get_transaction()
    if session.info.get("daiban_generation_bumped") is not transaction:
        session.info["daiban_generation_bumped"] = transaction
        bump(session)


def _after_flush(session, flush_context):
    if (any(_changes_generation(session, o, True) for o in (*session.new, *session.deleted))
            or any(_changes_generation(session, o, False) for o in session.dirty)):
        _bump_once(session)


def _bulk_statement(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED:
        _bump_once(state.session)


_LISTENERS = (("after_flush", _after_flush), ("do_orm_execute", _bulk_statement))


def register_listeners() -> None:
    """Replace the generation with every write to a watched table (create_app calls this
    once; a second call changes nothing)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
