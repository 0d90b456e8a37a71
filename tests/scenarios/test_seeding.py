"""Every replication has its own random stream, fixed by the seed and its number alone."""

from __future__ import annotations

import numpy as np

from model.runner import simulate
from scenarios.seeding import GENERATE, SIMULATE, rng
from tests.model.conftest import tutorial


def test_each_stream_and_replication_draws_its_own_numbers():
    draws = {
        (stream, *index): tuple(rng(7, stream, *index).random(4))
        for stream, index in [(GENERATE, ()), (SIMULATE, (0,)), (SIMULATE, (1,)), (SIMULATE, (2,))]
    }
    assert len(set(draws.values())) == len(draws)
    assert tuple(rng(7, SIMULATE, 1).random(4)) == draws[SIMULATE, 1]  # and the same again


def test_replications_differ_within_one_seed_and_replication_r_ignores_how_many_run():
    scenario = tutorial()
    three = simulate(scenario, replications=3, seed=5).replications
    two = simulate(scenario, replications=2, seed=5).replications
    for a in range(3):
        for b in range(a + 1, 3):
            assert not np.array_equal(three[a].timeseries, three[b].timeseries), (a, b)
    for r in range(2):
        np.testing.assert_array_equal(two[r].timeseries, three[r].timeseries)


def test_a_re_planned_replication_draws_from_its_own_stream():
    """Re-planning starts at the first year's end: until then replication r is the plain replication r."""
    import optimize
    from commplan.replan import run_adaptive_replication
    from model.plan import plan_from_result
    from model.runner import run_replication

    scenario = tutorial()
    result = optimize.solve(scenario, marginal_costs=False)
    plan = plan_from_result(result, scenario)
    for r in (1, 2):
        adaptive, _ = run_adaptive_replication(scenario, plan, result.cost_by_year, 5, r)
        plain = run_replication(scenario, plan, 5, r)
        np.testing.assert_array_equal(adaptive.timeseries[:12], plain.timeseries[:12])
    assert not np.array_equal(adaptive.timeseries[:12], run_replication(scenario, plan, 5, 1).timeseries[:12])
