"""The audit trail, for the audit administrator: searchable and exportable, never
editable (no add, edit or delete permission exists for it)."""

from flask_babel import lazy_gettext as _l

from app.models import AuditEntry
from app.views.base import ScopedModelView, interface


class AuditView(ScopedModelView):
    datamodel = interface(AuditEntry)
    class_permission_name = "AuditLog"
    base_permissions = ["can_read"]
    list_title = show_title = _l("Audit trail")
    label_columns = {
        "at": _l("Time"), "username": _l("User"), "address": _l("Address"),
        "action": _l("Action"), "model": _l("Record type"), "record_id": _l("Record"),
        "before": _l("Before"), "after": _l("After"), "detail": _l("Detail"),
    }
    list_columns = ["at", "username", "address", "action", "model", "record_id", "detail"]
    show_columns = [*list_columns, "before", "after"]
    search_columns = ["at", "username", "address", "action", "model", "record_id"]
    order_columns = ["at"]
    base_order = ("at", "desc")
    add_columns = edit_columns = []
