"""Bulk import of people and their duties from the spreadsheets township staff already
keep (CSV in UTF-8 or GBK, or XLSX). All or nothing: every row is checked first; one
bad row and nothing is saved, and the user gets every row's problem at once."""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.domain.validators import InvalidValue, check_id_number, check_phone
from app.extensions import db
from app.models import Duty, Person, Place
from app.models.choices import DUTY_KINDS, EMPLOYMENT, GENDERS
from app.security.pii import keyed_hash
from app.security.scope import Scope

# canonical column → label (the template's header, in the user's language)
COLUMNS = {
    "name_zh": _l("Name (Chinese)"),
    "name_mn": _l("Name (Mongolian)"),
    "gender": _l("Gender"),
    "id_number": _l("ID number"),
    "phone": _l("Phone"),
    "place_code": _l("Place code"),
    "organisation": _l("Organisation"),
    "position": _l("Position"),
    "duty": _l("Duty"),
    "employment": _l("Full-time or part-time"),
    "duty_place_code": _l("Code of the place served"),
}
# headers the banners' existing spreadsheets use
ALIASES = {
    "姓名": "name_zh", "蒙古文姓名": "name_mn", "蒙文姓名": "name_mn", "性别": "gender",
    "身份证号": "id_number", "身份证号码": "id_number", "电话": "phone", "联系电话": "phone",
    "手机": "phone", "地区代码": "place_code", "区划代码": "place_code", "单位": "organisation",
    "工作单位": "organisation", "职务": "position", "职责": "duty", "专兼职": "employment",
    "职责地区代码": "duty_place_code", "服务地区代码": "duty_place_code",
}
REQUIRED = ("name_zh", "place_code")
LANGUAGES = ("zh", "mn", "en")
IMPORTABLE_DUTIES = ("agent", "grid_worker", "mediator", "village_secretary")
# spellings the banners' spreadsheets use beside our own labels
_ALIAS_WORDS = {"男": "male", "女": "female", "村支书": "village_secretary", "专职": "full_time",
                "兼职": "part_time"}


def words(choices: dict, codes=None) -> dict[str, str]:
    """Every language's label of each code (and its known aliases) → code."""
    codes = codes or tuple(choices)
    found = {code: code for code in codes}
    for language in LANGUAGES:
        with force_locale(language):
            found.update({str(choices[code]): code for code in codes})
    found.update({w: c for w, c in _ALIAS_WORDS.items() if c in codes})
    return found


def choices_text(choices: dict, codes=None) -> str:
    return "、".join(str(choices[code]) for code in (codes or tuple(choices)))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def header_names() -> dict[str, str]:
    """Every accepted header (in each language, and the canonical key) → column."""
    names = dict(ALIASES)
    for key, label in COLUMNS.items():
        names[key] = key
        for language in LANGUAGES:
            with force_locale(language):
                names[str(label).strip()] = key
    return names


def template_csv() -> str:
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerow([str(label) for label in COLUMNS.values()])
    return out.getvalue()


def read_rows(filename: str, payload: bytes) -> list[list[str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(payload), read_only=True, data_only=True).active
        return [["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = payload.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(gettext("The file is neither UTF-8 nor GBK text."))
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]


def import_people(rows: list[list[str]], scope: Scope) -> ImportResult:
    result = ImportResult()
    if not rows:
        result.errors.append(gettext("The file is empty."))
        return result
    names = header_names()
    header = [names.get(cell.strip()) for cell in rows[0]]
    missing = [str(COLUMNS[c]) for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(gettext("Missing columns: %(columns)s", columns="、".join(missing)))
        return result
    places = {p.code: p for p in db.session.scalars(select(Place))}
    planned, seen_ids = [], set()
    with db.session.no_autoflush:
        for number, raw in enumerate(rows[1:], start=2):
            if not any(raw):
                continue
            row = {key: raw[i] if i < len(raw) else "" for i, key in enumerate(header) if key}
            problems = []
            try:
                planned.append(_plan_row(row, places, scope, problems))
            except InvalidValue as err:
                problems.append(gettext(str(err)))
            person = planned[-1][0] if planned and planned[-1] else None
            if person is not None and person.id_number:
                if person.id_number in seen_ids:
                    problems.append(gettext("This ID number appears twice in the file."))
                seen_ids.add(person.id_number)
            for problem in problems:
                result.errors.append(
                    gettext("Row %(row)s: %(problem)s", row=number, problem=problem))
    if result.errors:
        db.session.rollback()
        return result
    for person, is_new, duty in planned:
        if is_new:
            db.session.add(person)
            result.created += 1
        else:
            result.updated += 1
        if duty is not None and not any(
            d.kind == duty.kind and d.place_id == duty.place.id for d in person.duties
        ):
            person.duties.append(duty)
    db.session.commit()
    return result


def _plan_row(row, places, scope, problems):
    for key in REQUIRED:
        if not row.get(key):
            problems.append(gettext("%(column)s is required.", column=COLUMNS[key]))
    place = places.get(row.get("place_code", ""))
    if row.get("place_code") and place is None:
        problems.append(gettext("No place has the code %(code)s.", code=row["place_code"]))
    elif place is not None and not scope.contains_place(place):
        problems.append(gettext("The place %(code)s is outside your area.", code=place.code))
    id_number = check_id_number(row["id_number"]) if row.get("id_number") else None
    phone = check_phone(row["phone"]) if row.get("phone") else None
    gender = words(GENDERS).get(row.get("gender", ""))
    if row.get("gender") and gender is None:
        problems.append(gettext("Gender is one of: %(choices)s.", choices=choices_text(GENDERS)))
    duty = None
    if row.get("duty"):
        kind = words(DUTY_KINDS, IMPORTABLE_DUTIES).get(row["duty"])
        duty_place = places.get(row.get("duty_place_code") or row.get("place_code", ""))
        employment = words(EMPLOYMENT).get(row.get("employment", ""))
        if kind is None:
            problems.append(gettext(
                "Unknown duty %(duty)s; it is one of: %(choices)s.", duty=row["duty"],
                choices=choices_text(DUTY_KINDS, IMPORTABLE_DUTIES)))
        elif kind == "agent" and employment is None:
            problems.append(gettext("An agent is either full-time or part-time."))
        elif kind == "grid_worker" and duty_place is not None and duty_place.level != "grid":
            problems.append(gettext("A grid worker serves a grid."))
        if duty_place is not None and not scope.contains_place(duty_place):
            problems.append(gettext("The place %(code)s is outside your area.",
                                    code=duty_place.code))
        if kind and duty_place is not None:
            duty = Duty(kind=kind, place=duty_place, employment=employment)
    if problems:
        return None
    person = None
    if id_number:
        person = db.session.scalar(select(Person).where(
            Person.id_number_hash == keyed_hash(id_number)))
        if person is not None and not scope.contains_place(person.place):
            problems.append(gettext("This ID number belongs to a person outside your area."))
            return None
    is_new = person is None
    person = person or Person()
    person.name_zh = row["name_zh"]
    person.name_mn = row.get("name_mn") or person.name_mn
    person.gender = gender or person.gender
    person.id_number = id_number or person.id_number
    person.phone = phone or person.phone
    person.place = place
    person.organisation = row.get("organisation") or person.organisation
    person.position = row.get("position") or person.position
    return person, is_new, duty
