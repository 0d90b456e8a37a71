"""Executing a plan: what is funded is built, opened and hired; plan.csv is read strictly."""

from __future__ import annotations

import numpy as np
import pytest

from model.model import CommunityModel
from model.plan import PlanSchedule, read_plan_csv
from scenarios.problems import ScenarioError
from tests.model.conftest import tutorial

EXACT = """
exit_hazard = 0.0
hiring_lag_months = 0
construction_lag_months = 0.0
project_deferral_share = 0.0
cost_overrun_median = 0.0
cost_overrun_sigma = 0.0
candidates_per_10000_households = 100000.0
"""


def a_plan(scenario, seed=3):
    """Random decisions; a facility is opened only where none is yet (plan.csv refuses a second)."""
    g = np.random.default_rng(seed)
    n, years = len(scenario.communities), scenario.years
    has0 = scenario.initial_stocks().has
    space_added = g.choice([0, 0, 40, 120], size=(n, years))
    opened = {}
    for u in scenario.facilities:
        draw = g.random((n, years)) < 0.2
        before = has0[u][:, None] | (np.cumsum(draw, axis=1) - draw > 0)  # held before this year
        opened[u] = (draw & ~before).astype(float)
    return PlanSchedule.from_arrays(
        scenario,
        space_added=space_added,
        opened=opened,
        hires={s: g.integers(0, 3, size=(n, years)) for s in scenario.staff},
    )


def year_end_stocks(model):
    """Run the model; return {column: (years, communities)} at each year's last month."""
    while model.running:
        model.step()
    table, cols = model.recorder.table(), model.recorder.columns
    return {c: table[11::12, :, j] for j, c in enumerate(cols)}


def test_zero_attrition_and_no_lags_deliver_the_plans_stocks_exactly():
    scenario = tutorial(EXACT)
    plan = a_plan(scenario)
    got = year_end_stocks(CommunityModel(scenario, plan, rng=1))
    initial = scenario.initial_stocks()
    np.testing.assert_array_equal(got["space_m2"], (initial.space[:, None] + np.cumsum(plan.space_added, axis=1)).T)
    for u in scenario.facilities:
        planned = initial.has[u][:, None] | (np.cumsum(plan.opened[u], axis=1) > 0)
        np.testing.assert_array_equal(got[f"has_{u}"], planned.T)
    for s in scenario.staff:
        np.testing.assert_array_equal(got[f"staff_{s}"], plan.staff[s].T)
        assert plan.hires[s].sum() > 0  # the plan did hire, so equality is not trivial


def test_with_attrition_and_lags_the_city_falls_short_of_the_plan():
    scenario = tutorial("exit_hazard = 0.03\nhiring_lag_months = 3\nconstruction_lag_months = 14.0\n")
    plan = a_plan(scenario)
    got = year_end_stocks(CommunityModel(scenario, plan, rng=1))
    assert (got["space_m2"][0] < scenario.initial_stocks().space + plan.space_added[:, 0]).any()
    assert got["staff_community_worker"].sum() < plan.staff["community_worker"].sum()


def test_count_targets_count_facilities_opened_in_each_year():
    scenario = tutorial(EXACT)
    n = len(scenario.communities)
    opened = np.zeros((n, 3))
    opened[[0, 1], 0] = 1  # two elderly centres in year 1, none later
    model = CommunityModel(scenario, PlanSchedule.from_arrays(scenario, opened={"elderly_centre": opened}), rng=1)
    year_end_stocks(model)
    counts = {(y, a) for (y, t, k, req, a, met) in model.attainment if t == "elderly-centres"}
    assert counts == {(1, 2.0), (2, 0.0), (3, 0.0)}


def test_status_quo_builds_nothing_and_keeps_todays_pay():
    scenario = tutorial(EXACT)
    plan = PlanSchedule.status_quo(scenario)
    assert plan.space_added.sum() == 0 and all(v.sum() == 0 for v in plan.hires.values())
    assert list(plan.pay_share["community_worker"]) == [0.6, 0.6, 0.6]
    got = year_end_stocks(CommunityModel(scenario, None, rng=1))
    np.testing.assert_array_equal(got["space_m2"][-1], scenario.initial_stocks().space)


def write_plan(path, scenario, plan):
    cols = ["community", "year", "space_added_m2", "space_m2"]
    cols += [f"{p}_{u}" for u in scenario.facilities for p in ("open", "has")]
    cols += [f"{p}_{s}" for s in scenario.staff for p in ("hire", "staff")] + ["meets_space-200"]
    lines = [",".join(cols)]
    initial = scenario.initial_stocks()
    space = initial.space[:, None] + np.cumsum(plan.space_added, axis=1)
    has = {u: initial.has[u][:, None] | (np.cumsum(plan.opened[u], axis=1) > 0) for u in scenario.facilities}
    for i, c in enumerate(scenario.communities):
        for t in range(scenario.years):
            row = [c.id, t + 1, plan.space_added[i, t], space[i, t]]
            for u in scenario.facilities:
                row += [int(plan.opened[u][i, t]), int(has[u][i, t])]
            for s in scenario.staff:
                row += [int(plan.hires[s][i, t]), int(plan.staff[s][i, t])]
            lines.append(",".join(str(x) for x in row + [1]))
    path.write_text("\n".join(lines) + "\n")


def test_read_plan_csv_gives_back_the_plan(tmp_path):
    scenario = tutorial()
    plan = a_plan(scenario)
    write_plan(tmp_path / "plan.csv", scenario, plan)
    back = read_plan_csv(tmp_path / "plan.csv", scenario)
    np.testing.assert_array_equal(back.space_added, plan.space_added)
    for s in scenario.staff:
        np.testing.assert_array_equal(back.hires[s], plan.hires[s])
        np.testing.assert_array_equal(back.staff[s], plan.staff[s])
    np.testing.assert_array_equal(back.pay_share["community_worker"], [0.7, 0.85, 1.0])


def test_a_bad_plan_cell_names_the_file_line_and_column(tmp_path):
    scenario = tutorial()
    write_plan(tmp_path / "plan.csv", scenario, a_plan(scenario))
    text = (tmp_path / "plan.csv").read_text().splitlines()
    cells = text[2].split(",")
    cells[2] = "lots"
    text[2] = ",".join(cells)
    text[3] = text[3].replace("dongfeng", "dongfang", 1)
    (tmp_path / "plan.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(ScenarioError) as e:
        read_plan_csv(tmp_path / "plan.csv", scenario)
    message = str(e.value)
    assert "plan.csv has 2 problems" in message
    assert "line 3" in message and 'space_added_m2 = "lots": must be a number' in message
    assert 'did you mean "dongfeng"' in message
