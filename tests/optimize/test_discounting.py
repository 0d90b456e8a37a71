"""A discount rate changes what the optimiser minimises, not only how the total is reported.

The brute force below re-states the formulation for a space-only city (its own stocks and
cost formula, not the optimiser's): each community's space level in each year is one of
today's space or a target's bound, which loses no optimum because lowering every level to
the nearest such value keeps every condition met, keeps levels rising and costs no more.
Hires and openings are left out: no target asks for them and they only add cost.
"""

from __future__ import annotations

import itertools
import math

import pytest

import optimize
from optimize.program import Program

from .conftest import TWO, tiny

# b (40 m²) needs 50 m² in year 1 and 140 m² in year 2: one project of 100 m² in year 1
# costs 100 less than two (10 then 90 m²) without discounting, since running 90 m² a year
# early (900) is cheaper than a second project (1,000); at 50 % the later money wins.
TARGETS = """
[[targets]]
name = "space-50"
space_at_least = 50
share = [1.0, 0.0]

[[targets]]
name = "space-140"
space_at_least = 140
share = [0.0, 1.0]
"""
BOUNDS = (50.0, 140.0)  # by year
SPACE0, STAFF0 = {"a": 120.0, "b": 40.0}, {"a": 1, "b": 2}
C_M2, O_M2, C_PROJ, WAGE = 100, 10, 1000, 10000
PAY0, PAY = 0.5 * WAGE, 0.6 * WAGE


def brute_force(rate: float) -> tuple[float, dict[str, int]]:
    """The least discounted cost and, in that plan, the number of space projects per community."""
    total, projects = 0.0, {}
    for cid, s0 in SPACE0.items():  # the communities do not interact: each is cheapest alone
        best = (math.inf, 0)
        levels = sorted({s0, *(b for b in BOUNDS if b > s0)})
        for l1, l2 in itertools.product(levels, levels):
            if l2 < l1 or l1 < BOUNDS[0] or l2 < BOUNDS[1]:
                continue
            added = (l1 - s0, l2 - l1)
            cost = 0.0
            for k, level in enumerate((l1, l2)):
                year = C_M2 * added[k] + C_PROJ * (added[k] > 0) + O_M2 * (level - s0)
                year += (PAY - PAY0) * STAFF0[cid]  # the pay policy on today's staff
                cost += year * (1 + rate) ** -k
            best = min(best, (cost, sum(a > 0 for a in added)))
        total += best[0]
        projects[cid] = best[1]
    return total, projects


def _solve(rate: float):
    return optimize.solve(tiny(TARGETS, rate=rate, communities=TWO), gap=1e-9, marginal_costs=False)


@pytest.mark.parametrize("rate", [0.0, 0.5])
def test_least_discounted_cost_equals_brute_force_and_the_rate_changes_the_plan(rate):
    res = _solve(rate)
    assert res.status == "optimal"
    expected, projects = brute_force(rate)
    assert res.total_cost == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert {cid: int(res.projects[i].sum()) for i, cid in enumerate(("a", "b"))} == projects
    assert projects["b"] == (1 if rate == 0 else 2)  # the case is one where discounting matters


def test_with_a_discount_rate_the_solvers_objective_is_the_reported_total_cost():
    s = tiny(TARGETS, rate=0.5, communities=TWO)
    prog = Program(s)
    prog.set_elastic(False)
    prog.use_objective("cost")
    out = prog.run("highs", gap=1e-9)
    res = optimize.solve(s, gap=1e-9, marginal_costs=False)
    assert out.objective == pytest.approx(res.total_cost, rel=1e-9)
    assert res.total_cost < res.total_cost_undiscounted - 1.0  # discounting is in play
