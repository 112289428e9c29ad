"""The cockpit's charts, built with pyecharts and handed to the template as ECharts
options (``dump_options``) with, for every bar or slice, the case-list URL behind it.
Every label comes through Flask-Babel or from bilingual dictionary names, so charts
follow the user's language. ECharts itself is served by the app (static/vendor)."""

import json
from dataclasses import dataclass, field

from flask_babel import gettext as _
from pyecharts import options as opts
from pyecharts.charts import Bar, Funnel, Line, Pie
from pyecharts.charts.base import default as pyecharts_default
from pyecharts.globals import CurrentConfig
from sqlalchemy import select

from app.cockpit.drill import Drill
from app.cockpit.figures import trend_drills
from app.cockpit.queries import FUNNEL_LEVELS, Cockpit
from app.extensions import db
from app.formatting import format_month, format_percent
from app.i18n import localized
from app.models import Category, Channel, Place
from app.models.choices import CASE_LEVELS, CASE_STATES, URGENCY, label

# pyecharts must never point a page at its online host.
ECHARTS_PATH = "/static/vendor/echarts/"
CurrentConfig.ONLINE_HOST = ECHARTS_PATH
# Canvas text does not inherit the page's CSS: every chart names the served Mongolian
# font (app/static/css/mongolian.css; its unicode-range limits it to Mongolian), then the
# machine's fonts for Chinese and Latin. The page waits for the font before drawing.
CHART_FONT = '"Daiban Mongolian", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'
URGENCY_COLOURS = {"red": "#d9534f", "yellow": "#f0ad4e", "blue": "#337ab7"}


@dataclass
class ChartSpec:
    id: str
    title: str
    options: str
    drill: list = field(default_factory=list)
    empty: bool = False


def _init():
    return opts.InitOpts(js_host=ECHARTS_PATH, width="100%", height="320px")


def _common(chart, title: str, empty: bool):
    chart.set_global_opts(
        title_opts=opts.TitleOpts(title=title,
                                  subtitle=_("No cases in this period") if empty else None),
        tooltip_opts=opts.TooltipOpts(trigger="item"),
        legend_opts=opts.LegendOpts(pos_top="bottom", type_="scroll"),
    )
    chart.options.update(textStyle={"fontFamily": CHART_FONT})
    # keep long axis labels (category names) inside the chart
    chart.options.update(grid=opts.GridOpts(is_contain_label=True, pos_left="2%",
                                            pos_right="4%", pos_bottom="40"))
    return chart


_SCRIPT_SAFE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                0x2028: "\\u2028", 0x2029: "\\u2029"}


def chart_json(chart) -> str:
    """A chart's options as JSON that no stored text can break out of: pyecharts'
    ``dump_options`` deletes its code marker (``--x_x--0_0--``) together with the quotes
    around it, so a place name holding the marker broke the page's script for every
    viewer; and ``<``, ``>`` and ``&`` are escaped for the <script> element."""
    text = json.dumps(chart.get_options(), default=pyecharts_default, ensure_ascii=False)
    return text.translate(_SCRIPT_SAFE)


def _spec(chart_id, title, chart, drill, empty) -> ChartSpec:
    options = chart_json(chart)
    return ChartSpec(chart_id, title, options, drill, empty)


def _names(model, ids) -> dict:
    if not ids:
        return {}
    rows = db.session.execute(select(model.id, model.name_zh, model.name_mn)
                              .where(model.id.in_(ids)))
    return {r.id: localized(r.name_zh, r.name_mn) for r in rows}


def _pie(chart_id, title, counts: dict, names: dict, urls: dict, colours=None) -> ChartSpec:
    keys = [k for k, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n]
    pie = Pie(init_opts=_init())
    if keys:  # pyecharts cannot add an empty pie series
        pie.add(title, [(names.get(k, str(k)), counts[k]) for k in keys], radius=["35%", "65%"])
    if colours and keys:
        pie.set_colors([colours[k] for k in keys])
    pie.set_series_opts(label_opts=opts.LabelOpts(formatter="{b}: {c}"))
    _common(pie, title, not keys)
    return _spec(chart_id, title, pie, [[urls[k] for k in keys]], not keys)


def build_charts(cockpit: Cockpit, drill: Drill) -> list[ChartSpec]:
    return [
        funnel_chart(cockpit, drill),
        township_chart(cockpit, drill),
        category_chart(cockpit, drill),
        urgency_chart(cockpit, drill),
        channel_chart(cockpit, drill),
        trend_chart(cockpit, drill),
        agent_chart(cockpit, drill),
        department_chart(cockpit, drill),
    ]


def funnel_chart(cockpit, drill) -> ChartSpec:
    title = _("Where cases were resolved")
    funnel = cockpit.funnel()
    data = [(label(CASE_LEVELS, lvl), funnel[lvl]["count"]) for lvl in FUNNEL_LEVELS]
    empty = not any(n for _n, n in data)
    chart = Funnel(init_opts=_init()).add(
        _("Concluded cases"), data, sort_="none",
        label_opts=opts.LabelOpts(position="inside", formatter="{b}: {c}"))
    _common(chart, title, empty)
    return _spec("funnel", title, chart, [[drill.resolved_at(lvl) for lvl in FUNNEL_LEVELS]],
                 empty)


def township_chart(cockpit, drill) -> ChartSpec:
    title = _("Cases by township")
    counts = cockpit.by_township()
    towns = sorted(counts, key=lambda t: -sum(counts[t].values()))
    names = _names(Place, towns)
    states = [s for s in CASE_STATES if any(counts[t][s] for t in towns)]
    bar = Bar(init_opts=_init()).add_xaxis([names[t] for t in towns])
    for state in states:
        bar.add_yaxis(label(CASE_STATES, state), [counts[t][state] for t in towns],
                      stack="state", label_opts=opts.LabelOpts(is_show=False))
    _common(bar, title, not towns)
    urls = [[drill.township_state(t, s) for t in towns] for s in states]
    return _spec("townships", title, bar, urls, not towns)


def category_chart(cockpit, drill) -> ChartSpec:
    title = _("Cases by category")
    counts = {int(k): n for k, n in cockpit.counts("category").items() if n}
    keys = sorted(counts, key=lambda k: counts[k])
    names = _names(Category, keys)
    bar = Bar(init_opts=_init()).add_xaxis([names.get(k, str(k)) for k in keys]).add_yaxis(
        _("Cases"), [counts[k] for k in keys], label_opts=opts.LabelOpts(position="right"))
    bar.reversal_axis()
    _common(bar, title, not keys)
    return _spec("categories", title, bar,
                 [[drill.related("category", k) for k in keys]], not keys)


def urgency_chart(cockpit, drill) -> ChartSpec:
    counts = cockpit.counts("urgency")
    names = {k: label(URGENCY, k) for k in URGENCY}
    urls = {k: drill.equal("urgency", k) for k in counts}
    return _pie("urgency", _("Cases by urgency"), counts, names, urls, URGENCY_COLOURS)


def channel_chart(cockpit, drill) -> ChartSpec:
    counts = {int(k): n for k, n in cockpit.counts("channel").items()}
    names = _names(Channel, list(counts))
    urls = {k: drill.related("channel", k) for k in counts}
    return _pie("channels", _("Cases by channel"), counts, names, urls)


def trend_chart(cockpit, drill) -> ChartSpec:
    title = _("Monthly trend")
    trend = cockpit.trend()
    months = trend["months"]
    axis = [format_month(ym) for ym in months]
    line = Line(init_opts=_init()).add_xaxis(axis)
    series = [("new", _("New cases")), ("concluded", _("Concluded")),
              ("new_year_earlier", _("New cases a year earlier")),
              ("concluded_year_earlier", _("Concluded a year earlier"))]
    urls = []
    for key, name in series:
        line.add_yaxis(name, trend[key], is_smooth=True)
        urls.append(trend_drills(drill, months, key))
    empty = not any(any(trend[k]) for k, _n in series)
    _common(line, title, empty)
    line.set_global_opts(title_opts=opts.TitleOpts(
        title=title, subtitle=_("No cases in this period") if empty else None),
        tooltip_opts=opts.TooltipOpts(trigger="axis"),
        legend_opts=opts.LegendOpts(pos_top="bottom", type_="scroll"))
    return _spec("trend", title, line, urls, empty)


def agent_chart(cockpit, drill) -> ChartSpec:
    title = _("Agents' open cases")
    rows = cockpit.agents()
    bar = Bar(init_opts=_init()).add_xaxis(
        [localized(r["name_zh"], r["name_mn"]) for r in rows]).add_yaxis(
        _("Open cases"), [r["n"] for r in rows])
    _common(bar, title, not rows)
    urls = [[drill.agent_open(r["id"]) for r in rows]]
    return _spec("agents", title, bar, urls, not rows)


def department_chart(cockpit, drill) -> ChartSpec:
    """Cases transferred to each department (click: those cases) and the share of its
    transfers answered on time (a rate, not clickable)."""
    title = _("Departments' replies on time")
    rows = cockpit.departments()
    bar = Bar(init_opts=_init()).add_xaxis(
        [localized(r["name_zh"], r["name_mn"]) for r in rows])
    bar.add_yaxis(_("Cases transferred"), [r["cases"] for r in rows])
    percent_axis = format_percent(1, 0).replace("100", "{value}")  # "{value}%"
    bar.extend_axis(yaxis=opts.AxisOpts(type_="value", min_=0, max_=100,
                                        axislabel_opts=opts.LabelOpts(formatter=percent_axis)))
    line = Line().add_xaxis([localized(r["name_zh"], r["name_mn"]) for r in rows]).add_yaxis(
        _("Replied on time (%)"), [r["on_time_rate"] for r in rows], yaxis_index=1)
    bar.overlap(line)
    _common(bar, title, not rows)
    urls = [[drill.department(r["id"]) for r in rows], [None for _r in rows]]
    return _spec("departments", title, bar, urls, not rows)
