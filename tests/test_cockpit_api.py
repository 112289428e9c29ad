"""/api/v1/cockpit/figures returns what the cockpit page draws, for the same filters,
with the same drill-down queries: the test reads the page's own template context."""

import json

import pytest
from flask import template_rendered

from app.cockpit.queries import FUNNEL_LEVELS
from app.models.choices import RECEPTION_KINDS
from tests.cockpit_world import HALF_YEAR, build_cockpit_world
from tests.test_cockpit import forget_user

pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture()
def page_context(db_app):
    seen = []

    def record(sender, template, context, **extra):
        if template.name == "daiban/cockpit.html":
            seen.append(context)

    template_rendered.connect(record, db_app)
    yield seen
    template_rendered.disconnect(record, db_app)


@pytest.mark.world_with.with_args(build_cockpit_world)
@pytest.mark.parametrize("user", ["leader", "clerkA"])
def test_the_api_and_the_page_agree(world, login, page_context, user):
    client = login(user)
    query = f"from={HALF_YEAR[0]}&to={HALF_YEAR[1]}"
    forget_user()
    assert client.get(f"/cockpit/?{query}").status_code == 200
    page = page_context[-1]
    forget_user()
    api = client.get(f"/api/v1/cockpit/figures?{query}").get_json()

    assert {k: v["value"] for k, v in api["headline"].items()} == page["headline"]
    assert {f[2] for f in page["figures"]} <= {v["drill"] for v in api["headline"].values()}
    charts = {c.id: c for c in page["charts"]}
    assert charts["funnel"].drill == [[api["funnel"][lvl]["drill"] for lvl in FUNNEL_LEVELS]]
    for chart_id, key in (("categories", "categories"), ("urgency", "urgency"),
                          ("channels", "channels")):
        assert set(charts[chart_id].drill[0]) == {row["drill"] for row in api[key]}, chart_id
    assert charts["trend"].drill == [[p["drill"] for p in api["trend"][key]]
                                     for key in ("new", "concluded", "new_year_earlier",
                                                 "concluded_year_earlier")]
    trend_options = json.loads(charts["trend"].options)
    assert [point[1] for point in trend_options["series"][0]["data"]] == [
        p["count"] for p in api["trend"]["new"]]
    assert charts["agents"].drill == [[row["drill"] for row in api["agents"]]]
    assert charts["departments"].drill[0] == [row["drill"] for row in api["departments"]]
    assert [(r["id"], r["cases"], r["url"]) for r in page["leaders"]] == [
        (r["id"], r["cases"], r["drill"]) for r in api["case_leaders"]]
    assert [v for _label, v in page["receptions"] if v] == [
        api["receptions"][kind] for kind in RECEPTION_KINDS if kind in api["receptions"]]
    assert page["zero"] == api["zero_villages"]
    townships = {int(t): {s: v["count"] for s, v in states.items()}
                 for t, states in api["townships"].items()}
    summary = client.get(f"/api/v1/cockpit/summary?{query}").get_json()
    assert townships == {int(t): {s: n for s, n in states.items() if n}
                         for t, states in summary["townships"].items()}


def test_bad_filter_is_refused_in_the_one_shape(world, login):
    body = login("leader").get("/api/v1/cockpit/figures?from=soon").get_json()
    assert set(body) == {"code", "message", "field"}
