"""A small hand-built banner for tests: every count in it is known."""

import datetime
from dataclasses import dataclass, field

from app.extensions import appbuilder, db
from app.models import Case, Category, Channel, Department, Duty, Person, Petitioner, Place
from app.services import cases as case_service
from app.services.dictionaries import seed_dictionaries

PASSWORD = "password"


@dataclass
class World:
    banner: Place
    townships: dict = field(default_factory=dict)
    villages: dict = field(default_factory=dict)
    grids: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    petitioners: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


def add_place(level, code, name_zh, parent=None, name_mn=None):
    place = Place(level=level, code=code, name_zh=name_zh, name_mn=name_mn, parent=parent)
    db.session.add(place)
    db.session.flush()
    return place


def add_user(username, role, place=None, department=None):
    sm = appbuilder.sm
    user = sm.add_user(
        username, username, "Test", f"{username}@example.org", [sm.find_role(role)], PASSWORD
    )
    assert user, f"could not create {username}"
    user.place_id = place.id if place is not None else None
    user.department_id = department.id if department is not None else None
    db.session.commit()
    return user


def add_case(world, key, village, petitioner, **values):
    defaults = dict(
        title=f"事项 {key}",
        description="描述",
        demand="诉求",
        channel=db.session.query(Channel).filter_by(code="visit").one(),
        category=db.session.query(Category).filter_by(code="S02").one(),
        urgency="blue",
        received_on=datetime.date(2026, 11, 2),
    )
    defaults.update(values)
    case = Case(petitioner=petitioner, place=village, **defaults)
    case_service.register(case)
    db.session.commit()
    world.cases[key] = case
    return case


def build_world() -> World:
    banner = add_place("banner", "150221000000", "测试旗", name_mn="ᠲᠡᠰᠲ ᠬᠣᠰᠢᠭᠤ")
    world = World(banner=banner)
    seed_dictionaries(banner)
    for key, code in (("A", "150221100"), ("B", "150221101")):
        township = add_place("township", code + "000", f"{key}镇", banner)
        world.townships[key] = township
        for n in (1, 2):
            village = add_place("village", f"{code}{200 + n:03d}", f"{key}{n}村", township)
            world.villages[f"{key}{n}"] = village
            world.grids[f"{key}{n}"] = add_place(
                "grid", f"{village.code}001", f"{key}{n}村第一网格", village
            )
    for key in ("A", "B"):
        person = Person(name_zh=f"{key}代办员", place=world.villages[f"{key}1"])
        person.duties.append(Duty(kind="agent", place=person.place, employment="part_time"))
        db.session.add(person)
        world.people[key] = person
        petitioner = Petitioner(name=f"{key}群众", place=world.villages[f"{key}1"])
        db.session.add(petitioner)
        world.petitioners[key] = petitioner
    db.session.commit()
    for key in ("A", "B"):
        add_case(world, key, world.villages[f"{key}1"], world.petitioners[key])

    department = db.session.query(Department).filter_by(code="HRSS").one()
    world.users["admin"] = add_user("admin", "Admin", banner)
    world.users["leader"] = add_user("leader", "BannerLeader", banner)
    world.users["caseleader"] = add_user("caseleader", "CaseLeader", banner)
    world.users["dept"] = add_user("dept", "DepartmentStaff", department=department)
    for key in ("A", "B"):
        township = world.townships[key]
        world.users[f"clerk{key}"] = add_user(f"clerk{key}", "TownshipStaff", township)
        world.users[f"agent{key}"] = add_user(f"agent{key}", "Agent", township)
        world.users[f"grid{key}"] = add_user(f"grid{key}", "GridWorker", world.grids[f"{key}1"])
        world.users[f"mediator{key}"] = add_user(f"mediator{key}", "Mediator", township)
    world.users["nobody"] = add_user("nobody", "TownshipStaff")
    return world
