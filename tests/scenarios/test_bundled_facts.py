"""The bundled scenarios load cleanly and carry the facts of the documents they were built from.

Each test reads a number back from the loaded Scenario and compares it with the source
plan (seed 000 Chifeng, 001 Xing'an League, 002 the county-level city, 003 Suzhou, 004
Guandu), so that editing a scenario cannot silently drift from its document.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from scenarios.loader import bundled_scenarios, load
from scenarios.schema import Scenario
from scenarios.targets import communities_required

BUILT_FROM = {
    "chifeng_2008": ("seed 000",),
    "county_city": ("seed 002",),
    "guandu_2016": ("seed 004",),
    "suzhou_standards": ("seed 003", "seed 001"),
}


@cache
def scenario(name: str) -> Scenario:
    return load(name)


def space(s: Scenario) -> np.ndarray:
    return np.array([c.space_m2 for c in s.communities])


def staff(s: Scenario, kind: str) -> np.ndarray:
    return np.array([c.staff[kind] for c in s.communities])


def has(s: Scenario, facility: str) -> np.ndarray:
    return np.array([facility in c.facilities for c in s.communities])


# --------------------------------------------------------------------------------------
# every bundled scenario


def test_the_document_scenarios_are_bundled():
    assert set(BUILT_FROM) <= set(bundled_scenarios())


@pytest.mark.parametrize("name", sorted(BUILT_FROM))
def test_loads_without_problems_under_its_own_name(name):
    s = scenario(name)
    assert s.name == name
    assert s.communities and s.targets


@pytest.mark.parametrize("name", sorted(BUILT_FROM))
def test_file_opens_with_its_sources_and_assumptions(name):
    lines = bundled_scenarios()[name].read_text(encoding="utf-8").splitlines()
    block = []
    for line in lines:
        if not line.startswith("#"):
            break
        block.append(line)
    head = "\n".join(block)
    assert len(block) >= 10
    for seed in BUILT_FROM[name]:
        assert seed in head
    assert "Facts" in head and "Assumptions" in head


@pytest.mark.parametrize("name", sorted(BUILT_FROM))
def test_existing_facilities_fit_in_existing_space(name):
    s = scenario(name)
    for c in s.communities:
        needed = sum(s.facilities[u].space_m2 for u in c.facilities)
        assert needed <= c.space_m2, c.id


# --------------------------------------------------------------------------------------
# county_city — seed 002


def test_county_city_has_nine_communities_of_the_stated_mean_size():
    s = scenario("county_city")
    households = s.households(0)
    persons = households * np.array([c.household_size for c in s.communities])
    assert len(s.communities) == 9
    assert abs(households.mean() / 2349 - 1) <= 0.02
    assert abs(persons.mean() / 7493 - 1) <= 0.02


def test_county_city_has_exactly_five_of_nine_below_the_300_m2_standard():
    s = scenario("county_city")
    assert int((space(s) < 300).sum()) == 5
    t = s.target("space-300")
    assert t.written == ("space_at_least", 300.0)
    assert t.share == (1.0, 1.0, 1.0)  # "by the end of this year, every community"


def test_county_city_staffs_every_community_with_five_full_time_and_one_part_time():
    s = scenario("county_city")
    assert staff(s, "community_worker").tolist() == [5] * 9
    assert staff(s, "part_time_worker").tolist() == [1] * 9


def test_county_city_budget_is_300000_a_year_for_three_years():
    s = scenario("county_city")
    assert s.years == 3
    assert s.budget.per_year == (300000.0, 300000.0, 300000.0)


def test_county_city_pilots_are_the_keys_with_one_stop_stations_and_meet_the_standard():
    s = scenario("county_city")
    pilots = [c for c in s.communities if c.key]
    assert len(pilots) == 3
    assert all("one_stop" in c.facilities and c.space_m2 >= 300 for c in pilots)
    assert "qiaoxi" in s.community_ids and next(c for c in s.communities if c.id == "qiaoxi").space_m2 >= 300


def test_county_city_year_one_target_fits_the_year_one_budget():
    # With pay unchanged, meeting space-300 in year 1 costs exactly the shortfall built,
    # one project per short community, and a year's running of the new rooms.
    s = scenario("county_city")
    shortfall = np.maximum(0.0, 300 - space(s))
    short = shortfall > 0
    c = s.costs
    cost = shortfall.sum() * (c.space_build_per_m2 + c.space_running_per_m2) + short.sum() * c.space_project_fixed
    assert cost <= s.budget.per_year[0]


# --------------------------------------------------------------------------------------
# chifeng_2008 — seed 000


def test_chifeng_runs_2008_to_2010_with_26_keys():
    s = scenario("chifeng_2008")
    assert (s.start_year, s.years) == (2008, 3)
    assert len(s.keys) == 26


def test_chifeng_communities_hold_1000_to_2000_households():
    h = scenario("chifeng_2008").households(0)
    assert h.min() >= 1000 and h.max() <= 2000


def test_chifeng_keys_are_fewer_than_the_year_two_share():
    # Keys first, then 30 % of all: the year-2 requirement must ask for more than the keys.
    s = scenario("chifeng_2008")
    assert len(s.keys) < communities_required(0.3, len(s.communities))


def test_chifeng_space_target_is_200_m2_for_40_60_80_percent():
    s = scenario("chifeng_2008")
    t = s.target("space-200")
    assert t.written == ("space_at_least", 200.0)
    assert t.share == (0.4, 0.6, 0.8)
    assert (space(s) >= 200).mean() < 0.4  # the plan has work to do from year 1


def test_chifeng_pay_rises_to_70_85_100_percent_of_the_average_wage():
    worker = scenario("chifeng_2008").staff["community_worker"]
    assert worker.pay_share == (0.7, 0.85, 1.0)
    assert worker.base_pay_share < 0.7


def test_chifeng_one_stop_centres_of_50_m2_keys_first_then_30_and_100_percent():
    s = scenario("chifeng_2008")
    t = s.target("one-stop")
    assert t.has == "one_stop" and t.keys_by == 1
    assert t.share[1:] == (0.3, 1.0)
    assert s.facilities["one_stop"].space_m2 >= 50


def test_chifeng_one_worker_per_400_households():
    t = scenario("chifeng_2008").target("workers-per-400")
    key, value = t.written
    assert key == "staff_per_households" and dict(value) == {"community_worker": 400.0}


def test_chifeng_standard_combines_space_one_stop_and_workers_keys_then_30_and_60_percent():
    s = scenario("chifeng_2008")
    t = s.target("standard")
    assert t.written == ("standard", ("space-200", "one-stop", "workers-per-400"))
    assert t.keys_by == 1
    assert t.share == (0.0, 0.3, 0.6)
    year_one = [r for r in s.requirements if r.target == "standard" and r.year == 1]
    assert [(r.kind, r.required) for r in year_one] == [("keys_by", 26)]


def test_chifeng_culture_room_and_health_station_everywhere_by_2010():
    s = scenario("chifeng_2008")
    for name, facility in (("culture-room", "culture_room"), ("health-station", "health_station")):
        t = s.target(name)
        assert t.has == facility and t.share[-1] == 1.0


# --------------------------------------------------------------------------------------
# guandu_2016 — seed 004


def test_guandu_runs_2016_to_2020_with_48_communities():
    s = scenario("guandu_2016")
    assert (s.start_year, s.years) == (2016, 5)
    assert len(s.communities) == 48
    assert any(c.village_to_residence for c in s.communities)


def test_guandu_community_sizes_are_5000_to_10000_households_dense_up_to_20000():
    h = scenario("guandu_2016").households(0)
    assert h.min() >= 5000 and h.max() <= 20000
    assert (h <= 10000).sum() >= 44  # dense ones are the exception


def test_guandu_opens_five_elderly_centres_a_year():
    s = scenario("guandu_2016")
    t = s.target("elderly-centres")
    assert t.has == "elderly_centre" and t.count == (5, 5, 5, 5, 5)
    assert (~has(s, "elderly_centre")).sum() >= sum(t.count)  # room to open them


def test_guandu_children_homes_reach_90_percent_by_2020():
    s = scenario("guandu_2016")
    t = s.target("children-homes")
    assert t.has == "children_home" and t.share[-1] >= 0.9
    assert has(s, "children_home").mean() < 0.9


def test_guandu_district_needs_3000_service_staff_by_2020():
    s = scenario("guandu_2016")
    t = s.target("service-staff")
    assert t.city_staff == "community_worker" and t.at_least[-1] == 3000
    assert staff(s, "community_worker").sum() < 3000


def test_guandu_every_community_gets_a_social_worker():
    s = scenario("guandu_2016")
    t = s.target("social-workers")
    key, value = t.written
    assert key == "staff_at_least" and dict(value) == {"social_worker": 1.0}
    assert t.share[-1] == 1.0
    assert staff(s, "social_worker").sum() == 74  # certified community staff, seed 004


def test_guandu_space_standard_is_400_m2_with_the_15_substandard_below_it():
    s = scenario("guandu_2016")
    t = s.target("space-400")
    assert t.written == ("space_at_least", 400.0) and t.share[-1] == 1.0
    assert int((space(s) < 400).sum()) == 15


def test_guandu_incubation_base_costs_9_2_million_over_the_plan():
    s = scenario("guandu_2016")
    base = s.facilities["incubation_base"]
    assert math.isclose(base.build + s.years * base.running, 9_200_000)
    required = [r.required for r in s.requirements if r.target == "incubation-base"]
    assert required == [1]


# --------------------------------------------------------------------------------------
# suzhou_standards — seeds 003 and 001


def test_suzhou_space_standards_are_20_then_30_m2_per_100_households():
    s = scenario("suzhou_standards")
    floor, aim = s.target("space-20"), s.target("space-30")
    assert floor.written == ("space_per_100_households", 20.0)
    assert aim.written == ("space_per_100_households", 30.0)
    assert floor.condition.atoms[0].per_household == pytest.approx(0.20)
    assert aim.condition.atoms[0].per_household == pytest.approx(0.30)


def test_suzhou_space_floor_is_staged_to_everyone_and_the_aim_never_exceeds_it():
    s = scenario("suzhou_standards")
    floor, aim = s.target("space-20").share, s.target("space-30").share
    assert list(floor) == sorted(floor) and floor[-1] == 1.0
    assert all(a <= f for a, f in zip(aim, floor, strict=True))


def test_suzhou_one_stop_service_reaches_every_community():
    s = scenario("suzhou_standards")
    t = s.target("one-stop")
    assert t.has == "one_stop" and t.share[-1] == 1.0
