"""A ``city_average`` of a staff kind is planned: the mean over the covered communities of
that kind's staff reaches ``at_least``, and the least-cost plan hires exactly enough for it."""

from __future__ import annotations

import numpy as np
import pytest

import optimize
from optimize.check import plan_problems
from scenarios.plan import planned_levels

from .conftest import tiny

#: b and c are not key communities (a is): 2 + 1 workers today, so 2·3 − 3 = 3 hires by year 1
#: and 2·4.5 − 3 = 6 by year 2, all in b or c.
AVERAGE = '\n[[targets]]\nname = "avg"\ncity_average = "worker"\nwhere = { key = false }\nat_least = [3, 4.5]\n'


def test_the_plan_hires_exactly_enough_for_the_average_over_covered_communities():
    s = tiny(AVERAGE)
    res = optimize.solve(s, marginal_costs=False)
    assert res.status == "optimal"
    staff = res.plan.staff["worker"]
    covered = np.array([c.id in ("b", "c") for c in s.communities])
    assert staff[covered, 0].sum() / 2 == pytest.approx(3.0)
    assert staff[covered, 1].sum() / 2 == pytest.approx(4.5)
    assert staff[~covered].max() == pytest.approx(1.0)  # a is not covered: hiring there would not count
    levels = {(r.kind, r.year): v for r, v in planned_levels(res.data, res.plan).items()}
    assert levels == {("city_average", 1): pytest.approx(3.0), ("city_average", 2): pytest.approx(4.5)}
    assert plan_problems(res) == []
    without = optimize.solve(tiny(""), marginal_costs=False)
    assert res.total_cost > without.total_cost + 1.0


def test_an_average_out_of_reach_is_explained_in_its_words():
    s = tiny("[capacity]\nhires_per_year = { worker = 1 }\n" + AVERAGE)
    res = optimize.solve(s, marginal_costs=False)
    assert res.status == "infeasible"
    assert "avg: an average of 3 worker over communities with key = false in year 1" in res.explanation


def test_max_attainment_reports_the_average_reached():
    s = tiny("[budget]\ntotal = 8000\n" + AVERAGE)
    res = optimize.solve(s, marginal_costs=False, mode="max-attainment")
    got = {rr.requirement.year: rr for rr in res.requirements}
    # 8,000 is today's pay: nothing more can be bought, and the average stays (2 + 1) / 2
    assert got[1].planned == pytest.approx(1.5) and got[2].planned == pytest.approx(1.5)
    assert got[1].met_without_plan is False
