"""A hand-counted set of cases for the cockpit and the bulletin, on top of tests/world.py.

Township A, village A1, March 2026: 209 cases, 197 of them concluded (the Tumed Right
report's own numbers: 94.3 %). Township B, village B2, February 2026: 11 open cases.
Every figure the tests expect is written out in EXPECTED."""

import datetime

from app.extensions import db
from app.models import (
    Case,
    Category,
    Channel,
    Department,
    Duty,
    EscalationRequest,
    LeaderReception,
    Person,
    Transfer,
)
from app.services import cases as case_service

TODAY = datetime.date.today()
MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
HALF_YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))

# resolution level → evaluations (satisfied, fairly satisfied, dissatisfied, none)
CONCLUDED_PLAN = [
    ("village", 150, (80, 40, 8, 22)),
    ("township", 40, (18, 8, 2, 12)),
    ("banner", 5, (1, 1, 0, 3)),
    ("joint_meeting", 2, (1, 1, 0, 0)),
]
EXPECTED = {
    "A": {"total": 209, "concluded": 197, "resolution_rate": 94.3, "in_progress": 10,
          # open work as of today counts whenever received: the world's own case A
          # (registered in November, past its acceptance decision) is overdue too
          "declined": 1, "terminated": 1, "overdue": 4, "due_soon": 2,
          "escalations_pending": 2, "transfers_overdue": 1, "evaluated": 160, "satisfied": 150,
          "satisfaction_rate": 93.8, "repeat": 4, "skipped_level": 3, "group": 5},
    "banner": {"total": 220, "concluded": 197, "resolution_rate": 89.5, "in_progress": 21,
               "overdue": 6, "due_soon": 2, "escalations_pending": 2,
               "transfers_overdue": 1, "repeat": 5,
               "group": 5},
    "funnel_A": {"village": 150, "township": 40, "banner": 7},
    "urgency_A": {"red": 9, "yellow": 50, "blue": 150},
}


def _case(world, village, petitioner, received_on, **values):
    base = dict(
        title="cockpit", description="d", demand="d",
        channel=world.channels["visit"], category=world.categories["S02"],
        urgency="blue", received_on=received_on,
    )
    base.update(values)
    with db.session.no_autoflush:
        case = Case(petitioner=petitioner, place=village, **base)
        case_service.register(case)
    return case


def _conclude(case, level, evaluation):
    case.state = "concluded"
    case.accepted_on = case.received_on
    case.concluded_on = case.received_on + datetime.timedelta(days=10)
    case.resolution_level = level
    case.evaluation = evaluation


def build_cockpit_world(world):
    world.channels = {c.code: c for c in db.session.query(Channel)}
    world.categories = {c.code: c for c in db.session.query(Category)}
    village, petitioner = world.villages["A1"], world.petitioners["A"]
    agent = world.people["A"]
    leader = Person(name_zh="包案领导甲", place=world.banner)
    leader.duties.append(Duty(kind="case_leader", place=world.banner, title="副旗长"))
    db.session.add(leader)
    world.people["leader"] = leader
    march = [MARCH[0] + datetime.timedelta(days=i % 31) for i in range(209)]
    cases = []
    i = 0
    for level, _n, evaluations in CONCLUDED_PLAN:
        for evaluation, count in zip(
            ("satisfied", "fairly_satisfied", "dissatisfied", None), evaluations, strict=True
        ):
            for _k in range(count):
                case = _case(world, village, petitioner, march[i])
                _conclude(case, level, evaluation)
                cases.append(case)
                i += 1
    open_cases = []
    for state, due in [("in_progress", -10)] * 3 + [("in_progress", 2)] * 2 + \
            [("in_progress", 30)] * 3 + [("registered", 30)] * 2:
        case = _case(world, village, petitioner, march[i])
        case.state = state
        case.due_on = TODAY + datetime.timedelta(days=due)
        if state == "registered":  # a registered case is due for its acceptance decision
            case.acceptance_due_on = case.due_on
        case.agent = agent
        open_cases.append(case)
        i += 1
    for state in ("declined", "terminated"):
        case = _case(world, village, petitioner, march[i])
        case.state = state
        cases.append(case)
        i += 1
    everything = cases + open_cases
    assert len(everything) == 209
    for n, case in enumerate(everything):
        case.urgency = "red" if n < 9 else "yellow" if n < 59 else "blue"
        if n % 10 == 0 and n < 200:
            case.channel = world.channels["phone"]
        if n < 30:
            case.category = world.categories["S01"]
    for case in everything[:4]:
        case.is_repeat = True
    for case in everything[4:7]:
        case.skipped_level = True
    for case in everything[7:12]:
        case.is_group, case.head_count = True, 6
    # the case leader's five cases: three concluded, two open
    for case in everything[:3] + open_cases[5:7]:
        case.case_leader = leader
    db.session.flush()
    for case, status in zip(open_cases[:3], ("pending", "pending", "approved"), strict=True):
        db.session.add(EscalationRequest(case_id=case.id, from_level="village",
                                         to_level="township", reason="r", status=status))
    department = db.session.query(Department).filter_by(code="HRSS").one()
    due = datetime.date(2026, 4, 15)
    for case, replied in zip(open_cases[5:8], (due, due + datetime.timedelta(days=3), None),
                             strict=True):
        db.session.add(Transfer(
            case_id=case.id, department_id=department.id, due_on=due,
            assigned_at=datetime.datetime(2026, 4, 1, 10),
            status="replied" if replied else "open",
            replied_at=datetime.datetime.combine(replied, datetime.time(10)) if replied else None,
        ))
    world.department = department
    # township B: eleven open cases in February, one of them overdue and repeat
    for n in range(11):
        case = _case(world, world.villages["B2"], world.petitioners["B"],
                     datetime.date(2026, 2, 1 + n))
        case.state = "in_progress"
        case.due_on = TODAY + datetime.timedelta(days=(-1 if n == 0 else 40))
        case.is_repeat = n == 0
    for kind, day, batches, persons, place in [
        ("reception", datetime.date(2026, 4, 2), 1, 3, world.townships["A"]),
        ("reception", datetime.date(2026, 4, 9), 2, 5, world.villages["A1"]),
        ("field_visit", datetime.date(2026, 6, 3), 1, 4, world.villages["A2"]),
        ("appointment", datetime.date(2026, 5, 5), 1, 2, world.townships["B"]),
    ]:
        db.session.add(LeaderReception(kind=kind, leader=leader, held_on=day, place=place,
                                       batches=batches, persons=persons))
    db.session.commit()
    world.march_cases = everything
    return world
