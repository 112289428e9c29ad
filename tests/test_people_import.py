"""Township staff import their roster from the spreadsheet they already keep."""

import io
import re

from sqlalchemy import func, select

from app.domain.validators import id_number_checksum
from app.extensions import db
from app.models import Duty, Person

HEADER = "姓名,蒙古文姓名,性别,身份证号,电话,地区代码,单位,职务,职责,专兼职,职责地区代码\n"


def _id(serial: int) -> str:
    body = f"15222119800101{serial:03d}"
    return body + id_number_checksum(body)


def _upload(client, text, name="people.csv", encoding="utf-8"):
    return client.post(
        "/people-import/",
        data={"file": (io.BytesIO(text.encode(encoding)), name)},
        content_type="multipart/form-data",
    )


def _people():
    return db.session.scalar(select(func.count()).select_from(Person))


def test_clerk_imports_people_with_duties(world, login):
    village = world.villages["A1"]
    grid = world.grids["A1"]
    text = HEADER + (
        f"张三,,男,{_id(1)},13912345678,{village.code},村委会,委员,代办员,兼职,\n"
        f"巴特尔,ᠪᠠᠭᠠᠲᠤᠷ,男,{_id(2)},,{village.code},,,网格员,,{grid.code}\n"
    )
    before = _people()
    response = _upload(login("clerkA"), text, encoding="gb18030")
    assert response.status_code == 302
    assert _people() == before + 2
    agent = db.session.scalar(select(Person).where(Person.name_zh == "张三"))
    assert [(d.kind, d.employment) for d in agent.duties] == [("agent", "part_time")]
    worker = db.session.scalar(select(Person).where(Person.name_zh == "巴特尔"))
    assert worker.name_mn == "ᠪᠠᠭᠠᠲᠤᠷ"
    assert worker.duties[0].place_id == grid.id

    # importing the same sheet again updates, never duplicates
    _upload(login("clerkA"), text)
    assert _people() == before + 2
    assert db.session.scalar(select(func.count()).select_from(Duty).where(
        Duty.person_id == agent.id)) == 1


def test_one_bad_row_saves_nothing_and_lists_every_problem(world, login):
    good, other_township = world.villages["A1"], world.villages["B1"]
    text = HEADER + (
        f"李四,,男,{_id(3)},13912345678,{good.code},,,,,\n"
        f"王五,,男,152221198001010000,139,{good.code},,,,,\n"
        f"赵六,,女,,,{other_township.code},,,,,\n"
        f",,,,,{good.code},,,代办员,,\n"
    )
    before = _people()
    page = _upload(login("clerkA"), text).get_data(as_text=True)
    assert _people() == before
    alert = page[page.index("alert-danger"):]
    problems = re.findall(r"<li>(.*?)</li>", alert[: alert.index("</ul>")])
    rows = [re.search(r"\d+", problem).group() for problem in problems]
    # row 3: bad ID and bad phone; row 4: outside the area; row 5: no name, agent w/o kind
    assert rows == ["3", "3", "4", "5", "5"]


def test_agent_may_not_import(world, login):
    response = _upload(login("agentA"), HEADER)
    assert response.status_code in (302, 403)
    assert _people() == 2
