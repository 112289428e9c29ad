"""A review sheet for a native reader: every message of the catalogs in one `.xlsx`
(English source, Chinese, Mongolian, where it appears, the glossary terms it contains,
what the checks say), and the way back: the corrected sheet is read into the catalogs
with a report of what changed. A banner's translator corrects the Mongolian in a
spreadsheet, never in a `.po` file.

`flask i18n review-sheet` and `flask i18n apply-review` (app/cli.py) call this module.
"""

import csv
import os
import re
import unicodedata
from dataclasses import dataclass, field

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from app.mongolian import correct_suffixes, suffix_problems

LANGUAGES = ("zh", "mn")
HEADERS = ["msgid", "form", "English (source)", "中文", "ᠮᠣᠩᠭᠣᠯ", "Where it appears",
           "Glossary terms", "Checks"]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
SHEET = "messages"


def _paths(root: str) -> dict:
    return {
        "translations": os.path.join(root, "translations"),
        "app": os.path.join(root, "app"),
        "glossary": os.path.join(root, "docs", "glossary.csv"),
    }


def _po_path(translations: str, language: str) -> str:
    return os.path.join(translations, language, "LC_MESSAGES", "messages.po")


def _read(translations: str, language: str):
    with open(_po_path(translations, language), "rb") as fh:
        return read_po(fh, locale=language)


def _key(message_id):
    return message_id if isinstance(message_id, str) else message_id[0]


def _forms(message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _where(app_dir: str) -> dict[str, list[str]]:
    """msgid → the files that use it (the catalogs carry no locations)."""
    found: dict[str, list[str]] = {}
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    for filename, lineno, message, _comments, _context in extract_from_dir(
            app_dir, method_map=method_map, keywords=KEYWORDS):
        places = found.setdefault(_key(message), [])
        if len(places) < 5:
            places.append(f"app/{filename}:{lineno}")
    return found


def _glossary(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_review_sheet(target: str, root: str) -> int:
    """Writes the sheet; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    paths = _paths(root)
    catalogs = {language: _read(paths["translations"], language) for language in LANGUAGES}
    where = _where(paths["app"])
    glossary = _glossary(paths["glossary"])

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    rows = 0
    for message in sorted((m for m in catalogs["mn"] if m.id), key=lambda m: _key(m.id)):
        key = _key(message.id)
        zh = catalogs["zh"].get(message.id)
        zh_text = _forms(zh)[0] if zh is not None else ""
        terms = "; ".join(f"{row['zh']} = {row['mn']}" for row in glossary
                          if row["zh"] and row["zh"] in zh_text)
        english = key if isinstance(message.id, str) else " | ".join(message.id)
        for form, mongolian in enumerate(_forms(message)):
            checks = "; ".join(suffix_problems(mongolian))
            suggestion = correct_suffixes(mongolian)
            if suggestion != mongolian:
                checks += f"\n→ {suggestion}"
            sheet.append([key, form if not isinstance(message.string, str) else "",
                          english, zh_text if form == 0 else "", mongolian,
                          "\n".join(where.get(key, ["Flask-AppBuilder / WTForms"])),
                          terms, checks])
            rows += 1
    for column, width in zip("ABCDEFGH", (30, 6, 50, 40, 60, 40, 40, 40), strict=True):
        sheet.column_dimensions[column].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    editable = PatternFill("solid", fgColor="FFF6D5")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[3].fill = editable
        row[4].fill = editable
    sheet.column_dimensions["A"].hidden = True  # the key; the reader edits D and E
    sheet.freeze_panes = "C2"
    book.save(target)
    return rows


@dataclass
class ReviewReport:
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)  # lang, key, old, new
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # lang, key, why
    unknown: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{len(self.changed)} changed, {len(self.rejected)} rejected, "
               f"{len(self.unknown)} unknown"]
        out += [f"changed [{lang}] {key!r}:\n    - {old}\n    + {new}"
                for lang, key, old, new in self.changed]
        out += [f"rejected [{lang}] {key!r}: {why}" for lang, key, why in self.rejected]
        out += [f"unknown msgid (not in the catalogs): {key!r}" for key in self.unknown]
        return out


def _problem(key: str, text: str, language: str) -> str | None:
    if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(key)):
        return "its placeholders differ from the source's " + str(PLACEHOLDER.findall(key))
    if not text.strip():
        return "empty"
    if language == "mn":
        if re.search(r"[\u0400-\u04ff]", text):
            return "Cyrillic letters"
        if re.search(r"[\ue000-\uf8ff]", text):
            return "legacy (Menksoft) characters: convert to Unicode first"
        problems = suffix_problems(text)
        if problems:
            return "; ".join(problems)
    return None


def apply_review(source: str, root: str, dry_run: bool = False) -> ReviewReport:
    """Reads the corrected sheet back into the catalogs (and compiles them unless
    dry_run). Changes that would break a placeholder or a suffix are rejected."""
    from openpyxl import load_workbook

    paths = _paths(root)
    catalogs = {language: _read(paths["translations"], language) for language in LANGUAGES}
    by_key = {language: {_key(m.id): m for m in catalog if m.id}
              for language, catalog in catalogs.items()}
    report = ReviewReport()
    sheet = load_workbook(source, read_only=True)[SHEET]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    column = {name: header.index(name) for name in HEADERS}
    for row in rows:
        key = row[column["msgid"]]
        if not key:
            continue
        form = row[column["form"]]
        form = int(form) if form not in (None, "") else 0
        if key not in by_key["mn"]:
            report.unknown.append(key)
            continue
        for language, heading in (("zh", "中文"), ("mn", "ᠮᠣᠩᠭᠣᠯ")):
            value = row[column[heading]]
            if value is None or (language == "zh" and form > 0):
                continue
            message = by_key[language][key]
            forms = _forms(message)
            if form >= len(forms):
                continue
            new = unicodedata.normalize("NFC", str(value))
            old = forms[form]
            if new == old:
                continue
            why = _problem(key, new, language)
            if why:
                report.rejected.append((language, key, why))
                continue
            forms[form] = new
            message.string = forms[0] if isinstance(message.string, str) else tuple(forms)
            report.changed.append((language, key, old, new))
    if not dry_run and report.changed:
        for language in {lang for lang, *_rest in report.changed}:
            with open(_po_path(paths["translations"], language), "wb") as fh:
                write_po(fh, catalogs[language], width=100, ignore_obsolete=True)
    return report
