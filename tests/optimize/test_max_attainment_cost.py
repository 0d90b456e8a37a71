"""Max-attainment's cost stage: with every requirement met, the plan costs what min-cost's does.

The scenario is tests/commplan's four-community city as the 0.8 confidence loop plans it
(posts at 12/11 of one worker per 400 households, the space target a year early). On it,
HiGHS 1.16 finished the warm-started cost stage "optimal" yet returned the attainment
stage's plan unimproved: 466,000 instead of 446,000 at a budget of 490,600.0000000001,
805,200 at 900,000.
"""

from __future__ import annotations

import pytest

import optimize
from optimize.program import Outcome, Program
from scenarios.loader import loads

TIGHT = """
[scenario]
name = "small-tightened"
years = 2
seed = 11

[costs]
average_wage = 50000
space_build_per_m2 = 2000
space_running_per_m2 = 40
space_project_fixed = 10000

[staff.community_worker]
hire = 2000
base_pay_share = 0.8
{budget}
[[communities]]
id = "a"
households = 1600
space_m2 = 150
staff = {{ community_worker = 3 }}

[[communities]]
id = "b"
households = 1200
space_m2 = 220
staff = {{ community_worker = 3 }}

[[communities]]
id = "c"
households = 2000
space_m2 = 90
staff = {{ community_worker = 4 }}

[[communities]]
id = "d"
households = 800
space_m2 = 260
staff = {{ community_worker = 2 }}

[[targets]]
name = "workers-per-400"
staff_per_households = {{ community_worker = 366.66666666666663 }}
share = [0.5, 1.0]

[[targets]]
name = "space-200"
space_at_least = 200
share = [0.75, 0.75]
"""

GAP = 1e-4
#: From the cheapest plan's cost to twice it; 490,600.0000000001 is the budget first reported.
BUDGETS = [446_000, 460_000, 490_600, 490_600.0000000001, 550_000, 600_000, 900_000]


def _scenario(budget: float | None = None):
    return loads(TIGHT.format(budget="" if budget is None else f"\n[budget]\ntotal = {budget!r}\n"))


@pytest.fixture(scope="module")
def min_cost():
    res = optimize.solve(_scenario(), gap=GAP, marginal_costs=False)
    assert res.status == "optimal"
    return res.total_cost


@pytest.mark.parametrize("budget", BUDGETS)
def test_max_attainment_meeting_everything_costs_what_min_cost_does(budget, min_cost):
    res = optimize.solve(_scenario(budget), mode="max-attainment", gap=GAP, marginal_costs=False)
    assert res.attainment == pytest.approx(1.0)  # every requirement met on paper
    assert res.gap is not None and res.gap <= GAP
    assert res.total_cost <= min_cost * (1 + GAP) + 1e-6
    assert res.total_cost >= min_cost * (1 - GAP) - 1e-6  # min-cost is optimal: nothing meets them all for less


def test_the_frontier_cost_stage_is_min_cost_too(min_cost):
    results = optimize.frontier(_scenario(), BUDGETS, gap=GAP)
    for r in results:
        assert r.attainment == pytest.approx(1.0)
        assert r.total_cost == pytest.approx(min_cost, rel=GAP), r.budget


def test_a_cold_retry_that_finds_nothing_better_keeps_the_warm_plan(monkeypatch):
    """The retry is only a second chance: when it fails, the warm solve's plan and outcome stand."""
    prog = Program(_scenario(), attainment_row=True)
    prog.set_elastic(False)
    prog.use_objective("cost")
    first = prog.run("highs", gap=GAP)
    plan = {v.name: v.varValue for v in prog.prob.variables()}
    calls: list[bool] = []

    def once(self, solver, *, time_limit, gap, warm, mip):
        calls.append(warm)
        if warm:  # pretend the warm solve stopped far from its bound
            return Outcome("optimal_within_gap", first.objective, 0.2, 0.01, bound=first.objective * 0.8)
        for v in self.prob.variables():  # a failed cold solve leaves nonsense behind
            v.varValue = None
        return Outcome("time_limit", None, None, 0.01, "no plan")

    monkeypatch.setattr(Program, "_run_once", once)
    out = prog.run("highs", gap=GAP, warm=True)
    assert calls == [True, False]
    assert out.status == "optimal_within_gap" and out.gap == 0.2 and out.seconds == pytest.approx(0.02)
    assert {v.name: v.varValue for v in prog.prob.variables()} == plan


def test_a_warm_solve_within_the_gap_is_not_repeated(monkeypatch):
    prog = Program(_scenario(), attainment_row=True)
    prog.set_elastic(False)
    prog.use_objective("cost")
    prog.run("highs", gap=GAP)
    real = Program._run_once
    calls: list[bool] = []

    def once(self, solver, **kw):
        calls.append(kw["warm"])
        return real(self, solver, **kw)

    monkeypatch.setattr(Program, "_run_once", once)
    assert prog.run("highs", gap=GAP, warm=True).status == "optimal"
    assert calls == [True]
