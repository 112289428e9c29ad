"""Language helpers shared by models, views and charts."""

from flask import has_request_context
from flask_babel import get_locale

MONGOLIAN = "mn"
CHINESE = "zh"
# Marks a name shown in the other language because this one is missing.
FALLBACK_MARK = "*"


def current_language() -> str:
    if not has_request_context():
        return CHINESE
    locale = get_locale()
    return MONGOLIAN if locale is not None and locale.language == MONGOLIAN else CHINESE


def localized(name_zh: str | None, name_mn: str | None, language: str | None = None) -> str:
    """The name in the user's language, else the other one with a marker, never blank."""
    language = language or current_language()
    first, second = (name_mn, name_zh) if language == MONGOLIAN else (name_zh, name_mn)
    if first:
        return first
    if second:
        return f"{second}{FALLBACK_MARK}"
    return "—"
