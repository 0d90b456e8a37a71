"""Yearly re-planning: the remaining years as a scenario, re-solved from the simulated state."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from commplan.cli import main
from commplan.replan import remaining_scenario, run_adaptive_replication
from model.model import CommunityModel
from model.plan import plan_from_result
from scenarios.loader import load
from scenarios.parameters import PERFECT_EXECUTION


def test_remaining_scenario_keeps_only_the_years_left():
    s = load("tutorial")
    state = s.initial_stocks()
    rest = remaining_scenario(s, 1, state, spent=1_000_000)
    assert rest.years == 2 and rest.start_year == s.start_year + 1
    assert rest.target("space-200").share == (0.6, 0.8)
    assert rest.target("elderly-centres").count == (1, 1)
    assert rest.target("one-stop").keys_by == 1  # from year 1 on stays "from now on"
    assert rest.target("standard").keys_by == 1  # was year 2: now the first remaining year
    worker = rest.staff["community_worker"]
    assert (worker.base_pay_share, worker.pay_share) == (0.7, (0.85, 1.0))
    # raising today's 31 workers from 0.6 to 0.7 of the wage is committed in each year left
    committed = (0.7 - 0.6) * 60000 * 31
    assert rest.budget.total == pytest.approx(s.budget.total - 1_000_000 - 2 * committed)
    assert [r.year for r in rest.requirements if r.target == "space-200"] == [1, 2]


def test_remaining_scenario_starts_from_the_given_state():
    s = load("tutorial")
    state = s.initial_stocks()
    state.staff["community_worker"][:] = 1
    state.has["one_stop"][0] = True
    rest = remaining_scenario(s, 2, state, spent=0)
    assert all(c.staff["community_worker"] == 1 for c in rest.communities)
    assert "one_stop" in rest.communities[0].facilities
    assert rest.years == 1


def test_projects_under_construction_count_as_committed():
    s = load("tutorial")
    slow = dataclasses.replace(s, simulation=dataclasses.replace(s.simulation, construction_lag_months=60.0))
    import optimize

    plan = plan_from_result(optimize.solve(slow, marginal_costs=False), slow)
    model = CommunityModel(slow, plan, rng=np.random.default_rng(1))
    for _ in range(12):
        model.step()
    funded = plan.space_added[:, 0]
    assert np.allclose(model.space, slow.initial_stocks().space)  # nothing has opened yet
    assert np.allclose(model.committed_stocks().space, slow.initial_stocks().space + funded)


def test_adaptive_replication_with_perfect_execution_meets_every_requirement():
    s = load("tutorial")
    perfect = dataclasses.replace(
        s,
        simulation=s.simulation.with_values(PERFECT_EXECUTION),
    )
    import optimize

    first = optimize.solve(perfect, marginal_costs=False)
    rep, replans = run_adaptive_replication(
        perfect, plan_from_result(first, perfect), first.summary()["cost_by_year"], perfect.seed, 0
    )
    assert [r.year for r in replans] == [2, 3]
    assert all(r.status in ("optimal", "optimal_within_gap") for r in replans)
    assert all(met for (*_, met) in rep.attainment)


def test_run_with_yearly_replanning_writes_its_replans(tmp_path):
    out = tmp_path / "adaptive"
    assert main(["run", "tutorial", "--replan", "yearly", "--replications", "2", "--out", str(out), "--quiet"]) == 0
    replans = pd.read_csv(out / "replans.csv")
    assert sorted(zip(replans.replication, replans.year, strict=True)) == [(0, 2), (0, 3), (1, 2), (1, 3)]
    assert (out / "report.html").exists()


def test_the_remaining_plan_is_costed_as_the_whole_plan_costs_it():
    """Re-solving from a perfectly executed year 1 must find the original years 2–3 affordable
    at exactly the budget they left, in the original accounting."""
    import optimize
    from commplan.replan import committed_yearly_cost
    from scenarios.plan import PlanData, stocks_in_year

    s = load("tutorial")
    whole = optimize.solve(s, marginal_costs=False)
    data = PlanData.from_scenario(s)
    state = stocks_in_year(data, whole.plan, 1)
    rest = remaining_scenario(s, 1, state, spent=whole.cost_by_year[0])
    again = optimize.solve(rest, marginal_costs=False)
    committed = committed_yearly_cost(s, 1, state)
    original_tail = sum(whole.cost_by_year[1:])
    assert again.total_cost + 2 * committed == pytest.approx(original_tail, rel=1e-6)
    assert rest.budget.total == pytest.approx(s.budget.total - whole.cost_by_year[0] - 2 * committed)


def test_remaining_scenario_keeps_the_capacity_of_the_years_left():
    s = dataclasses.replace(
        load("tutorial"),
        capacity=dataclasses.replace(
            load("tutorial").capacity, projects_per_year=(5, 6, 7), space_m2_per_year=(1.0, 2.0, 3.0)
        ),
        budget=dataclasses.replace(load("tutorial").budget, max_share_per_year=0.5),
    )
    rest = remaining_scenario(s, 1, s.initial_stocks(), spent=0.0, plan_total=1_000_000)
    assert rest.capacity.projects_per_year == (6, 7) and rest.capacity.space_m2_per_year == (2.0, 3.0)
    # the share of the whole plan becomes the yearly cap it set on the adopted plan
    assert rest.budget.max_share_per_year is None
    committed = (0.7 - 0.6) * 60000 * 31
    assert rest.budget.per_year == pytest.approx((500_000 - committed,) * 2)


def test_every_re_solve_keeps_within_the_capacity(monkeypatch):
    import optimize
    from commplan import replan

    s = load("tutorial")
    capped = dataclasses.replace(
        s, capacity=dataclasses.replace(s.capacity, projects_per_year=(6, 6, 6), hires_per_community_per_year=1)
    )
    first = optimize.solve(capped, marginal_costs=False)
    assert first.status == "optimal"
    seen = []
    real = optimize.solve

    def solve(rest, **kw):
        result = real(rest, **kw)
        seen.append((rest, result))
        return result

    monkeypatch.setattr(replan.optimize, "solve", solve)
    run_adaptive_replication(capped, plan_from_result(first, capped), first.summary()["cost_by_year"], capped.seed, 0)
    assert len(seen) >= 2
    for rest, result in seen:
        assert rest.capacity.projects_per_year == (6,) * rest.years
        if result.feasible:
            p = result.plan
            projects = (p.space_added > 1e-9).sum(axis=0) + sum(o.sum(axis=0) for o in p.opened.values())
            assert projects.max() <= 6 and p.hires["community_worker"].max() <= 1


def test_remaining_scenario_moves_developers_space_with_the_calendar():
    from scenarios.schema import DeveloperSpace

    s = dataclasses.replace(
        load("tutorial"),
        developer_space=(DeveloperSpace("gongyuan", 100, 1, 1.0, True), DeveloperSpace("gongyuan", 50, 3, 1.0, True)),
    )
    rest = remaining_scenario(s, 1, s.initial_stocks(), spent=0)
    # year 1's space is in the simulated state if it came; year 3's is the remaining plan's year 2
    assert [(d.m2, d.due_year) for d in rest.developer_space] == [(50, 2)]
    assert rest.developer_m2()[s.community_ids.index("gongyuan")].tolist() == [0, 50]
