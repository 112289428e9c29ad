"""The daily bulletin (每日信访通报): the day's new and concluded cases, warnings
(overdue, red, group, repeat), leader receptions and items to watch — as printable
HTML and as a text short enough for a text message; e-mailed when MAIL_SERVER is
set, otherwise written to BULLETIN_DIR."""

import datetime
import os
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import Integer, func, select

from app.extensions import db
from app.formatting import format_date
from app.i18n import current_language, embedded_font_face, localized
from app.language import HTML_LANG
from app.models import Case, Department, EscalationRequest, LeaderReception, Place, Transfer
from app.models.choices import RECEPTION_KINDS, URGENCY
from app.models.stats import CONCLUDED_STATES, OPEN_STATES
from app.security.scope import Scope

WATCH_LIMIT = 10
SMS_LIMIT = 160


@dataclass
class Bulletin:
    day: datetime.date
    new: int = 0
    new_by_urgency: dict = field(default_factory=dict)
    concluded: int = 0
    overdue: int = 0
    red_open: int = 0
    red_new: int = 0
    group_new: int = 0
    group_persons: int = 0
    repeat_new: int = 0
    skipped_new: int = 0
    due_soon: int = 0
    escalations_pending: int = 0
    transfers_overdue: list = field(default_factory=list)
    receptions: dict = field(default_factory=dict)
    watch: list = field(default_factory=list)

    @property
    def reception_visits(self) -> int:
        return sum(r["visits"] for r in self.receptions.values())

    @property
    def reception_persons(self) -> int:
        return sum(r["persons"] for r in self.receptions.values())


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(*where))


def build_bulletin(day: datetime.date, scope: Scope) -> Bulletin:
    in_scope = Case.scope_clause(scope)
    received = [Case.received_on == day, in_scope]
    open_ = [Case.state.in_(OPEN_STATES), in_scope]
    days = current_app.config.get("DUE_SOON_DAYS", 5)
    b = Bulletin(day)
    b.new_by_urgency = dict(db.session.execute(
        select(Case.urgency, func.count()).where(*received).group_by(Case.urgency)).all())
    b.new = sum(b.new_by_urgency.values())
    b.concluded = _count(Case.concluded_on == day, Case.state.in_(CONCLUDED_STATES), in_scope)
    b.overdue = sum(_count(in_scope, part) for part in Case.due_before_parts(day))
    b.red_open = _count(*open_, Case.urgency == "red")
    b.red_new = b.new_by_urgency.get("red", 0)
    groups, persons = db.session.execute(
        select(func.count(), func.coalesce(func.sum(Case.head_count), 0).cast(Integer))
        .where(*received, Case.is_group.is_(True))).one()
    b.group_new, b.group_persons = groups, persons
    b.repeat_new = _count(*received, Case.is_repeat.is_(True))
    b.skipped_new = _count(*received, Case.skipped_level.is_(True))
    b.due_soon = sum(_count(in_scope, part) for part in
                     Case.due_between_parts(day, day + datetime.timedelta(days=days)))
    b.escalations_pending = db.session.scalar(
        select(func.count(func.distinct(EscalationRequest.case_id)))
        .join(Case, Case.id == EscalationRequest.case_id)
        .where(EscalationRequest.status == "pending", in_scope))
    # transfers still unanswered after their reply-by date (one past yesterday shows
    # in today's bulletin), by department, the longest overdue first
    b.transfers_overdue = [dict(r._mapping) for r in db.session.execute(
        select(Case.number, Transfer.due_on, Department.name_zh, Department.name_mn)
        .join(Case, Case.id == Transfer.case_id)
        .join(Department, Department.id == Transfer.department_id)
        .where(Transfer.overdue_clause(day), in_scope)
        .order_by(Transfer.due_on, Case.number))]
    b.receptions = {
        kind: {"visits": n, "batches": int(batches or 0), "persons": int(persons or 0)}
        for kind, n, batches, persons in db.session.execute(
            select(LeaderReception.kind, func.count(), func.sum(LeaderReception.batches),
                   func.sum(LeaderReception.persons))
            .where(LeaderReception.held_on == day, LeaderReception.scope_clause(scope))
            .group_by(LeaderReception.kind))
    }
    # items to watch: open cases that are overdue or red, the most overdue first
    # (numbers and titles only: no petitioner's identity leaves the system this way)
    # a registered case is due for its acceptance decision, a handled one for conclusion
    due = Case.effective_due_on_sql().label("due_on")
    b.watch = [dict(r._mapping) for r in db.session.execute(
        select(Case.number, Case.title, Case.urgency, due, Place.name_zh, Place.name_mn)
        .join(Place, Place.id == Case.responsible_place_id)
        .where(*open_, Case.due_before_clause(day) | (Case.urgency == "red"))
        .order_by(due.is_(None), due, Case.number).limit(WATCH_LIMIT))]
    return b


def render_text(b: Bulletin) -> str:
    return _("%(date)s petitions: new %(new)d, concluded %(concluded)d; overdue %(overdue)d, "
             "red %(red)d, group %(group)d, repeat %(repeat)d; leader receptions %(visits)d "
             "(%(persons)d persons).",
             date=format_date(b.day), new=b.new, concluded=b.concluded, overdue=b.overdue,
             red=b.red_open, group=b.group_new, repeat=b.repeat_new,
             visits=b.reception_visits, persons=b.reception_persons)


def template_context(b: Bulletin) -> dict:
    return {
        "b": b,
        "text": render_text(b),
        "urgency_labels": [(code, str(name)) for code, name in URGENCY.items()],
        "urgency_names": {code: str(name) for code, name in URGENCY.items()},
        "reception_labels": [(code, str(name)) for code, name in RECEPTION_KINDS.items()],
        "due_soon_days": current_app.config.get("DUE_SOON_DAYS", 5),
        "localized": localized,
        "lang": HTML_LANG.get(current_language(), current_language()),
        "embedded_font_face": embedded_font_face,
    }


def render_html(b: Bulletin) -> str:
    """A standalone printable page (inline styles, nothing loaded from elsewhere)."""
    return render_template("daiban/bulletin_print.html", **template_context(b))


def subject(b: Bulletin) -> str:
    return _("Daily petition bulletin %(date)s", date=format_date(b.day))


def deliver(b: Bulletin, html: str, text: str) -> str:
    """E-mail the bulletin when MAIL_SERVER is configured, else write it to
    BULLETIN_DIR. Returns where it went."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        recipients = list(config.get("BULLETIN_RECIPIENTS") or [])
        if not recipients:
            raise ValueError(_("No BULLETIN_RECIPIENTS are configured."))
        message = EmailMessage()
        message["Subject"] = subject(b)
        message["From"] = config.get("MAIL_FROM", "daiban@localhost")
        message["To"] = ", ".join(recipients)
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)),
                          timeout=30) as smtp:
            smtp.send_message(message)
        return ", ".join(recipients)
    folder = config["BULLETIN_DIR"]
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, f"bulletin-{b.day.isoformat()}")
    with open(base + ".html", "w", encoding="utf-8") as fh:
        fh.write(html)
    with open(base + ".txt", "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    return base + ".html"
