"""Personal information at rest: ID numbers and phones are stored encrypted (Fernet:
AES-128-CBC with HMAC-SHA256) under PII_ENCRYPTION_KEY, and found by exact value only,
through a keyed hash (HMAC-SHA256 under PII_HASH_KEY) kept beside them — which also
keeps ID numbers unique. Neither key lives in the database; without them a copy of the
database shows no ID number or phone. Both come from the configuration
(instance/daiban.cfg or the environment); in development and tests they are derived from
SECRET_KEY, in production they must be set."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

PREFIX = "enc:"


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{current_app.config['SECRET_KEY']}".encode()).digest()


def _fernet() -> Fernet:
    key = current_app.config.get("PII_ENCRYPTION_KEY")
    if not key:
        key = base64.urlsafe_b64encode(_derived("daiban-pii-encryption"))
    return Fernet(key)


def _hash_key() -> bytes:
    key = current_app.config.get("PII_HASH_KEY")
    return key.encode() if isinstance(key, str) else (key or _derived("daiban-pii-hash"))


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def keyed_hash(value: str | None) -> str | None:
    if not value:
        return None
    return hmac.new(_hash_key(), normalise_id_number(value).encode(), hashlib.sha256
                    ).hexdigest()


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        return value  # a row written before encryption (the migration encrypts them)
    try:
        return _fernet().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        return ""  # a wrong key shows nothing rather than failing the whole page


class EncryptedString(TypeDecorator):
    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value in (None, "") else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def check_keys(app) -> None:
    """Production refuses to start with keys derived from SECRET_KEY."""
    if app.config.get("PRODUCTION"):
        missing = [k for k in ("PII_ENCRYPTION_KEY", "PII_HASH_KEY") if not app.config.get(k)]
        if missing:
            raise RuntimeError("set " + " and ".join(missing) + " in a production configuration")


@event.listens_for(Session, "before_flush")
def _keep_hashes(session, flush_context, instances):
    new = session.new  # a new set at each reading: read once, not per row
    for obj in [*new, *session.dirty]:
        for column in getattr(obj, "masked_columns", ()):
            if not hasattr(obj, f"{column}_hash"):
                continue
            if obj in new or inspect(obj).attrs[column].history.has_changes():
                setattr(obj, f"{column}_hash", keyed_hash(getattr(obj, column)))
