"""Solvers, modes, frontier, infeasibility, marginal costs, attrition and discounting."""

from __future__ import annotations

import numpy as np
import pytest

import optimize
from optimize.program import Program

from .conftest import tiny

TARGETS = """
[[targets]]
name = "space-200"
space_at_least = 200
share = [0.3, 0.6]

[[targets]]
name = "workers-per-400"
staff_per_households = { worker = 400 }
share = [0.6, 1.0]

[[targets]]
name = "one-stop"
has = "one_stop"
keys_by = 1
count = [1, 1]
"""


def _solve_text(text: str, **kw):
    from scenarios.loader import loads

    return optimize.solve(loads(text), **kw)


# ------------------------------------------------------------------ solvers


@pytest.mark.parametrize("which", ["tutorial", "tiny"])
def test_highs_and_cbc_agree_on_the_optimum(which, tutorial):
    s = tutorial if which == "tutorial" else tiny(TARGETS)
    h = optimize.solve(s, solver="highs", gap=1e-9, marginal_costs=False)
    c = optimize.solve(s, solver="cbc", gap=1e-9, marginal_costs=False)
    assert h.status == "optimal" and c.status == "optimal"
    assert h.total_cost == pytest.approx(c.total_cost, rel=1e-7)


def test_unknown_solver_or_mode_is_a_clear_error(tutorial):
    with pytest.raises(ValueError, match="unknown solver"):
        optimize.solve(tutorial, solver="gurobi")
    with pytest.raises(ValueError, match="unknown mode"):
        optimize.solve(tutorial, mode="cheapest")


# ------------------------------------------------------------------ attrition


def test_attrition_staff_follow_the_recursion_and_targets_still_hold():
    s = tiny(TARGETS, attrition=0.2)
    res = optimize.solve(s, marginal_costs=False)
    assert res.status in ("optimal", "optimal_within_gap")
    p = res.plan
    staff0 = np.array([c.staff["worker"] for c in s.communities], dtype=float)
    prev = staff0
    for t in range(s.years):
        expected = 0.8 * prev + p.hires["worker"][:, t]
        assert np.allclose(p.staff["worker"][:, t], expected)
        prev = expected
    for rr in res.requirements:
        assert rr.planned >= rr.requirement.required - 1e-9
    # attrition makes the same targets need more hires than without it
    res0 = optimize.solve(tiny(TARGETS), marginal_costs=False)
    assert p.hires["worker"].sum() > res0.plan.hires["worker"].sum()


# ------------------------------------------------------------------ discounting


def test_discount_rate_discounts_year_t_by_one_plus_r_to_the_one_minus_t():
    s = tiny(TARGETS, rate=0.1)
    res = optimize.solve(s, marginal_costs=False)
    by_year = res.cost_by_year
    assert res.total_cost == pytest.approx(by_year[0] + by_year[1] / 1.1)
    summary = res.summary()
    assert summary["total_cost_undiscounted"] == pytest.approx(sum(by_year), abs=0.01)
    undiscounted = optimize.solve(tiny(TARGETS), marginal_costs=False)
    assert undiscounted.total_cost == pytest.approx(sum(undiscounted.cost_by_year))
    assert res.total_cost < sum(by_year)


def test_discounting_defers_spending_when_later_is_allowed():
    """With a high rate, space needed only in year 2 is built in year 2 (it would anyway)
    and a year-2 share that can be met either way is met in the later year's money."""
    t = '\n[[targets]]\nname = "space-200"\nspace_at_least = 200\nshare = [0.0, 0.6]\n'
    res = optimize.solve(tiny(t, rate=0.5), marginal_costs=False)
    assert res.plan.space_added[:, 0].sum() == 0
    assert res.plan.space_added[:, 1].sum() > 0


# ------------------------------------------------------------------ max-attainment and frontier


def test_max_attainment_stays_within_budget_and_falls_short_least():
    base = optimize.solve(tiny(TARGETS), marginal_costs=False)
    budget = f"\n[budget]\ntotal = {base.total_cost * 0.6:.0f}\n"
    res = optimize.solve(tiny(TARGETS, budget=budget), mode="max-attainment")
    assert res.status in ("optimal", "optimal_within_gap")
    assert sum(res.cost_by_year) <= base.total_cost * 0.6 + 1e-6
    assert res.attainment < 1.0
    rich = optimize.solve(
        tiny(TARGETS, budget=f"\n[budget]\ntotal = {base.total_cost * 2:.0f}\n"), mode="max-attainment"
    )
    assert rich.attainment == pytest.approx(1.0)
    # lexicographic: full attainment, then the least cost — the min-cost plan's cost
    assert rich.total_cost == pytest.approx(base.total_cost, rel=1e-6)


def test_frontier_attainment_never_falls_as_budget_rises_and_reuses_one_model(tutorial):
    budgets = [4_000_000, 2_000_000, 5_000_000, 6_500_000, 3_000_000]
    before = Program.builds
    results = optimize.frontier(tutorial, budgets)
    assert Program.builds - before == 1
    assert [r.budget for r in results] == budgets
    by_budget = sorted(results, key=lambda r: r.budget)
    att = [r.attainment for r in by_budget]
    assert all(b >= a - 1e-9 for a, b in zip(att, att[1:], strict=False))
    assert att[0] < 1.0 and att[-1] == pytest.approx(1.0)
    for r in results:
        assert sum(r.cost_by_year) <= r.budget + 1e-6


# ------------------------------------------------------------------ infeasibility


def test_infeasible_budget_names_the_targets_their_shortfall_and_the_smallest_budget(tutorial_text):
    cheapest = _solve_text(tutorial_text, marginal_costs=False).total_cost
    text = tutorial_text.replace("total = 12000000", "total = 3000000")
    res = _solve_text(text)
    assert res.status == "infeasible" and not res.feasible
    info = res.infeasibility
    assert info["budget_is_reason"] is True
    assert info["smallest_total_budget"] == pytest.approx(cheapest, abs=0.01)
    assert info["short"], "some requirement must fall short"
    for item in info["short"]:
        assert item["shortfall"] > 0
        assert item["target"] in res.explanation
    assert "Infeasible" not in res.explanation
    assert f"{cheapest:,.0f}" in res.explanation
    summary = res.summary()
    assert summary["status"] == "infeasible" and summary["infeasibility"] == info


def test_targets_impossible_at_any_cost_are_named():
    t = '\n[[targets]]\nname = "open-many"\nhas = "one_stop"\ncount = [3, 0]\n'
    res = optimize.solve(tiny(t))
    assert res.status == "infeasible"
    assert res.infeasibility["budget_is_reason"] is False
    short = res.infeasibility["short"]
    assert [(s["target"], s["year"], s["shortfall"]) for s in short] == [("open-many", 1, 1.0)]
    assert "open-many" in res.explanation and "1 facility short" in res.explanation


def test_budget_below_the_pay_policy_is_explained():
    res = optimize.solve(tiny(TARGETS, budget="\n[budget]\ntotal = 10\n"), mode="max-attainment")
    assert res.status == "infeasible"
    assert "pay policy" in res.explanation


# ------------------------------------------------------------------ marginal costs


@pytest.mark.parametrize(
    ("target", "kind", "year", "old", "new"),
    [
        ("elderly-centres", "count", 1, "count = [1, 1, 1]", "count = [0, 1, 1]"),
        ("space-200", "share", 3, "share = [0.4, 0.6, 0.8]", "share = [0.4, 0.6, 0.7]"),
        ("workers-per-400", "share", 3, "share = [0.5, 0.8, 1.0]", "share = [0.5, 0.8, 0.9]"),
    ],
)
def test_marginal_cost_equals_cost_difference_of_two_independent_solves(tutorial_text, target, kind, year, old, new):
    base = _solve_text(tutorial_text, gap=1e-9)
    rr = next(
        r
        for r in base.requirements
        if (r.requirement.target, r.requirement.kind, r.requirement.year) == (target, kind, year)
    )
    assert rr.binding
    assert tutorial_text.count(old) == 1
    relaxed = _solve_text(tutorial_text.replace(old, new), gap=1e-9, marginal_costs=False)
    assert rr.marginal_cost == pytest.approx(base.total_cost - relaxed.total_cost, abs=0.01)
    assert rr.marginal_cost > 0
    assert rr.dual_lp is not None


def test_non_binding_requirements_get_no_marginal_cost(tutorial):
    res = optimize.solve(tutorial)
    for rr in res.requirements:
        if not rr.binding:
            assert rr.marginal_cost is None
            assert rr.planned - rr.requirement.required >= 1 - 1e-6
    assert any(not rr.binding for rr in res.requirements)
    assert any(rr.binding and rr.marginal_cost is not None for rr in res.requirements)
