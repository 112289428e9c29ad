"""The fictional demo banner (乌兰哈达旗 / Ulaanhada): places, sites, rosters, dictionaries,
cases spread over channels, categories, colours and states, and one login per role.

Deterministic for a given seed and idempotent: a second run adds nothing; a larger
``--cases`` adds only the difference. Cases are written in bulk (Core inserts) so that
``--cases 100000`` stays quick."""

import datetime
import random

from sqlalchemy import func, insert, select

from app.cockpit import rollup
from app.domain.validators import id_number_checksum
from app.extensions import appbuilder, db
from app.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    Department,
    Duty,
    DutyRota,
    EscalationRequest,
    JointMeeting,
    LeaderReception,
    MediationSession,
    Person,
    Petitioner,
    Place,
    Site,
    Training,
    Transfer,
)
from app.mongolian import with_suffix
from app.security import accounts
from app.security.roles import ALL_ROLES
from app.services.dictionaries import seed_dictionaries

BANNER_CODE = "152999000000"
DEMO_PASSWORD = "demo2026"

# Mongolian words used in place names: (Chinese transcription, traditional script)
WORDS = [
    ("巴音", "ᠪᠠᠶᠠᠨ"), ("乌力吉", "ᠥᠯᠵᠡᠢ"), ("哈达", "ᠬᠠᠳᠠ"), ("宝力格", "ᠪᠤᠯᠠᠭ"),
    ("那仁", "ᠨᠠᠷᠠᠨ"), ("阿拉坦", "ᠠᠯᠲᠠᠨ"), ("额尔敦", "ᠡᠷᠳᠡᠨᠢ"), ("查干", "ᠴᠠᠭᠠᠨ"),
    ("乌兰", "ᠤᠯᠠᠭᠠᠨ"), ("呼和", "ᠬᠥᠬᠡ"), ("希日", "ᠰᠢᠷ᠎ᠠ"), ("赛罕", "ᠰᠠᠶᠢᠬᠠᠨ"),
]
SECOND = [
    ("塔拉", "ᠲᠠᠯ᠎ᠠ"), ("敖包", "ᠣᠪᠣᠭ᠎ᠠ"), ("淖尔", "ᠨᠠᠭᠤᠷ"), ("陶勒盖", "ᠲᠣᠯᠣᠭᠠᠢ"),
    ("高勒", "ᠭᠣᠤᠯ"), ("布拉格", "ᠪᠤᠯᠠᠭ"), ("温都尔", "ᠥᠨᠳᠦᠷ"), ("毛都", "ᠮᠣᠳᠣ"),
    ("呼都格", "ᠬᠤᠳᠳᠤᠭ"),
]
TOWNSHIP_SUFFIX = [("镇", "ᠪᠠᠯᠭᠠᠰᠤ"), ("苏木", "ᠰᠤᠮᠤ")]
VILLAGE_SUFFIX = ("嘎查", "ᠭᠠᠴᠠᠭ᠎ᠠ")
GRID_SUFFIX = ("网格", "ᠲᠣᠣᠷ")

HAN_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
HAN_GIVEN = "建国平华明丽芳军伟强磊洋艳勇杰娟涛斌超秀英玉兰桂花志红春海燕霞"
MONGOLIAN_NAMES = [
    ("巴特尔", "ᠪᠠᠭᠠᠲᠤᠷ"), ("其其格", "ᠴᠡᠴᠡᠭ"), ("乌日娜", "ᠤᠷᠠᠨ᠎ᠠ"), ("苏和", "ᠰᠦᠬᠡ"),
    ("斯琴", "ᠰᠡᠴᠡᠨ"), ("图雅", "ᠲᠤᠶ᠎ᠠ"), ("朝鲁", "ᠴᠢᠯᠠᠭᠤ"), ("宝音", "ᠪᠤᠶᠠᠨ"),
    ("萨仁", "ᠰᠠᠷᠠᠨ"), ("额尔登", "ᠡᠷᠳᠡᠨᠢ"), ("阿拉腾", "ᠠᠯᠲᠠᠨ"), ("娜仁", "ᠨᠠᠷᠠᠨ"),
]
LEADER_TITLES = ["旗委副书记", "副旗长", "政法委书记", "信访局局长"]

# (state, share) and, for closed cases, the level they were resolved at
STATE_SHARES = [
    ("registered", 5), ("declined", 4), ("in_progress", 16), ("transferred", 4),
    ("concluded", 18), ("followed_up", 24), ("archived", 27), ("terminated", 2),
]
LEVEL_SHARES = [("village", 62), ("township", 27), ("banner", 9), ("joint_meeting", 2)]
URGENCY_SHARES = [("blue", 70), ("yellow", 22), ("red", 8)]
CLOSED = {"concluded", "followed_up", "archived"}
LEVEL_PLACE = {"village": "village", "township": "township", "banner": "banner",
               "joint_meeting": "banner"}


def _pick(rng, shares):
    total = sum(s for _, s in shares)
    n = rng.uniform(0, total)
    for value, share in shares:
        n -= share
        if n <= 0:
            return value
    return shares[-1][0]


def _id_number(rng, area: str) -> str:
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 50))
    body = f"{area}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_number_checksum(body)


def _person_name(rng):
    if rng.random() < 0.45:
        return rng.choice(MONGOLIAN_NAMES)
    return rng.choice(HAN_SURNAMES) + "".join(rng.sample(HAN_GIVEN, rng.randint(1, 2))), None


def _phone(rng):
    return f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"


def seed_demo(case_count: int = 2000, seed: int = 20221106, quiet: bool = False) -> list[dict]:
    rng = random.Random(seed)
    banner = db.session.scalar(select(Place).where(Place.code == BANNER_CODE))
    if banner is None:
        banner = _build_banner(rng)
    seed_dictionaries(banner)
    db.session.commit()
    _top_up_cases(random.Random(seed + 1), banner, case_count)
    logins = _ensure_logins(banner)
    db.session.commit()
    return logins


def _build_banner(rng) -> Place:
    banner = Place(level="banner", code=BANNER_CODE, name_zh="乌兰哈达旗",
                   name_mn="ᠤᠯᠠᠭᠠᠨᠬᠠᠳᠠ ᠬᠣᠰᠢᠭᠤ", households=41000)
    db.session.add(banner)
    db.session.flush()
    seed_dictionaries(banner)
    db.session.add(Site(kind="centre", name_zh="乌兰哈达旗信访代办服务中心", place=banner,
                        name_mn="ᠤᠯᠠᠭᠠᠨᠬᠠᠳᠠ ᠬᠣᠰᠢᠭᠤᠨ ᠤ ᠪᠢᠴᠢᠭ ᠢᠷᠡᠯᠲᠡ ᠶᠢᠨ "
                                "ᠣᠷᠣᠯᠠᠨ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠬᠦ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡᠨ ᠦ ᠲᠥᠪ",
                        **{c: True for c in Site.CHECKLIST}))
    townships, villages, grids = [], [], []
    village_total = 0
    for t in range(9):
        word_zh, word_mn = WORDS[t]
        suffix_zh, suffix_mn = TOWNSHIP_SUFFIX[t % 2]
        township = Place(level="township", code=f"152999{100 + t:03d}000", parent=banner,
                         name_zh=word_zh + suffix_zh, name_mn=f"{word_mn} {suffix_mn}",
                         households=rng.randint(3000, 6000))
        db.session.add(township)
        townships.append(township)
        count = 9 if t < 8 else 8  # 80 villages
        for v in range(count):
            first_zh, first_mn = WORDS[(t + v + 3) % len(WORDS)]
            second_zh, second_mn = SECOND[v % len(SECOND)]
            village_total += 1
            village = Place(level="village", code=f"152999{100 + t:03d}{201 + v:03d}",
                            parent=township, name_zh=first_zh + second_zh + VILLAGE_SUFFIX[0],
                            name_mn=f"{first_mn} {second_mn} {VILLAGE_SUFFIX[1]}",
                            households=rng.randint(150, 600))
            db.session.add(village)
            villages.append(village)
            for g in range(3):
                grid = Place(level="grid", code=f"{village.code}{g + 1:03d}", parent=village,
                             name_zh=f"{village.name_zh}第{g + 1}{GRID_SUFFIX[0]}",
                             name_mn=f"{village.name_mn} {g + 1} {GRID_SUFFIX[1]}",
                             households=rng.randint(10, 15))
                db.session.add(grid)
                grids.append(grid)
    db.session.flush()
    departments = db.session.scalars(select(Department)).all()

    def add_person(place, duties, organisation=None):
        zh, mn = _person_name(rng)
        person = Person(name_zh=zh, name_mn=mn, place=place, phone=_phone(rng),
                        gender=rng.choice(["male", "female"]), organisation=organisation,
                        id_number=_id_number(rng, BANNER_CODE[:6]))
        db.session.add(person)
        for duty in duties:
            person.duties.append(Duty(**duty))
        if any(d["kind"] == "agent" for d in duties) and rng.random() < 0.8:
            person.trainings.append(Training(
                held_on=datetime.date(2026, rng.randint(1, 10), rng.randint(1, 28)),
                kind=rng.choice(["topic", "law_night_school"]), hours=rng.choice([2, 4, 8]),
                topic=rng.choice(["信访工作条例专题培训", "法律夜校：土地承包法",
                                  "矛盾纠纷调处技巧"]), organiser="旗信访局"))
        return person

    for i in range(5):
        add_person(banner, [dict(kind="agent", place=banner, employment="full_time",
                                 source="legal_adviser" if i < 2 else "other")], "旗信访局")
    for title in LEADER_TITLES:
        add_person(banner, [dict(kind="case_leader", place=banner, title=title)], "旗委旗政府")
    for dept in departments:
        add_person(banner, [dict(kind="department_staff", place=banner, department=dept)],
                   dept.name_zh)
    for township in townships:
        db.session.add(Site(kind="station", place=township,
                            name_zh=f"{township.name_zh}信访代办服务站",
                            name_mn=with_suffix(township.name_mn, "genitive")
                            + " ᠣᠷᠣᠯᠠᠨ ᠰᠢᠢᠳᠪᠦᠷᠢᠯᠡᠬᠦ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡᠨ ᠦ ᠥᠷᠲᠡᠭᠡ",
                            **{c: rng.random() < 0.85 for c in Site.CHECKLIST}))
        mediation_room = Site(kind="mediation_room", place=township,
                              name_zh=f"{township.name_zh}老支书调解室",
                              **{c: rng.random() < 0.7 for c in Site.CHECKLIST})
        db.session.add(mediation_room)
        for _ in range(3):
            add_person(township, [dict(kind="agent", place=township, employment="full_time",
                                       source="village_cadre")], township.name_zh + "政府")
        for kind in ("people", "judicial"):
            add_person(township, [dict(kind="mediator", place=township, mediation_kind=kind,
                                       committee="人民调解委员会", site=mediation_room)])
    for village in villages:
        db.session.add(Site(kind="point", place=village, name_zh=f"{village.name_zh}代办服务点",
                            **{c: rng.random() < 0.6 for c in Site.CHECKLIST}))
        if rng.random() < 0.25:
            db.session.add(Site(kind="talk_room", place=village,
                                name_zh=f"{village.name_zh}村民说事室"))
        add_person(village, [dict(kind="agent", place=village, employment="part_time",
                                  source="village_cadre"),
                             dict(kind="village_secretary", place=village)],
                   village.name_zh + "党支部")
        add_person(village, [dict(kind="agent", place=village, employment="part_time",
                                  source=rng.choice(["notable", "deputy", "legal_adviser"]))])
    for grid in grids:
        duties = [dict(kind="grid_worker", place=grid)]
        if rng.random() < 0.3:  # the grid's party member is grid worker and agent at once
            duties.append(dict(kind="agent", place=grid.parent, employment="part_time",
                               source="grid_worker"))
        add_person(grid.parent, duties)
    db.session.flush()

    for village in villages:
        for _ in range(rng.randint(12, 22)):
            zh, _mn = _person_name(rng)
            db.session.add(Petitioner(name=zh, place=village, phone=_phone(rng),
                                      gender=rng.choice(["male", "female"]),
                                      id_number=_id_number(rng, BANNER_CODE[:6]),
                                      address=f"{village.name_zh}{rng.randint(1, 9)}组"))
    db.session.flush()
    _records(rng, banner, townships, villages)
    db.session.commit()
    return banner


def _records(rng, banner, townships, villages):
    leaders = db.session.scalars(
        select(Person).join(Duty).where(Duty.kind == "case_leader")).all()
    for month in range(1, 12):
        db.session.add(JointMeeting(held_on=datetime.date(2026, month, 10), place=banner,
                                    topic=f"2026年{month}月信访工作联席会议",
                                    attendees="旗委、旗政府分管领导，各进驻部门负责人",
                                    decisions="研究疑难信访事项，明确包案领导和化解时限"))
    for _ in range(139):
        kind = rng.choice(["reception", "reception", "appointment", "field_visit"])
        batches = rng.randint(0, 2)
        place = banner if kind != "field_visit" else rng.choice(villages)
        db.session.add(LeaderReception(
            kind=kind, leader=rng.choice(leaders), place=place, batches=batches,
            persons=batches + rng.randint(0, 6),
            held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 320))))
    mediators = db.session.scalars(select(Person).join(Duty).where(Duty.kind == "mediator")).all()
    for _ in range(200):
        mediator = rng.choice(mediators)
        db.session.add(MediationSession(
            mediator=mediator, place=mediator.place, parties="申请人与被申请人",
            held_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 320)),
            outcome=rng.choice(["agreed", "agreed", "failed", "ongoing"]),
            judicially_confirmed=rng.random() < 0.2))
    secretaries = db.session.scalars(
        select(Duty).where(Duty.kind == "village_secretary")).all()
    by_township = {}
    for duty in secretaries:
        by_township.setdefault(duty.place.parent_id, []).append(duty.person_id)
    start = datetime.date(2026, 11, 1)
    for township in townships:
        people = by_township.get(township.id, [])
        for day in range(30):
            if people:
                db.session.add(DutyRota(place=township, person_id=people[day % len(people)],
                                        duty_on=start + datetime.timedelta(days=day)))


def _top_up_cases(rng, banner, wanted: int) -> None:
    existing = db.session.scalar(select(func.count(Case.id))) or 0
    missing = wanted - existing
    if missing <= 0:
        return
    villages = db.session.execute(
        select(Place.id, Place.parent_id).where(Place.level == "village")).all()
    township_of = dict(villages)
    petitioners = {}
    for pid, place_id in db.session.execute(select(Petitioner.id, Petitioner.place_id)):
        petitioners.setdefault(place_id, []).append(pid)
    agents = {}
    for person_id, place_id in db.session.execute(
            select(Duty.person_id, Duty.place_id).where(Duty.kind == "agent")):
        agents.setdefault(place_id, []).append(person_id)
    leaders = db.session.scalars(
        select(Duty.person_id).where(Duty.kind == "case_leader")).all()
    service = db.session.scalars(
        select(Category.id).where(Category.list == "service").order_by(Category.sort_order)).all()
    topic_of = dict(zip(service, _TOPICS, strict=False))
    excluded = db.session.scalars(select(Category.id).where(Category.list == "excluded")).all()
    channels = db.session.scalars(select(Channel.id).order_by(Channel.sort_order)).all()
    departments = db.session.scalars(select(Department.id)).all()
    today = datetime.date(2026, 11, 22)
    first_day = datetime.date(2025, 9, 1)
    span = (today - first_day).days
    next_id = (db.session.scalar(select(func.max(Case.id))) or 0) + 1
    cases, events, escalations, transfers = [], [], [], []
    for n in range(missing):
        case_id = next_id + n
        village_id, _ = rng.choice(villages)
        township_id = township_of[village_id]
        state = _pick(rng, STATE_SHARES)
        received = first_day + datetime.timedelta(days=rng.randint(0, span))
        if state == "registered":
            received = today - datetime.timedelta(days=rng.randint(0, 12))
        level = _pick(rng, LEVEL_SHARES) if state not in ("registered", "declined") else "village"
        place_of_level = {"village": village_id, "township": township_id,
                          "banner": banner.id, "joint_meeting": banner.id}[level]
        urgency = _pick(rng, URGENCY_SHARES)
        is_group = rng.random() < 0.06
        heads = rng.randint(5, 60) if is_group else 1
        accepted = received + datetime.timedelta(days=rng.randint(0, 6))
        limit = {"red": 7, "yellow": 15}.get(urgency, 60)
        due = accepted + datetime.timedelta(days=limit)
        closed = state in CLOSED
        concluded = min(accepted + datetime.timedelta(days=rng.randint(2, limit + 5)), today) \
            if closed else None
        agent_pool = agents.get(place_of_level) or agents.get(village_id) or [None]
        row = dict(
            id=case_id, number=f"{received.year}{case_id:08d}",
            petitioner_id=rng.choice(petitioners[village_id]), place_id=village_id,
            township_id=township_id,
            responsible_place_id=place_of_level,
            agent_id=rng.choice(agent_pool) if state not in ("registered", "declined") else None,
            case_leader_id=rng.choice(leaders) if level in ("banner", "joint_meeting") else None,
            channel_id=rng.choice(channels),
            category_id=rng.choice(excluded) if state == "declined" else rng.choice(service),
            purpose=rng.choice(["solution"] * 6 + ["suggestion", "appeal", "complaint"]),
            urgency=urgency, title="demo", description="demo", demand="demo",
            is_group=is_group, head_count=heads,
            representatives=rng.randint(1, 5) if heads > 5 else None,
            is_repeat=rng.random() < 0.07, skipped_level=rng.random() < 0.03,
            received_on=received,
            registered_at=datetime.datetime.combine(received, datetime.time(9, 30)),
            state=state, level=level, version=1,
            entrustment_signer=None, entrustment_signed_on=None,
            accepted_on=accepted if state not in ("registered", "declined") else None,
            acceptance_due_on=received + datetime.timedelta(days=15),
            due_on=due if state not in ("registered", "declined") else None,
            concluded_on=concluded, resolution_level=level if closed else None,
            evaluation=_pick(rng, [("satisfied", 80), ("fairly_satisfied", 15),
                                   ("dissatisfied", 5)]) if state in ("followed_up", "archived")
            else None,
            followed_up_on=concluded + datetime.timedelta(days=3)
            if state in ("followed_up", "archived") and concluded else None,
            stop_agreement=state == "archived" and rng.random() < 0.3,
            archived_on=concluded + datetime.timedelta(days=10)
            if state == "archived" and concluded else None,
            decline_reason="属于不予受理事项" if state == "declined" else None,
            decline_guidance_from_category=state == "declined",
            termination_reason="withdrawn" if state == "terminated" else None,
            supervised=urgency == "red" and rng.random() < 0.5,
        )
        topic = topic_of.get(row["category_id"], ("不予受理事项", "所反映事项属于不予受理清单",
                                                  "请求受理"))
        row["title"], row["description"], row["demand"] = topic
        if state != "registered" and state != "declined":
            row["entrustment_signer"] = "本人"
            row["entrustment_signed_on"] = accepted
        cases.append(row)
        at = row["registered_at"]
        events.append(dict(case_id=case_id, at=at, action="register", to_state="registered"))
        if state == "declined":
            events.append(dict(case_id=case_id, at=at, action="decline",
                               from_state="registered", to_state="declined"))
            continue
        if state == "registered":
            continue
        accepted_at = datetime.datetime.combine(accepted, datetime.time(10))
        events.append(dict(case_id=case_id, at=accepted_at, action="accept",
                           from_state="registered", to_state="in_progress"))
        path = ["village", "township", "banner", "joint_meeting"]
        for step in range(path.index(level)):
            escalations.append(dict(case_id=case_id, from_level=path[step],
                                    to_level=path[step + 1], reason="超出本级事权",
                                    requested_at=accepted_at, status="approved",
                                    decided_at=accepted_at))
        if state == "in_progress" and level != "joint_meeting" and rng.random() < 0.08:
            escalations.append(dict(case_id=case_id, from_level=level,
                                    to_level=path[path.index(level) + 1],
                                    reason="超出本级事权，申请上报", requested_at=accepted_at,
                                    status="pending"))
        if state == "transferred" or (level in ("banner", "joint_meeting") and closed):
            for dept in rng.sample(departments, rng.randint(1, 2)):
                replied = closed or rng.random() < 0.4
                late = rng.random() < 0.15
                transfers.append(dict(
                    case_id=case_id, department_id=dept, assigned_at=accepted_at,
                    due_on=accepted + datetime.timedelta(days=15),
                    status="replied" if replied else "open",
                    replied_at=accepted_at + datetime.timedelta(days=20 if late else 9)
                    if replied else None, reply="已按职责办理并答复" if replied else None))
            if state == "transferred":
                events.append(dict(case_id=case_id, at=accepted_at, action="transfer",
                                   from_state="in_progress", to_state="transferred"))
        if closed:
            concluded_at = datetime.datetime.combine(concluded, datetime.time(16))
            events.append(dict(case_id=case_id, at=concluded_at, action="conclude",
                               from_state="in_progress", to_state="concluded"))
            if state in ("followed_up", "archived"):
                events.append(dict(case_id=case_id, at=concluded_at, action="follow_up",
                                   from_state="concluded", to_state="followed_up"))
            if state == "archived":
                events.append(dict(case_id=case_id, at=concluded_at, action="archive",
                                   from_state="followed_up", to_state="archived"))
        if state == "terminated":
            events.append(dict(case_id=case_id, at=accepted_at, action="terminate",
                               from_state="in_progress", to_state="terminated"))
    for chunk in range(0, len(cases), 5000):
        db.session.execute(insert(Case), cases[chunk:chunk + 5000])
    for rows, model in ((events, CaseEvent), (escalations, EscalationRequest),
                        (transfers, Transfer)):
        for chunk in range(0, len(rows), 5000):
            db.session.execute(insert(model), rows[chunk:chunk + 5000])
    # the rows went in as plain INSERTs, which the cockpit's counts (case_stat) do not
    # see: rebuild them in the same transaction
    rollup.rebuild(db.session.connection())
    db.session.commit()
    _fix_sequences()


def _fix_sequences() -> None:
    """Explicit ids were inserted; move PostgreSQL's sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    db.session.execute(text(
        "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases))"))
    db.session.commit()


# one matter per service category (by sort order): title, description, demand
_TOPICS = [
    ("房屋拆迁安置未落实", "村道拓宽拆除房屋，安置房迟迟未交付", "尽快落实安置房"),
    ("邻居建房挡光", "邻居加盖二层遮挡采光，协商未果", "调解并恢复采光"),
    ("土地确权面积有误", "确权登记面积少于实际承包面积", "重新测量并更正登记"),
    ("申请法律援助", "工伤索赔无力聘请律师", "提供法律援助"),
    ("草场界线争议", "与邻嘎查草场界线不清，多次发生冲突", "勘定草场界线"),
    ("征地补偿款不足", "早年征地补偿标准偏低，生活困难", "按现行标准补足补偿款"),
    ("宅基地边界纠纷", "与邻居宅基地界线不清，多次发生争执", "重新确认宅基地界线"),
    ("拖欠工资", "在工地务工被拖欠三个月工资", "尽快结清欠薪"),
    ("矿区塌陷房屋受损", "采矿造成房屋开裂", "鉴定损害并给予补偿"),
    ("自来水费争议", "村集体供水水费收取不合理，长期拖欠纠纷", "核实水费并妥善结算"),
    ("赡养纠纷", "子女不履行赡养义务", "调解并落实赡养费"),
    ("低保资格认定", "家庭困难但未纳入低保", "重新评议低保资格"),
    ("医疗费用报销", "住院费用报销比例有异议", "核实并按规定报销"),
    ("子女入学", "孩子就近入学未获安排", "协调就近入学"),
    ("村务不公开", "村集体资产收支不公开", "公开村务账目"),
    ("承包地被占", "承包地被他人占用耕种", "返还承包地"),
    ("林地权属争议", "林地权属证书与实际不符", "核实林地权属"),
    ("危房改造补助", "危房改造补助未到位", "发放改造补助资金"),
    ("村道损毁", "村道被重型车辆压坏影响出行", "修复村道"),
    ("养殖场异味", "附近养殖场粪污直排，气味严重", "督促整改污染"),
    ("牲畜越界啃食草场", "邻居牲畜越界啃食承包草场", "赔偿损失并制止越界放牧"),
    ("惠农补贴未发放", "耕地地力保护补贴未到账", "核实并发放补贴"),
]


def _duty_holder(kind: str, place: Place | None, department=None) -> Person | None:
    """The roster person a demo login stands for: of the duty its role acts in, inside
    its place (for agents, the one holding the most cases, so that the login acts on
    real cases — only a case's own agent acts for its petitioner)."""
    query = select(Person).join(Duty, Duty.person_id == Person.id).where(
        Duty.kind == kind, Duty.active.is_(True))
    if place is not None:
        query = query.join(Place, Place.id == Duty.place_id).where(
            Place.path.like(place.path + "%"))
    if department is not None:
        query = query.where(Duty.department_id == department.id)
    if kind == "agent":
        held = (select(func.count()).select_from(Case).where(Case.agent_id == Person.id)
                .scalar_subquery())
        query = query.order_by(held.desc(), Person.id)
    else:
        query = query.order_by(Person.id)
    return db.session.scalar(query.limit(1))


def _staff_person(user, username: str, place: Place | None, department) -> Person:
    """Staff without a roster duty (clerks, leaders, administrators) get a person of
    their own, once."""
    if user.person_id is not None:
        person = db.session.get(Person, user.person_id)
        if person is not None and not person.duties:
            return person
    where = place or (department.place if department is not None else None)
    rng = random.Random(username)
    name_zh, name_mn = _person_name(rng)
    organisation = department.name_zh if department is not None else where.name_zh
    person = Person(name_zh=name_zh, name_mn=name_mn, phone=_phone(rng), place=where,
                    organisation=organisation, position="工作人员")
    db.session.add(person)
    db.session.flush()
    return person


_ROLE_DUTY = {"Agent": "agent", "Mediator": "mediator", "GridWorker": "grid_worker",
              "DepartmentStaff": "department_staff"}


def _ensure_logins(banner) -> list[dict]:
    sm = appbuilder.sm
    if any(sm.find_role(role) is None for role in ALL_ROLES):
        # a freshly migrated database has no roles yet: create them as sync-roles does
        sm.sync_roles()
    townships = db.session.scalars(
        select(Place).where(Place.parent_id == banner.id).order_by(Place.code)).all()[:2]
    first_grid = {
        t.id: db.session.scalar(select(Place).where(Place.path.like(t.path + "%"),
                                                    Place.level == "grid").order_by(Place.code))
        for t in townships
    }
    leader_person = db.session.scalar(
        select(Person).join(Duty).where(Duty.kind == "case_leader").order_by(Person.id))
    department = db.session.scalar(select(Department).where(Department.code == "HRSS"))
    specs = [("Admin", "admin", banner, None, None),
             ("BannerLeader", "leader", banner, None, None),
             ("TownshipStaff", "centre", banner, None, None),
             ("CaseLeader", "caseleader", banner, None, leader_person),
             ("DepartmentStaff", "dept_hrss", None, department, None),
             # 三员分立: the system, security and audit administrators
             ("SystemAdmin", "sysadmin", banner, None, None),
             ("SecurityAdmin", "secadmin", banner, None, None),
             ("AuditAdmin", "auditor", banner, None, None)]
    for n, township in enumerate(townships, start=1):
        specs += [("TownshipStaff", f"clerk{n}", township, None, None),
                  ("BannerLeader", f"tleader{n}", township, None, None),
                  ("Agent", f"agent{n}", township, None, None),
                  ("Mediator", f"mediator{n}", township, None, None),
                  ("GridWorker", f"grid{n}", first_grid[township.id], None, None)]
    logins = []
    # every demo login has the one published password: hashed once, not once a login
    # (scrypt costs ~0.1 s, 1.9 of seed-demo's 5 s)
    demo_hash = None
    for role, username, place, department_, person in specs:
        user = sm.find_user(username=username)
        if user is None:
            demo_hash = demo_hash or accounts.hash_password(DEMO_PASSWORD)
            user = sm.add_user(username, username, "demo", f"{username}@daiban.invalid",
                               [sm.find_role(role)], hashed_password=demo_hash)
        user.place_id = place.id if place is not None else None
        user.department_id = department_.id if department_ is not None else None
        if person is None and role in _ROLE_DUTY:
            person = _duty_holder(_ROLE_DUTY[role], place, department_)
        if person is None:
            person = _staff_person(user, username, place, department_)
        user.person_id = person.id
        logins.append(dict(role=role, username=username, password=DEMO_PASSWORD,
                           place=(place.name_zh if place is not None
                                  else department_.name_zh if department_ is not None else "")))
    return logins
