"""Conserving: households, staff and money add up every month; nothing is served twice."""

from __future__ import annotations

import numpy as np

from model.model import CommunityModel
from tests.model.conftest import tutorial
from tests.model.test_plan_execution import a_plan


def run(scenario, plan=None, seed=1):
    model = CommunityModel(scenario, plan, rng=seed)
    while model.running:
        model.step()
    table = model.recorder.table()
    return model, {c: table[:, :, j] for j, c in enumerate(model.recorder.columns)}


def test_households_balance_every_month_through_moves_deaths_and_developments():
    scenario = tutorial("move_out_rate = 0.1\nelderly_death_rate = 0.05\n")
    model, col = run(scenario, a_plan(scenario))
    before = np.vstack([scenario.households(0)[None, :], col["households"][:-1]])
    np.testing.assert_array_equal(col["households"], before + col["moved_in"] - col["moved_out"])
    assert col["moved_out"].sum() > 0
    growing = scenario.community_ids.index("huayuan")  # household_growth = 0.05
    assert col["households"][-1, growing] == round(scenario.households(3)[growing])


def test_staff_balance_every_month_previous_plus_hires_minus_exits():
    scenario = tutorial("exit_hazard = 0.03\n")
    model, col = run(scenario, a_plan(scenario))
    staff, hires, exits = col["staff_community_worker"], col["hires_community_worker"], col["exits_community_worker"]
    initial = scenario.initial_stocks().staff["community_worker"]
    before = np.vstack([initial[None, :], staff[:-1]])
    np.testing.assert_array_equal(staff, before + hires - exits)
    assert exits.sum() > 0 and hires.sum() > exits.sum() * 0.5  # vacancies are refilled
    assert len(model.staff) == staff[-1].sum()  # the agents are the stock


def test_served_never_exceeds_demand_and_vulnerable_households_are_served_first():
    scenario = tutorial()
    model, col = run(scenario)
    from scenarios.parameters import SERVICES

    for s in SERVICES:
        assert (col[f"served_{s}"] <= col[f"demand_{s}"]).all()
        assert (col[f"served_{s}"] >= 0).all()
    # in a short month the vulnerable group's share served is never below the others'
    demand = model.households.draw_needs(model.rng)
    share = model.serve(demand)
    assert (share[1::2] >= share[0::2] - 1e-12).all()


def test_money_spent_is_pay_running_building_hiring_and_contracts():
    scenario = tutorial(
        "exit_hazard = 0.0\nhiring_lag_months = 0\nconstruction_lag_months = 0.0\norganisation_purchase_share = 0.0\n"
        "project_deferral_share = 0.0\ncost_overrun_median = 0.0\ncost_overrun_sigma = 0.0\n"
        "candidates_per_10000_households = 100000.0\n"
    )
    model, col = run(scenario)
    # status quo without exits or contracts: pay and running costs only, the same each month
    costs = scenario.costs
    pay = scenario.initial_stocks().staff["community_worker"] * 0.6 * costs.average_wage / 12
    running = scenario.initial_stocks().space * costs.space_running_per_m2 / 12
    running += sum(scenario.initial_stocks().has[u] * k.running / 12 for u, k in scenario.facilities.items())
    np.testing.assert_allclose(col["spent"], np.broadcast_to(pay + running, col["spent"].shape))
