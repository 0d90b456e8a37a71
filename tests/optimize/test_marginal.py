"""Marginal costs: statuses, the time budget, priority order, duals-only mode, bounds."""

from __future__ import annotations

import pytest

import optimize
from optimize.marginal import BOUNDED, BUDGET, DUALS_ONLY, EXACT, NOT_BINDING, hire_back_cost, priority
from optimize.program import Program

STAFF_TARGETS = """
[[targets]]
name = "space-200"
space_at_least = 200
share = [0.3, 0.6]

[[targets]]
name = "city-workers"
city_staff = "worker"
at_least = [6, 7]
"""


def _binding(res):
    return [rr for rr in res.requirements if rr.binding]


def test_every_binding_requirement_is_exact_with_time_to_spare(tutorial):
    res = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=float("inf"))
    assert _binding(res)
    for rr in res.requirements:
        if rr.binding:
            assert rr.marginal_status == EXACT
            assert rr.marginal_cost is not None and rr.marginal_cost >= 0
            assert rr.marginal_cost == rr.marginal_cost_max
        else:
            assert rr.marginal_status == NOT_BINDING
            assert rr.marginal_cost is None


def test_no_budget_means_no_resolve_and_says_so(tutorial):
    res = optimize.solve(tutorial, marginal_time_limit=0.0)
    for rr in _binding(res):
        assert rr.marginal_status == BUDGET
        assert rr.marginal_cost is None and rr.marginal_cost_max is None
        assert rr.dual_lp is not None  # the duals are still there
    assert res.timings["marginal"] < 5.0


@pytest.mark.parametrize("budget", [0.0, 0.02, 0.2, 5.0])
def test_budget_prices_a_prefix_of_the_priority_order(tutorial, budget):
    res = optimize.solve(tutorial, marginal_time_limit=budget)
    statuses = [rr.marginal_status for rr in priority(res)]
    done = [s != BUDGET for s in statuses]
    assert done == sorted(done, reverse=True)  # priced ones first, then the budget ran out
    for rr in _binding(res):
        assert rr.marginal_status in (EXACT, BOUNDED, BUDGET)
        if rr.marginal_status != BUDGET:
            assert 0.0 <= rr.marginal_cost <= rr.marginal_cost_max + 1e-9


def test_priority_is_largest_lp_dual_first(tutorial):
    res = optimize.solve(tutorial, marginal_costs="dual")
    duals = [rr.dual_lp or 0.0 for rr in priority(res)]
    assert duals == sorted(duals, reverse=True)
    assert len(duals) == len(_binding(res))


def test_budget_is_respected_at_a_larger_size():
    """Each re-solve is held to what is left: the whole marginal stage ends near the budget."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from optimize_scale import scenario

    res = optimize.solve(scenario(60), marginal_time_limit=0.5)
    # one re-solve may take up to twice the main solve once started, no more
    assert res.timings["marginal"] <= 0.5 + 2.0 * res.timings["solve"] + 1.0
    assert {rr.marginal_status for rr in _binding(res)} <= {EXACT, BOUNDED, BUDGET}


def test_duals_only_mode(tutorial):
    res = optimize.solve(tutorial, marginal_costs="dual")
    assert "marginal" in res.timings
    for rr in res.requirements:
        assert rr.dual_lp is not None
        assert rr.marginal_cost is None and rr.marginal_cost_max is None
        assert rr.marginal_status == (DUALS_ONLY if rr.binding else NOT_BINDING)
    summary = res.summary()
    assert all("marginal_status" in r for r in summary["requirements"])


def test_no_marginal_costs_at_all(tutorial):
    res = optimize.solve(tutorial, marginal_costs=False)
    assert all(rr.dual_lp is None and rr.marginal_status is None for rr in res.requirements)


def test_unknown_marginal_mode_is_refused(tutorial):
    with pytest.raises(ValueError, match="marginal_costs"):
        optimize.solve(tutorial, marginal_costs="maybe")


def test_city_staff_saving_never_exceeds_one_hire_and_is_exact():
    from .conftest import tiny

    s = tiny(STAFF_TARGETS, years=2)
    res = optimize.solve(s, gap=1e-9, marginal_time_limit=float("inf"))
    prog = Program(s)
    staff = [rr for rr in _binding(res) if rr.requirement.kind == "city_staff"]
    assert staff
    for rr in staff:
        bound = hire_back_cost(prog, rr.requirement)
        assert rr.marginal_status == EXACT
        assert rr.marginal_cost <= bound + 1e-6
        # and it equals the cost difference of an independent solve without that unit
        relaxed = tiny(
            STAFF_TARGETS.replace(
                "at_least = [6, 7]", "at_least = [5, 7]" if rr.requirement.year == 1 else "at_least = [6, 6]"
            ),
            years=2,
        )
        other = optimize.solve(relaxed, gap=1e-9, marginal_costs=False)
        assert rr.marginal_cost == pytest.approx(res.total_cost - other.total_cost, abs=0.01)


def test_cbc_gives_the_same_exact_marginal_costs(tutorial):
    h = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=float("inf"))
    c = optimize.solve(tutorial, solver="cbc", gap=1e-9, marginal_time_limit=float("inf"))
    for a, b in zip(h.requirements, c.requirements, strict=True):
        assert a.marginal_status == b.marginal_status
        if a.marginal_status == EXACT:
            assert a.marginal_cost == pytest.approx(b.marginal_cost, abs=0.01)
