"""The optimiser's least cost equals a brute-force enumeration on tiny cities.

The enumeration re-states the formulation independently (it does not use the optimiser's
cost or stock code): every combination of space levels, facility openings and hires for
two communities over two years, priced with the cost formula of docs/planning.md.
"""

from __future__ import annotations

import itertools
import math

import pytest

import optimize

from .conftest import TWO, tiny

# (label, targets TOML, requirement checker over per-community stocks)
CASES = {
    "space_keys_count_ratio_city": """
[[targets]]
name = "space-100"
space_at_least = 100
share = [0.5, 1.0]

[[targets]]
name = "one-stop"
has = "one_stop"
keys_by = 1

[[targets]]
name = "one-stop-count"
has = "one_stop"
count = [0, 1]

[[targets]]
name = "workers"
staff_per_households = { worker = 500 }
share = [0.0, 1.0]

[[targets]]
name = "city-workers"
city_staff = "worker"
at_least = [4, 5]
""",
    "standard_and_per_households": """
[[targets]]
name = "space-per-hh"
space_per_100_households = 9
share = [0.5, 0.5]

[[targets]]
name = "workers"
staff_per_households = { worker = 500 }
share = [0.5, 0.5]

[[targets]]
name = "std"
standard = ["space-per-hh", "workers"]
share = [0.0, 0.5]
""",
}

H = {"a": 800, "b": 1200}
SPACE0 = {"a": 120.0, "b": 40.0}
STAFF0 = {"a": 1, "b": 2}
C_M2, O_M2, C_PROJ, C_U, O_U, NEED, C_HIRE, WAGE = 100, 10, 1000, 5000, 500, 50, 300, 10000
PAY0, PAY = 0.5 * WAGE, 0.6 * WAGE


def conditions(case: str, space: float, has: int, staff: float, h: float) -> dict[str, bool]:
    if case == "space_keys_count_ratio_city":
        return {"space-100": space >= 100, "one-stop": has == 1, "workers": staff >= h / 500}
    ok_space, ok_staff = space >= 9 * h / 100, staff >= h / 500
    return {"space-per-hh": ok_space, "workers": ok_staff, "std": ok_space and ok_staff}


def options(cid: str, case: str):
    """Every plan of one community over two years, with its yearly cost and what it meets."""
    s0 = SPACE0[cid]
    levels = sorted({s0} | {v for v in (100.0, 50.0, 9 * H[cid] / 100, max(50.0, 9 * H[cid] / 100), 150.0) if v > s0})
    for l1, l2 in itertools.product(levels, levels):
        if l2 < l1:
            continue
        for open_year in (None, 1, 2):
            for h1, h2 in itertools.product(range(4), range(4)):
                space = [l1, l2]
                added = [l1 - s0, l2 - l1]
                has = [int(open_year is not None and open_year <= t) for t in (1, 2)]
                opened = [int(open_year == t) for t in (1, 2)]
                if any(space[k] < NEED * has[k] for k in range(2)):
                    continue  # no room for the facility
                staff = [STAFF0[cid] + h1, STAFF0[cid] + h1 + h2]
                cost = []
                for k in range(2):
                    cost.append(
                        C_M2 * added[k]
                        + C_PROJ * (added[k] > 0)
                        + O_M2 * (space[k] - s0)
                        + C_U * opened[k]
                        + O_U * has[k]
                        + C_HIRE * (h1, h2)[k]
                        + PAY * staff[k]
                        - PAY0 * STAFF0[cid]
                    )
                meets = [conditions(case, space[k], has[k], staff[k], H[cid]) for k in range(2)]
                yield cost, meets, opened, staff


def brute_force(case: str) -> float:
    best = math.inf
    opts = {cid: list(options(cid, case)) for cid in ("a", "b")}
    for oa, ob in itertools.product(opts["a"], opts["b"]):
        ok = True
        for k in range(2):
            ma, mb = oa[1][k], ob[1][k]
            if case == "space_keys_count_ratio_city":
                ok &= ma["space-100"] + mb["space-100"] >= (1, 2)[k]
                ok &= ma["one-stop"]  # key community a, from year 1
                ok &= oa[2][k] + ob[2][k] >= (0, 1)[k]
                ok &= k == 0 or ma["workers"] + mb["workers"] >= 2
                ok &= oa[3][k] + ob[3][k] >= (4, 5)[k]
            else:
                ok &= ma["space-per-hh"] + mb["space-per-hh"] >= 1
                ok &= ma["workers"] + mb["workers"] >= 1
                ok &= k == 0 or ma["std"] + mb["std"] >= 1
            if not ok:
                break
        if ok:
            best = min(best, sum(oa[0]) + sum(ob[0]))
    return best


@pytest.mark.parametrize("case", list(CASES))
def test_least_cost_equals_brute_force_enumeration(case):
    s = tiny(CASES[case], years=2, communities=TWO)
    res = optimize.solve(s, gap=1e-9, marginal_costs=False)
    assert res.status == "optimal"
    expected = brute_force(case)
    assert math.isfinite(expected)
    assert res.total_cost == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_objective_equals_cost_formula_on_the_plan(tutorial):
    """The LP objective and the cost recomputed from the rounded plan agree."""
    from optimize.program import Program

    prog = Program(tutorial)
    prog.use_objective("cost")
    out = prog.run("highs", gap=1e-9)
    res = optimize.solve(tutorial, gap=1e-9, marginal_costs=False)
    assert out.objective == pytest.approx(res.total_cost, rel=1e-9)
