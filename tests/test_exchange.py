"""三通: a banner exports its cases in the upper-level petition system's layout and
imports the cases that system assigns down (交办件) into its screening queue — all rows
or none, never the same assignment twice, only in the importer's area."""

import datetime
import io
import json

import pytest
from sqlalchemy import func, select

from app.domain import exchange as layout
from app.extensions import db
from app.models import Case, CaseEvent, Channel, Petitioner
from app.models.choices import NATIONAL_FORMS, PURPOSES
from app.services import cases as case_service
from app.services import exchange
from tests import world as world_module
from tests.conftest import _clear_data
from tests.world import add_case, build_world

TODAY = "2026-11-10"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _record(world, number="SJ-2026-0001", **values):
    village = world.villages["A1"]
    record = {
        "number": number, "names": "张三", "head_count": 1, "address": "A1村三组",
        "phone": "13912345678", "place_code": village.code, "place": village.name_zh,
        "purpose": "求决", "category": "代办服务事项/邻里纠纷", "category_code": "S02",
        "petition_date": "2026-11-03", "register_date": "2026-11-04",
        "time_limit": "2026-11-18", "form": "来信", "title": "邻里宅基地纠纷",
        "summary": "与邻居因宅基地边界发生纠纷。", "demand": "请求重新勘界。",
        "concluded": "否", "first_petition": "是", "collective": "否",
        "state": "受理审查中", "registering_unit": "内蒙古自治区信访局", "clerk": "王登记",
    }
    record.update(values)
    return record


def _post(client, records):
    return client.post("/api/v1/exchange/cases", json={
        "mapping_version": layout.MAPPING_VERSION, "records": records})


# --- the mapping -------------------------------------------------------------------------
def test_the_mapping_covers_every_form_and_purpose_both_ways():
    assert set(layout.FORMS) == set(NATIONAL_FORMS)
    assert set(layout.PURPOSES) == set(PURPOSES)
    for table in (layout.FORMS, layout.PURPOSES):
        assert len(set(table.values())) == len(table)  # one-to-one: reversible
        assert {v: k for k, v in layout.reverse(table).items()} == table
    assert set(layout.HEADER_TO_KEY.values()) == {f.key for f in layout.FIELDS}


def test_the_documented_mapping_is_the_one_in_code():
    import pathlib

    doc = (pathlib.Path(__file__).parent.parent / "docs" / "exchange.md").read_text("utf-8")
    assert f"**Mapping version: {layout.MAPPING_VERSION}**" in doc
    for f in layout.FIELDS:
        assert f"| `{f.key}` | {f.header} | {'yes' if f.required else ''} |" in doc
    for table in (layout.FORMS, layout.PURPOSES):
        for code, upper in table.items():
            assert f"| `{code}` | {upper} |" in doc
    for upper in layout.UPPER_STATES:
        assert upper in doc


def test_upper_states_of_daiban_cases():
    today = datetime.date(2026, 11, 10)
    past, future = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)
    review = layout.ReviewFacts("review", False, future)
    answered = layout.ReviewFacts("review", True, past)
    state = layout.upper_state
    assert state("registered", today=today) == layout.UNDER_REVIEW
    assert state("declined", today=today) == layout.NOT_ACCEPTED
    assert state("in_progress", today=today, due_on=future) == layout.ACCEPTED
    assert state("transferred", today=today, due_on=past) == layout.OPINION_OVERDUE
    assert state("concluded", today=today) == layout.OPINION_GIVEN
    assert state("followed_up", today=today, reviews=(review,)) == layout.REVIEW_REQUESTED
    assert state("concluded", today=today,
                 reviews=(layout.ReviewFacts("review", False, past),)) == layout.REVIEW_OVERDUE
    assert state("concluded", today=today, reviews=(answered,)) == layout.REVIEW_ANSWERED
    assert state("concluded", today=today, reviews=(
        answered, layout.ReviewFacts("re_review", False, future))) == layout.RE_REVIEW_REQUESTED
    assert state("concluded", today=today, reviews=(
        answered, layout.ReviewFacts("re_review", True, past))) == layout.RE_REVIEW_ANSWERED
    assert state("archived", today=today) == layout.CONCLUSION_CONFIRMED
    assert state("archived", today=today, declined=True) == layout.NOT_ACCEPTED
    assert state("terminated", today=today) == layout.NO_LONGER_ACCEPTED
    # only an assignment awaiting acceptance review enters daiban (its screening queue)
    assert [s for s, d in layout.UPPER_STATES.items() if d] == [layout.UNDER_REVIEW]


# --- round trip ----------------------------------------------------------------------------
def _more_cases(world):
    """Cases that use what the layout carries: a group, a grid, a repeat petition, a
    channel that is not a form of its own, a petitioner with address and phone, one
    registered by a clerk."""
    petitioner = Petitioner(name="巴特尔", place=world.villages["A2"], phone="13800001111",
                            address="A2村五组")
    db.session.add(petitioner)
    db.session.commit()
    talk_room = db.session.scalar(select(Channel).where(Channel.code == "talk_room"))
    add_case(world, "group", world.villages["A2"], petitioner, is_group=True, head_count=7,
             representatives=3,
             purpose="complaint", channel=talk_room, received_on=datetime.date(2026, 11, 5))
    add_case(world, "grid", world.grids["B1"], world.petitioners["B"], is_repeat=True,
             purpose="appeal", received_on=datetime.date(2026, 11, 6))
    case = Case(petitioner=petitioner, place=world.villages["A2"], title="草场纠纷",
                description="放牧越界。\n第二行。", demand="赔偿",
                channel=db.session.scalar(select(Channel).where(Channel.code == "mailbox")),
                category=world.cases["A"].category, received_on=datetime.date(2026, 11, 7))
    case_service.register(case, world.users["clerkA"])
    db.session.commit()


def _empty_banner(db_app, monkeypatch):
    """The same places, dictionaries and logins in a database without cases."""
    db.session.remove()
    _clear_data(db_app)
    monkeypatch.setattr(world_module, "add_case", lambda *args, **kwargs: None)
    return build_world()


@pytest.mark.clean_slate  # empties the banner halfway (_empty_banner)
def test_export_import_into_an_empty_banner_export_again_is_identical(
        world, login, clock, db_app, monkeypatch, english_ui):
    clock(TODAY)
    _more_cases(world)
    first = login("admin").get("/api/v1/exchange/cases?state=registered")
    assert first.status_code == 200
    records = first.get_json()["records"]
    assert len(records) == 5 and records[0]["state"] == layout.UNDER_REVIEW
    group = next(r for r in records if r["names"] == "巴特尔" and r["head_count"] == 7)
    assert (group["collective"], group["form"], group["purpose"]) == ("是", "走访", "检举控告")
    assert next(r for r in records if r["place_code"] == world.grids["B1"].code)[
        "first_petition"] == "否"
    by_clerk = next(r for r in records if r["title"] == "草场纠纷")
    assert by_clerk["registering_unit"] == "A镇" and by_clerk["form"] == "领导信箱"
    xlsx = login("admin").get("/exchange/export/xlsx?state=registered").data
    assert xlsx[:2] == b"PK"  # a workbook

    _empty_banner(db_app, monkeypatch)
    assert _count(Case) == 0
    answer = _post(login("admin"), records)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["created"] == 5
    assert login("admin").get("/api/v1/exchange/cases").get_json()["records"] == records
    # the petitioner of two cases is created once; one the banner knows is found
    assert db.session.scalar(select(func.count()).select_from(Petitioner).where(
        Petitioner.name == "巴特尔")) == 1
    assert db.session.scalar(select(func.count()).select_from(Petitioner).where(
        Petitioner.name == "A群众")) == 1
    # each entered the screening queue with its registration event
    assert {c.state for c in db.session.scalars(select(Case))} == {"registered"}
    assert _count(CaseEvent) == 5

    # the spreadsheet makes the same round trip, through the panel page
    _empty_banner(db_app, monkeypatch)
    # clerk A may not register in township B: the whole file is refused
    page = login("clerkA").post("/exchange/", data={"file": (io.BytesIO(xlsx), "cases.xlsx")},
                                content_type="multipart/form-data")
    assert page.status_code == 200
    assert "Nothing was saved" in page.get_data(as_text=True)
    assert "is outside your area" in page.get_data(as_text=True)
    assert _count(Case) == 0
    assert login("admin").post(
        "/exchange/", data={"file": (io.BytesIO(xlsx), "cases.xlsx")},
        content_type="multipart/form-data").status_code == 302
    again = login("admin").get("/exchange/export/xlsx").data
    assert exchange.records_from_xlsx(again) == exchange.records_from_xlsx(xlsx)


# --- bad input ---------------------------------------------------------------------------
def test_one_bad_row_saves_nothing_and_names_each_problem(world, login, clock, english_ui):
    clock(TODAY)
    before = (_count(Case), _count(Petitioner), _count(CaseEvent))
    records = [_record(world), _record(world, "SJ-2026-0002", purpose="请愿",
                                       petition_date="2026-13-01"),
               _record(world, "SJ-2026-0003", place_code="999999999999")]
    answer = _post(login("clerkA"), records)
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert errors == [
        "Row 2: Purpose: choose one of: 求决、意见建议、申诉、检举控告、其他.",
        "Row 3: No place has the code 999999999999."]
    assert (_count(Case), _count(Petitioner), _count(CaseEvent)) == before


def test_messages_are_in_the_users_language(world, login, clock):
    clock(TODAY)
    client = login("clerkA")
    client.get("/lang/mn")
    answer = _post(client, [_record(world, place_code="999999999999")])
    assert answer.status_code == 422
    message = answer.get_json()["errors"][0]
    assert "999999999999" in message and "Row" not in message


def test_an_imported_number_is_refused_the_second_time(world, login, clock, english_ui):
    clock(TODAY)
    client = login("clerkA")
    assert _post(client, [_record(world)]).status_code == 201
    case = db.session.scalar(select(Case).where(Case.upper_number == "SJ-2026-0001"))
    assert (case.state, case.place_id, case.acceptance_due_on) == (
        "registered", world.villages["A1"].id, datetime.date(2026, 11, 18))
    assert (case.channel.national_form, case.is_repeat, case.upper_unit) == (
        "letter", False, "内蒙古自治区信访局")
    count = _count(Case)
    again = _post(client, [_record(world, "SJ-2026-0009"), _record(world)])
    assert again.status_code == 422
    assert "SJ-2026-0001" in again.get_json()["errors"][0]
    twice = _post(client, [_record(world, "SJ-2026-0010"), _record(world, "SJ-2026-0010")])
    assert twice.status_code == 422 and "Row 2" in twice.get_json()["errors"][0]
    assert _count(Case) == count
    own = _post(client, [_record(world, world.cases["B"].number)])
    assert own.get_json()["errors"] == [
        f"Row 1: The number {world.cases['B'].number} is a case of this system already."]


def test_a_case_outside_the_importers_area_is_refused(world, login, clock, english_ui):
    clock(TODAY)
    count = _count(Case)
    answer = _post(login("clerkA"), [
        _record(world), _record(world, "SJ-2026-0002", place_code=world.villages["B1"].code)])
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [
        f"Row 2: The place {world.villages['B1'].code} is outside your area."]
    assert _count(Case) == count


def test_only_assignments_awaiting_review_are_imported(world, login, clock, english_ui):
    clock(TODAY)
    answer = _post(login("clerkA"), [_record(world, state=layout.OPINION_GIVEN),
                                     _record(world, "SJ-2", concluded="是"),
                                     _record(world, "SJ-3", collective="否", head_count=3),
                                     _record(world, "SJ-4", time_limit="2026-11-01"),
                                     _record(world, "SJ-5", unknown="x")])
    assert answer.status_code == 422
    rows = [e.split(":")[0] for e in answer.get_json()["errors"]]
    assert rows == ["Row 1", "Row 2", "Row 3", "Row 4", "Row 5"]


def test_export_keeps_to_the_users_area_and_permission(world, login, clock):
    clock(TODAY)
    records = login("clerkA").get("/api/v1/exchange/cases").get_json()["records"]
    assert [r["place_code"] for r in records] == [world.villages["A1"].code]
    assert login("agentA").get("/api/v1/exchange/cases").status_code == 403
    assert login("agentA").get("/exchange/").status_code in (302, 403)
    assert login("clerkA").get("/exchange/").status_code == 200


def test_a_file_of_another_mapping_version_is_refused(world, login):
    answer = login("clerkA").post("/api/v1/exchange/cases", json={
        "mapping_version": "0", "records": [_record(world)]})
    assert answer.status_code == 400
    assert _count(Case) == 2


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_the_command_line_exports_and_imports(world, db_app, tmp_path, clock, fmt,
                                              english_ui):
    clock(TODAY)
    path = tmp_path / f"upper.{fmt}"
    runner = db_app.test_cli_runner()
    if fmt == "json":
        path.write_text(json.dumps({"records": [_record(world)]}, ensure_ascii=False))
    else:
        path.write_bytes(exchange.to_xlsx([_record(world)]))
    result = runner.invoke(args=["exchange", "import", str(path), "--as", "clerkA"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["exchange", "import", str(path), "--as", "clerkA"])
    assert again.exit_code != 0 and "SJ-2026-0001" in again.output
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["exchange", "export", str(out), "--as", "clerkA",
                                 "--state", "registered"])
    assert result.exit_code == 0, result.output
    assert "2 cases" in result.output  # case A of the world, and the imported one


def test_exported_states_follow_the_life_of_the_case(world, clock):
    clock(TODAY)
    a, b = world.cases["A"], world.cases["B"]
    case_service.accept(a.id, None, entrustment_signer="签字人",
                         entrustment_signed_on=datetime.date(2026, 11, 3))
    case_service.decline(b.id, None, reason="不属于受理范围", guidance="请向法院起诉")

    def states():
        return {r["number"]: (r["state"], r["concluded"])
                for r in exchange.export_records(None)}

    assert states() == {a.number: (layout.ACCEPTED, "否"), b.number: (layout.NOT_ACCEPTED, "否")}
    case_service.conclude(a.id, None, reply="已书面答复")
    assert states()[a.number] == (layout.OPINION_GIVEN, "是")
    case_service.request_review(a.id, None, reason="不服处理意见")
    assert states()[a.number] == (layout.REVIEW_REQUESTED, "是")
    clock("2027-01-20")  # the review's 30 days have run out unanswered
    assert states()[a.number] == (layout.REVIEW_OVERDUE, "是")
