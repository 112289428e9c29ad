"""The Mongolian font is the vendored, unmodified Noto Sans Mongolian, served by the app
with a unicode-range that covers Mongolian and its joining controls only."""

import hashlib
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FONT = os.path.join(ROOT, "app", "static", "vendor", "fonts", "NotoSansMongolian-Regular.ttf")
CSS = os.path.join(ROOT, "app", "static", "css", "mongolian.css")


def _css():
    with open(CSS, encoding="utf-8") as fh:
        return fh.read()


def test_font_matches_the_manifest_and_has_its_licence():
    with open(os.path.join(ROOT, "app", "static", "vendor", "MANIFEST.md"), encoding="utf-8") as fh:
        manifest = fh.read()
    with open(FONT, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    assert digest in manifest
    with open(os.path.join(os.path.dirname(FONT), "OFL.txt"), encoding="utf-8") as fh:
        text = fh.read().upper()
    assert "OPEN FONT LICENSE" in text and "VERSION 1.1" in text and "PERMISSION" in text


def test_unicode_range_covers_mongolian_and_joining_controls_only():
    face = re.search(r"@font-face\s*{(.*?)}", _css(), re.S).group(1)
    ranges = re.search(r"unicode-range:\s*([^;]+);", face).group(1)
    for needed in ("U+1800-18AF", "U+11660-1167F", "U+180E", "U+202F", "U+200C-200D"):
        assert needed in ranges
    assert "4E00" not in ranges and "U+0000" not in ranges and "U+3000" not in ranges
    assert "vendor/fonts/NotoSansMongolian-Regular.ttf" in face


def test_vertical_rules_exist_for_headings_menus_labels_and_printed_forms():
    css = _css()
    assert css.count("writing-mode: vertical-lr") >= 2
    for selector in (".daiban-heading", ".dropdown-menu > li > a", "table.table th",
                     ".daiban-print-form"):
        assert selector in css
    assert "rotate(" not in css  # tables are never rotated as a whole


def test_every_page_links_the_font_css_and_the_font_is_served(db_app):
    client = db_app.test_client()
    page = client.get("/login/?_l_=mn").get_data(as_text=True)
    assert "css/mongolian.css" in page
    css = client.get("/static/css/mongolian.css")
    assert css.status_code == 200
    font = client.get("/static/vendor/fonts/NotoSansMongolian-Regular.ttf")
    assert font.status_code == 200 and font.data[:4] in (b"\x00\x01\x00\x00", b"true")
