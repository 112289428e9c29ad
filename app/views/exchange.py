"""三通: the page that exports cases in the upper-level petition system's layout and
imports the cases it assigns down (交办件) into the screening queue."""

import json

from flask import Response, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.domain import exchange as layout
from app.models.choices import CASE_STATES
from app.services import exchange as exchange_service
from app.views.imports import MAX_BYTES, ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(user, fmt: str, state: str | None) -> Response:
    """The export as a download: .xlsx, or .json (the panel and the API)."""
    records = exchange_service.export_records(user, state=state)
    stamp = clock.today().strftime("%Y%m%d")
    if fmt == "json":
        body = json.dumps(exchange_service.to_json(records), ensure_ascii=False, indent=1)
        mimetype, name = "application/json; charset=utf-8", f"cases-{stamp}.json"
    else:
        body, mimetype, name = exchange_service.to_xlsx(records), XLSX, f"cases-{stamp}.xlsx"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}"})


def chosen_state(value) -> str | None:
    return value if value in CASE_STATES else None


class ExchangeView(BaseView):
    route_base = "/exchange"
    class_permission_name = "Exchange"
    method_permission_name = {"page": "read", "export_cases": "read", "upload": "write"}
    default_view = "page"

    @expose("/", methods=["GET"])
    @has_access
    def page(self, errors=None):
        return self.render_template(
            "daiban/exchange.html", form=ImportForm(), fields=layout.FIELDS,
            version=layout.MAPPING_VERSION, states=CASE_STATES, errors=errors or [])

    @expose("/export/<string:fmt>", methods=["GET"])
    @has_access
    def export_cases(self, fmt):
        if fmt not in ("xlsx", "json"):
            return redirect(url_for("ExchangeView.page"))
        return export_response(current_user, fmt, chosen_state(request.args.get("state")))

    @expose("/", methods=["POST"])
    @has_access
    def upload(self):
        form = ImportForm()
        if not form.validate_on_submit():
            return self.page(errors=[_("Choose an XLSX or JSON file.")])
        upload = form.file.data
        payload = upload.read(MAX_BYTES + 1)
        if len(payload) > MAX_BYTES:
            return self.page(errors=[_("The file is larger than 5 MB.")])
        try:
            records = exchange_service.read_upload(upload.filename or "", payload)
        except exchange_service.ExchangeFileError as err:
            return self.page(errors=[str(err)])
        result = exchange_service.import_assigned(records, current_user)
        if result.errors:
            return self.page(errors=result.errors)
        flash(_("%(count)s assigned cases are waiting for screening.", count=result.created),
              "success")
        return redirect(url_for("CaseView.list"))
