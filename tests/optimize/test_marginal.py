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


def _bench_city(n: int):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from optimize_scale import scenario

    return scenario(n)


def test_a_resolve_stopped_by_its_rule_is_interrupted_and_the_next_one_is_not():
    """HiGHS keeps an interrupt for the next run unless cleared: the kept model must clear it."""
    from optimize.pricing import kept_session

    prog = Program(_bench_city(60).planning())
    prog.set_elastic(False)
    prog.use_objective("cost")
    prog.run("highs", gap=0.0)
    session = kept_session(prog, "highs")
    assert session is not None
    asked = []
    for k, (r, s) in enumerate(list(prog.shortfall.items())[:3]):
        j = session.col(s)
        session.h.changeColBounds(j, 0.0, 1.0)
        stop = (lambda best, bound: asked.append((best, bound)) or True) if k != 1 else None
        run = session.run(time_limit=60.0, rel_gap=0.0, abs_gap=0.5, start=session.x0, enough=stop)
        session.h.changeColBounds(j, 0.0, 0.0)
        if k == 1:
            assert run.status == "optimal", r.label  # not stopped by the previous run's interrupt
        elif run.status == "enough":
            assert asked and run.objective is not None and run.bound is not None
            assert run.bound <= run.objective + 1e-6
    assert asked  # the rule was asked


def test_under_a_budget_a_marginal_cost_is_bounded_within_one_percent_around_the_exact_one():
    """The stop rule (``WITHIN``): the range found holds the proven figure and is at most 1 % wide."""
    from optimize.marginal import WITHIN, _resolve_kept
    from optimize.pricing import kept_session

    prog = Program(_bench_city(60).planning())
    prog.set_elastic(False)
    prog.use_objective("cost")
    prog.run("highs", gap=0.0)
    session = kept_session(prog, "highs")
    assert session is not None
    c0 = session.objective0
    widths = []
    for r in [r for r in prog.shortfall if r.kind == "count"]:
        exact = _resolve_kept(session, prog.shortfall[r], c0, None, 120.0, None)
        quick = _resolve_kept(session, prog.shortfall[r], c0, None, 120.0, WITHIN)
        assert exact.saving is not None and exact.saving_max is not None
        assert exact.saving_max - exact.saving <= 1.0  # proven to a currency unit
        assert quick.saving is not None and quick.saving_max is not None
        assert quick.saving - 1.0 <= exact.saving <= quick.saving_max + 1.0
        assert quick.saving_max - quick.saving <= WITHIN * quick.saving_max + 0.5
        widths.append(quick.saving_max - quick.saving)
    assert widths


@pytest.mark.parametrize("budget", [60.0, float("inf")])
def test_only_a_time_budget_lets_a_resolve_stop_at_one_percent(tutorial, monkeypatch, budget):
    """No budget (``inf``, as the output digests run) proves every figure to a currency unit."""
    import optimize.resolves as resolves
    from optimize.marginal import WITHIN

    seen = []
    real = resolves.run_within

    def spy(session, relaxations, **kwargs):
        seen.extend(rx.enough for rx in relaxations)
        return real(session, relaxations, **kwargs)

    monkeypatch.setattr(resolves, "run_within", spy)
    res = optimize.solve(tutorial, marginal_time_limit=budget)
    assert seen  # the full costs and the binding requirements
    if budget == float("inf"):
        assert all(enough is None for enough in seen)
    else:
        assert all(enough is not None and enough.keywords["within"] == WITHIN for enough in seen)
    for rr in _binding(res):
        if rr.marginal_status == BOUNDED:
            assert rr.marginal_cost_max - rr.marginal_cost <= WITHIN * rr.marginal_cost_max + 0.5
