"""[capacity] and [budget] max_share_per_year: every mode keeps within them, and says so when they make the targets impossible.

Each test first shows that the plan without the limit would break it (so the test can
fail), then that every mode keeps within it. Limits are checked here from the plan's
own arrays, not through the optimiser's self-check.
"""

from __future__ import annotations

import numpy as np
import pytest

import optimize
from tests.optimize.conftest import tiny

SPACE = """
[[targets]]
name = "space-200"
space_at_least = 200
share = [0.0, 1.0]
"""
WORKERS = """
[[targets]]
name = "workers-per-200"
staff_per_households = { worker = 200 }
share = [0.0, 1.0]
"""
CENTRES = """
[[targets]]
name = "centres"
has = "one_stop"
share = [0.0, 1.0]
"""


def used(result) -> dict[str, np.ndarray]:
    """What a plan uses of each limit, by plan year, computed from its own arrays."""
    plan = result.plan
    projects = (plan.space_added > 1e-9).sum(axis=0) + sum(o.sum(axis=0) for o in plan.opened.values())
    hires = plan.hires["worker"]
    return {
        "projects": projects,
        "hires": hires.sum(axis=0),
        "community_hires": hires.max(axis=0),
        "space": plan.space_added.sum(axis=0),
        "spending": np.asarray(result.cost_by_year) / sum(result.cost_by_year),
    }


CASES = [
    ("projects_per_year = 2", SPACE + CENTRES, "projects", 2),
    ("hires_per_year = { worker = 5 }", WORKERS, "hires", 5),
    ("hires_per_community_per_year = 2", WORKERS, "community_hires", 2),
    ("space_m2_per_year = 150", SPACE, "space", 150),
]


@pytest.mark.parametrize(("line", "targets", "what", "limit"), CASES)
def test_min_cost_keeps_within_each_limit(line, targets, what, limit):
    free = optimize.solve(tiny(targets))
    assert used(free)[what].max() > limit  # without the limit the cheapest plan breaks it
    capped = optimize.solve(tiny(f"[capacity]\n{line}\n" + targets))
    assert capped.status == "optimal"
    assert used(capped)[what].max() <= limit + 1e-6
    assert all(rr.shortfall == 0 for rr in capped.requirements)
    assert capped.total_cost >= free.total_cost - 1e-6


@pytest.mark.parametrize(("line", "targets", "what", "limit"), CASES)
def test_max_attainment_and_the_frontier_keep_within_each_limit(line, targets, what, limit):
    s = tiny(f"[budget]\ntotal = 1000000\n\n[capacity]\n{line}\n" + targets)
    result = optimize.solve(s, mode="max-attainment")
    assert result.feasible and used(result)[what].max() <= limit + 1e-6
    for r in optimize.frontier(s, [5_000, 20_000, 1_000_000]):
        if r.feasible:
            assert used(r)[what].max() <= limit + 1e-6


def test_max_share_per_year_is_kept():
    targets = SPACE + WORKERS + CENTRES
    free = optimize.solve(tiny(targets))
    assert used(free)["spending"].max() > 0.6
    capped = optimize.solve(tiny("[budget]\nmax_share_per_year = 0.6\n" + targets))
    assert capped.status == "optimal"
    assert used(capped)["spending"].max() <= 0.6 + 1e-9
    assert capped.total_cost >= free.total_cost - 1e-6
    both = optimize.solve(
        tiny("[budget]\ntotal = 1000000\nmax_share_per_year = 0.6\n" + targets), mode="max-attainment"
    )
    assert used(both)["spending"].max() <= 0.6 + 1e-9


def test_an_impossible_limit_is_explained_in_the_planners_words():
    result = optimize.solve(tiny("[capacity]\nprojects_per_year = [0, 1]\n" + SPACE))
    assert result.status == "infeasible"
    assert "projects in year 2: 1 more than the limit of 1 (projects_per_year)" in result.explanation
    info = result.infeasibility
    assert info["capacity_is_reason"] is True
    assert [(e["limit"], e["year"], e["exceeded_by"]) for e in info["capacity_exceeded"]] == [("projects", 2, 1)]


def test_each_kind_of_limit_is_named_when_it_blocks():
    hires = optimize.solve(tiny("[capacity]\nhires_per_year = { worker = 4 }\n" + WORKERS))
    # 9 hires are needed by year 2 and 8 can be made: one more than the limit in one year
    assert (
        "worker hires in year" in hires.explanation and "more than the limit of 4 (hires_per_year)" in hires.explanation
    )
    one = optimize.solve(tiny("[capacity]\nhires_per_community_per_year = 1\n" + WORKERS))
    assert "hires in one community in year" in one.explanation
    space = optimize.solve(tiny("[capacity]\nspace_m2_per_year = 100\n" + SPACE))
    assert "m² more than the limit of 100 m² (space_m2_per_year)" in space.explanation


def test_the_budget_is_not_blamed_for_what_capacity_forbids():
    result = optimize.solve(tiny("[budget]\ntotal = 10000000\n\n[capacity]\nprojects_per_year = [0, 1]\n" + SPACE))
    assert result.infeasibility["budget_is_reason"] is False
    assert "Money is the reason" not in result.explanation
    assert result.infeasibility["capacity_is_reason"] is True


def test_the_self_check_catches_a_plan_that_breaks_a_limit():
    from optimize.check import plan_problems

    s = tiny("[capacity]\nprojects_per_year = 1\n" + SPACE)
    result = optimize.solve(tiny(SPACE))  # the unlimited plan, claimed against the limited scenario
    result.scenario = s
    assert any("projects in year 2: 2, above projects_per_year = 1" in p for p in plan_problems(result))


def test_no_community_absorbs_a_city_wide_target_beyond_its_limit():
    target = '\n[[targets]]\nname = "city"\ncity_staff = "worker"\nat_least = [10, 30]\n'
    s = tiny("[capacity]\nhires_per_community_per_year = 6\n" + target)
    result = optimize.solve(s)
    assert result.status == "optimal"
    assert result.plan.hires["worker"].max() <= 6
    assert result.plan.staff["worker"][:, 1].sum() >= 30


def test_a_city_wide_staff_target_is_spread_by_households():
    from optimize.constraints import SPREAD

    target = '\n[[targets]]\nname = "city"\ncity_staff = "worker"\nat_least = [0, 40]\n'
    s = tiny(target)
    result = optimize.solve(s)
    staff = result.plan.staff["worker"][:, 1]
    households = s.households(2)
    assert staff.sum() == 40
    # no community holds more than 1.25 × its households' share of the 40 (or what it has today)
    most = np.maximum([1, 2, 1], np.ceil(SPREAD * 40 * households / households.sum()))
    assert np.all(staff <= most)
    # spreading costs nothing: pay and hiring cost the same everywhere
    # (year 1: today's 4 at the new pay; year 2: the 40; 36 hires)
    assert result.total_cost == pytest.approx(4 * 1000 + 40 * 6000 - 4 * 5000 + 36 * 300)


def test_a_requirement_the_city_meets_without_the_plan_is_not_binding():
    s = tiny('\n[[targets]]\nname = "some-space"\nspace_at_least = 100\nshare = [0.6, 0.6]\n' + SPACE)
    result = optimize.solve(s)
    by = {(rr.requirement.target, rr.requirement.year): rr for rr in result.requirements}
    met = by["some-space", 1]
    assert met.planned - met.requirement.required < 1  # no community to spare …
    assert met.met_without_plan and met.binding is False  # … but a and c have 100 m² today
    assert met.marginal_status == "not binding" and met.marginal_cost is None
    needed = by["space-200", 2]
    assert needed.binding is True and not needed.met_without_plan and needed.marginal_cost > 0
    assert "some-space|share|y1" not in result.summary()["binding"]


def test_a_targets_full_cost_is_the_difference_of_two_independent_solves():
    parts = {"space-200": SPACE, "workers-per-200": WORKERS, "centres": CENTRES}
    capacity = "[capacity]\nprojects_per_year = 3\n"
    whole = optimize.solve(tiny(capacity + "".join(parts.values())))
    by = {tc.target: tc for tc in whole.target_costs}
    assert set(by) == set(parts)
    for name in parts:
        without = optimize.solve(
            tiny(capacity + "".join(v for k, v in parts.items() if k != name)), marginal_costs=False
        )
        assert by[name].status == "exact"
        assert by[name].full_cost == pytest.approx(whole.total_cost - without.total_cost, abs=0.01)
        assert by[name].full_cost > 0
    summary = whole.summary()["targets"]
    assert [t["target"] for t in summary] == list(parts)
    assert all(t["full_cost_status"] == "exact" for t in summary)


def test_full_costs_are_not_claimed_where_they_were_not_computed():
    s = tiny("[budget]\ntotal = 1000000\n" + SPACE)
    assert [t.status for t in optimize.solve(s, mode="max-attainment").target_costs] == ["not computed: max-attainment"]
    assert [t.full_cost for t in optimize.solve(s, marginal_costs="dual").target_costs] == [None]
