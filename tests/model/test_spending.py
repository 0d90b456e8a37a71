"""Money spent each month is pay, running costs, building on delivery, hiring and contracts, to the cent.

The identity is read off the model's own monthly record (staff present, hires, space and
facilities held, organisations alive) and the scenario's unit costs, so every line of the
simulation's accounting is checked: with exits and a hiring lag, posts and staff differ,
and only the staff present are paid.
"""

from __future__ import annotations

import numpy as np

from model.model import CommunityModel
from tests.model.conftest import tutorial
from tests.model.test_plan_execution import a_plan

#: Exits and a hiring lag (posts ≠ staff), no construction lag (one delivery per project),
#: every organisation contracted and none founded or dissolved (a known contract bill).
SETTINGS = """
exit_hazard = 0.03
hiring_lag_months = 2
construction_lag_months = 0.0
project_deferral_share = 0.0
cost_overrun_median = 0.0
cost_overrun_sigma = 0.0
candidates_per_10000_households = 100000.0
organisation_purchase_share = 1.0
organisation_dissolve_hazard = 0.0
organisation_birth_per_volunteer = 0.0
"""


def test_money_spent_each_month_is_every_cost_line_of_what_the_city_holds_and_does():
    scenario = tutorial(SETTINGS)
    plan = a_plan(scenario)
    model = CommunityModel(scenario, plan, rng=2)
    while model.running:
        model.step()
    table = model.recorder.table()
    col = {c: table[:, :, j] for j, c in enumerate(model.recorder.columns)}
    costs, p, initial = scenario.costs, scenario.simulation, scenario.initial_stocks()
    months = len(table)
    year = np.arange(months) // 12  # plan year − 1 of each month

    expected = np.zeros_like(col["spent"])
    for s, kind in scenario.staff.items():
        share = np.asarray(kind.pay_share)[year][:, None]
        expected += col[f"staff_{s}"] * share * costs.average_wage / 12 + col[f"hires_{s}"] * kind.hire
    space_before = np.vstack([initial.space[None, :], col["space_m2"][:-1]])
    built = col["space_m2"] - space_before
    expected += col["space_m2"] * costs.space_running_per_m2 / 12
    expected += built * costs.space_build_per_m2 + (built > 0) * costs.space_project_fixed
    for u, kind in scenario.facilities.items():
        before = np.vstack([initial.has[u][None, :], col[f"has_{u}"][:-1]])
        expected += col[f"has_{u}"] * kind.running / 12 + (col[f"has_{u}"] - before) * kind.build
    expected += col["organisations"] * p.organisation_contract_per_month

    # every line is in play, so none can be dropped unnoticed
    assert built.sum() > 0 and col["hires_community_worker"].sum() > 0 and col["organisations"].sum() > 0
    posts_unfilled = sum((np.ceil(plan.staff[s][:, year].T - 1e-6) != col[f"staff_{s}"]).any() for s in scenario.staff)
    assert posts_unfilled  # the lag and the exits leave posts empty: paying posts would differ
    np.testing.assert_allclose(col["spent"], expected, rtol=1e-12, atol=1e-6)
