"""Every text value is stored in Unicode NFC, whichever way it arrives (form, REST API,
import, CLI), so that search, uniqueness and exports compare like with like. NFC leaves
traditional Mongolian letters, the vowel separator (U+180E), the narrow no-break space
(U+202F) and the free variation selectors (U+180B–180D) as they are: none of them has a
canonical decomposition. Legacy Menksoft text (Private Use Area) is not Unicode
Mongolian and must be converted before it is stored (docs/i18n.md)."""

import unicodedata

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session


def nfc(value):
    if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


def blank_to_none(value):
    """An optional value left blank ('' or spaces) is stored as NULL."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _normalise_instance(instance) -> None:
    for attr in inspect(instance).mapper.column_attrs:
        if not isinstance(attr.columns[0].type, String):  # Text is a String too
            continue
        value = getattr(instance, attr.key, None)
        normalised = nfc(value)
        if normalised is not value:
            setattr(instance, attr.key, normalised)


@event.listens_for(Session, "before_flush")
def _normalise_text(session, _flush_context, _instances) -> None:
    for instance in (*session.new, *session.dirty):
        _normalise_instance(instance)
