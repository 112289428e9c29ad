"""Webhooks: each case event an integrator subscribed to becomes a delivery row in the
same transaction as the event (nothing is lost when the receiver is down, nothing is
sent for a change that rolled back); `flask webhooks deliver` sends the due ones, signed
with the endpoint's secret (HMAC-SHA256), and retries failures with growing delays.

A receiver checks ``X-Daiban-Signature: sha256=<hex>``, the HMAC-SHA256 under its
secret of ``<X-Daiban-Timestamp>.<body>``; ``X-Daiban-Delivery`` is the same on every
retry of one event (deduplicate by it)."""

import datetime
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import clock
from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_
from app.extensions import db
from app.models import Case, CaseEvent, Transfer, WebhookDelivery, WebhookEndpoint

# the case actions whose events integrators can subscribe to
ACTION_EVENTS = {
    "register": "case_registered",
    "request_escalation": "escalation_requested",
    "approve_escalation": "escalation_decided",
    "send_back_escalation": "escalation_decided",
    "conclude": "case_concluded",
}
TRANSFER_OVERDUE = "transfer_overdue"
MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10
FIRST_RETRY_SECONDS = 60
LONGEST_WAIT_SECONDS = 24 * 3600


def retry_delay(attempts: int) -> datetime.timedelta:
    """After the n-th failed attempt: 1, 4, 16, 64 minutes… at most a day (ten attempts
    over about four days)."""
    seconds = FIRST_RETRY_SECONDS * 4 ** (max(attempts, 1) - 1)
    return datetime.timedelta(seconds=min(seconds, LONGEST_WAIT_SECONDS))


def check_url(url: str) -> str:
    """An endpoint is HTTPS; plain HTTP only to the hosts WEBHOOK_INSECURE_HOSTS names
    (a receiver on the same machine, in tests and demos)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    insecure = current_app.config.get("WEBHOOK_INSECURE_HOSTS", ()) if has_app_context() else ()
    if not parts.hostname or (parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in insecure)):
        raise RuleBroken(N_("Give an address that starts with https://."))
    return url


def _case_summary(case: Case) -> dict:
    # what an integrator needs to fetch the case over the API; never who brought it
    return {"id": case.id, "number": case.number, "upper_number": case.upper_number,
            "state": case.state, "level": case.level, "urgency": case.urgency,
            "place_code": case.place.code if case.place is not None else None}


def _endpoints(session, kind: str) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.event_kind == kind, WebhookEndpoint.active)))


@event.listens_for(Session, "before_flush")
def _enqueue_case_events(session, flush_context, instances):
    events = [obj for obj in session.new
              if isinstance(obj, CaseEvent) and obj.action in ACTION_EVENTS]
    if not events:
        return
    with session.no_autoflush:
        for item in events:
            kind = ACTION_EVENTS[item.action]
            endpoints = _endpoints(session, kind)
            if not endpoints:
                continue
            case = item.case or session.get(Case, item.case_id)
            payload = {"event": kind, "action": item.action,
                       "occurred_at": (item.at or clock.now()).isoformat(),
                       "from_state": item.from_state, "to_state": item.to_state,
                       "data": item.data, "case": _case_summary(case)}
            event_id = uuid.uuid4().hex
            for endpoint in endpoints:
                session.add(WebhookDelivery(endpoint_id=endpoint.id, event_kind=kind,
                                            event_id=event_id,
                                            payload={**payload, "event_id": event_id}))


def enqueue_overdue_transfers(today: datetime.date | None = None) -> int:
    """One transfer_overdue event per open transfer past its reply-by date (once)."""
    today = today or clock.today()
    endpoints = _endpoints(db.session, TRANSFER_OVERDUE)
    if not endpoints:
        return 0
    added = 0
    overdue = db.session.scalars(select(Transfer).where(Transfer.overdue_clause(today)))
    for transfer in overdue:
        event_id = f"transfer-overdue-{transfer.id}"
        sent = set(db.session.scalars(select(WebhookDelivery.endpoint_id).where(
            WebhookDelivery.event_id == event_id)))
        payload = {"event": TRANSFER_OVERDUE, "event_id": event_id,
                   "occurred_at": clock.now().isoformat(),
                   "transfer": {"id": transfer.id, "department_code": transfer.department.code,
                                "due_on": transfer.due_on.isoformat()},
                   "case": _case_summary(transfer.case)}
        for endpoint in endpoints:
            if endpoint.id not in sent:
                db.session.add(WebhookDelivery(endpoint_id=endpoint.id,
                                               event_kind=TRANSFER_OVERDUE,
                                               event_id=event_id, payload=payload))
                added += 1
    db.session.commit()
    return added


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _send(delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """POST the delivery; (HTTP status, error) — error None on a 2xx answer."""
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()
    timestamp = str(int(time.time()))  # real time: receivers compare it with theirs
    request = urllib.request.Request(delivery.endpoint.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "daiban-webhooks/1",
        "X-Daiban-Event": delivery.event_kind,
        "X-Daiban-Delivery": delivery.event_id,
        "X-Daiban-Timestamp": timestamp,
        "X-Daiban-Signature": signature(delivery.endpoint.secret, timestamp, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https checked at registration
            return response.status, None
    except urllib.error.HTTPError as err:
        return err.code, f"HTTP {err.code}"
    except (urllib.error.URLError, OSError, ValueError) as err:
        return None, str(getattr(err, "reason", err))[:500]


def _next_due() -> WebhookDelivery | None:
    stmt = (select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending",
                   WebhookDelivery.next_attempt_at <= clock.now())
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(1)
            .with_for_update(skip_locked=True))
    return db.session.scalars(stmt).first()


def deliver_due(limit: int = 100) -> dict[str, int]:
    """Send the deliveries that are due, one transaction each (several workers may run:
    a row being sent is locked and skipped by the others)."""
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    for _ in range(limit):
        delivery = _next_due()
        if delivery is None:
            break
        if not delivery.endpoint.active:
            delivery.status, delivery.last_error = "failed", "endpoint deactivated"
            counts["failed"] += 1
            db.session.commit()
            continue
        status, error = _send(delivery)
        now = clock.now()
        delivery.attempts += 1
        delivery.last_attempt_at, delivery.last_status_code = now, status
        delivery.last_error = error
        if error is None:
            delivery.status, delivery.delivered_at = "delivered", now
            counts["delivered"] += 1
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = "failed"
            counts["failed"] += 1
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            counts["retrying"] += 1
        db.session.commit()
    return counts
