"""Case suffixes of traditional Mongolian, as Unicode's shaping rules see them.

A case suffix (genitive ᠶᠢᠨ/ᠤᠨ/ᠦᠨ/ᠤ/ᠦ, accusative ᠶᠢ/ᠢ, dative-locative ᠳᠤ/ᠲᠤ…) is written
apart from its stem but joined to it by U+202F NARROW NO-BREAK SPACE. The shaping engine
(UTN #57) picks the suffix's letter forms from that space: after an ordinary space the
suffix is shaped as a word of its own and takes the wrong forms, and a line may break
between stem and suffix. Which form a case takes depends on the stem's last letter and
its vowels (harmony), so a suffix must never follow a placeholder whose value decides it.

`suffix_problems` is what the catalog, glossary and seed-data tests run; `with_suffix`
is how code joins a suffix to a name it does not know in advance.
"""

import re

NNBSP = "\u202f"
MVS = "\u180e"
_FVS = "\u180b\u180c\u180d\u180f"

# case → {form: condition}; a condition names the stem it follows:
#   "vowel"/"consonant"/"n" (last letter), "back"/"front" (harmony), or both ("vowel back").
CASES = {
    "genitive": {"ᠶᠢᠨ": "vowel", "ᠤ": "n back", "ᠦ": "n front",
                 "ᠤᠨ": "consonant back", "ᠦᠨ": "consonant front"},
    "accusative": {"ᠶᠢ": "vowel", "ᠢ": "consonant"},
    "dative": {"ᠳᠤ": "soft back", "ᠳᠦ": "soft front", "ᠲᠤ": "hard back", "ᠲᠦ": "hard front"},
    "ablative": {"ᠠᠴᠠ": "back", "ᠡᠴᠡ": "front"},
    "instrumental": {"ᠪᠠᠷ": "vowel back", "ᠪᠡᠷ": "vowel front",
                     "ᠢᠶᠠᠷ": "consonant back", "ᠢᠶᠡᠷ": "consonant front"},
    "comitative": {"ᠲᠠᠢ": "back", "ᠲᠡᠢ": "front"},
    "attributive locative": {"ᠳᠠᠬᠢ": "soft back", "ᠳᠡᠬᠢ": "soft front",
                             "ᠲᠠᠬᠢ": "hard back", "ᠲᠡᠬᠢ": "hard front"},
    "reflexive": {"ᠪᠠᠨ": "vowel back", "ᠪᠡᠨ": "vowel front",
                  "ᠢᠶᠠᠨ": "consonant back", "ᠢᠶᠡᠨ": "consonant front"},
}
SUFFIXES = {form: case for case, forms in CASES.items() for form in forms}

_VOWELS = "ᠠᠡᠢᠣᠤᠥᠦ"
_BACK = "ᠠᠣᠤ"
_FRONT = "ᠡᠥᠦ"
# the dative is -tu/-tü after b, g, r, s, d (and their kin), -du/-dü after vowels and
# l, m, n, ng
_HARD = "ᠪᠭᠷᠰᠳᠲᠬᠫᠹᠺ"
_LETTER = re.compile(r"[\u1820-\u1878\u1880-\u18aa]")
_PLACEHOLDER = re.compile(r"(%\(\w+\)[sdif]|%[sdif]|\{\w*\})$")
_TOKEN = re.compile(r"([ \u202f])")
_TRAILING = "᠂᠃.,:;!?)）」”\"'"


def _letters(stem: str) -> str:
    """The Mongolian letters of the stem's last word ("ᠬᠠᠷᠠᠭᠳᠠᠴᠠ/ᠴᠡᠰ" → ᠴᠡᠰ)."""
    word = re.split(r"[^\u1820-\u18aa\u180b-\u180f]", stem)[-1]
    return "".join(ch for ch in word if _LETTER.match(ch))


def harmony(stem: str) -> str:
    """"back" or "front": a word with a, o, u is back; e, ö, ü or only i is front."""
    letters = _letters(stem)
    if any(ch in _BACK for ch in letters):
        return "back"
    return "front"


def expected_form(stem: str, case: str) -> str:
    letters = _letters(stem)
    last = letters[-1] if letters else ""
    traits = {harmony(stem)}
    if last in _VOWELS:
        traits |= {"vowel", "soft"}
    else:
        traits.add("consonant")
        traits.add("hard" if last in _HARD else "soft")
        if last == "ᠨ":
            traits.add("n")
    for form, condition in CASES[case].items():
        if set(condition.split()) <= traits:
            return form
    raise ValueError(f"no {case} form for {stem!r}")


def with_suffix(stem: str, case: str) -> str:
    """`stem` + NNBSP + the form of `case` its last letter and vowels call for."""
    return f"{stem}{NNBSP}{expected_form(stem, case)}"


def _word(token: str) -> str:
    return token.rstrip(_TRAILING)


def suffix_problems(text: str) -> list[str]:
    """What is wrong with the case suffixes of `text`: an ordinary space before a suffix,
    a suffix after a placeholder, a form that does not fit its stem."""
    problems = []
    tokens = _TOKEN.split(text)
    for i in range(2, len(tokens), 2):
        suffix = _word(tokens[i])
        if suffix not in SUFFIXES:
            continue
        space, stem = tokens[i - 1], tokens[i - 2]
        if _PLACEHOLDER.search(stem):
            problems.append(f"suffix {suffix} after the placeholder {stem}: its form depends on "
                            "the value; rephrase")
            continue
        if not _letters(stem):
            continue  # after digits or Latin: the reader's pronunciation decides
        if space != NNBSP:
            problems.append(f"{stem} {suffix}: ordinary space before the suffix, use U+202F")
        case = SUFFIXES[suffix]
        wanted = expected_form(stem, case)
        if wanted != suffix:
            problems.append(f"{stem}\u202f{suffix}: the {case} of this stem is {wanted}")
    return problems


def join_suffixes(text: str) -> str:
    """Replace an ordinary space before a known suffix by U+202F (not after placeholders,
    digits or Latin, which need rephrasing)."""
    tokens = _TOKEN.split(text)
    for i in range(2, len(tokens), 2):
        if (_word(tokens[i]) in SUFFIXES and tokens[i - 1] == " "
                and _letters(tokens[i - 2]) and not _PLACEHOLDER.search(tokens[i - 2])):
            tokens[i - 1] = NNBSP
    return "".join(tokens)


def correct_suffixes(text: str) -> str:
    """`join_suffixes`, and each suffix in the form its stem calls for."""
    tokens = _TOKEN.split(join_suffixes(text))
    for i in range(2, len(tokens), 2):
        suffix = _word(tokens[i])
        if (suffix in SUFFIXES and tokens[i - 1] == NNBSP and _letters(tokens[i - 2])
                and not _PLACEHOLDER.search(tokens[i - 2])):
            wanted = expected_form(tokens[i - 2], SUFFIXES[suffix])
            tokens[i] = wanted + tokens[i][len(suffix):]
    return "".join(tokens)
