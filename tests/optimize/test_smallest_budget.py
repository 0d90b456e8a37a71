"""The smallest budget an infeasible plan reports is cash, one number, and enough.

Budgets are cash (docs/planning.md), so with a discount rate the smallest total budget
must not be the discounted objective: the message and summary.json must give the same
figure, and a plan must fit within it.
"""

from __future__ import annotations

import math
import re

import pytest

import optimize
from scenarios.loader import loads

RATE = "space_project_fixed = 20000\ndiscount_rate = 0.1"


def _tutorial(text: str, total: float) -> str:
    assert text.count("total = 12000000") == 1 and text.count("space_project_fixed = 20000") == 1
    return text.replace("total = 12000000", f"total = {total:.2f}").replace("space_project_fixed = 20000", RATE)


def test_with_discounting_the_smallest_total_budget_is_the_messages_and_fits_a_plan(tutorial_text):
    res = optimize.solve(loads(_tutorial(tutorial_text, 3_000_000)))
    assert res.status == "infeasible" and res.infeasibility["budget_is_reason"] is True
    smallest = res.summary()["infeasibility"]["smallest_total_budget"]
    said = re.search(r"costs ([\d,]+) in total", res.explanation)
    assert said is not None, res.explanation
    assert said.group(1) == f"{smallest:,.0f}"
    by_year = res.infeasibility["cost_by_year_without_budget"]
    assert smallest == sum(by_year) or math.isclose(smallest, sum(by_year), abs_tol=0.02)
    enough = optimize.solve(loads(_tutorial(tutorial_text, math.ceil(smallest))), marginal_costs=False)
    assert enough.status in ("optimal", "optimal_within_gap")
    assert sum(enough.cost_by_year) <= math.ceil(smallest) + 1e-6
    short = optimize.solve(loads(_tutorial(tutorial_text, smallest - 1.0)), marginal_costs=False)
    assert short.status == "infeasible"  # and it is the smallest


@pytest.mark.xfail(
    strict=True, reason="known: with discounting, the least-discounted plan's cash is reported as the smallest budget"
)
def test_with_discounting_no_smaller_budget_than_the_reported_one_fits_a_plan():
    """The least *discounted* plan defers spending and may cost more cash than another plan:
    here two projects (22,300 cash) where one project costs 22,200, so 22,250 is enough."""
    from .conftest import TWO, tiny
    from .test_discounting import TARGETS

    res = optimize.solve(tiny(TARGETS, rate=0.5, communities=TWO, budget="\n[budget]\ntotal = 10000\n"))
    smallest = res.infeasibility["smallest_total_budget"]
    below = tiny(TARGETS, rate=0.5, communities=TWO, budget=f"\n[budget]\ntotal = {smallest - 50}\n")
    assert optimize.solve(below, marginal_costs=False).status == "infeasible"
