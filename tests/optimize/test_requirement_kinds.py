"""Every requirement kind binds: the plan meets it, and costs more than without it.

Each test would fail if that kind's constraint were dropped from the program (the plan
would then be the cheaper one that does not meet it).
"""

from __future__ import annotations

import numpy as np
import pytest

import optimize
from scenarios.plan import planned_levels

from .conftest import tiny

CASES = {
    "share": ('name = "space-200"\nspace_at_least = 200\nshare = [0.5, 1.0]', "space-200"),
    "keys_by": ('name = "one-stop"\nhas = "one_stop"\nkeys_by = 1', "one-stop"),
    "count": ('name = "open-one-stop"\nhas = "one_stop"\ncount = [1, 1]', "open-one-stop"),
    "city_staff": ('name = "city-workers"\ncity_staff = "worker"\nat_least = [6, 8]', "city-workers"),
    "space_per_100_households": (
        'name = "space-per-hh"\nspace_per_100_households = 20\nshare = [0.3, 0.6]',
        "space-per-hh",
    ),
    "staff_ratio": (
        'name = "workers-per-300"\nstaff_per_households = { worker = 300 }\nshare = [0.6, 1.0]',
        "workers-per-300",
    ),
}


def _targets(*bodies: str) -> str:
    return "".join(f"\n[[targets]]\n{b}\n" for b in bodies)


@pytest.mark.parametrize("kind", list(CASES))
def test_requirement_kind_is_met_and_costs_more_than_without(kind):
    body, name = CASES[kind]
    without = optimize.solve(tiny(""), marginal_costs=False)
    s = tiny(_targets(body))
    with_it = optimize.solve(s, marginal_costs=False)
    assert with_it.status == "optimal" and without.status == "optimal"
    levels = planned_levels(with_it.data, with_it.plan)
    reqs = [r for r in s.requirements if r.target == name]
    assert reqs
    for r in reqs:
        assert levels[r] >= r.required - 1e-9, r.label
    assert with_it.total_cost > without.total_cost + 1.0


def test_standard_holds_its_parts_together_in_the_same_communities():
    """Parts met in different communities cost nothing (c has the space, b the staff); the
    standard needs both in one community, and costs more."""
    parts = _targets(
        'name = "space-200"\nspace_at_least = 200\nshare = [0.3, 0.3]',
        'name = "two-workers"\nstaff_at_least = { worker = 2 }\nshare = [0.3, 0.3]',
    )
    std = _targets('name = "std"\nstandard = ["space-200", "two-workers"]\nshare = [0.0, 0.3]')
    base = optimize.solve(tiny(parts), marginal_costs=False)
    s = tiny(parts + std)
    res = optimize.solve(s, marginal_costs=False)
    assert res.total_cost > base.total_cost + 1.0
    header, rows = res.plan_rows()
    col = header.index("meets_std")
    year = header.index("year")
    assert sum(r[col] for r in rows if r[year] == 2) >= 1
    # and the standard's meets column agrees with its parts, row by row
    a, b = header.index("meets_space-200"), header.index("meets_two-workers")
    assert all(r[col] == (r[a] and r[b]) for r in rows)


def test_facilities_need_room():
    """Opening a one-stop (50 m²) in community b (40 m²) forces space to be added there."""
    s = tiny(_targets('name = "one-stop"\nhas = "one_stop"\nshare = [1.0, 1.0]'))
    res = optimize.solve(s, marginal_costs=False)
    b = res.plan.ids.index("b")
    assert res.plan.has["one_stop"][b, 0] == 1
    assert res.plan.space[b, 0] >= 50 - 1e-6


def test_space_bound_is_derived_from_the_data_not_a_big_constant():
    from optimize.program import Program

    s = tiny(_targets('name = "space-200"\nspace_at_least = 200\nshare = [0.5, 1.0]'))
    prog = Program(s)
    # most useful space: 200 m² (target) less what each community has (a 120, b 40, c 210)
    assert np.allclose(prog.data.max_m2, [80.0, 160.0, 0.0])
    for row in prog.prob.constraints():
        assert max(abs(c) for c in row.values()) < 1e6


def test_max_space_added_caps_space_per_year():
    text = tiny(_targets('name = "space-200"\nspace_at_least = 200\nshare = [0.0, 1.0]'))
    res = optimize.solve(text, marginal_costs=False)
    assert res.plan.space_added.max() > 60
    from dataclasses import replace

    capped = replace(text, communities=tuple(replace(c, max_space_added_m2=90.0) for c in text.communities))
    res2 = optimize.solve(capped, marginal_costs=False)
    assert res2.plan.space_added.max() <= 90 + 1e-6
    assert (res2.plan.space[:, 1] >= 200 - 1e-6).all()
