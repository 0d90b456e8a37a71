"""A plan executed perfectly (no exits, no lags) meets in the simulation what it meets on paper."""

from __future__ import annotations

import dataclasses

import optimize
from model.plan import plan_from_result
from model.runner import simulate
from scenarios.loader import loads
from scenarios.parameters import PERFECT_EXECUTION

CITY = """
[scenario]
name = "one"
years = 3
seed = 4

[costs]
average_wage = 50000
space_build_per_m2 = 2000
space_running_per_m2 = 40
space_project_fixed = 10000

[staff.community_worker]
hire = 1000
base_pay_share = 1.0
attrition = {attrition}

[[communities]]
id = "only"
households = {households}
household_growth = {growth}
space_m2 = 100
staff = {{ community_worker = 5 }}

[[targets]]
name = "space-20"
space_per_100_households = 20
share = 1.0

[[targets]]
name = "workers"
staff_per_households = {{ community_worker = 400 }}
share = 1.0
"""


def perfectly(text: str):
    s = loads(text)
    return dataclasses.replace(
        s,
        simulation=s.simulation.with_values(PERFECT_EXECUTION),
    )


def test_ratio_targets_use_the_same_whole_households_in_plan_and_simulation():
    s = perfectly(CITY.format(attrition=0.0, households=1000, growth=0.0007))
    result = optimize.solve(s, marginal_costs=False)
    assert all(r.planned >= r.requirement.required for r in result.requirements)
    sim = simulate(s, plan_from_result(result, s), replications=2)
    assert all(met for rep in sim.replications for (*_, met) in rep.attainment)


def test_fractional_planned_staff_become_enough_whole_posts():
    s = perfectly(CITY.format(attrition=0.1, households=1760, growth=0.0))
    result = optimize.solve(s, marginal_costs=False)
    staff = result.plan.staff["community_worker"][0]
    assert any(x != round(x) for x in staff)  # attrition makes the planned stock fractional
    sim = simulate(s, plan_from_result(result, s), replications=2)
    assert all(met for rep in sim.replications for (_, target, *_, met) in rep.attainment if target == "workers")
