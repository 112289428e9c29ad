"""The banner cockpit (旗统筹驾驶舱): a page of figures and charts, and the same figures
as JSON at /api/v1/cockpit/summary. Both read app/cockpit/queries.py through the
user's scope, and both answer a bad filter with a clear message."""

import datetime

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import has_access, protect
from flask_babel import gettext as _

from app import clock
from app.api_errors import ErrorShape
from app.cockpit.bulletin import build_bulletin, template_context
from app.cockpit.charts import build_charts
from app.cockpit.drill import Drill
from app.cockpit.figures import all_figures, headline_drills
from app.cockpit.params import FilterError, parse_filter, townships_in_scope
from app.cockpit.queries import Cockpit
from app.formatting import format_number, format_percent
from app.i18n import localized
from app.models.choices import RECEPTION_KINDS, label
from app.security.scope import current_scope

READ_ONLY = {"index": "read", "summary": "read", "figures": "read"}


def format_rate(value) -> str:
    """A rate in percent (0–100) as the reader writes it: 66.6%."""
    if value is None:
        return "—"
    return format_percent(value / 100, 1)


def _figures(headline: dict, drill: Drill) -> list[tuple[str, str, str | None]]:
    h, url = headline, headline_drills(drill)
    return [
        (_("Cases in the period"), format_number(h["total"]), url["total"]),
        (_("Concluded"), format_number(h["concluded"]), url["concluded"]),
        (_("Resolution rate"), format_rate(h["resolution_rate"]), url["resolution_rate"]),
        (_("In progress"), format_number(h["in_progress"]), url["in_progress"]),
        (_("Overdue now (all open cases)"), format_number(h["overdue"]), url["overdue"]),
        (_("Due soon (all open cases)"), format_number(h["due_soon"]), url["due_soon"]),
        (_("Escalations awaiting approval now"), format_number(h["escalations_pending"]),
         url["escalations_pending"]),
        (_("Transfers overdue for a reply now"), format_number(h["transfers_overdue"]),
         url["transfers_overdue"]),
        (_("Satisfaction rate"), format_rate(h["satisfaction_rate"]), url["satisfaction_rate"]),
        (_("Repeat petitions"), format_number(h["repeat"]), url["repeat"]),
        (_("Petitions that skipped a level"), format_number(h["skipped_level"]),
         url["skipped_level"]),
    ]


class CockpitView(BaseView):
    route_base = "/cockpit"
    default_view = "index"
    class_permission_name = "Cockpit"
    method_permission_name = READ_ONLY
    template = "daiban/cockpit.html"

    @expose("/")
    @has_access
    def index(self):
        scope = current_scope()
        today = clock.today()
        context = {"townships": townships_in_scope(scope), "args": request.args,
                   "wall": request.args.get("wall") == "1", "localized": localized}
        try:
            flt = parse_filter(request.args, scope, today)
        except FilterError as err:
            return self.render_template(self.template, error=str(err), **context), 400
        cockpit, drill = Cockpit(flt, scope, today), Drill(flt, today)
        headline = cockpit.headline()
        receptions = cockpit.receptions()
        return self.render_template(
            self.template,
            flt=flt,
            headline=headline,
            figures=_figures(headline, drill),
            today=today,
            charts=build_charts(cockpit, drill),
            leaders=[{**row, "url": drill.related("case_leader", row["id"]),
                      "progress_text": format_rate(row["progress"])}
                     for row in cockpit.case_leaders()],
            receptions=[(label(RECEPTION_KINDS, kind), receptions.get(kind))
                        for kind in RECEPTION_KINDS],
            zero=cockpit.zero_villages(),
            format_rate=format_rate,
            **context,
        )


class CockpitApi(ErrorShape, BaseApi):
    resource_name = "cockpit"
    class_permission_name = "Cockpit"
    method_permission_name = READ_ONLY
    allow_browser_login = True
    openapi_spec_tag = "Cockpit"

    @expose("/summary", methods=["GET"])
    @protect()
    def summary(self):
        """Headline figures, the resolution-level funnel and the per-township counts.
        ---
        get:
          parameters:
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          - {in: query, name: township, schema: {type: integer}}
          responses:
            200: {description: The figures}
            400: {description: A malformed period or an unknown township}
        """
        scope = current_scope()
        try:
            flt = parse_filter(request.args, scope)
        except FilterError as err:
            return self.response_400(message=str(err))
        return self.response(200, **Cockpit(flt, scope).summary())

    @expose("/figures", methods=["GET"])
    @protect()
    def figures(self):
        """Every figure and series the cockpit page draws, each with its drill-down.
        ---
        get:
          summary: Everything the cockpit page shows, for the same filters
          description: >-
            Headline figures, the resolution funnel, cases by township and state, by
            category, urgency and channel, the monthly trend against a year earlier,
            open cases per agent, replies on time per department, progress per case
            leader, leader receptions and villages without petitions. Each value
            carries drill - the case-list query (panel URL with its filters) that
            lists the cases behind it. Read from the same functions as the page.
          parameters:
          - {in: query, name: from, schema: {type: string, format: date}}
          - {in: query, name: to, schema: {type: string, format: date}}
          - {in: query, name: township, schema: {type: integer}}
          responses:
            200: {description: The figures}
            400:
              $ref: '#/components/responses/400'
        """
        scope, today = current_scope(), clock.today()
        try:
            flt = parse_filter(request.args, scope, today)
        except FilterError as err:
            return self.response_400(message=str(err))
        return self.response(200, **all_figures(Cockpit(flt, scope, today), Drill(flt, today)))


class BulletinView(BaseView):
    """The daily bulletin of the user's area, for a day (today unless ?date=)."""

    route_base = "/bulletin"
    default_view = "index"
    class_permission_name = "Bulletin"
    method_permission_name = READ_ONLY
    template = "daiban/bulletin.html"

    @expose("/")
    @has_access
    def index(self):
        value = (request.args.get("date") or "").strip()
        try:
            day = datetime.date.fromisoformat(value) if value else clock.today()
        except ValueError:
            error = _('"%(value)s" is not a date (write it as 2026-01-31).', value=value)
            return self.render_template(self.template, error=error, b=None,
                                        args=request.args), 400
        b = build_bulletin(day, current_scope())
        return self.render_template(self.template, args=request.args, **template_context(b))
