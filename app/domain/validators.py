"""Checks of identity numbers, phones and administrative codes. Plain Python: the
forms, the REST API and the models all call these."""

import re

from app.domain.errors import DomainError

LEVEL_ORDER = ["banner", "township", "village", "grid"]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_HOTLINE_RE = re.compile(r"^(12345|110|12309|12348)$")


def N_(message: str) -> str:
    """Marks a message for translation where it is shown (no Flask here)."""
    return message


class InvalidValue(DomainError):
    """A value that fails a check; the message is an English msgid to translate."""


def normalise_id_number(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def id_number_checksum(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_id_number(value: str) -> str:
    """GB 11643-1999 citizen identity number: 18 characters, a valid birth date and the
    ISO 7064 MOD 11-2 check character. Returns the normalised number."""
    number = normalise_id_number(value)
    if not _ID_RE.match(number):
        raise InvalidValue(N_("An ID number has 17 digits followed by a digit or X."))
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not _valid_date(year, month, day):
        raise InvalidValue(N_("The birth date inside this ID number does not exist."))
    if id_number_checksum(number[:17]) != number[17]:
        raise InvalidValue(N_("The check character of this ID number is wrong."))
    return number


def _valid_date(year: int, month: int, day: int) -> bool:
    import datetime

    if year < 1900:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def check_phone(value: str) -> str:
    phone = value.strip().replace(" ", "")
    if _MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone) or _HOTLINE_RE.match(phone):
        return phone
    raise InvalidValue(N_("Enter an 11-digit mobile number or a landline such as 0477-1234567."))


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 4:
        return value
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# Administrative division codes (GB/T 2260 and the statistical division codes): a
# banner is 12 digits ending in 000000, a township 12 ending in 000, a village 12
# digits, a grid its village's 12 digits and three more.
_CODE_SHAPES = {
    "banner": (re.compile(r"^\d{6}000000$"), 6),
    "township": (re.compile(r"^\d{9}000$"), 9),
    "village": (re.compile(r"^\d{12}$"), 12),
    "grid": (re.compile(r"^\d{15}$"), 15),
}


def check_place_code(level: str, code: str, parent_level: str | None, parent_code: str | None):
    code = code.strip()
    if level not in _CODE_SHAPES:
        raise InvalidValue(N_("Unknown place level."))
    shape, _ = _CODE_SHAPES[level]
    if not shape.match(code):
        raise InvalidValue(
            N_("A banner code has 6 digits then 000000, a township 9 digits then 000, "
            "a village 12 digits and a grid 15 digits.")
        )
    if level == "banner":
        return code
    if parent_level is None:
        raise InvalidValue(N_("Only a banner may have no parent place."))
    if LEVEL_ORDER.index(parent_level) != LEVEL_ORDER.index(level) - 1:
        raise InvalidValue(N_("The parent place must be one level above."))
    prefix = _CODE_SHAPES[parent_level][1]
    if code[:prefix] != parent_code[:prefix]:
        raise InvalidValue(N_("The code must begin with the parent place's code."))
    return code
