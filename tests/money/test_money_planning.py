"""Issue 16, the money side, as the optimiser plans it: each figure recomputed by hand from the scenario."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optimize
from tests.money.conftest import FUNDS, POLICE, SPACE, city, trained


def solve(s):
    r = optimize.solve(s, marginal_costs=False)
    assert r.status == "optimal", r.explanation
    return r


def test_a_funds_target_for_every_community_and_year_costs_amount_times_communities_times_years():
    r = solve(city(FUNDS))
    assert r.cost_by_line["funds"] == pytest.approx(10000 * 3 * 3)
    assert r.total_cost == pytest.approx(10000 * 3 * 3)  # nothing else is asked for
    assert r.cost_by_year == pytest.approx([30000.0] * 3)
    header, rows = r.plan_rows()
    assert [row[header.index("funds")] for row in rows] == [10000.0] * 9
    assert all(row[header.index("meets_working-funds")] == 1 for row in rows)


def test_the_funds_line_is_the_same_beside_other_targets_and_absent_without_a_funds_target():
    both = solve(city(FUNDS, SPACE))
    alone = solve(city(SPACE))
    assert both.cost_by_line["funds"] == pytest.approx(90000)
    assert both.total_cost == pytest.approx(alone.total_cost + 90000)
    assert "funds" not in alone.cost_by_line and "funds" not in alone.plan_rows()[0]


def test_a_funds_share_below_one_pays_only_the_communities_required():
    r = solve(city(FUNDS.replace("share = 1.0", "share = [0.3, 0.6, 1.0]")))
    # ceil(0.3 × 3) = 1, ceil(0.6 × 3) = 2, 3 communities
    assert r.cost_by_year == pytest.approx([10000, 20000, 30000])


def test_training_places_cover_the_share_of_staff_and_cost_their_price():
    r = solve(city(trained()))
    header, rows = r.plan_rows()
    done = [row[header.index("trained_community_worker")] for row in rows]
    staff = [row[header.index("staff_community_worker")] for row in rows]
    assert done == staff  # everyone in post trained, every year, and no more
    assert r.cost_by_line["training"] == pytest.approx(800 * sum(staff))
    assert r.total_cost == pytest.approx(800 * sum(staff))


def test_a_training_share_below_one_trains_in_the_communities_required_only():
    r = solve(city(trained("[0.0, 0.5, 1.0]")))
    header, rows = r.plan_rows()
    by_year = {t: [row for row in rows if row[1] == t] for t in (1, 2, 3)}
    col = header.index("trained_community_worker")
    assert sum(row[col] for row in by_year[1]) == 0
    # year 2: ceil(0.5 × 3) = 2 communities, the two smallest staffs (2 and 3) are cheapest
    assert sorted(row[col] for row in by_year[2]) == [0, 2, 3]
    assert sum(row[col] for row in by_year[3]) == 9


def test_a_half_share_of_a_kind_is_trained_rounded_up_to_whole_people():
    half = trained().replace("community_worker = 1.0", "community_worker = 0.5")
    r = solve(city(half))
    header, rows = r.plan_rows()
    col = header.index("trained_community_worker")
    assert [row[col] for row in rows if row[1] == 1] == [2, 1, 2]  # ceil(0.5 × 3, 2, 4)


def test_a_share_of_communities_below_one_trains_the_cheapest_communities():
    r = solve(city(trained("0.5")))
    header, rows = r.plan_rows()
    col = header.index("trained_community_worker")
    assert [row[col] for row in rows if row[1] == 1] == [3, 2, 0]  # ceil(0.5 × 3) = 2: a and b


def test_police_hours_are_planned_from_hours_per_month_and_paid_by_the_police_bureau():
    r = solve(city(POLICE))
    header, rows = r.plan_rows()
    police = [row[header.index("staff_police")] for row in rows]
    assert police == [2.0] * 9  # 30 hours ÷ 20 hours a person = 1.5: two police in every community
    hires, pay = 5000 * 5, 50000 * (6 - 1)
    bureau = r.summary()["cost_by_source_by_year"]["police bureau"]
    assert bureau == pytest.approx([hires + pay, pay, pay])
    assert r.total_cost == pytest.approx(0)  # the city pays nothing for the police
    assert r.cost_by_line["hires"] == pytest.approx(hires) and sum(r.cost_by_year) == pytest.approx(hires + 3 * pay)


FUNDING = """
[[funding]]
source = "street offices"
lines = ["space", "funds"]
share = 0.3
"""


def test_co_funding_moves_cost_between_payers_and_leaves_plan_and_total_unchanged():
    without = solve(city(FUNDS, SPACE))
    shared = solve(city(FUNDS, SPACE, FUNDING))
    assert shared.plan_rows() == without.plan_rows()
    assert shared.cost_by_line == pytest.approx(without.cost_by_line)
    assert shared.cost_by_year == pytest.approx(without.cost_by_year)
    by = shared.summary()["cost_by_source"]
    lines = without.cost_by_line
    assert by["street offices"] == pytest.approx(0.3 * (lines["space"] + lines["funds"]))
    assert by["city"] + by["street offices"] == pytest.approx(sum(without.cost_by_year))
    assert shared.total_cost == pytest.approx(by["city"])  # the city's own cost is what was minimised
    assert by["police bureau"] == 0  # today's police stay, at today's pay: nothing above today's bill


def test_a_co_funders_cap_holds_in_every_year():
    capped = FUNDING + "at_most = [50000, 1000, 1000]\n"
    r = solve(city(FUNDS, SPACE, capped))
    paid = r.summary()["cost_by_source_by_year"]["street offices"]
    table = r.costs
    lines = list(r.cost_by_line)
    share = 0.3 * (table[:, lines.index("space")] + table[:, lines.index("funds")])
    assert paid == pytest.approx(np.minimum(share, [50000, 1000, 1000]))
    assert min(paid[1:]) == pytest.approx(1000)


def test_the_budget_bounds_the_citys_own_cost():
    plain = solve(city(FUNDS, SPACE))
    everyone = sum(plain.cost_by_year)
    budget = f"\n[budget]\ntotal = {math.floor(0.8 * everyone)}\n"
    assert optimize.solve(city(FUNDS, SPACE, head=budget), marginal_costs=False).status == "infeasible"
    r = solve(city(FUNDS, SPACE, FUNDING, head=budget))
    assert r.total_cost <= 0.8 * everyone
    assert sum(r.cost_by_year) == pytest.approx(everyone)


def test_minimise_total_reports_everyones_cost_as_total_cost():
    head = '\n[budget]\nminimise = "total"\n'
    r = solve(city(FUNDS, SPACE, FUNDING, head=head))
    assert r.total_cost == pytest.approx(sum(r.cost_by_year))
    by = r.summary()["cost_by_source"]
    assert by["city"] + by["street offices"] == pytest.approx(r.total_cost)
    assert r.summary()["minimise"] == "total"


def test_marginal_costs_and_full_costs_are_the_citys():
    r = optimize.solve(city(FUNDS, SPACE, FUNDING), marginal_time_limit=float("inf"))
    funds = next(t for t in r.target_costs if t.target == "working-funds")
    # the city pays 70 % of the funds; the space target's projects do not depend on them
    assert funds.full_cost == pytest.approx(0.7 * 90000)


def test_max_attainment_within_a_city_budget_funds_what_the_budget_allows():
    head = "\n[budget]\nper_year = 14000\n"
    r = optimize.solve(city(FUNDS, FUNDING, head=head), mode="max-attainment", marginal_costs=False)
    assert r.status == "optimal"
    # the city pays 70 % of 10,000 a community: 14,000 a year funds two communities
    assert r.cost_by_year == pytest.approx([20000.0] * 3)
    assert r.summary()["cost_by_source_by_year"]["city"] == pytest.approx([14000.0] * 3)
