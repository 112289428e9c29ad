"""三通: the record layout of the upper-level petition information systems and the ONE
mapping of daiban's values onto theirs, read by the export and by the import of cases
assigned down (交办件) alike — docs/exchange.md is this module in prose.

Plain Python, no Flask or ORM. The values on the right are the upper system's own
words (what its exports carry, in Chinese, whatever the reader's language): they are
a file format, not user interface text, and are never translated. Change a value and
the files written before no longer read the same: raise MAPPING_VERSION."""

import datetime
from dataclasses import dataclass

from app.domain.lifecycle import N_

LAYOUT = "daiban-upper-exchange"
MAPPING_VERSION = "1"

YES, NO = "是", "否"


@dataclass(frozen=True)
class Field:
    key: str  # the JSON key
    header: str  # the upper system's column heading (the spreadsheet's first row)
    label: str  # msgid: how daiban names it to its users (error messages)
    required: bool = False


# The record layout, in the upper system's column order. title, demand and
# representatives are daiban's own (the upper system has one summary and no count of a
# collective visit's representatives): optional on import, so a file from the upper
# system reads, and a daiban file comes back whole.
FIELDS = (
    Field("number", "信访件编号", N_("Upper-system number"), True),
    Field("names", "姓名", N_("Petitioner"), True),
    Field("head_count", "人数", N_("Head count"), True),
    Field("address", "住址", N_("Address")),
    Field("phone", "联系电话", N_("Phone")),
    Field("place_code", "问题属地代码", N_("Place code"), True),
    Field("place", "问题属地", N_("Place")),
    Field("purpose", "信访目的", N_("Purpose"), True),
    Field("category", "内容分类", N_("Content category")),
    Field("category_code", "内容分类代码", N_("Category code")),
    Field("petition_date", "信访日期", N_("Petition date"), True),
    Field("register_date", "登记日期", N_("Register date")),
    Field("time_limit", "办理期限", N_("Time limit")),
    Field("form", "信访形式", N_("Form"), True),
    Field("title", "标题", N_("Title")),
    Field("summary", "概况", N_("Summary"), True),
    Field("demand", "诉求", N_("Demand")),
    Field("concluded", "是否办结", N_("Concluded")),
    Field("first_petition", "是否初信初访", N_("First petition")),
    Field("collective", "是否联名或集体", N_("Joint letter or collective visit")),
    Field("representatives", "代表人数", N_("Representatives")),
    Field("state", "状态", N_("State")),
    Field("registering_unit", "登记单位", N_("Registering unit")),
    Field("clerk", "登记人", N_("Clerk")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
HEADER_TO_KEY = {**{f.header: f.key for f in FIELDS}, **{f.key: f.key for f in FIELDS}}

# Each channel carries its national form (Channel.national_form); these are the eight
# forms and the five purposes as the upper system writes them.
FORMS = {
    "letter": "来信",
    "visit": "走访",
    "online": "网上信访",
    "mobile": "手机信访",
    "wechat": "微信",
    "suggestion": "网上建议",
    "phone": "电话",
    "mailbox": "领导信箱",
}
PURPOSES = {
    "solution": "求决",
    "suggestion": "意见建议",
    "appeal": "申诉",
    "complaint": "检举控告",
    "other": "其他",
}

# The upper system's states; the right column is the daiban state an imported row in
# that state enters, or None when such a row is not an assignment to screen (import
# refuses it).
UNDER_REVIEW = "受理审查中"
NOT_ACCEPTED = "不予受理"
ACCEPTED = "已受理"
OPINION_GIVEN = "已出具处理意见"
OPINION_OVERDUE = "逾期未出具处理意见"
REVIEW_REQUESTED = "已申请复查"
REVIEW_ANSWERED = "已出具复查意见"
REVIEW_OVERDUE = "逾期未出具复查意见"
RE_REVIEW_REQUESTED = "已申请复核"
RE_REVIEW_ANSWERED = "已出具复核意见"
RE_REVIEW_OVERDUE = "逾期未出具复核意见"
CONCLUSION_CONFIRMED = "已确认办结"
NO_LONGER_ACCEPTED = "不再受理"
UPPER_STATES = {
    UNDER_REVIEW: "registered",
    NOT_ACCEPTED: None,
    ACCEPTED: None,
    OPINION_GIVEN: None,
    OPINION_OVERDUE: None,
    REVIEW_REQUESTED: None,
    REVIEW_ANSWERED: None,
    REVIEW_OVERDUE: None,
    RE_REVIEW_REQUESTED: None,
    RE_REVIEW_ANSWERED: None,
    RE_REVIEW_OVERDUE: None,
    CONCLUSION_CONFIRMED: None,
    NO_LONGER_ACCEPTED: None,
}
CONCLUDED_STATES = ("concluded", "followed_up", "archived")


@dataclass(frozen=True)
class ReviewFacts:
    stage: str  # review | re_review
    answered: bool
    answer_due_on: datetime.date


def upper_state(state: str, *, today: datetime.date, due_on: datetime.date | None = None,
                declined: bool = False, terminated: bool = False,
                reviews: tuple[ReviewFacts, ...] = ()) -> str:
    """The upper system's state of a daiban case. Daiban's handling states (in progress,
    transferred to departments) are one "accepted"; its reviews give the upper system's
    review stages; an archived case keeps the outcome it was archived with."""
    if state == "registered":
        return UNDER_REVIEW
    if state == "declined" or (state == "archived" and declined):
        return NOT_ACCEPTED
    if state == "terminated" or (state == "archived" and terminated):
        return NO_LONGER_ACCEPTED
    if state in ("in_progress", "transferred"):
        return OPINION_OVERDUE if due_on is not None and due_on < today else ACCEPTED
    if state == "archived":
        return CONCLUSION_CONFIRMED
    last = reviews[-1] if reviews else None
    if last is None:
        return OPINION_GIVEN
    if last.stage == "review":
        if last.answered:
            return REVIEW_ANSWERED
        return REVIEW_OVERDUE if last.answer_due_on < today else REVIEW_REQUESTED
    if last.answered:
        return RE_REVIEW_ANSWERED
    return RE_REVIEW_OVERDUE if last.answer_due_on < today else RE_REVIEW_REQUESTED


def yes_no(value: bool) -> str:
    return YES if value else NO


def reverse(table: dict) -> dict:
    """upper value → daiban code."""
    return {upper: code for code, upper in table.items()}
