"""Posts: the fewest whole staff that reach the planned stock, refilled after exits, never overfilled."""

from __future__ import annotations

import numpy as np

from model.model import CommunityModel
from model.plan import PlanSchedule
from tests.model.conftest import tutorial


def test_vacancies_arriving_after_the_posts_fell_are_cancelled_not_hired():
    """Ten posts a community in year 1, two in year 2: vacancies from year 1's last exits
    arrive, after the three-month lag, to communities already over their posts."""
    scenario = tutorial("exit_hazard = 0.08\nhiring_lag_months = 3\n")
    n = len(scenario.communities)
    posts = {"community_worker": np.column_stack([np.full(n, 10.0), np.full(n, 2.0), np.full(n, 2.0)])}
    model = CommunityModel(scenario, PlanSchedule.from_arrays(scenario, staff=posts), rng=4)
    while model.running:
        model.step()
    table = model.recorder.table()
    col = {c: table[:, :, j] for j, c in enumerate(model.recorder.columns)}
    staff, hires, exits = col["staff_community_worker"], col["hires_community_worker"], col["exits_community_worker"]
    before = np.vstack([scenario.initial_stocks().staff["community_worker"][None, :], staff[:-1]])
    np.testing.assert_array_equal(staff, before + hires - exits)
    over = staff[11] - exits[12:15].sum(axis=0) > 2  # still above year 2's posts while year 1's vacancies arrive
    assert over.any()
    assert (hires[12:15][:, over] == 0).all()


def test_a_fractional_planned_stock_is_the_next_whole_number_of_posts():
    """4.5 planned workers (a stock under attrition) are 5 posts, not 4: 4 would fall short."""
    scenario = tutorial("exit_hazard = 0.0\nhiring_lag_months = 0\n")
    n = len(scenario.communities)
    start = scenario.initial_stocks().staff["community_worker"]
    assert (start < 5).all()
    plan = PlanSchedule.from_arrays(scenario, staff={"community_worker": np.full((n, 3), 4.5)})
    model = CommunityModel(scenario, plan, rng=1)
    while model.running:
        model.step()
    np.testing.assert_array_equal(model.staff_count["community_worker"], np.full(n, 5))
