"""The cockpit's other figures (trend, agents, departments, case leaders, receptions,
zero-petition villages) against tests/cockpit_world.py, and labels that follow the
user's language."""

import datetime
from collections import Counter

import pytest
from sqlalchemy import select

from app.cockpit.params import CockpitFilter
from app.cockpit.queries import Cockpit, month_range, months, rate
from app.extensions import db
from app.models import Case, CaseStat, CaseStatTown, Place
from app.models.stats import counts_for
from app.security.scope import EVERYTHING, Scope
from tests.cockpit_world import HALF_YEAR, build_cockpit_world
from tests.test_cockpit import chart_data, get, list_count

# pages are read by their English msgids
# the cockpit's cases are built once for the module (conftest, world_with)
pytestmark = [pytest.mark.usefixtures("english_ui"),
              pytest.mark.world_with.with_args(build_cockpit_world)]


def cockpit(world, township=None, period=HALF_YEAR) -> Cockpit:
    place = world.townships[township] if township else None
    flt = CockpitFilter(*period, place.id if place else None, place.path if place else None)
    return Cockpit(flt, EVERYTHING)


def test_rates_round_half_up_to_one_decimal():
    assert rate(197, 209) == 94.3
    assert rate(150, 160) == 93.8
    assert rate(0, 0) is None
    assert rate(1, 3) == 33.3 and rate(2, 3) == 66.7


def test_months_and_month_ranges():
    assert months(datetime.date(2025, 11, 20), datetime.date(2026, 2, 1)) == [
        202511, 202512, 202601, 202602]
    assert month_range(202602) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))


def test_monthly_trend_with_the_year_before(world):
    trend = cockpit(world).trend()
    assert trend["months"] == [202601, 202602, 202603, 202604, 202605, 202606]
    assert trend["new"] == [0, 11, 209, 0, 0, 0]
    concluded = [c.concluded_on for c in world.march_cases if c.concluded_on]
    assert trend["concluded"] == [0, 0, sum(d.month == 3 for d in concluded),
                                  sum(d.month == 4 for d in concluded), 0, 0]
    assert sum(trend["concluded"]) == 197
    assert trend["new_year_earlier"] == [0] * 6


def test_agents_departments_and_case_leaders(world):
    figures = cockpit(world)
    assert [(a["name_zh"], a["n"]) for a in figures.agents()] == [("A代办员", 10)]
    (department,) = figures.departments()
    assert (department["transfers"], department["cases"], department["on_time"],
            department["late"], department["overdue"]) == (3, 3, 1, 1, 1)
    assert department["on_time_rate"] == 33.3
    (leader,) = figures.case_leaders()
    assert (leader["name_zh"], leader["cases"], leader["concluded"], leader["progress"]) == (
        "包案领导甲", 5, 3, 60.0)
    assert cockpit(world, "B").departments() == []


def test_leader_receptions_by_kind(world):
    assert cockpit(world).receptions() == {
        "reception": {"visits": 2, "batches": 3, "persons": 8},
        "field_visit": {"visits": 1, "batches": 1, "persons": 4},
        "appointment": {"visits": 1, "batches": 1, "persons": 2},
    }
    assert "appointment" not in cockpit(world, "A").receptions()


def test_zero_petition_villages_of_a_township(world):
    march = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    zero = cockpit(world, "A", march).zero_villages()
    assert zero["month"] == 202603
    assert [v["name_zh"] for v in zero["villages"]] == ["A2村"]


def test_case_leader_links_open_their_cases(world, login):
    client = login("leader")
    html = get(client, f"/cockpit/?from={HALF_YEAR[0]}&to={HALF_YEAR[1]}").get_data(
        as_text=True)
    start = html.index('id="cockpit-leaders"')
    link = html[html.index('href="', start) + 6:html.index('">5<', start)]
    assert list_count(client, link.replace("&amp;", "&")) == 5


def test_chart_labels_follow_the_language(world, login):
    category = world.categories["S01"]
    category.name_mn = "ᠭᠠᠵᠠᠷ ᠬᠠᠮᠢᠶᠠᠷᠤᠯᠲᠠ"
    db.session.commit()
    client = login("leader")
    url = f"/cockpit/?from={HALF_YEAR[0]}&to={HALF_YEAR[1]}"
    names_zh = chart_data(get(client, url).get_data(as_text=True))[
        "categories"]["options"]["yAxis"][0]["data"]
    assert "征地拆迁安置" in names_zh
    names_mn = chart_data(get(client, url + "&_l_=mn").get_data(as_text=True))[
        "categories"]["options"]["yAxis"][0]["data"]
    assert "ᠭᠠᠵᠠᠷ ᠬᠠᠮᠢᠶᠠᠷᠤᠯᠲᠠ" in names_mn and "征地拆迁安置" not in names_mn


def test_which_scopes_read_the_counts_per_township(world):
    """Counts per township answer only for a scope that reaches whole townships."""
    township, village = world.townships["A"], world.villages["A1"]
    wide = [EVERYTHING, Scope(place_path=world.banner.path),
            Scope(place_path=township.path)]
    narrow = [Scope(place_path=village.path), Scope(place_path=world.grids["A1"].path),
              Scope(place_path=township.path, own_cases=(1, None)),
              Scope(place_path=township.path, case_ids=(village.id,))]
    assert [counts_for(scope) for scope in wide] == [CaseStatTown] * 3
    assert [counts_for(scope) for scope in narrow] == [CaseStat] * 4


@pytest.mark.parametrize("township", [None, "A", "B"])
def test_counts_per_township_equal_counts_per_village(world, township):
    fast, slow = cockpit(world, township), cockpit(world, township)
    slow.stat = CaseStat
    assert fast.stat is CaseStatTown
    for dim in ("state", "urgency", "category", "channel", "resolution", "evaluation",
                "repeat", "skipped", "group", "agent"):
        assert fast.counts(dim) == slow.counts(dim), dim
        assert fast.counts(dim, by_township=True) == slow.counts(dim, by_township=True), dim
    assert fast.trend() == slow.trend()
    assert sum(fast.counts("state").values()) > 0


def test_a_village_scope_counts_its_own_villages_cases(world):
    village = world.villages["A1"]
    flt = CockpitFilter(*HALF_YEAR, None, None)
    figures = Cockpit(flt, Scope(place_path=village.path))
    assert figures.stat is CaseStat
    states = Counter(db.session.scalars(
        select(Case.state).where(Case.received_on.between(*HALF_YEAR),
                                 Case.place_id.in_(Place.subtree_ids(village.path)))))
    assert +figures.counts("state") == states and sum(states.values()) > 0
