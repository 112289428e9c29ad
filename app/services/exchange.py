"""三通: cases out to the upper-level petition system, and the cases it assigns down
(交办件) in, through the one mapping of app/domain/exchange.py.

The export reads the user's scope only. The import checks every row first and saves
nothing if any row is wrong (each problem named with its row); each case is then
registered through the case service, into the screening queue of its place, with its
first event — the one way a case is written."""

import datetime
import io
import json
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import clock
from app.domain import authority
from app.domain import exchange as layout
from app.domain.errors import DomainError
from app.domain.validators import InvalidValue, check_phone
from app.extensions import db
from app.models import Case, CaseReview, Category, Channel, Petitioner, Place
from app.security import audit
from app.security.pii import keyed_hash
from app.security.scope import EVERYTHING, Scope, scope_for_user
from app.services import cases as case_service

SHEET_TITLE = "信访件"
MAX_ROWS = 5000
# daiban's two category lists as the first level of the upper system's hierarchical
# content category ("代办服务事项/邻里纠纷")
CATEGORY_LISTS = {"service": "代办服务事项", "excluded": "不予受理事项"}
_LENGTHS = {"number": 40, "names": 200, "address": 300, "title": 200,
            "registering_unit": 200, "clerk": 100}


class ExchangeFileError(ValueError):
    """A file that is not an exchange file at all (message already translated)."""


def _scope(user) -> Scope:
    return EVERYTHING if user is None else scope_for_user(user)


def _iso(day) -> str | None:
    return day.isoformat() if day is not None else None


# --- export ------------------------------------------------------------------------------
def _reviews_by_case(case_ids) -> dict[int, tuple[layout.ReviewFacts, ...]]:
    found: dict[int, list] = {}
    for chunk in range(0, len(case_ids), 500):
        rows = db.session.scalars(
            select(CaseReview).where(CaseReview.case_id.in_(case_ids[chunk:chunk + 500]))
            .order_by(CaseReview.case_id, CaseReview.id))
        for r in rows:
            found.setdefault(r.case_id, []).append(
                layout.ReviewFacts(r.stage, r.status == "answered", r.answer_due_on))
    return {k: tuple(v) for k, v in found.items()}


def _time_limit(case: Case):
    if case.state in ("registered", "declined"):
        return case.acceptance_due_on
    return case.due_on or case.acceptance_due_on


def _clerk_name(user) -> str | None:
    if user is None:
        return None
    name = f"{user.last_name or ''}{user.first_name or ''}".strip()
    return name or user.username


def record_of(case: Case, reviews: tuple, today: datetime.date) -> dict:
    """One case in the upper system's record layout."""
    petitioner, category, registrar = case.petitioner, case.category, case.registered_by
    declined = case.decline_reason is not None
    terminated = case.termination_reason is not None
    state = layout.upper_state(case.state, today=today, due_on=case.due_on,
                               declined=declined, terminated=terminated, reviews=reviews)
    if case.upper_number:  # assigned down: who registered it up there, as they said
        number, register_date = case.upper_number, case.upper_registered_on
        unit, clerk = case.upper_unit, case.upper_clerk
    else:
        number, register_date = case.number, case.registered_at.date()
        unit = (registrar.place.name_zh if registrar is not None and registrar.place
                is not None else None)
        clerk = _clerk_name(registrar)
    return {
        "number": number,
        "names": petitioner.name,
        "head_count": case.head_count,
        "address": petitioner.address or None,
        "phone": petitioner.phone or None,
        "place_code": case.place.code,
        "place": case.place.name_zh,
        "purpose": layout.PURPOSES[case.purpose],
        "category": f"{CATEGORY_LISTS[category.list]}/{category.name_zh}",
        "category_code": category.code,
        "petition_date": _iso(case.received_on),
        "register_date": _iso(register_date),
        "time_limit": _iso(_time_limit(case)),
        "form": layout.FORMS[case.channel.national_form],
        "title": case.title,
        "summary": case.description,
        "demand": case.demand,
        "concluded": layout.yes_no(case.state in layout.CONCLUDED_STATES
                                   and not declined and not terminated),
        "first_petition": layout.yes_no(not case.is_repeat),
        "collective": layout.yes_no(case.is_group),
        "representatives": case.representatives,
        "state": state,
        "registering_unit": unit,
        "clerk": clerk,
    }


def export_records(user=None, *, state: str | None = None) -> list[dict]:
    """The cases in ``user``'s scope (everything for the system), oldest first, in the
    upper system's layout; ``state``: only the cases in this daiban state."""
    stmt = (select(Case).where(Case.scope_clause(_scope(user)))
            .options(selectinload(Case.petitioner), selectinload(Case.place),
                     selectinload(Case.channel), selectinload(Case.category),
                     selectinload(Case.registered_by))
            .order_by(Case.received_on, Case.id))
    if state:
        stmt = stmt.where(Case.state == state)
    cases = db.session.scalars(stmt).all()
    reviews = _reviews_by_case([c.id for c in cases])
    today = clock.today()
    records = [record_of(c, reviews.get(c.id, ()), today) for c in cases]
    audit.record("export", "Case", detail=f"exchange: {len(records)} cases", user=user)
    db.session.commit()
    return records


def to_json(records: list[dict]) -> dict:
    return {"layout": layout.LAYOUT, "mapping_version": layout.MAPPING_VERSION,
            "records": records}


def to_xlsx(records: list[dict]) -> bytes:
    """One sheet, the upper system's headings in the first row; dates as text
    (2026-01-31), so no spreadsheet turns them into numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.subject = layout.LAYOUT
    book.properties.version = layout.MAPPING_VERSION
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append([f.header for f in layout.FIELDS])
    for record in records:
        sheet.append([record.get(f.key) for f in layout.FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading a file ------------------------------------------------------------------------
def _cell(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return layout.yes_no(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _check_version(version) -> None:
    if version not in (None, "", layout.MAPPING_VERSION):
        raise ExchangeFileError(gettext(
            "This file was written with mapping version %(version)s; this system reads "
            "version %(current)s.", version=version, current=layout.MAPPING_VERSION))


def records_from_json(body) -> list[tuple[int, dict]]:
    """(row number, record) from a JSON export (or a bare list of records)."""
    if isinstance(body, dict):
        _check_version(body.get("mapping_version"))
        body = body.get("records")
    if not isinstance(body, list) or not all(isinstance(r, dict) for r in body):
        raise ExchangeFileError(gettext("The file holds no list of cases."))
    return [(n, {k: _cell(v) for k, v in r.items()}) for n, r in enumerate(body, start=1)]


def records_from_xlsx(payload: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    if book.properties.subject == layout.LAYOUT:
        _check_version(book.properties.version)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ExchangeFileError(gettext("The file is empty."))
    keys = [layout.HEADER_TO_KEY.get(_cell(h) or "") for h in header]
    missing = [gettext(f.label) for f in layout.FIELDS
               if f.required and f.key not in keys]
    if missing:
        raise ExchangeFileError(gettext("Missing columns: %(columns)s",
                                        columns="、".join(missing)))
    records = []
    for number, row in enumerate(rows, start=2):
        values = {k: _cell(v) for k, v in zip(keys, row, strict=False) if k}
        if any(v is not None for v in values.values()):
            records.append((number, values))
    return records


def read_upload(filename: str, payload: bytes) -> list[tuple[int, dict]]:
    """The records of an uploaded .xlsx or .json exchange file."""
    try:
        if filename.lower().endswith(".json"):
            return records_from_json(json.loads(payload.decode("utf-8-sig")))
        return records_from_xlsx(payload)
    except ExchangeFileError:
        raise
    except Exception as err:  # noqa: BLE001 - any unreadable file gets the same answer
        raise ExchangeFileError(gettext("The file could not be read as XLSX or JSON.")) from err


# --- import --------------------------------------------------------------------------------
@dataclass
class ImportResult:
    created: int = 0
    numbers: list[str] = field(default_factory=list)  # daiban's numbers of the new cases
    errors: list[str] = field(default_factory=list)


class _RowProblem(Exception):
    pass


def _label(key: str) -> str:
    return gettext(layout.FIELD_BY_KEY[key].label)


def _choice(row, key, table: dict) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    found = layout.reverse(table).get(value) or (value if value in table else None)
    if found is None:
        raise _RowProblem(gettext("%(field)s: choose one of: %(choices)s.", field=_label(key),
                                  choices="、".join(table.values())))
    return found


def _yes(row, key, default: bool) -> bool:
    value = row.get(key)
    if value is None:
        return default
    words = {layout.YES: True, layout.NO: False, "true": True, "false": False,
             "1": True, "0": False}
    if value.lower() not in words:
        raise _RowProblem(gettext("%(field)s: choose one of: %(choices)s.", field=_label(key),
                                  choices=f"{layout.YES}、{layout.NO}"))
    return words[value.lower()]


def _date(row, key) -> datetime.date | None:
    value = row.get(key)
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value.replace("/", "-")[:10])
    except ValueError:
        raise _RowProblem(gettext('%(field)s: "%(value)s" is not a date (write it as '
                                  '2026-01-31).', field=_label(key), value=value)) from None


class _Lookups:
    """The dictionaries one import reads, loaded once."""

    def __init__(self):
        self.places = {p.code: p for p in db.session.scalars(select(Place))}
        self.categories = list(db.session.scalars(select(Category)))
        self.channels: dict[str, Channel | None] = {}

    def category(self, row) -> Category:
        code, path = row.get("category_code"), row.get("category")
        for c in self.categories:
            if code is not None and c.code == code:
                return c
        if code is None and path is not None:
            *parents, name = path.split("/")
            for c in self.categories:
                if name in (c.name_zh, c.name_mn) and (
                        not parents or parents[-1] == CATEGORY_LISTS[c.list]):
                    return c
        if code is None and path is None:
            raise _RowProblem(gettext("%(column)s is required.",
                                      column=_label("category")))
        raise _RowProblem(gettext("Unknown content category: %(value)s.",
                                  value=code or path))

    def channel(self, form: str) -> Channel:
        """The first active channel (by the dictionary's order) of the form."""
        if form not in self.channels:
            self.channels[form] = db.session.scalars(
                select(Channel).where(Channel.national_form == form, Channel.active)
                .order_by(Channel.sort_order, Channel.id)).first()
        if self.channels[form] is None:
            raise _RowProblem(gettext("No channel of this banner stands for the form "
                                      "%(form)s.", form=layout.FORMS[form]))
        return self.channels[form]


def _plan(row: dict, lookups: _Lookups, user, scope: Scope) -> tuple[Case, tuple]:
    for key in row:
        if key not in layout.FIELD_BY_KEY:
            raise _RowProblem(gettext("Unknown field: %(field)s.", field=key))
    missing = [_label(f.key) for f in layout.FIELDS if f.required and row.get(f.key) is None]
    if missing:
        raise _RowProblem(gettext("%(column)s is required.", column="、".join(missing)))
    for key, most in _LENGTHS.items():
        if row.get(key) is not None and len(row[key]) > most:
            raise _RowProblem(gettext("%(field)s is longer than %(max)s characters.",
                                      field=_label(key), max=most))
    state = row.get("state")
    if state is not None:
        if state not in layout.UPPER_STATES:
            raise _RowProblem(gettext("%(field)s: choose one of: %(choices)s.",
                                      field=_label("state"),
                                      choices="、".join(layout.UPPER_STATES)))
        if layout.UPPER_STATES[state] != "registered":
            raise _RowProblem(gettext("Only cases awaiting acceptance review can be "
                                      "assigned for screening; this one is: %(state)s.",
                                      state=state))
    if _yes(row, "concluded", False):
        raise _RowProblem(gettext("A concluded case cannot be assigned for screening."))
    place = lookups.places.get(row["place_code"])
    if place is None:
        raise _RowProblem(gettext("No place has the code %(code)s.", code=row["place_code"]))
    if not scope.contains_place(place):
        raise _RowProblem(gettext("The place %(code)s is outside your area.", code=place.code))
    if not authority.may_register_at(case_service.actor_of(user), place.path, place.level):
        raise _RowProblem(gettext("A case is registered in a village or a grid of your area."))
    try:
        head_count = int(row["head_count"])
    except ValueError:
        raise _RowProblem(gettext("%(field)s: enter a whole number.",
                                  field=_label("head_count"))) from None
    try:
        representatives = int(row["representatives"]) if row.get("representatives") else None
    except ValueError:
        raise _RowProblem(gettext("%(field)s: enter a whole number.",
                                  field=_label("representatives"))) from None
    phone = check_phone(row["phone"]) if row.get("phone") else None
    summary = row["summary"]
    case = Case(
        place=place,
        purpose=_choice(row, "purpose", layout.PURPOSES),
        channel=lookups.channel(_choice(row, "form", layout.FORMS)),
        category=lookups.category(row),
        urgency="blue",
        title=row.get("title") or summary.splitlines()[0][:200],
        description=summary,
        demand=row.get("demand") or summary,
        is_group=_yes(row, "collective", False),
        head_count=head_count,
        representatives=representatives,
        is_repeat=not _yes(row, "first_petition", True),
        received_on=_date(row, "petition_date"),
        upper_number=row["number"],
        upper_registered_on=_date(row, "register_date"),
        upper_unit=row.get("registering_unit"),
        upper_clerk=row.get("clerk"),
    )
    case_service.prepare_assigned(case, user, time_limit=_date(row, "time_limit"))
    who = (row["names"], place.id, phone, row.get("address"))
    return case, who


def _petitioner(who, found: dict) -> Petitioner:
    """The petitioner of this name, at this place, with this phone (or none), found
    once per import; created with the address when there is none yet."""
    name, place_id, phone, address = who
    key = (name, place_id, phone)
    if key not in found:
        stmt = select(Petitioner).where(Petitioner.name == name,
                                        Petitioner.place_id == place_id)
        # phones are encrypted at rest: found by their keyed hash
        stmt = stmt.where(Petitioner.phone_hash == keyed_hash(phone) if phone
                          else Petitioner.phone.is_(None))
        found[key] = db.session.scalars(stmt.order_by(Petitioner.id)).first()
        if found[key] is None:
            found[key] = Petitioner(name=name, place_id=place_id, phone=phone,
                                    address=address)
            db.session.add(found[key])
    return found[key]


def import_assigned(records: list[tuple[int, dict]], user=None) -> ImportResult:
    """Register the cases of ``records`` ((row, record) pairs) in the screening queue of
    their places — all of them, or none when any row is wrong."""
    result = ImportResult()
    if not records:
        result.errors.append(gettext("The file holds no cases."))
        return result
    if len(records) > MAX_ROWS:
        result.errors.append(gettext("At most %(count)s cases at a time.", count=MAX_ROWS))
        return result
    scope, lookups = _scope(user), _Lookups()
    numbers = [r.get("number") for _, r in records if r.get("number")]
    taken, ours = set(), set()
    for chunk in range(0, len(numbers), 500):
        part = numbers[chunk:chunk + 500]
        taken.update(db.session.scalars(select(Case.upper_number).where(
            Case.upper_number.in_(part))))
        # a case of this banner's own, exported and coming back
        ours.update(db.session.scalars(select(Case.number).where(Case.number.in_(part))))
    planned, seen = [], set()
    with db.session.no_autoflush:
        for row_number, row in records:
            number = row.get("number")
            problems = []
            if number in taken:
                problems.append(gettext("The number %(number)s has already been imported.",
                                        number=number))
            elif number in ours:
                problems.append(gettext("The number %(number)s is a case of this system "
                                        "already.", number=number))
            elif number is not None and number in seen:
                problems.append(gettext("The number %(number)s appears twice in the file.",
                                        number=number))
            seen.add(number)
            try:
                planned.append(_plan(row, lookups, user, scope))
            except _RowProblem as err:
                problems.append(str(err))
            except InvalidValue as err:
                problems.append(gettext(str(err)))
            except DomainError as err:
                problems.append(err.translate(gettext))
            result.errors.extend(gettext("Row %(row)s: %(problem)s", row=row_number,
                                         problem=p) for p in problems)
    if result.errors:
        db.session.rollback()
        return result
    try:
        found: dict = {}
        for case, who in planned:
            case.petitioner = _petitioner(who, found)
            db.session.add(case)
            db.session.flush()
            case_service.finish_registration(case, user, data={
                "assigned_by_upper_system": case.upper_number})
            result.numbers.append(case.number)
        audit.record("import", "Case", detail=f"exchange: {len(planned)} assigned cases",
                     user=user)
        db.session.commit()
    except IntegrityError:  # the same assignment imported at the same moment elsewhere
        db.session.rollback()
        result.numbers.clear()
        result.errors.append(gettext("Some of these cases have just been imported by "
                                     "someone else; nothing was saved. Try again."))
        return result
    result.created = len(planned)
    return result
