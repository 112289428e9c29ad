"""Scanned documents attached to a case (the signed entrustment): stored under the
instance folder with a generated name, never the user's file name, and served only
through a scoped route."""

import os
import uuid

from flask import current_app

from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_

ALLOWED_EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
MAX_BYTES = 10 * 1024 * 1024


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
    name = f"{uuid.uuid4().hex}.{extension}"
    with open(os.path.join(upload_dir(), name), "wb") as fh:
        fh.write(data)
    return name


def discard(name: str | None) -> None:
    if name:
        path = os.path.join(upload_dir(), name)
        if os.path.exists(path):
            os.remove(path)


def is_stored_scan(name: str | None) -> bool:
    return bool(name) and os.path.basename(name) == name and os.path.exists(
        os.path.join(upload_dir(), name))
