"""The review sheet round trip: a native reader corrects the Mongolian in the .xlsx and
`flask i18n apply-review` puts it into the catalogs, with a report; corrections that
would break a placeholder or a case suffix are refused."""

import os
import shutil

import pytest
from babel.messages.pofile import read_po

from app.review_sheet import HEADERS, apply_review, write_review_sheet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture
def project(tmp_path):
    """A copy of the catalogs and glossary beside the real app/ (read only)."""
    shutil.copytree(os.path.join(ROOT, "translations"), tmp_path / "translations",
                    ignore=shutil.ignore_patterns("*.mo"))
    os.makedirs(tmp_path / "docs")
    shutil.copy(os.path.join(ROOT, "docs", "glossary.csv"), tmp_path / "docs")
    os.symlink(os.path.join(ROOT, "app"), tmp_path / "app")
    return tmp_path


def _rows(path):
    sheet = openpyxl.load_workbook(path)["messages"]
    return sheet, {row[0].value: row for row in sheet.iter_rows(min_row=2)}


def _mn(project, key):
    with open(project / "translations" / "mn" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale="mn")[key].string


def test_the_sheet_lists_every_message_with_source_places_and_terms(project):
    target = project / "review.xlsx"
    rows = write_review_sheet(str(target), str(project))
    sheet, by_key = _rows(target)
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert rows == sheet.max_row - 1 > 600
    cockpit = by_key["Banner cockpit"]
    assert cockpit[3].value == "旗统筹驾驶舱"
    assert "ᠬᠢᠨᠠᠯᠲᠠ" in cockpit[4].value
    assert "app/" in cockpit[5].value  # where it appears
    assert "驾驶舱 = " in cockpit[6].value  # the glossary term it contains
    assert by_key["Sign In"][5].value == "Flask-AppBuilder / WTForms"


def test_the_checks_column_suggests_the_suffix_fix(project):
    from babel.messages.pofile import write_po

    path = project / "translations" / "mn" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale="mn")
    catalog["Cases"].string = "ᠪᠢᠴᠢᠭ ᠲᠤ"
    with open(path, "wb") as fh:
        write_po(fh, catalog)
    target = project / "review.xlsx"
    write_review_sheet(str(target), str(project))
    _sheet, by_key = _rows(target)
    checks = by_key["Cases"][7].value
    assert "U+202F" in checks and "→ ᠪᠢᠴᠢᠭ\u202fᠲᠦ" in checks


def test_corrections_come_back_into_the_catalog_with_a_report(project):
    target = project / "review.xlsx"
    write_review_sheet(str(target), str(project))
    sheet, by_key = _rows(target)
    by_key["Sign In"][4].value = "ᠨᠡᠪᠲᠡᠷᠡᠬᠦ ᠬᠠᠭᠠᠯᠭ᠎ᠠ"  # a reader's correction
    by_key["Banner cockpit"][3].value = "旗级驾驶舱"  # Chinese can be corrected too
    by_key["Dictionaries are ready for %(banner)s."][4].value = "ᠪᠡᠯᠡᠨ᠃"  # placeholder lost
    by_key["Cases"][4].value = "ᠬᠦᠮᠦᠰ ᠢ"  # ordinary space before a suffix
    sheet.parent.save(target)

    dry = apply_review(str(target), str(project), dry_run=True)
    assert len(dry.changed) == 2 and _mn(project, "Sign In") == "ᠨᠡᠪᠲᠡᠷᠡᠬᠦ"

    report = apply_review(str(target), str(project))
    assert {(lang, key) for lang, key, _old, _new in report.changed} == {
        ("mn", "Sign In"), ("zh", "Banner cockpit")}
    assert {key for _lang, key, _why in report.rejected} == {
        "Dictionaries are ready for %(banner)s.", "Cases"}
    assert _mn(project, "Sign In") == "ᠨᠡᠪᠲᠡᠷᠡᠬᠦ ᠬᠠᠭᠠᠯᠭ᠎ᠠ"
    assert "%(banner)s" in _mn(project, "Dictionaries are ready for %(banner)s.")
    text = "\n".join(report.lines())
    assert text.startswith("2 changed, 2 rejected") and "ᠨᠡᠪᠲᠡᠷᠡᠬᠦ ᠬᠠᠭᠠᠯᠭ᠎ᠠ" in text


def test_the_cli_writes_and_applies_the_sheet(app, tmp_path):
    target = tmp_path / "review.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["i18n", "review-sheet", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists()
    result = runner.invoke(args=["i18n", "apply-review", "--dry-run", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("0 changed, 0 rejected, 0 unknown")
