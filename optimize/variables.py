"""Decision variables and stock expressions: one function per decision family.

Each function defines one family over its whole index set (communities × years, and
facility or staff kinds), in the manner of PyPSA's ``define_*_variables``: it returns
early when the set is empty, and creates the variables in one batch through PuLP's
public :meth:`LpProblem.add_variable_matrix` (one call into PuLP's core per batch, with
the full names as the index and ``"%s"`` as the name pattern), so that building stays
a small share of a large solve. A bound of ``None`` is "no bound": PuLP's public API
takes finite bounds only.

Stocks are not variables: they are affine expressions of the decisions (the stock
recursion of the formulation), kept as ``(pairs, constant)`` so that constraints can
be assembled with :meth:`LpAffineExpression.from_list` without intermediate copies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pulp import LpVariable

from scenarios.targets import Requirement

if TYPE_CHECKING:
    from optimize.program import Program

Lin = tuple[list[tuple[LpVariable, float]], float]  # sum of coef * var, plus a constant
Grid = list[list[LpVariable]]  # [i][t-1]: one variable per community and plan year
Stocks = list[list[Lin]]  # [i][t-1]: one affine expression per community and plan year
Category = Literal["Continuous", "Integer", "Binary"]


def batch(prog: Program, names: list[str], lb: float, ub: float | None, cat: Category) -> list[LpVariable]:
    """Create variables named ``names``, in that order, with one category and bounds, in one call.

    ``ub=None`` is no upper bound; ``Binary`` is an integer in [0, 1] whatever the bounds.
    ``"%s"`` as the pattern makes each name exactly the index value (no ``_`` added).
    """
    return prog.prob.add_variable_matrix("%s", names, lowBound=lb, upBound=ub, cat=cat)


def _grid(prog: Program, prefix: str, lb: float, ub: float | None, cat: Category) -> Grid:
    d = prog.data
    Y = d.years
    flat = batch(prog, [f"{prefix}|{cid}|y{t}" for cid in d.ids for t in d.T], lb, ub, cat)
    return [flat[i * Y : (i + 1) * Y] for i in range(d.n)]


def define_space_variables(prog: Program) -> tuple[Grid, Grid]:
    """``x[i,t] >= 0`` m² added and ``y[i,t]`` binary: a space project happens.

    Where the derived bound ``max_m2[i]`` is 0 the community can never usefully add
    space, so both are fixed at 0 (the solver's presolve then drops them).
    """
    d = prog.data
    x = _grid(prog, "space_added", 0.0, None, "Continuous")
    y = _grid(prog, "space_project", 0.0, 1.0, "Binary")
    for i in range(d.n):
        m = float(d.max_m2[i])
        for t in range(d.years):
            x[i][t].upBound = m
            if m <= 0:
                y[i][t].upBound = 0.0
    return x, y


def define_facility_variables(prog: Program) -> dict[str, Grid]:
    """``b[i,u,t]`` binary: facility u opened in community i in year t (fixed 0 where it exists)."""
    d = prog.data
    b: dict[str, Grid] = {}
    for u in d.facilities:
        grid = _grid(prog, f"open_{u}", 0.0, 1.0, "Binary")
        for i in range(d.n):
            if d.has0[u][i] >= 1:
                for v in grid[i]:
                    v.upBound = 0.0
        b[u] = grid
    return b


def define_hire_variables(prog: Program) -> dict[str, Grid]:
    """``h[i,s,t]`` integer hires (whole people)."""
    return {s: _grid(prog, f"hire_{s}", 0.0, None, "Integer") for s in prog.data.staff}


def define_funds_variables(prog: Program) -> Grid:
    """``f[i,t] >= 0`` yuan paid into community i's working fund in year t (only where a target asks for funds)."""
    if not prog.scenario.uses_funds:
        return []
    return _grid(prog, "funds", 0.0, None, "Continuous")


def define_training_variables(prog: Program) -> dict[str, Grid]:
    """``g[i,s,t]`` integer: people of kind s trained in community i in year t (training places)."""
    return {s: _grid(prog, f"train_{s}", 0.0, None, "Integer") for s in prog.data.trained_kinds}


def define_stocks(prog: Program) -> tuple[Stocks, dict[str, Stocks], dict[str, Stocks]]:
    """Stock expressions of the formulation.

    ``space[i,t] = space0[i] + Σ_{τ≤t} x[i,τ]``; ``has[i,u,t] = has0[i,u] + Σ_{τ≤t} b[i,u,τ]``;
    ``staff[i,s,t] = (1-attr[s])·staff[i,s,t-1] + h[i,s,t]``, unrolled to
    ``(1-attr)^t·staff0 + Σ_{τ≤t} (1-attr)^(t-τ)·h[i,s,τ]``. With attrition the staff stock
    is a continuous expression even though hires are integers.
    """
    d = prog.data
    Y = d.years
    dev = d.dev  # developers' space the plan counts on
    space = [
        [([(prog.x[i][k], 1.0) for k in range(t)], float(d.space0[i] + dev[i, t - 1])) for t in range(1, Y + 1)]
        for i in range(d.n)
    ]
    has = {
        u: [
            [([(prog.b[u][i][k], 1.0) for k in range(t)], float(d.has0[u][i])) for t in range(1, Y + 1)]
            for i in range(d.n)
        ]
        for u in d.facilities
    }
    staff: dict[str, Stocks] = {}
    for s in d.staff:
        keep = 1.0 - d.attr[s]
        staff[s] = [
            [
                ([(prog.h[s][i][k], keep ** (t - 1 - k)) for k in range(t)], float(d.staff0[s][i]) * keep**t)
                for t in range(1, Y + 1)
            ]
            for i in range(d.n)
        ]
    return space, has, staff


def stock(prog: Program, kind: str, item: str | None, i: int, t: int) -> Lin:
    """The stock an :class:`~scenarios.targets.Atom` reads, for community i in plan year t."""
    if kind == "space":
        return prog.space[i][t - 1]
    if kind == "funds":
        return [(prog.f[i][t - 1], 1.0)], 0.0
    assert item is not None  # an Atom of kind has/staff always names its facility or staff kind
    if kind == "has":
        return prog.has[item][i][t - 1]
    if kind == "trained":
        return [(prog.g[item][i][t - 1], 1.0)], 0.0
    return prog.staff[item][i][t - 1]


def define_condition_variables(prog: Program) -> dict[tuple[str, int], dict[int, LpVariable]]:
    """``z[target,i,t]`` binary: community i is held to the target's condition in year t.

    One ``z`` per (target, community, year) serves every requirement on that target in
    that year (its share and its keys_by), and only where some requirement asks:
    every community in a year with a share, else only the key communities.
    """
    d = prog.data
    z: dict[tuple[str, int], dict[int, LpVariable]] = {}
    for tg in prog.scenario.targets:
        if tg.condition is None:
            continue
        for t in d.T:
            share = tg.share is not None and tg.share[t - 1] > 0
            keys = tg.keys_by is not None and t >= tg.keys_by and d.key.any()
            if not (share or keys):
                continue
            members = range(d.n) if share else [i for i in range(d.n) if d.key[i]]
            vs = batch(prog, [f"meets|{tg.name}|{d.ids[i]}|y{t}" for i in members], 0.0, 1.0, "Binary")
            z[tg.name, t] = dict(zip(members, vs, strict=True))
    return z


def define_cofunding_variables(prog: Program) -> dict[tuple[int, int], LpVariable]:
    """``q[k,t]``: what co-funder k (``[[funding]]``, in file order) pays in year t, at most its ``at_most``.

    Unbounded below: a line that falls (pay below today's bill) gives the co-funder its
    share of the saving, as :func:`scenarios.plan.cost_by_source` counts it.
    """
    d = prog.data
    q: dict[tuple[int, int], LpVariable] = {}
    for k, f in enumerate(prog.scenario.funding):
        vs = batch(prog, [f"cofunding|{k}|y{t}" for t in d.T], 0.0, None, "Continuous")
        for t, v in zip(d.T, vs, strict=True):
            v.lowBound = None
            v.upBound = None if f.at_most is None else float(f.at_most[t - 1])
            q[k, t] = v
    return q


def define_shortfall_variables(prog: Program) -> dict[Requirement, LpVariable]:
    """One shortfall variable per requirement: communities, facilities or staff short of it.

    Fixed at 0 in min-cost mode (every requirement is hard); freed up to the requirement
    in max-attainment mode and in the elastic re-solve that explains infeasibility; freed
    by one unit to measure a requirement's marginal cost.
    """
    shortfall: dict[Requirement, LpVariable] = {}
    for r in prog.scenario.requirements:
        cat: Category = "Continuous" if r.kind in ("city_staff", "city_average") else "Integer"
        shortfall[r] = batch(prog, [f"shortfall|{r.target}|{r.kind}|y{r.year}"], 0.0, 0.0, cat)[0]
    return shortfall
