"""Builds translations/messages.pot: the msgids extracted from app/ (by pybabel, see
babel.cfg) plus every msgid of Flask-AppBuilder's own catalog and of WTForms' validation
messages, so that one catalog per language translates everything a daiban page shows.

Usage: python scripts/merge_pot.py APP_POT OUT_POT"""

import io
import os
import re
import sys

import flask_appbuilder
import wtforms
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

# Flask-AppBuilder's own catalog misses strings its templates and views use ("Add",
# "Edit", "Show"...), so its source is scanned too.
_FAB_METHODS = [("**/translations/**", "ignore"), ("**/templates/**.html", "jinja2"),
                ("**.py", "python")]
_KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


def _read(path):
    with open(path, "rb") as fh:
        return read_po(fh)


def upstream_catalogs():
    fab = os.path.join(os.path.dirname(flask_appbuilder.__file__), "translations", "zh",
                       "LC_MESSAGES", "messages.po")
    wtf = os.path.join(os.path.dirname(wtforms.__file__), "locale", "wtforms.pot")
    return [("flask_appbuilder", fab), ("wtforms", wtf)]


def merge(app_pot: str, out_pot: str) -> int:
    catalog = _read(app_pot)
    for origin, path in upstream_catalogs():
        for message in _read(path):
            if not message.id or message.id in catalog:
                continue
            catalog.add(message.id, context=message.context,
                        auto_comments=[f"from {origin}"], flags=())
    fab_dir = os.path.dirname(flask_appbuilder.__file__)
    for _file, _line, message, _comments, _context in extract_from_dir(
        fab_dir, method_map=_FAB_METHODS, keywords=_KEYWORDS
    ):
        if message and message not in catalog:
            catalog.add(message, auto_comments=["from flask_appbuilder source"])
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True)
    # Rewrite only when the messages changed, so that re-running the workflow on another
    # branch does not produce a diff (and merge conflicts) in the creation date alone.
    if _without_date(buffer.getvalue()) != _without_date(_existing(out_pot)):
        with open(out_pot, "wb") as fh:
            fh.write(buffer.getvalue())
    return len(catalog)


def _existing(path: str) -> bytes:
    if not os.path.exists(path):
        return b""
    with open(path, "rb") as fh:
        return fh.read()


def _without_date(data: bytes) -> bytes:
    return re.sub(rb'"POT-Creation-Date: [^"]*"\n', b"", data)


if __name__ == "__main__":
    print(f"{merge(sys.argv[1], sys.argv[2])} messages in {sys.argv[2]}")
