"""An infeasible plan blames the right thing: the budget only when it is the reason."""

from __future__ import annotations

import textwrap

import pytest

import optimize
from optimize.data import ProgramData as PlanData
from optimize.infeasibility import rooms_too_small
from scenarios.loader import loads

CRAMPED = textwrap.dedent(
    """\
    [scenario]
    name = "cramped"
    years = {years}
    seed = 1

    [costs]
    average_wage = 50000
    space_build_per_m2 = 2500
    space_running_per_m2 = 50
    space_project_fixed = 20000

    [facilities.one_stop]
    build = 60000
    running = 8000
    space_m2 = 50

    [staff.community_worker]
    hire = 1500
    base_pay_share = 0.6
    {budget}
    [[communities]]
    id = "east"
    households = 1200
    space_m2 = 20
    {cap}
    facilities = ["one_stop"]
    staff = {{ community_worker = 2 }}

    [[communities]]
    id = "west"
    households = 800
    space_m2 = 320
    staff = {{ community_worker = 3 }}

    [[targets]]
    name = "one-stop"
    has = "one_stop"
    share = 0.5
    """
)


def cramped(years: int = 2, budget: str = "", cap: str = "max_space_added_m2 = 10"):
    return loads(CRAMPED.format(years=years, budget=budget, cap=cap))


def test_facilities_held_without_room_are_explained_not_blamed_on_the_budget():
    res = optimize.solve(cramped())
    assert res.status == "infeasible"
    info, text = res.infeasibility, res.explanation
    assert info["budget_is_reason"] is False
    assert info["reason"] == "no_room_for_facilities_held"
    assert [item["community"] for item in info["no_room"]] == ["east"]
    assert "budget" not in text and "costs 0" not in text
    assert (
        "community east holds facilities that need 50 m² (one_stop 50 m²) but has 20 m² and can add at most 10 m² a year"
        in text
    )
    assert "can never have room" in text
    assert "max_space_added_m2 to at least 30" in text


def test_with_a_budget_the_room_is_still_the_reason():
    res = optimize.solve(cramped(years=4, budget="[budget]\ntotal = 100000000\n"))
    assert res.status == "infeasible"
    assert res.infeasibility["budget_is_reason"] is False
    assert "only in year 3" in res.explanation and "community east" in res.explanation
    assert "fits the budget" not in res.explanation


def test_room_check_matches_the_data():
    items = rooms_too_small(PlanData.from_scenario(cramped()))
    assert items == [
        {
            "community": "east",
            "facilities": {"one_stop": 50.0},
            "need_m2": 50.0,
            "space_m2": 20.0,
            "max_space_added_m2": 10.0,
            "first_year_with_room": 3,
        }
    ]
    assert rooms_too_small(PlanData.from_scenario(cramped(cap="max_space_added_m2 = 30"))) == []
    assert rooms_too_small(PlanData.from_scenario(cramped(cap=""))) == []
    assert (
        rooms_too_small(PlanData.from_scenario(cramped(cap="max_space_added_m2 = 0")))[0]["first_year_with_room"]
        is None
    )


def test_without_a_cap_the_room_is_bought_and_feasible():
    res = optimize.solve(cramped(cap=""), marginal_costs=False)
    assert res.feasible
    assert res.plan.space[0, 0] >= 50 - 1e-6


def test_a_budget_too_small_for_the_room_the_plan_must_build_is_blamed_with_the_least_spending():
    # no cap: east must build 30 m² in year 1 to keep its one-stop, which the budget cannot pay for
    res = optimize.solve(cramped(cap="", budget="[budget]\ntotal = 1000\n"), mode="max-attainment")
    assert res.status == "infeasible"
    info = res.infeasibility
    assert info["budget_is_reason"] is True and info["reason"] == "budget_below_unavoidable"
    least = info["least_cost_by_year"]
    assert least[0] >= 30 * 2500 + 20000  # the room: 30 m² and one project
    assert f"{sum(least):,.0f}" in res.explanation and "fits the budget" in res.explanation


@pytest.mark.parametrize("mode", ["min-cost", "max-attainment"])
def test_no_budget_never_blames_the_budget(mode):
    res = optimize.solve(cramped(cap="max_space_added_m2 = 0"), mode=mode)
    assert res.status == "infeasible"
    assert res.infeasibility["budget_is_reason"] is False
    assert "can add no space, so it can never have room" in res.explanation


# -- a long plan's diagnosis: one line per shortfall, bounded time ------------------------

LONG = CRAMPED.replace(
    "share = 0.5\n", 'share = 0.5\n\n[[targets]]\nname = "centres"\nhas = "one_stop"\ncount = {count}\n'
)


def long_plan(years: int = 8):
    """Two communities cannot open a one-stop centre in every one of 8 years: short from year 2 on."""
    return loads(LONG.format(years=years, budget="", cap="", count=[1] * years))


def test_years_and_amounts_are_said_once():
    from optimize.infeasibility import amounts_by_year, years_text

    assert years_text([3]) == "year 3"
    assert years_text([1, 2, 3, 5, 7, 8]) == "years 1–3, 5 and 7–8"
    assert years_text([2, 1]) == "years 1–2"
    assert amounts_by_year([744000.0, 744000.2, 9000.0]) == "744,000 in years 1–2, 9,000 in year 3"


def test_a_long_plans_shortfalls_read_one_line_per_target_not_one_per_year():
    res = optimize.solve(long_plan())
    assert res.status == "infeasible"
    short = res.infeasibility["short"]
    years = sorted(it["year"] for it in short if it["target"] == "centres")
    assert years == list(range(2, 9))  # west opens one in year 1, then nobody can
    centres = [line for line in res.explanation.splitlines() if line.startswith("  - centres")]
    assert len(centres) == 1 and "years 2–8" in centres[0], res.explanation
    # "at best" is asked once per target and kind: its worst year stands for the rest
    assert sum(it["shortfall_at_best"] is not None for it in short if it["target"] == "centres") == 1


def test_at_best_figures_stop_when_their_time_is_spent(monkeypatch):
    import optimize.infeasibility as inf

    monkeypatch.setattr(inf, "AT_BEST_SECONDS", 0.0)
    res = optimize.solve(long_plan())
    assert res.status == "infeasible" and res.infeasibility["short"]
    assert all(it["shortfall_at_best"] is None for it in res.infeasibility["short"])
    assert "at best" not in res.explanation
