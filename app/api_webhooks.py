"""Webhooks over REST: /api/v1/webhooks (the endpoints, for the system administrator)
and /api/v1/webhook_deliveries (their log) — the pages' permissions and rules."""

import secrets

from app.api import ScopedApi
from app.api_resources import HistoryApi
from app.domain.errors import RuleBroken
from app.domain.lifecycle import N_
from app.models import WebhookDelivery, WebhookEndpoint
from app.models.choices import WEBHOOK_EVENTS
from app.services.webhooks import check_url
from app.views.base import interface


class WebhookEndpointApi(ScopedApi):
    resource_name = "webhooks"
    datamodel = interface(WebhookEndpoint)
    class_permission_name = "Webhook"
    list_columns = ["id", "url", "event_kind", "description", "active", "created_at"]
    # the signing secret: on the endpoint's own record only
    show_columns = [*list_columns, "secret"]
    add_columns = ["url", "event_kind", "description", "active", "secret"]
    edit_columns = ["url", "event_kind", "description", "active"]
    search_columns = ["url", "event_kind", "active"]
    order_columns = ["id", "created_at"]
    description_columns = {"event_kind": ", ".join(WEBHOOK_EVENTS),
                           "secret": "Left out, a new secret is made (64 hex digits)."}

    def pre_add(self, item):
        super().pre_add(item)
        self._check(item)
        item.secret = (item.secret or "").strip() or secrets.token_hex(32)

    def pre_update(self, item):
        super().pre_update(item)
        self._check(item)

    @staticmethod
    def _check(item):
        item.url = check_url(item.url)
        if item.event_kind not in WEBHOOK_EVENTS:
            raise RuleBroken(N_("%(field)s: choose one of the options."), field=N_("Event"))


class WebhookDeliveryApi(HistoryApi):
    resource_name = "webhook_deliveries"
    datamodel = interface(WebhookDelivery)
    class_permission_name = "WebhookDelivery"
    list_columns = show_columns = [
        "id", "endpoint_id", "event_kind", "event_id", "status", "attempts", "created_at",
        "next_attempt_at", "last_attempt_at", "last_status_code", "last_error",
        "delivered_at", "payload"]
    search_columns = ["event_kind", "status", "event_id", "endpoint"]
    order_columns = ["created_at", "next_attempt_at", "id"]
    base_order = ("id", "desc")
