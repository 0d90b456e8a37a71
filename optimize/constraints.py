"""Constraints: one function per physical rule and one per target kind.

Every row is named after what a planner wrote, ``<target>|<kind>|y<year>`` for a
requirement (e.g. ``space-200|share|y2``) and ``<target>|y<year>|<community>|<atom>`` for
the condition a community is held to, so that duals, shortfalls and infeasibility
reports map straight back to the scenario file. Target conditions are built from the
condition's :class:`~scenarios.targets.Atom` list (``stock >= atom.bound(H)``), never from
the raw keys, so the simulation (which evaluates the same atoms) agrees with the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pulp import LpAffineExpression, LpConstraint, LpVariable
from pulp import constants as const

from optimize.check import places_per_post
from optimize.variables import Lin, batch, stock
from scenarios.targets import TOLERANCE, Requirement

if TYPE_CHECKING:
    from optimize.program import Program

GE, LE = const.LpConstraintGE, const.LpConstraintLE


@dataclass
class BudgetRow:
    """A budget row ``cost − slack <= limit`` and its slack (fixed at 0 while the budget holds)."""

    row: LpConstraint
    slack: LpVariable
    limit: float | None  # None: no such budget (the row is kept for the frontier to move)
    constant: float  # the cost's constant part, moved to the right-hand side


def add_row(
    prog: Program, pairs: list[tuple[LpVariable, float]], constant: float, sense: int, rhs: float, name: str
) -> LpConstraint:
    """Add ``Σ coef·var + constant (sense) rhs`` under ``name`` (kept verbatim, unlike PuLP's own naming)."""
    e = LpAffineExpression.from_list(pairs, constant=constant - rhs)
    e.sense = sense
    c = prog.prob.addConstraint(e)
    c.name = name
    return c


# --------------------------------------------------------------------------------------
# physical rules


def define_space_projects(prog: Program) -> None:
    """``x[i,t] <= max_m2[i]·y[i,t]``: space is only added in a project, which has a fixed cost."""
    d = prog.data
    if d.n == 0:
        return
    for i in range(d.n):
        m = float(d.max_m2[i])
        if m <= 0:
            continue
        for t in d.T:
            add_row(
                prog, [(prog.x[i][t - 1], 1.0), (prog.y[i][t - 1], -m)], 0.0, LE, 0.0, f"space-project|{d.ids[i]}|y{t}"
            )


def define_open_once(prog: Program) -> None:
    """``has0[i,u] + Σ_t b[i,u,t] <= 1``: a community has a facility of a kind or not.

    Where it already has one the ``b`` are fixed at 0 (see the variables); with one plan
    year the binary bound is the whole rule.
    """
    d = prog.data
    if not d.facilities or d.years < 2:
        return
    for u in d.facilities:
        for i in range(d.n):
            if d.has0[u][i] >= 1:
                continue
            add_row(prog, [(v, 1.0) for v in prog.b[u][i]], 0.0, LE, 1.0, f"open-once|{u}|{d.ids[i]}")


def define_room(prog: Program) -> None:
    """Facilities need room: ``space[i,t] >= Σ_u need_m2[u]·has[i,u,t]``.

    Left out where the community already has room for every facility kind at once.
    """
    d = prog.data
    need = {u: d.need_m2[u] for u in d.facilities if d.need_m2[u] > 0}
    if not need:
        return
    all_kinds = sum(need.values())
    for i in range(d.n):
        if d.space0[i] >= all_kinds:
            continue
        for t in d.T:
            pairs, c = list(prog.space[i][t - 1][0]), prog.space[i][t - 1][1]
            for u, m in need.items():
                hp, hc = prog.has[u][i][t - 1]
                pairs += [(v, -m * k) for v, k in hp]
                c -= m * hc
            add_row(prog, pairs, c, GE, 0.0, f"room|{d.ids[i]}|y{t}")


# --------------------------------------------------------------------------------------
# target conditions (per community) and requirements (per year)


def _atom_label(atom) -> str:
    return atom.kind if atom.item is None else f"{atom.kind}:{atom.item}"


def define_conditions(prog: Program) -> None:
    """``z[target,i,t] = 1`` forces every atom of the target's condition.

    Each atom reads ``stock >= β`` with ``β = atom.bound(H[i,t])``; with ``z`` it becomes
    ``stock >= β·z``. Stocks are never negative, so ``β`` itself is the big-M: derived
    from the data, as tight as it can be, never an arbitrary 1e6. A standard's condition
    is the atoms of its parts (the loader merges them), so it needs nothing else.
    Rows whose atom the community meets from the start, and can never lose, are left out.
    """
    d = prog.data
    for (name, t), zs in prog.z.items():
        cond = prog.scenario.target(name).condition
        assert cond is not None  # z exists only for targets with a per-community condition
        for atom in cond.atoms:
            beta = atom.bound(d.H[:, t])
            if (
                atom.kind == "staff"
                and atom.item is not None
                and d.attr[atom.item] == 0
                and np.all(d.staff0[atom.item] == np.round(d.staff0[atom.item]))
            ):
                # whole staff: "staff >= 4.6" is "staff >= 5" (a tighter, equivalent row)
                beta = np.ceil(beta - TOLERANCE)
            done = d.stock0_meets_forever(atom, t)
            label = _atom_label(atom)
            if atom.of_staff:
                _relative_rows(prog, name, t, atom, zs, label)
                continue
            for i, z in zs.items():
                if done[i] or beta[i] <= 0:
                    continue
                pairs, c = stock(prog, atom.kind, atom.item, i, t)
                add_row(prog, [*pairs, (z, -float(beta[i]))], c, GE, 0.0, f"{name}|y{t}|{d.ids[i]}|{label}")
                if atom.kind == "space":
                    # space short of the bound today needs a project by year t: a valid
                    # cut that lets the LP relaxation see the fixed project cost
                    add_row(
                        prog,
                        [*((prog.y[i][k], 1.0) for k in range(t)), (z, -1.0)],
                        0.0,
                        GE,
                        0.0,
                        f"{name}|y{t}|{d.ids[i]}|project",
                    )


def _relative_rows(prog: Program, name: str, t: int, atom, zs: dict[int, LpVariable], label: str) -> None:
    """A relative atom (trained ≥ p × staff): ``stock − p·staff[s] >= −M·(1 − z)``, ``M = p·U[i]``.

    Its bound is 0, so ``β·z`` cannot switch it off: the big-M is ``p`` times the most
    staff of the kind the community can hold (:meth:`ProgramData.staff_most`, held by
    :func:`define_training`), derived from the data.
    """
    d = prog.data
    assert atom.item is not None  # a relative atom names its staff kind
    most = d.staff_cap(atom.item)
    for i, z in zs.items():
        pairs, c = stock(prog, atom.kind, atom.item, i, t)
        sp, sc = prog.staff[atom.item][i][t - 1]
        big_m = float(atom.of_staff * most[i])
        row = [*pairs, *((v, -atom.of_staff * k) for v, k in sp), (z, -big_m)]
        add_row(
            prog,
            row,
            c - atom.of_staff * sc + big_m,
            GE,
            float(atom.bound(d.H[i, t])),
            f"{name}|y{t}|{d.ids[i]}|{label}",
        )


def define_training(prog: Program) -> None:
    """Training places: ``g[i,s,t] <= staff[i,s,t]`` (no more trained than in post at the year's end).

    A trained atom asking ``q > 1`` places a post (a file's ``trained_at_least`` is at most
    1; a ``--confidence`` plan asks more, for the replacements of those who leave after
    their training: ``commplan/confidence.py``) raises this to ``g <= q·staff + 1``, its
    places rounded up.
    Kinds a relative (trained) atom reads are also held to ``staff[i,s,t] <= U[i]``
    (:meth:`ProgramData.staff_cap`), which makes that atom's big-M valid; a least-cost plan
    never needs more.
    """
    d = prog.data
    relative = {
        a.item for tg in prog.scenario.targets if tg.condition is not None for a in tg.condition.atoms if a.of_staff
    }
    per_post = places_per_post(prog.scenario)
    for s, grid in prog.g.items():
        most = d.staff_cap(s) if s in relative else None
        q = per_post.get(s)
        for i in range(d.n):
            for t in d.T:
                sp, sc = prog.staff[s][i][t - 1]
                row = [(grid[i][t - 1], 1.0), *((v, -k if q is None else -q * k) for v, k in sp)]
                # q·staff places, rounded up (places are whole): at most one more
                bound = 0.0 if q is None else 1.0
                add_row(prog, row, -sc if q is None else -q * sc, LE, bound, f"train|{s}|{d.ids[i]}|y{t}")
                if most is not None and sp:
                    add_row(prog, sp, sc, LE, float(most[i]), f"staff-most|{s}|{d.ids[i]}|y{t}")


def _requirement_row(prog: Program, r: Requirement, lin: Lin) -> None:
    """``planned + shortfall >= required``, named ``target|kind|yT``."""
    pairs, c = lin
    row = add_row(prog, [*pairs, (prog.shortfall[r], 1.0)], c, GE, float(r.required), f"{r.target}|{r.kind}|y{r.year}")
    prog.req_rows[r] = row


def define_share(prog: Program) -> None:
    """``share = p[t]``: ``Σ_i z[target,i,t] >= ⌈p[t]·|I|⌉``."""
    for r in prog.scenario.requirements:
        if r.kind != "share":
            continue
        zs = prog.z[r.target, r.year]
        _requirement_row(prog, r, ([(z, 1.0) for z in zs.values()], 0.0))


def define_keys_by(prog: Program) -> None:
    """``keys_by = k``: every key community meets the condition from year k on."""
    d = prog.data
    for r in prog.scenario.requirements:
        if r.kind != "keys_by":
            continue
        zs = prog.z[r.target, r.year]
        _requirement_row(prog, r, ([(zs[i], 1.0) for i in range(d.n) if d.key[i]], 0.0))


def define_count(prog: Program) -> None:
    """``count = n[t]`` (with ``has = u``): ``Σ_i b[i,u,t] >= n[t]`` facilities opened in year t."""
    d = prog.data
    for r in prog.scenario.requirements:
        if r.kind != "count":
            continue
        u = prog.scenario.target(r.target).has
        assert u is not None  # a count target names its facility kind
        _requirement_row(prog, r, ([(prog.b[u][i][r.year - 1], 1.0) for i in range(d.n)], 0.0))


def define_city_staff(prog: Program) -> None:
    """``city_staff = s, at_least = n[t]``: ``Σ_i staff[i,s,t] >= n[t]``."""
    d = prog.data
    for r in prog.scenario.requirements:
        if r.kind != "city_staff":
            continue
        s = prog.scenario.target(r.target).city_staff
        assert s is not None  # a city_staff target names its staff kind
        pairs: list[tuple[LpVariable, float]] = []
        c = 0.0
        for i in range(d.n):
            p, k = prog.staff[s][i][r.year - 1]
            pairs += p
            c += k
        _requirement_row(prog, r, (pairs, c))


def define_city_average(prog: Program) -> None:
    """``city_average = s, at_least = n[t]``: ``Σ_{i covered} staff[i,s,t] / m >= n[t]``, m covered.

    Divided by m so that the row's level, its shortfall and its dual read as the average the
    target states (per community), as the simulation's check reads it. Outcome averages never
    get here: :meth:`Scenario.planning` leaves them to the simulation.
    """
    d = prog.data
    for r in prog.scenario.requirements:
        if r.kind != "city_average":
            continue
        tg = prog.scenario.target(r.target)
        s, covers = tg.city_average, tg.covers
        assert s is not None and covers is not None and s in d.staff  # a planned average is of a staff kind
        m = max(1, sum(covers))
        pairs: list[tuple[LpVariable, float]] = []
        c = 0.0
        for i in range(d.n):
            if not covers[i]:
                continue
            p, k = prog.staff[s][i][r.year - 1]
            pairs += [(v, w / m) for v, w in p]
            c += k / m
        _requirement_row(prog, r, (pairs, c))


# --------------------------------------------------------------------------------------
# cost and budget


def define_cost(prog: Program) -> dict[int, dict[str, Lin]]:
    """``cost[t]`` by line as affine expressions (pairs and constant), per the formulation.

    space: ``c_m2·x + c_proj·y + o_m2·(space − space0)``; facilities: ``c_u·b + o_u·(has − has0)``;
    hires: ``c_hire·h``; pay: ``pay[s,t]·staff − pay[s,0]·staff0`` (its constant part, the pay
    policy on today's staff, is a cost the plan cannot avoid).
    """
    d = prog.data
    cost: dict[int, dict[str, Lin]] = {}
    for t in d.T:
        space: list[tuple[LpVariable, float]] = []
        fac: list[tuple[LpVariable, float]] = []
        hires: list[tuple[LpVariable, float]] = []
        pay: list[tuple[LpVariable, float]] = []
        pay_c = 0.0
        for i in range(d.n):
            xs = prog.x[i]
            space.append((xs[t - 1], d.c_m2))
            if d.c_proj:
                space.append((prog.y[i][t - 1], d.c_proj))
            if d.o_m2:
                space += [(xs[k], d.o_m2) for k in range(t)]
            for u in d.facilities:
                if d.has0[u][i] >= 1:
                    continue
                bs = prog.b[u][i]
                fac.append((bs[t - 1], d.c_u[u]))
                if d.o_u[u]:
                    fac += [(bs[k], d.o_u[u]) for k in range(t)]
            for s in d.staff:
                if d.c_hire[s]:
                    hires.append((prog.h[s][i][t - 1], d.c_hire[s]))
                p, c = prog.staff[s][i][t - 1]
                w = float(d.pay[s][t])
                pay += [(v, w * k) for v, k in p]
                pay_c += w * c - float(d.pay[s][0]) * float(d.staff0[s][i])
        cost[t] = {"space": (space, 0.0), "facilities": (fac, 0.0), "hires": (hires, 0.0), "pay": (pay, pay_c)}
        if "funds" in d.lines:
            cost[t]["funds"] = ([(prog.f[i][t - 1], 1.0) for i in range(d.n)], 0.0)
        if "training" in d.lines:
            cost[t]["training"] = (
                [(g[i][t - 1], d.c_train[s]) for s, g in prog.g.items() if d.c_train[s] for i in range(d.n)],
                0.0,
            )
    return cost


def define_paid_by_others(prog: Program) -> dict[int, dict[str, dict[str, Lin]]]:
    """``[staff.<kind>] funded_by``: ``{t: {payer: {"hires": …, "pay": …}}}``, the parts of the
    hires and pay lines that the payer, not the city, pays (the same terms as :func:`define_cost`)."""
    d = prog.data
    out: dict[int, dict[str, dict[str, Lin]]] = {}
    for t in d.T:
        year: dict[str, dict[str, Lin]] = {}
        for s, payer in d.funded_by.items():
            if payer is None:
                continue
            part = year.setdefault(payer, {"hires": ([], 0.0), "pay": ([], 0.0)})
            w = float(d.pay[s][t])
            hp, hc = part["hires"]
            pp, pc = part["pay"]
            for i in range(d.n):
                if d.c_hire[s]:
                    hp.append((prog.h[s][i][t - 1], d.c_hire[s]))
                p, c = prog.staff[s][i][t - 1]
                pp += [(v, w * k) for v, k in p]
                pc += w * c - float(d.pay[s][0]) * float(d.staff0[s][i])
            part["pay"] = (pp, pc)
        out[t] = year
    return out


def define_cofunding(prog: Program) -> None:
    """``q[k,t] <= share_k · (Σ_{lines of k} cost[t,line] − what staff payers pay of them)``;
    ``q[k,t] <= at_most_k[t]`` is its variable's bound (:func:`~optimize.variables.define_cofunding_variables`)."""
    d = prog.data
    for k, f in enumerate(prog.scenario.funding):
        for t in d.T:
            pairs: list[tuple[LpVariable, float]] = []
            c = 0.0
            for line in f.lines:
                if line not in prog.cost[t]:
                    continue
                p, k0 = prog.cost[t][line]
                pairs += [(v, -f.share * w) for v, w in p]
                c -= f.share * k0
                for part in prog.others[t].values():
                    if line in part:
                        p, k0 = part[line]
                        pairs += [(v, f.share * w) for v, w in p]
                        c += f.share * k0
            add_row(prog, [(prog.q[k, t], 1.0), *pairs], c, LE, 0.0, f"cofunding|{k}|y{t}")


def city_cost_of_year(prog: Program, t: int) -> Lin:
    """The city's own cost in year t: ``cost[t]`` less staff paid by others and the co-funders' ``q``."""
    pairs, c = cost_of_year(prog, t)
    if not prog.others.get(t) and not prog.q:
        return pairs, c
    pairs = list(pairs)
    for part in prog.others[t].values():
        for p, k in part.values():
            pairs += [(v, -w) for v, w in p]
            c -= k
    pairs += [(q, -1.0) for (_, year), q in prog.q.items() if year == t]
    return pairs, c


def cost_of_year(prog: Program, t: int) -> Lin:
    pairs: list[tuple[LpVariable, float]] = []
    c = 0.0
    for p, k in prog.cost[t].values():
        pairs += p
        c += k
    return pairs, c


def define_budget(prog: Program, total_row: bool = False) -> dict[str, BudgetRow]:
    """``cost[t] <= B[t]`` and ``Σ_t cost[t] <= B_total`` where given, on the city's own cost.

    Each row has a slack variable (``budget-slack|...``) that is fixed at 0 while the
    budget holds and freed to drop the budget (the "smallest budget" re-solve), so one
    built model serves every mode. ``total_row`` adds the total row even when the
    scenario gives no total (the frontier changes its right-hand side per budget).
    """
    d = prog.data
    b = prog.scenario.budget
    rows: dict[str, tuple[Lin, float | None]] = {}
    if b.per_year is not None:
        for t in d.T:
            rows[f"y{t}"] = (city_cost_of_year(prog, t), b.per_year[t - 1])
    if b.total is not None or total_row:
        pairs: list[tuple[LpVariable, float]] = []
        c = 0.0
        for t in d.T:
            p, k = city_cost_of_year(prog, t)
            pairs += p
            c += k
        rows["total"] = ((pairs, c), b.total)
    if not rows:
        return {}
    budget_rows: dict[str, BudgetRow] = {}
    slacks = batch(prog, [f"budget-slack|{k}" for k in rows], 0.0, 0.0, "Continuous")
    for (key, ((pairs, c), limit)), slack in zip(rows.items(), slacks, strict=True):
        if limit is None:
            slack.upBound = None
        row = add_row(prog, [*pairs, (slack, -1.0)], c, LE, float(limit or 0.0), f"budget|{key}")
        budget_rows[key] = BudgetRow(row, slack, limit, c)
    return budget_rows


# --------------------------------------------------------------------------------------
# what the city can absorb in a year ([capacity], [budget] max_share_per_year)


@dataclass
class LimitRow:
    """A yearly limit ``used − excess <= limit`` and its excess variable (fixed at 0 while it holds).

    ``what`` names it in the planner's words ("projects", "community_worker hires", …);
    ``unit`` is what ``excess`` counts; ``weight`` scales excess to a comparable size
    when the infeasibility explanation asks which limits must give way, and by how much.
    """

    row: LpConstraint
    excess: LpVariable
    what: str
    year: int
    limit: float
    unit: str
    weight: float


def _limit_rows(prog: Program, items: list[tuple[str, int, list[tuple[LpVariable, float]], float, float, str, float]]):
    """Add one row and one excess variable per item ``(key, year, pairs, constant, limit, unit, weight)``."""
    if not items:
        return {}
    excess = batch(prog, [f"excess|{key}|y{t}" for key, t, *_ in items], 0.0, 0.0, "Continuous")
    out: dict[tuple[str, int], LimitRow] = {}
    for (key, t, pairs, c, limit, unit, weight), e in zip(items, excess, strict=True):
        row = add_row(prog, [*pairs, (e, -1.0)], c, LE, float(limit), f"capacity|{key}|y{t}")
        out[key, t] = LimitRow(row, e, key, t, float(limit), unit, weight)
    return out


def define_capacity(prog: Program) -> dict[tuple[str, int], LimitRow]:
    """``[capacity]``: projects, hires by kind and space added city-wide, and hires per community, per year.

    projects: ``Σ_i y[i,t] + Σ_i Σ_u b[i,u,t] <= P[t]``; hires of kind s:
    ``Σ_i h[i,s,t] <= Hs``; space: ``Σ_i x[i,t] <= S[t]``; one community:
    ``Σ_s h[i,s,t] − e[t] <= Hc`` for every i, with one excess ``e[t]`` per year shared by
    the communities (the explanation reads it as "the most any community must exceed").
    """
    d, cap = prog.data, prog.scenario.capacity
    items: list = []
    for t in d.T:
        k = t - 1
        if cap.projects_per_year is not None:
            pairs = [(prog.y[i][k], 1.0) for i in range(d.n)]
            pairs += [(prog.b[u][i][k], 1.0) for u in d.facilities for i in range(d.n) if d.has0[u][i] < 1]
            projects = float(cap.projects_per_year[k])
            items.append(("projects", t, pairs, 0.0, projects, "project", 1.0 / max(1.0, projects)))
        for s, hires in cap.hires_per_year.items():
            pairs = [(prog.h[s][i][k], 1.0) for i in range(d.n)]
            items.append((f"hires:{s}", t, pairs, 0.0, float(hires), "hire", 1.0 / max(1.0, hires)))
        if cap.space_m2_per_year is not None:
            m2 = float(cap.space_m2_per_year[k])
            items.append(("space", t, [(prog.x[i][k], 1.0) for i in range(d.n)], 0.0, m2, "m²", 1.0 / max(1.0, m2)))
    rows = _limit_rows(prog, items)
    if cap.hires_per_community_per_year is not None and d.staff:
        limit = float(cap.hires_per_community_per_year)
        excess = batch(prog, [f"excess|community-hires|y{t}" for t in d.T], 0.0, 0.0, "Continuous")
        for t, e in zip(d.T, excess, strict=True):
            first = None
            for i in range(d.n):
                pairs = [(prog.h[s][i][t - 1], 1.0) for s in d.staff]
                row = add_row(prog, [*pairs, (e, -1.0)], 0.0, LE, limit, f"capacity|community-hires|y{t}|{d.ids[i]}")
                first = first or row
            if first is not None:
                rows["community-hires", t] = LimitRow(
                    first, e, "community-hires", t, limit, "hire", 1.0 / max(1.0, limit)
                )
    return rows


def define_max_share(prog: Program) -> dict[tuple[str, int], LimitRow]:
    """``[budget] max_share_per_year = m``: ``cost[t] <= m·Σ_τ cost[τ]`` for every plan year (cash, undiscounted).

    The excess is in money; the explanation weighs one average wage of it like one project.
    """
    d = prog.data
    m = prog.scenario.budget.max_share_per_year
    if m is None:
        return {}
    total_pairs: list[tuple[LpVariable, float]] = []
    total_c = 0.0
    for t in d.T:
        p, c = cost_of_year(prog, t)
        total_pairs += [(v, -m * k) for v, k in p]
        total_c -= m * c
    items = []
    weight = 1.0 / max(1.0, prog.scenario.costs.average_wage)
    for t in d.T:
        p, c = cost_of_year(prog, t)
        items.append(("spending", t, [*p, *total_pairs], c + total_c, 0.0, "yuan", weight))
    return _limit_rows(prog, items)


#: A city-wide staff target is spread in proportion to households, with this much room.
SPREAD = 1.25


def spread_bounds(prog: Program) -> dict[str, np.ndarray]:
    """The most staff of each kind any community may hold under a city-wide target (see define_spread).

    ``U[i] = max(staff0[i], ⌈SPREAD·n·H[i]/ΣH⌉, the most one of its own targets asks)`` with
    ``n`` the largest city-wide requirement of the kind and ``H`` households in the last
    plan year. ``Σ_i U[i] >= SPREAD·n``, so the city-wide target alone can always be met.
    """
    d = prog.data
    most: dict[str, float] = {}
    for tg in prog.scenario.targets:
        if tg.city_staff is not None and tg.at_least is not None and max(tg.at_least) > 0:
            most[tg.city_staff] = max(most.get(tg.city_staff, 0.0), max(tg.at_least))
    H = d.H[:, d.years]
    share = H / H.sum() if H.sum() > 0 else np.full(d.n, 1.0 / max(1, d.n))
    out: dict[str, np.ndarray] = {}
    for s, n in most.items():
        bound = np.maximum(d.staff0[s], np.ceil(SPREAD * n * share - TOLERANCE))
        for tg in prog.scenario.targets:
            for atom in tg.condition.atoms if tg.condition is not None else ():
                if atom.kind == "staff" and atom.item == s:
                    bound = np.maximum(bound, np.ceil(atom.bound(d.H[:, 1:]).max(axis=1) - TOLERANCE))
        out[s] = bound
    return out


def define_spread(prog: Program) -> None:
    """City-wide staff targets are spread over the city: ``staff[i,s,t] <= U[i]`` (see spread_bounds).

    Pay is the same in every community, so the least-cost program is indifferent to where
    a city-wide target's staff work and would put them anywhere, all in one community if
    the solver likes. A community holds at most 1.25 times its share of the city's
    households in the target (or what it has today, or what its own targets ask), which
    costs nothing and leaves the solver a quarter's room. Without attrition the stock
    only grows, so the last year's row is enough.
    """
    d = prog.data
    for s, U in spread_bounds(prog).items():
        years = [d.years] if d.attr[s] == 0 else list(d.T)
        for i in range(d.n):
            for t in years:
                pairs, c = prog.staff[s][i][t - 1]
                if not pairs:
                    continue
                add_row(prog, pairs, c, LE, float(U[i]), f"spread|{s}|{d.ids[i]}|y{t}")
