"""Writes the audit trail, whatever path a change takes: one SQLAlchemy ``after_flush``
listener records every insert, update and delete of every model (the services, FAB's
forms and REST API, bulk actions, the CLI alike) in the same transaction as the change,
with the values before and after — personal information masked, password hashes never.
Sign-ins, failed sign-ins, lockouts, sign-outs, exports and every showing of an unmasked
ID number or phone are recorded by ``record``."""

import datetime
import json

from flask import has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from app.domain.validators import mask_id_number, mask_phone
from app.models.audit import AuditEntry

# rows that are themselves logs, derived figures, or FAB's permission catalogue (kept in
# step with the code by sync-roles; what matters is who holds them: Role, StaffUser)
_NOT_AUDITED = {"AuditEntry", "LoginAttempt", "CaseStat", "WebhookDelivery", "Permission",
                "ViewMenu", "PermissionView"}
_SECRET = {"password", "password_history", "secret"}  # secret: a webhook's signing key
# sign-in bookkeeping, recorded as sign-in events instead
_BOOKKEEPING = {"login_count", "last_login", "fail_login_count", "changed_on",
                "session_generation"}
_PERMISSION_RELATIONS = {"permissions", "roles"}
_MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def _actor() -> dict:
    if not has_request_context():
        return {"user_id": None, "username": "(command line)", "address": None}
    from app.security.scope import _signed_in_user

    user = _signed_in_user()
    return {"user_id": getattr(user, "id", None), "username": getattr(user, "username", None),
            "address": (request.remote_addr or "")[:64] or None}


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _shown(obj, key, value):
    if key in _SECRET:
        return "(set)" if value else None
    if key in getattr(obj, "masked_columns", ()) and value:
        return _MASKS.get(key, lambda v: "****")(value)
    return _plain(value)


def _columns(obj) -> dict:
    mapper = inspect(obj).mapper
    return {attr.key: _shown(obj, attr.key, getattr(obj, attr.key, None))
            for attr in mapper.column_attrs}


def _changes(obj):
    state = inspect(obj)
    before, after, permission = {}, {}, False
    for attr in state.mapper.column_attrs:
        if attr.key in _BOOKKEEPING:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            before[attr.key] = _shown(obj, attr.key, old)
            after[attr.key] = _shown(obj, attr.key, getattr(obj, attr.key))
    for key in _PERMISSION_RELATIONS & set(state.mapper.relationships.keys()):
        history = state.attrs[key].history
        if history.has_changes():
            permission = True
            before[key] = sorted(str(x) for x in history.deleted)
            after[key] = sorted(str(x) for x in history.added)
    return before, after, permission


def _entry(actor, action, obj, before=None, after=None) -> dict:
    identity = [k for k in inspect(obj).mapper.primary_key_from_instance(obj) if k is not None]
    return {
        **actor, "at": datetime.datetime.now(datetime.UTC).replace(tzinfo=None),
        "action": action, "model": type(obj).__name__,
        "record_id": ",".join(str(i) for i in identity) if identity else None,
        "before": json.dumps(before, ensure_ascii=False) if before is not None else None,
        "after": json.dumps(after, ensure_ascii=False) if after is not None else None,
        "detail": None,
    }


@event.listens_for(Session, "after_flush")
def _audit_writes(session, flush_context):
    rows = []
    actor = None
    # session.new and .deleted build a new set at each reading: read once, not per row
    new, deleted = session.new, session.deleted
    for obj in [*new, *session.dirty, *deleted]:
        if type(obj).__name__ in _NOT_AUDITED:
            continue
        actor = actor or _actor()
        if obj in new:
            rows.append(_entry(actor, "create", obj, after=_columns(obj)))
        elif obj in deleted:
            rows.append(_entry(actor, "delete", obj, before=_columns(obj)))
        else:
            before, after, permission = _changes(obj)
            if before or after:
                rows.append(_entry(actor, "permission" if permission else "update", obj,
                                   before, after))
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def record(action: str, model: str | None = None, record_id=None, detail: str | None = None,
           user=None) -> None:
    """An event that is not a row change (sign-in, export, a view of personal data); the
    caller's transaction commits it."""
    from app.extensions import db

    actor = _actor()
    if user is not None:
        actor.update(user_id=user.id, username=user.username)
    db.session.add(AuditEntry(**actor, action=action, model=model,
                              record_id=None if record_id is None else str(record_id),
                              detail=detail))
