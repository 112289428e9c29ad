"""Language helpers shared by models, views and charts."""

import base64
import functools
import os

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


@functools.cache
def embedded_font_face() -> str:
    """The served Mongolian font as an inline @font-face (a data: URL), for pages that
    must stand alone: the bulletin's HTML file and e-mail, which cannot load
    /static/. Same family name and unicode-range as static/css/mongolian.css."""
    path = os.path.join(os.path.dirname(__file__), "static", "vendor", "fonts",
                        "NotoSansMongolian-Regular.ttf")
    with open(path, "rb") as fh:
        data = base64.b64encode(fh.read()).decode("ascii")
    return ('@font-face { font-family: "Daiban Mongolian"; font-display: block; '
            f'src: url("data:font/ttf;base64,{data}") format("truetype"); '
            "unicode-range: U+1800-18AF, U+11660-1167F, U+180E, U+200C-200D, U+202F; }")


def _stale_catalogs(directory: str) -> list[tuple[str, str, str]]:
    """(language, .po, .mo) whose .mo is missing or older than its .po."""
    stale = []
    if not os.path.isdir(directory):
        return stale
    for language in sorted(os.listdir(directory)):
        po = os.path.join(directory, language, "LC_MESSAGES", "messages.po")
        mo = po[:-2] + "mo"
        if os.path.isfile(po) and (not os.path.isfile(mo)
                                   or os.path.getmtime(mo) < os.path.getmtime(po)):
            stale.append((language, po, mo))
    return stale


def compiled_catalogs(directory: str, instance_path: str) -> str:
    """The catalog directory to serve from, with every .mo up to date. A wheel carries
    compiled catalogs (setup.py); a checkout installed with `pip install .` or edited
    .po files are compiled here at start: in place, or under the instance folder when
    the directory is read-only."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    stale = _stale_catalogs(directory)
    if not stale:
        return directory
    target = directory if os.access(directory, os.W_OK) else os.path.join(
        instance_path, "translations")
    for language in sorted(os.listdir(directory)):
        po = os.path.join(directory, language, "LC_MESSAGES", "messages.po")
        if not os.path.isfile(po):
            continue
        mo = os.path.join(target, language, "LC_MESSAGES", "messages.mo")
        if target == directory and (language, po, mo) not in stale:
            continue
        os.makedirs(os.path.dirname(mo), exist_ok=True)
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale=language)
        with open(mo, "wb") as fh:
            write_mo(fh, catalog)
    return target
