"""The translation catalogs are complete, consistent with the code and with the glossary.
No database: these read translations/*.po, docs/glossary.csv and the source tree."""

import csv
import os
import re
import unicodedata

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app.mongolian import SUFFIXES, suffix_problems

pytestmark = pytest.mark.any_engine  # nothing of the engine under test

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGS = ("zh", "mn")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}
APP_METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")


def _po(lang):
    with open(os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.fixture(scope="module")
def catalogs():
    return {lang: _po(lang) for lang in LANGS}


def _key(message_id):
    return message_id if isinstance(message_id, str) else message_id[0]


def _strings(message):
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _used_in_app():
    found = {}
    for filename, lineno, message, _c, _ctx in extract_from_dir(
        os.path.join(ROOT, "app"), method_map=APP_METHODS, keywords=KEYWORDS
    ):
        found.setdefault(_key(message), f"app/{filename}:{lineno}")
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_every_entry_is_translated_and_not_fuzzy(catalogs, lang):
    problems = []
    for message in catalogs[lang]:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(s.strip() for s in _strings(message)):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{lang}: " + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_every_msgid_in_code_and_templates_is_in_the_catalog(catalogs, lang):
    missing = [f"{where}: {msgid!r}" for msgid, where in _used_in_app().items()
               if msgid not in catalogs[lang]]
    assert not missing, (f"run scripts/i18n.sh and translate; missing in {lang}:\n"
                         + "\n".join(missing))


@pytest.mark.parametrize("lang", LANGS)
def test_flask_appbuilder_and_wtforms_messages_are_in_the_catalog(catalogs, lang):
    import flask_appbuilder
    import wtforms

    fab_po = os.path.join(os.path.dirname(flask_appbuilder.__file__), "translations", "zh",
                          "LC_MESSAGES", "messages.po")
    wtf_pot = os.path.join(os.path.dirname(wtforms.__file__), "locale", "wtforms.pot")
    wanted = set()
    for path in (fab_po, wtf_pot):
        with open(path, "rb") as fh:
            wanted |= {_key(m.id) for m in read_po(fh) if m.id}
    for gap in ("Add", "Edit", "Delete", "Show", "List", "Search", "Save", "Back"):
        wanted.add(gap)
    missing = sorted(m for m in wanted if m not in catalogs[lang])
    assert not missing, f"{lang} lacks upstream msgids: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_survive_translation(catalogs, lang):
    wrong = []
    for message in catalogs[lang]:
        if not message.id:
            continue
        expected = sorted(PLACEHOLDER.findall(_key(message.id)))
        for string in _strings(message):
            if sorted(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"{message.id!r} → {string!r}")
    assert not wrong, "\n".join(wrong)


def test_mongolian_catalog_is_traditional_script_in_nfc(catalogs):
    for message in catalogs["mn"]:
        if not message.id:
            continue
        for string in _strings(message):
            assert not CYRILLIC.search(string), f"Cyrillic in {message.id!r}: {string!r}"
            assert unicodedata.is_normalized("NFC", string), message.id
            assert not re.search(r"[\ue000-\uf8ff]", string), f"Menksoft PUA in {message.id!r}"
            if re.search(r"[A-Za-z]{3,}", _key(message.id)) and not _is_code_like(string):
                assert re.search(r"[\u1820-\u18aa]", string), (
                    f"no Mongolian letters in {message.id!r}: {string!r}")


def _is_code_like(string):
    return bool(re.fullmatch(r"[\sA-Za-z0-9%()._:/-]*", string))


def test_chinese_catalog_is_simplified_chinese(catalogs):
    for message in catalogs["zh"]:
        if message.id and re.search(r"[A-Za-z]{4,}", _key(message.id)):
            string = _strings(message)[0]
            assert _is_code_like(string) or re.search(r"[\u4e00-\u9fff]", string), message.id


def glossary():
    with open(os.path.join(ROOT, "docs", "glossary.csv"), encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_glossary_is_well_formed():
    rows = glossary()
    assert len(rows) >= 40
    kinds = {row["kind"] for row in rows}
    assert {"place", "role", "action", "concept", "category", "state"} <= kinds
    for row in rows:
        assert row["zh"] and row["mn"] and row["en"], row
        assert re.search(r"[\u1820-\u18aa]", row["mn"]) and not CYRILLIC.search(row["mn"]), row
        assert unicodedata.is_normalized("NFC", row["mn"]), row
        if row["mn_match"]:
            assert row["mn_match"] in row["mn"], row


def test_catalogs_use_the_glossary_terms(catalogs):
    """Wherever the Chinese of an entry contains a glossary term, its Mongolian contains
    the glossary's Mongolian for it: one word, one translation."""
    zh, mn = catalogs["zh"], catalogs["mn"]
    rows = glossary()
    problems = []
    for message in zh:
        if not message.id:
            continue
        zh_text = _strings(message)[0]
        mn_text = _strings(mn[_key(message.id)])[0]
        for row in rows:
            text = zh_text
            for compound in filter(None, row["except_zh"].split(";")):
                text = text.replace(compound, "")
            if row["zh"] in text:
                term = row["mn_match"] or row["mn"]
                if term not in mn_text:
                    problems.append(f"{message.id!r}: {row['zh']} → {row['mn']} not in {mn_text}")
    assert not problems, "\n".join(problems)


def test_glossary_names_one_chinese_term_per_concept(catalogs):
    """集体访, not 群体访: a concept's other Chinese names (avoid_zh) appear nowhere."""
    problems = []
    for row in glossary():
        for other in filter(None, row["avoid_zh"].split(";")):
            problems += [f"{_key(m.id)!r} says {other}, the glossary's term is {row['zh']}"
                         for m in catalogs["zh"] if m.id and other in _strings(m)[0]]
    assert not problems, "\n".join(problems)


def test_glossary_terms_are_distinct():
    rows = glossary()
    for field in ("zh", "en"):
        values = [row[field] for row in rows]
        assert len(values) == len(set(values)), f"a {field} term is listed twice"


def _mongolian_sources():
    """(where, text) for the Mongolian catalog, the glossary and every source line with
    Mongolian letters (seed data, demo data, date formats)."""
    mn = _po("mn")
    for message in mn:
        if message.id:
            for string in _strings(message):
                yield f"catalog {_key(message.id)!r}", string
    for row in glossary():
        yield f"glossary {row['zh']}", row["mn"]
    for folder, pattern in (("app", ".py"), ("app/templates", ".html")):
        for base, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for name in files:
                if not name.endswith(pattern) or name == "mongolian.py":
                    continue
                path = os.path.join(base, name)
                with open(path, encoding="utf-8") as fh:
                    for number, line in enumerate(fh, 1):
                        if re.search(r"[\u1820-\u18aa]", line):
                            yield f"{os.path.relpath(path, ROOT)}:{number}", line


def test_case_suffixes_follow_a_narrow_no_break_space_and_fit_their_stem():
    """UTN #57: a case suffix is joined with U+202F (an ordinary space makes the shaping
    engine draw it as a separate word, in the wrong letter forms), never follows a
    placeholder (its form would depend on the value), and takes the form its stem's last
    letter and vowels call for."""
    problems = [f"{where}: {problem}" for where, text in _mongolian_sources()
                for problem in suffix_problems(text)]
    assert not problems, "\n".join(problems)


def test_suffix_check_catches_what_it_should():
    assert suffix_problems("ᠬᠦᠮᠦᠰ ᠢ")  # ordinary space
    assert suffix_problems("%(banner)s\u202fᠤᠨ")  # after a placeholder
    assert suffix_problems("ᠪᠢᠴᠢᠭ\u202fᠲᠤ")  # front stem, back suffix
    assert suffix_problems("ᠲᠠᠯᠠᠪᠤᠷ\u202fᠳᠤ")  # -r takes ᠲᠤ
    assert not suffix_problems("ᠬᠦᠮᠦᠰ\u202fᠢ ᠪᠢᠴᠢᠭ\u202fᠲᠦ ᠭᠠᠴᠠᠭ\u180eᠠ\u202fᠶᠢᠨ")


# Words that differ only in o/u, ö/ü, t/d or the vowel separator are one word typed
# two ways (ᠳᠣᠣᠷ᠎ᠠ/ᠳᠤᠤᠷ᠎ᠠ), which breaks search; these pairs are different words.
DISTINCT_WORDS = {frozenset({"ᠲᠦᠷ", "ᠳᠦᠷ"})}  # temporary / role


def _spelling_key(word):
    return (word.replace("ᠣ", "ᠤ").replace("ᠥ", "ᠦ").replace("ᠲ", "ᠳ")
            .replace("\u180e", ""))


def test_one_spelling_per_word():
    spellings = {}
    for _where, text in _mongolian_sources():
        for word in re.findall(r"[\u1820-\u18aa\u180b-\u180f]+", text):
            if word not in SUFFIXES:
                spellings.setdefault(_spelling_key(word), set()).add(word)
    twice = [sorted(words) for words in spellings.values()
             if len(words) > 1 and frozenset(words) not in DISTINCT_WORDS]
    assert not twice, f"words typed two ways: {twice}"
