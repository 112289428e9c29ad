"""Everything the cockpit page draws, as data: each figure and series with the case-list
query (drill-down) behind it. The page's figures and charts and the JSON at
/api/v1/cockpit/figures read the same ``Cockpit`` methods and the same ``Drill`` URLs,
so the two cannot disagree (tests/test_cockpit_api.py compares them)."""

from app.cockpit.drill import Drill
from app.cockpit.queries import FUNNEL_LEVELS, SATISFIED, Cockpit, month_range

TREND_SERIES = ("new", "concluded", "new_year_earlier", "concluded_year_earlier")


def headline_drills(drill: Drill) -> dict:
    """The case list behind each headline figure (the page's tiles link to these)."""
    return {
        "total": drill.url(),
        "concluded": drill.concluded(),
        "resolution_rate": drill.concluded(),
        "in_progress": drill.open(),
        "overdue": drill.overdue(),
        "due_soon": drill.due_soon(),
        "escalations_pending": drill.escalations(),
        "transfers_overdue": drill.transfers_overdue(),
        "satisfaction_rate": drill.satisfied(SATISFIED),
        "repeat": drill.flag("is_repeat"),
        "skipped_level": drill.flag("skipped_level"),
    }


def trend_drills(drill: Drill, months: list[int], key: str) -> list[str]:
    shift = 100 if key.endswith("year_earlier") else 0
    make = drill.month_new if key.startswith("new") else drill.month_concluded
    return [make(*month_range(ym - shift)) for ym in months]


def all_figures(cockpit: Cockpit, drill: Drill) -> dict:
    headline = cockpit.headline()
    drills = headline_drills(drill)
    funnel = cockpit.funnel()
    towns = cockpit.by_township()
    trend = cockpit.trend()

    def keyed(dim, make):
        counts = cockpit.counts(dim)
        return [{"key": k, "count": n, "drill": make(k)} for k, n in counts.items() if n]

    return {
        "filter": cockpit.flt.args(),
        "headline": {key: {"value": value, "drill": drills.get(key)}
                     for key, value in headline.items()},
        "funnel": {lvl: {**funnel[lvl], "drill": drill.resolved_at(lvl)}
                   for lvl in FUNNEL_LEVELS},
        "townships": {str(t): {s: {"count": n, "drill": drill.township_state(t, s)}
                               for s, n in counts.items() if n}
                      for t, counts in towns.items()},
        "categories": keyed("category", lambda k: drill.related("category", int(k))),
        "urgency": keyed("urgency", lambda k: drill.equal("urgency", k)),
        "channels": keyed("channel", lambda k: drill.related("channel", int(k))),
        "trend": {"months": trend["months"],
                  **{key: [{"count": n, "drill": url} for n, url in
                           zip(trend[key], trend_drills(drill, trend["months"], key),
                               strict=True)]
                     for key in TREND_SERIES}},
        "agents": [{**row, "drill": drill.agent_open(row["id"])}
                   for row in cockpit.agents()],
        "departments": [{**row, "drill": drill.department(row["id"])}
                        for row in cockpit.departments()],
        "case_leaders": [{**row, "drill": drill.related("case_leader", row["id"])}
                         for row in cockpit.case_leaders()],
        "receptions": cockpit.receptions(),
        "zero_villages": cockpit.zero_villages(),
    }
