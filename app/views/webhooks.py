"""Webhooks for integrators: the endpoints an administrator registers, and the log of
every delivery (its attempts, the last answer, what comes next)."""

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from app.models import WebhookDelivery, WebhookEndpoint
from app.models.choices import WEBHOOK_EVENTS, WEBHOOK_STATUSES
from app.services.webhooks import check_url
from app.views.base import ScopedModelView, choice_field, choice_formatter, interface, yes_no

LABELS = {
    "url": _l("Address (HTTPS)"), "event_kind": _l("Event"), "secret": _l("Signing secret"),
    "description": _l("Description"), "active": _l("Active"), "created_at": _l("Created"),
    "endpoint": _l("Endpoint"), "event_id": _l("Delivery id"), "status": _l("Status"),
    "attempts": _l("Attempts"), "next_attempt_at": _l("Next attempt"),
    "last_attempt_at": _l("Last attempt"), "last_status_code": _l("Last answer"),
    "last_error": _l("Last error"), "delivered_at": _l("Delivered"), "payload": _l("Content"),
}


class WebhookEndpointView(ScopedModelView):
    datamodel = interface(WebhookEndpoint)
    class_permission_name = "Webhook"
    list_title = _l("Webhooks")
    show_title = add_title = edit_title = _l("Webhook")
    label_columns = LABELS
    description_columns = {
        "url": _l("Each delivery is a POST signed with the secret: the header "
                  "X-Daiban-Signature is sha256= and the HMAC-SHA256 of the timestamp "
                  "(X-Daiban-Timestamp), a dot and the body."),
        "secret": _l("Left blank, a new secret is made."),
    }
    list_columns = ["url", "event_kind", "description", "active"]
    show_columns = ["url", "event_kind", "description", "active", "secret", "created_at"]
    add_columns = ["url", "event_kind", "description", "active", "secret"]
    edit_columns = ["url", "event_kind", "description", "active"]
    search_columns = ["url", "event_kind", "active"]
    edit_form_extra_fields = {"event_kind": choice_field(_l("Event"), WEBHOOK_EVENTS)}
    add_form_extra_fields = {
        **edit_form_extra_fields,
        "secret": StringField(_l("Signing secret"), validators=[Optional(), Length(max=200)]),
    }
    formatters_columns = {"event_kind": choice_formatter(WEBHOOK_EVENTS), "active": yes_no}

    def pre_add(self, item):
        item.url = check_url(item.url)
        item.secret = (item.secret or "").strip() or secrets.token_hex(32)

    def pre_update(self, item):
        item.url = check_url(item.url)


class WebhookDeliveryView(ScopedModelView):
    datamodel = interface(WebhookDelivery)
    class_permission_name = "WebhookDelivery"
    base_permissions = ["can_read"]
    list_title = show_title = _l("Webhook deliveries")
    label_columns = LABELS
    list_columns = ["created_at", "endpoint", "event_kind", "status", "attempts",
                    "last_status_code", "last_error", "next_attempt_at", "delivered_at"]
    show_columns = [*list_columns, "event_id", "last_attempt_at", "payload"]
    search_columns = ["event_kind", "status", "event_id"]
    order_columns = ["created_at", "next_attempt_at"]
    base_order = ("id", "desc")
    add_columns = edit_columns = []
    formatters_columns = {"event_kind": choice_formatter(WEBHOOK_EVENTS),
                          "status": choice_formatter(WEBHOOK_STATUSES)}
