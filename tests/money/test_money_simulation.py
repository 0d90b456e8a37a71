"""Issue 16's money side in the simulation: training places train staff, working funds support organisations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

import optimize
from model.model import CommunityModel
from model.plan import plan_from_result
from scenarios.parameters import PERFECT_EXECUTION
from tests.money.conftest import FUNDS, city, trained


def run(s, plan, seed: int) -> CommunityModel:
    m = CommunityModel(s, plan, rng=seed)
    for _ in range(12 * s.years):
        m.step()
    return m


def perfect(s):
    return replace(s, simulation=s.simulation.with_values(PERFECT_EXECUTION))


def test_every_planned_training_place_trains_one_person_in_post_and_the_target_is_met():
    s = perfect(city(trained()))
    r = optimize.solve(s, marginal_costs=False)
    m = run(s, plan_from_result(r, s), 3)
    assert np.array_equal(m.trained_count["community_worker"], r.plan.trained["community_worker"][:, -1])
    assert all(met for *_, met in m.attainment)
    workers = [a for a in m.staff if a.kind == "community_worker"]
    assert workers and all(a.trained_year == s.years for a in workers)


def test_trained_staff_are_more_skilled_than_the_same_staff_untrained():
    s = perfect(city(trained()))
    r = optimize.solve(s, marginal_costs=False)
    with_training = run(s, plan_from_result(r, s), 5)
    without = run(s, None, 5)  # the status quo: same posts, no training places
    skill = lambda m: np.mean([a.skill for a in m.staff if a.kind == "community_worker"])  # noqa: E731
    # three trainings of training_skill_gain = 0.2 leave 0.8³ ≈ half the gap that learning alone leaves
    assert 1 - skill(with_training) < 0.6 * (1 - skill(without))
    assert without.trained_count["community_worker"].sum() == 0


def test_working_funds_are_shared_by_unsupported_organisations_and_counted_as_spent():
    s = city(FUNDS)
    r = optimize.solve(s, marginal_costs=False)
    m = CommunityModel(s, plan_from_result(r, s), rng=1)
    m.step()
    alone = np.bincount([o.community.index for o in m.organisations if not o.supported], minlength=m.n)
    expected = np.minimum(1.0, 10000 / np.maximum(alone * s.simulation.funds_per_organisation_supported, 1e-9))
    assert np.allclose(m.funds_share, np.where(alone > 0, expected, 1.0))
    status_quo = CommunityModel(s, None, rng=1)
    status_quo.step()
    assert np.array_equal(status_quo.funds_share, np.zeros(m.n))  # the status quo pays no funds
    assert np.allclose(m.spent - status_quo.spent, 10000 / 12)  # the same month, plus a month of funds


def test_working_funds_keep_more_organisations_alive_over_many_runs():
    s = city(FUNDS)
    s = replace(s, simulation=s.simulation.with_values({"organisation_dissolve_hazard": 0.05}))
    r = optimize.solve(s, marginal_costs=False)
    plan = plan_from_result(r, s)
    funded = [len(run(s, plan, seed).organisations) for seed in range(8)]
    unfunded = [len(run(s, None, seed).organisations) for seed in range(8)]
    assert np.mean(funded) > np.mean(unfunded) + 1
