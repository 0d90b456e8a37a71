"""A plan checks itself: a broken optimiser raises an internal error instead of reporting a wrong plan."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import optimize
from commplan.cli import main
from optimize import constraints as C
from optimize.check import PlanCheckError, check_plan, plan_problems
from scenarios.loader import bundled_scenarios, load

from .conftest import tiny

TARGETS = """
[[targets]]
name = "space-200"
space_at_least = 200
share = [0.3, 0.6]

[[targets]]
name = "one-stop"
has = "one_stop"
share = [0.0, 1.0]

[[targets]]
name = "workers-per-400"
staff_per_households = { worker = 400 }
share = [0.6, 1.0]

[[targets]]
name = "city-workers"
city_staff = "worker"
at_least = [6, 8]
"""


@pytest.fixture(scope="module")
def solved():
    return optimize.solve(tiny(TARGETS, rate=0.1, attrition=0.1, budget="\n[budget]\ntotal = 1e7\n"), gap=1e-9)


# ---------------------------------------------------------------- a sound plan passes


def test_a_sound_plan_has_no_problems_in_either_mode(solved):
    assert solved.status == "optimal"
    assert plan_problems(solved) == []
    s = solved.scenario
    rich = optimize.solve(s, mode="max-attainment", marginal_costs=False)
    assert rich.status == "optimal" and plan_problems(rich) == []


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_plans_and_passes_its_self_check(name):
    res = optimize.solve(load(name), marginal_costs=False)
    assert res.status in ("optimal", "optimal_within_gap")
    assert plan_problems(res) == []


# ---------------------------------------------------------------- broken optimisers are caught


ORIGINAL = {"add_row": C.add_row, "define_conditions": C.define_conditions, "define_cost": C.define_cost}


def _without_rows(prefix: str):
    """``add_row`` that leaves out every row whose name starts with ``prefix``."""

    def add_row(prog, pairs, constant, sense, rhs, name):
        return None if name.startswith(prefix) else ORIGINAL["add_row"](prog, pairs, constant, sense, rhs, name)

    return add_row


def _half_space_conditions(prog):
    """Space condition rows asking half their bound: ``space >= β/2·z``."""

    def add_row(p, pairs, constant, sense, rhs, name):
        if name.endswith("|space"):
            *rest, (z, coef) = pairs
            pairs = [*rest, (z, coef / 2)]
        return ORIGINAL["add_row"](p, pairs, constant, sense, rhs, name)

    C.add_row = add_row
    try:
        ORIGINAL["define_conditions"](prog)
    finally:
        C.add_row = ORIGINAL["add_row"]


def _cost_without_hires(prog):
    cost = ORIGINAL["define_cost"](prog)
    for t in cost:
        cost[t]["hires"] = ([], 0.0)
    return cost


def _nothing(prog):
    return None


@pytest.mark.parametrize(
    ("function", "broken", "words"),
    [
        ("define_conditions", _half_space_conditions, "requirement space-200 (share), year 2: planned 1 < required 2"),
        # year 2: 800, 1200, 500 households at one worker per 400 need 2 + 3 + 2 workers, and no more
        ("define_city_staff", _nothing, "requirement city-workers (city_staff), year 2: planned 7 < required 8"),
        ("define_cost", _cost_without_hires, "the solver's objective"),
    ],
)
def test_a_broken_constraint_family_raises_an_internal_error_naming_the_figure(monkeypatch, function, broken, words):
    monkeypatch.setattr(C, function, broken)
    with pytest.raises(PlanCheckError) as info:
        optimize.solve(tiny(TARGETS, rate=0.1), marginal_costs=False)
    assert "fails its self-check" in str(info.value)
    assert words in str(info.value)


def test_a_dropped_room_rule_is_caught(monkeypatch):
    """Without room rows, b (40 m²) opens its one-stop (50 m²) without building for it."""
    monkeypatch.setattr(C, "add_row", _without_rows("room|"))
    with pytest.raises(PlanCheckError, match=r"room, community b, year 2: 40 m² for facilities needing 50 m²"):
        optimize.solve(tiny(TARGETS), marginal_costs=False)


def test_a_dropped_requirement_in_max_attainment_is_held_to_the_solvers_own_shortfall(monkeypatch):
    monkeypatch.setattr(C, "define_city_staff", _nothing)
    with pytest.raises(PlanCheckError, match=r"city-workers \(city_staff\), year \d: planned [\d.]+ < required \d"):
        optimize.solve(tiny(TARGETS, budget="\n[budget]\ntotal = 1e7\n"), mode="max-attainment")


def test_the_command_line_exits_3_with_the_details_in_its_log(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(C, "define_conditions", _half_space_conditions)
    assert main(["plan", "tutorial", "--out", str(tmp_path / "out"), "--quiet"]) == 3
    assert "internal error (a bug in commplan, not in your input)" in capsys.readouterr().err
    log = (tmp_path / "out" / "commplan-error.log").read_text()  # the run folder's own log
    assert "PlanCheckError" in log and "requirement space-200 (share), year" in log
    assert not (tmp_path / "out" / "plan.csv").exists()


# ---------------------------------------------------------------- each figure is compared


def _doctored(solved, change):
    res = copy.deepcopy(solved)
    change(res)
    return plan_problems(res)


@pytest.mark.parametrize(
    ("what", "change", "words"),
    [
        ("a cost line", lambda r: r.costs.__setitem__((1, 3), r.costs[1, 3] + 5.0), "cost of pay in year 2"),
        ("the stocks", lambda r: r.plan.staff["worker"].__setitem__((0, 1), 9.0), "stock staff worker, community a"),
        ("a planned level", lambda r: setattr(r.requirements[0], "planned", 0.0), "requirement space-200 (share)"),
        ("a project", lambda r: r.projects.__setitem__(r.projects > 0, 0.0), "added without a space project"),
        ("the budget", lambda r: setattr(r, "budget", 1.0), "total budget: the plan spends"),
    ],
)
def test_each_claimed_figure_is_compared_with_the_decisions(solved, what, change, words):
    problems = _doctored(solved, change)
    assert any(words in p for p in problems), problems


def test_the_solvers_objective_must_be_the_discounted_cost(solved):
    assert plan_problems(solved, objective=solved.total_cost) == []
    undiscounted = solved.total_cost_undiscounted
    assert undiscounted > solved.total_cost + 1.0
    problems = plan_problems(solved, objective=undiscounted)
    assert problems and "the solver's objective" in problems[0]


def test_unproven_plans_are_not_checked(solved):
    res = copy.deepcopy(solved)
    res.costs = np.zeros_like(res.costs)
    with pytest.raises(PlanCheckError):
        check_plan(res)
    res.status = "time_limit"
    check_plan(res)  # a time-limited plan claims no optimum: it is reported as such
