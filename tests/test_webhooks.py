"""Webhooks: an administrator registers an HTTPS endpoint per event kind; every event is
queued in the database with the change that caused it, sent signed, retried with
backoff while the receiver is down, and logged."""

import datetime
import hashlib
import hmac
import http.server
import json
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Department, Transfer, WebhookDelivery, WebhookEndpoint
from app.services import cases as svc
from app.services import webhooks
from tests.world import add_case, add_user

SECRET = "s3cret-for-tests"


class Receiver:
    """An HTTP receiver on this machine that answers with the statuses it is given, in
    order (then 200), and keeps what it received."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def local_hosts(db_app, monkeypatch):
    monkeypatch.setitem(db_app.config, "WEBHOOK_INSECURE_HOSTS", ("127.0.0.1",))


def _endpoint(url, kind="case_registered"):
    endpoint = WebhookEndpoint(url=url, event_kind=kind, secret=SECRET, active=True)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def _deliveries():
    db.session.expire_all()
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_receiver_that_fails_then_recovers_gets_the_event_once_signed(
        world, clock, local_hosts):
    clock("2026-11-10T09:00")
    receiver = Receiver([500])
    try:
        _endpoint(receiver.url)
        case = add_case(world, "C", world.villages["A1"], world.petitioners["A"])
        [delivery] = _deliveries()  # queued with the case, in its transaction
        assert (delivery.status, delivery.payload["case"]["number"]) == ("pending", case.number)

        assert webhooks.deliver_due() == {"delivered": 0, "retrying": 1, "failed": 0}
        [delivery] = _deliveries()
        assert (delivery.attempts, delivery.last_status_code, delivery.status) == (
            1, 500, "pending")
        assert delivery.next_attempt_at == datetime.datetime(2026, 11, 10, 9, 1)
        assert webhooks.deliver_due()["retrying"] == 0  # not due yet: nothing sent
        assert len(receiver.received) == 1

        clock("2026-11-10T09:02")
        assert webhooks.deliver_due()["delivered"] == 1
        [delivery] = _deliveries()
        assert (delivery.status, delivery.attempts) == ("delivered", 2)
        assert len(receiver.received) == 2
        first, second = receiver.received
        assert first[0]["X-Daiban-Delivery"] == second[0]["X-Daiban-Delivery"]
        headers, body = second
        expected = hmac.new(SECRET.encode(), headers["X-Daiban-Timestamp"].encode() + b"."
                            + body, hashlib.sha256).hexdigest()
        assert headers["X-Daiban-Signature"] == f"sha256={expected}"
        payload = json.loads(body)
        assert (payload["event"], payload["to_state"]) == ("case_registered", "registered")
        assert "petitioner" not in json.dumps(payload)
        assert webhooks.deliver_due()["delivered"] == 0  # delivered once
    finally:
        receiver.close()


def test_a_receiver_that_is_down_loses_nothing_and_is_given_up_on_at_last(
        world, clock, local_hosts):
    clock("2026-11-10T09:00")
    receiver = Receiver([])
    url = receiver.url
    receiver.close()  # nobody listens there now
    _endpoint(url)
    add_case(world, "C", world.villages["A1"], world.petitioners["A"])
    moment = datetime.datetime(2026, 11, 10, 9, 0)
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        counts = webhooks.deliver_due()
        [delivery] = _deliveries()
        assert delivery.attempts == attempt and delivery.last_error
        if attempt < webhooks.MAX_ATTEMPTS:
            assert counts["retrying"] == 1
            assert delivery.next_attempt_at - moment == webhooks.retry_delay(attempt)
            moment = delivery.next_attempt_at
            clock(moment.isoformat())
    assert delivery.status == "failed"


def test_only_subscribed_events_are_queued_and_a_rollback_queues_nothing(world, clock):
    clock("2026-11-10")
    _endpoint("https://integrator.example/hook", kind="case_concluded")
    add_case(world, "C", world.villages["A1"], world.petitioners["A"])
    assert _deliveries() == []
    _endpoint("https://integrator.example/hook")
    from app.models import Case, Category, Channel
    from app.services import cases as case_service

    case = Case(petitioner=world.petitioners["A"], place=world.villages["A1"], title="t",
                description="d", demand="d", channel=db.session.scalars(select(Channel)).first(),
                category=db.session.scalars(select(Category)).first(),
                received_on=datetime.date(2026, 11, 9))
    case_service.register(case)
    db.session.rollback()
    assert _deliveries() == []
    assert set(webhooks.ACTION_EVENTS.values()) | {webhooks.TRANSFER_OVERDUE} == {
        "case_registered", "escalation_requested", "escalation_decided", "transfer_overdue",
        "case_concluded"}


def test_an_overdue_transfer_is_announced_once(world, clock):
    clock("2026-11-20")
    _endpoint("https://integrator.example/hook", kind="transfer_overdue")
    department = db.session.scalar(select(Department).where(Department.code == "HRSS"))
    db.session.add(Transfer(case_id=world.cases["A"].id, department_id=department.id,
                            due_on=datetime.date(2026, 11, 15), status="open"))
    db.session.commit()
    assert webhooks.enqueue_overdue_transfers() == 1
    assert webhooks.enqueue_overdue_transfers() == 0
    [delivery] = _deliveries()
    assert delivery.payload["transfer"]["department_code"] == "HRSS"


def test_the_administrator_registers_https_endpoints_and_reads_the_log(world, login,
                                                                        english_ui):
    admin = login("admin")
    refused = admin.post("/webhookendpointview/add", data={
        "url": "http://integrator.example/hook", "event_kind": "case_registered",
        "active": "y"})
    assert "https://" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    answer = admin.post("/webhookendpointview/add", data={
        "url": "https://integrator.example/hook", "event_kind": "case_registered",
        "active": "y"})
    assert answer.status_code == 302
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert len(endpoint.secret) == 64  # made for them
    assert admin.get("/webhookdeliveryview/list/").status_code == 200
    add_user("sysadmin", "SystemAdmin", world.banner)
    assert login("sysadmin").get("/webhookendpointview/list/").status_code == 200
    assert login("clerkA").get("/webhookendpointview/list/").status_code in (302, 403)


def test_endpoints_over_the_api_under_the_same_rules(world, login, english_ui):
    admin = login("admin")
    refused = admin.post("/api/v1/webhooks/", json={
        "url": "ftp://integrator.example/", "event_kind": "case_registered"})
    assert refused.status_code == 422
    assert "https://" in refused.get_json()["message"]
    made = admin.post("/api/v1/webhooks/", json={
        "url": "https://integrator.example/hook", "event_kind": "case_concluded"})
    assert made.status_code == 201, made.get_json()
    shown = admin.get(f"/api/v1/webhooks/{made.get_json()['id']}").get_json()["result"]
    assert len(shown["secret"]) == 64
    assert "secret" not in admin.get("/api/v1/webhooks/").get_json()["result"][0]
    assert admin.get("/api/v1/webhook_deliveries/").status_code == 200
    assert login("clerkA").get("/api/v1/webhooks/").status_code == 403


def test_a_conclusion_is_announced(world, clock):
    clock("2026-11-10")
    _endpoint("https://integrator.example/hook", kind="case_concluded")
    case = world.cases["A"]
    svc.accept(case.id, None, entrustment_signer="签字人",
               entrustment_signed_on=datetime.date(2026, 11, 3))
    assert _deliveries() == []
    svc.conclude(case.id, None, reply="已书面答复")
    [delivery] = _deliveries()
    assert (delivery.event_kind, delivery.payload["to_state"]) == ("case_concluded",
                                                                    "concluded")
    assert delivery.payload["data"]["resolution_level"] == "village"
