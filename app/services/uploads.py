"""Scanned documents attached to a case (the signed entrustment): stored under the
instance folder with a generated name, never the user's file name, checked by content
(not by the name's extension), and served only through a scoped route.

A stored name is not a capability: a case (or a case event) may point at a stored scan
only in the request that uploaded it. Naming someone else's scan in a form or a JSON
body (``entrustment_file``) is refused by a flush guard, whatever path wrote it."""

import os
import uuid

from flask import current_app, g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_

ALLOWED_EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
MAX_BYTES = 10 * 1024 * 1024
# what the first bytes of each kind of file are; the extension stored is the content's
SIGNATURES = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


def sniff(data: bytes) -> str | None:
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def upload_dir() -> str:
    path = current_app.config.get("DAIBAN_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads")
    os.makedirs(path, exist_ok=True)
    return path


def save_scan(storage) -> str | None:
    """Store an uploaded scan; returns its stored name, or None when nothing was sent."""
    if storage is None or not storage.filename:
        return None
    extension = storage.filename.rsplit(".", 1)[-1].lower() if "." in storage.filename else ""
    if extension not in ALLOWED_EXTENSIONS:
        raise RuleBroken(N_("A scan must be a PDF, JPEG or PNG file."))
    data = storage.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RuleBroken(N_("A scan may be at most 10 MB."))
    kind = sniff(data)
    if kind is None:
        raise RuleBroken(N_("A scan must be a PDF, JPEG or PNG file."))
    name = f"{uuid.uuid4().hex}.{kind}"
    with open(os.path.join(upload_dir(), name), "wb") as fh:
        fh.write(data)
    if has_request_context():
        g.setdefault("daiban_uploaded", set()).add(name)
    return name


def discard(name: str | None) -> None:
    if name:
        path = os.path.join(upload_dir(), name)
        if os.path.exists(path):
            os.remove(path)


def is_stored_scan(name: str | None) -> bool:
    return bool(name) and os.path.basename(name) == name and os.path.exists(
        os.path.join(upload_dir(), name))


def _uploaded_here(name: str) -> bool:
    return name in g.get("daiban_uploaded", set())


@event.listens_for(Session, "before_flush")
def _refuse_borrowed_scans(session, flush_context, instances):
    if not has_request_context():
        return  # the CLI and jobs run as the installation's operator
    from app.models.cases import Case, CaseEvent

    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Case):
            column = "entrustment_file"
        elif isinstance(obj, CaseEvent):
            column = "attachment"
        else:
            continue
        if not inspect(obj).attrs[column].history.has_changes():
            continue
        name = getattr(obj, column)
        if name and is_stored_scan(name) and not _uploaded_here(name):
            raise RuleBroken(N_("A scan is attached by uploading it, not by its stored name."))
