"""The daily bulletin for a fixed day of the hand-counted cases: page, text message,
CLI, e-mail through a local SMTP sink, and the folder when no SMTP is configured."""

import datetime
import email
import os
import socket

import pytest
from aiosmtpd.controller import Controller

from app.cockpit.bulletin import SMS_LIMIT, build_bulletin, render_text
from app.security.scope import EVERYTHING
from tests.cockpit_world import TODAY, build_cockpit_world
from tests.test_cockpit import forget_user, get

# pages are read by their English msgids
# the cockpit's cases are built once for the module (conftest, world_with)
pytestmark = [pytest.mark.usefixtures("english_ui"),
              pytest.mark.world_with.with_args(build_cockpit_world)]

DAY = datetime.date(2026, 3, 8)


@pytest.fixture()
def cockpit_world(world):
    return world


def march_5(world):
    return [c for c in world.march_cases if c.received_on == DAY]


def test_the_figures_of_a_fixed_day(cockpit_world):
    b = build_bulletin(DAY, EVERYTHING)
    cases = march_5(cockpit_world)
    # received on 8 March: cases #7, 38, 69, 100, 131, 162, 193 of the 209 (one a day,
    # round the month); #7 is red and a group of 6, #38 yellow, the rest blue
    assert b.new == len(cases) == 7
    assert b.new_by_urgency == {"blue": 5, "yellow": 1, "red": 1}
    assert b.red_new == 1 and b.red_open == 0
    assert b.group_new == 1 and b.group_persons == 6
    assert b.repeat_new == 0 and b.skipped_new == 0
    assert b.concluded == 0 and b.overdue == 0  # open cases fall due in November
    # concluded ten days after receipt: the seven cases of 5 March
    assert build_bulletin(datetime.date(2026, 3, 15), EVERYTHING).concluded == 7
    first = build_bulletin(datetime.date(2026, 3, 1), EVERYTHING)
    assert first.repeat_new == 1 and first.new == 7


def test_warnings_count_open_cases_due_before_the_day(cockpit_world):
    b = build_bulletin(TODAY, EVERYTHING)
    # three in A (due ten days ago), one in B (due yesterday), and the two cases of
    # tests/world.py registered on 2 November and still awaiting the acceptance decision
    # due on the 17th (15 days)
    assert b.overdue == 6
    assert b.due_soon == 2 and b.escalations_pending == 2
    assert [w["due_on"] for w in b.watch] == sorted(w["due_on"] for w in b.watch)
    assert len(b.watch) == 6  # the six overdue (no red case is open)


def test_receptions_and_the_text_message(cockpit_world):
    b = build_bulletin(datetime.date(2026, 4, 9), EVERYTHING)
    assert b.receptions == {"reception": {"visits": 1, "batches": 2, "persons": 5}}
    text = render_text(b)
    assert len(text) <= SMS_LIMIT
    assert "2026年4月9日" in text and "(5 persons)" in text


def test_the_page_shows_the_bulletin_of_the_users_area(cockpit_world, login):
    leader = login("leader")
    html = get(leader, f"/bulletin/?date={DAY}").get_data(as_text=True)
    assert 'id="b-new">7<' in html and 'id="b-group">1 (' in html
    bad = get(leader, "/bulletin/?date=5.3.2026")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)
    forget_user()
    clerk = login("clerkB")
    html = get(clerk, f"/bulletin/?date={DAY}").get_data(as_text=True)
    assert 'id="b-new">0<' in html  # township B received nothing on 8 March


def test_the_cli_writes_the_bulletin_to_the_folder(cockpit_world, db_app):
    result = db_app.test_cli_runner().invoke(args=["bulletin", "--date", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    folder = db_app.config["BULLETIN_DIR"]
    html = open(os.path.join(folder, f"bulletin-{DAY}.html"), encoding="utf-8").read()
    text = open(os.path.join(folder, f"bulletin-{DAY}.txt"), encoding="utf-8").read()
    assert 'id="b-new">7<' in html and "<html" in html
    assert "src=" not in html and "href=" not in html  # a file that needs nothing else
    assert len(text.strip()) <= SMS_LIMIT and text.strip() in result.output
    bad = db_app.test_cli_runner().invoke(args=["bulletin", "--date", "2026-02-30"])
    assert bad.exit_code != 0 and "is not a date" in bad.output


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(envelope)
        return "250 OK"


def test_the_cli_mails_the_bulletin_when_smtp_is_configured(cockpit_world, db_app):
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        db_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                             BULLETIN_RECIPIENTS=["heads@example.org"])
        result = db_app.test_cli_runner().invoke(args=["bulletin", "--date", DAY.isoformat()])
    finally:
        db_app.config.update(MAIL_SERVER=None, BULLETIN_RECIPIENTS=[])
        controller.stop()
    assert result.exit_code == 0, result.output
    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["heads@example.org"]
    message = email.message_from_bytes(envelope.content)
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk()
             if not p.is_multipart()}
    assert 'id="b-new">7<' in parts["text/html"]
    assert "2026年3月8日" in parts["text/plain"]
