"""The cockpit's figures against the hand-counted cases of tests/cockpit_world.py, its
scope, its drill-down links and its bad-filter messages."""

import json
import re
from html import unescape as html_unescape

import pytest
from flask import g

from tests.cockpit_world import EXPECTED, HALF_YEAR, MARCH, build_cockpit_world

# pages are read by their English msgids
# the cockpit's cases are built once for the module (conftest, world_with)
pytestmark = [pytest.mark.usefixtures("english_ui"),
              pytest.mark.world_with.with_args(build_cockpit_world)]

PERIOD = f"from={HALF_YEAR[0]}&to={HALF_YEAR[1]}"


@pytest.fixture()
def cockpit_world(world):
    return world


def forget_user():
    """The tests' app context outlives requests, so g (the signed-in user, the scope
    and the locale cached in it) would carry over from one user's request to another's:
    start each request with an empty g, as in production."""
    for name in list(g):
        g.pop(name, None)


def get(client, url):
    forget_user()
    return client.get(url)


def summary(client, query=PERIOD):
    response = get(client, f"/api/v1/cockpit/summary?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def list_count(client, url) -> int:
    html = get(client, url).get_data(as_text=True)
    match = re.search(r"<strong>[^<]*:</strong>\s*(\d+)", html)
    return int(match.group(1)) if match else 0


def test_headline_figures_of_township_a(cockpit_world, login):
    a = cockpit_world.townships["A"].id
    data = summary(login("leader"), f"{PERIOD}&township={a}")
    for key, value in EXPECTED["A"].items():
        assert data["headline"][key] == value, key


def test_headline_figures_of_the_banner(cockpit_world, login):
    data = summary(login("leader"))
    for key, value in EXPECTED["banner"].items():
        assert data["headline"][key] == value, key


def test_funnel_folds_the_joint_meeting_into_the_banner(cockpit_world, login):
    data = summary(login("leader"))
    assert {k: v["count"] for k, v in data["funnel"].items()} == EXPECTED["funnel_A"]
    assert data["funnel"]["village"]["share"] == 76.1  # 150 / 197


def test_per_township_counts_stacked_by_state(cockpit_world, login):
    data = summary(login("leader"))
    a, b = (str(cockpit_world.townships[k].id) for k in "AB")
    assert data["townships"][a] == {"concluded": 197, "in_progress": 8, "registered": 2,
                                    "declined": 1, "terminated": 1}
    assert data["townships"][b] == {"in_progress": 11}


def test_resolution_rate_reads_94_3_percent_on_the_page(cockpit_world, login):
    a = cockpit_world.townships["A"].id
    html = get(login("leader"), f"/cockpit/?{PERIOD}&township={a}").get_data(as_text=True)
    assert "94.3%" in html


def test_a_township_clerk_sees_only_their_township(cockpit_world, login):
    clerk = login("clerkA")
    data = summary(clerk)
    assert data["headline"]["total"] == 209
    assert list(data["townships"]) == [str(cockpit_world.townships["A"].id)]
    html = get(clerk, f"/cockpit/?{PERIOD}").get_data(as_text=True)
    assert "B镇" not in html and "A镇" in html
    b = cockpit_world.townships["B"].id
    response = get(clerk, f"/api/v1/cockpit/summary?{PERIOD}&township={b}")
    assert response.status_code == 400
    forget_user()
    assert summary(login("clerkB"))["headline"]["total"] == 11


def test_roles_without_the_cockpit_are_refused(cockpit_world, login):
    agent = login("agentA")
    assert get(agent, "/api/v1/cockpit/summary").status_code in (401, 403)
    assert get(agent, "/cockpit/").status_code in (302, 403)


@pytest.mark.parametrize("query, message", [
    ("from=2026-13-01", "is not a date"),
    ("to=yesterday", "is not a date"),
    ("from=2026-06-01&to=2026-01-01", "starts after it ends"),
    ("township=999999", "no township"),
    ("township=abc", "no township"),
])
def test_bad_filters_get_a_clear_message(cockpit_world, login, query, message):
    client = login("leader")
    api = get(client, f"/api/v1/cockpit/summary?{query}")
    assert api.status_code == 400 and message in api.get_json()["message"]
    page = get(client, f"/cockpit/?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)


def test_partial_months_count_exactly(cockpit_world, login):
    client = login("leader")
    data = summary(client, "from=2026-03-01&to=2026-03-10")
    expected = sum(1 for c in cockpit_world.march_cases if c.received_on.day <= 10)
    assert data["headline"]["total"] == expected
    # the same ten days inside a longer period, and a period ending mid-February
    data = summary(client, "from=2026-02-05&to=2026-03-10")
    assert data["headline"]["total"] == expected + 7  # B's cases on 5..11 February


def test_empty_period_draws_empty_charts_with_a_note(cockpit_world, login):
    response = get(login("leader"), "/cockpit/?from=2020-01-01&to=2020-01-31")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="daiban-chart-empty"') == 8
    assert 'id="cockpit-empty"' in html


def test_zero_petition_villages(cockpit_world, login):
    client = login("leader")
    html = get(client, f"/cockpit/?{PERIOD}").get_data(as_text=True)
    assert re.search(r'id="cockpit-zero-count">4<', html)
    html = get(client, f"/cockpit/?from={MARCH[0]}&to={MARCH[1]}").get_data(as_text=True)
    assert re.search(r'id="cockpit-zero-count">3<', html)


def chart_data(html) -> dict:
    blocks = re.findall(
        r'<script type="application/json" id="chart-data-([a-z]+)">(.*?)</script>', html, re.S)
    return {chart_id: json.loads(body) for chart_id, body in blocks}


def _value(item):
    if isinstance(item, dict):
        return item["value"]
    return item[-1] if isinstance(item, list) else item


def test_every_bar_and_slice_opens_exactly_its_cases(cockpit_world, login):
    client = login("leader")
    html = get(client, f"/cockpit/?{PERIOD}").get_data(as_text=True)
    charts = chart_data(html)
    assert set(charts) == {"funnel", "townships", "categories", "urgency", "channels", "trend",
                           "agents", "departments"}
    checked = 0
    for chart_id, chart in charts.items():
        for series, urls in zip(chart["options"]["series"], chart["drill"], strict=True):
            for item, url in zip(series["data"], urls, strict=True):
                if url is None:
                    continue
                assert list_count(client, url) == _value(item), (chart_id, series["name"], url)
                checked += 1
    assert checked >= 40


def test_figures_open_exactly_their_cases(cockpit_world, login):
    client = login("leader")
    a = cockpit_world.townships["A"].id
    html = get(client, f"/cockpit/?{PERIOD}&township={a}").get_data(as_text=True)
    figures = re.findall(
        r'<a class="daiban-figure panel panel-default" href="([^"]+)">\s*'
        r'<span class="daiban-figure-number">([^<]+)</span>', html)
    assert len(figures) == 11
    counts = [(html_unescape(url), value) for url, value in figures if "%" not in value]
    assert [int(v) for _u, v in counts] == [209, 197, 10, 4, 2, 2, 1, 4, 3]
    for url, value in counts:
        assert list_count(client, url) == int(value), url
    # the rates open their numerators: 197 concluded, 150 satisfied
    rates = [html_unescape(url) for url, value in figures if "%" in value]
    assert [list_count(client, url) for url in rates] == [197, 150]


def test_the_page_requests_nothing_from_another_origin(cockpit_world, login):
    html = get(login("leader"), f"/cockpit/?{PERIOD}").get_data(as_text=True)
    references = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']*)["\']', html)
    references += re.findall(r'url\(\s*["\']?([^"\')]*)', html)
    assert any("vendor/echarts/echarts.min.js" in r for r in references)
    for ref in references:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", ref, re.I) or ref.startswith(
            "http://localhost/"), ref
    assert "assets.pyecharts.org" not in html and "cdn" not in html.lower()
    static = get(login("leader"), "/static/vendor/echarts/echarts.min.js")
    assert static.status_code == 200
