"""A plan that checks itself: every figure a reported plan claims is recomputed from its decisions.

Before a solve reports a plan as ``optimal`` or ``optimal_within_gap``, :func:`check_plan`
takes the plan's decisions only (space added, projects, facilities opened, hires, per
community and year) and recomputes, from the scenario and the formulation of
``docs/planning-problem.md``, the stocks, every requirement's planned level, each year's
cost by line, the discounted total and the budget use; it then compares them with what
the result and the solver claim. Any disagreement is a bug in commplan, so it raises
:class:`PlanCheckError` (the command line's exit code 3) listing every figure that
disagrees; a wrong plan is never returned.

Independence: nothing here reads the optimiser's rows, its PuLP expressions or
:class:`~optimize.data.PlanData`; stocks and costs are re-derived from the scenario's own
numbers (``scenario.costs``, ``facilities``, ``staff``, ``communities``). The one shared
piece is :meth:`Condition.holds <scenarios.targets.Condition.holds>`: it is the single
definition of what a target means, which the simulation evaluates too, so a second
definition here could only disagree with the contract, not check it. The optimiser
builds its rows from the condition's atoms, not from ``holds``, so a broken row is still
caught. The check costs a few array operations per year and target: it always runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from scenarios.plan import LINES  # only the result's column order
from scenarios.targets import Requirement, Stocks

if TYPE_CHECKING:
    from optimize.result import PlanResult
    from scenarios.schema import Scenario

#: Relative tolerance of every comparison, plus an absolute bit: solvers return integers as
#: 2.9999999 and plans are read back rounded to 1e-6 m².
REL = 1e-6
ABS = 1e-6
#: Money is compared to the cent on top of the relative part (of the gross amounts).
ABS_MONEY = 0.01
#: Statuses that claim a proven (near-)optimal plan: only these are checked.
CHECKED = ("optimal", "optimal_within_gap")
#: Problems listed in the error message; the rest are counted.
SHOWN = 20


class PlanCheckError(RuntimeError):
    """A plan's reported figures disagree with its own decisions: a bug in commplan, not the input."""

    def __init__(self, scenario: str, status: str, problems: list[str]):
        self.problems = problems
        shown = problems[:SHOWN]
        more = f"\n  … and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        super().__init__(
            f"the plan for scenario {scenario!r} (solver status {status}) fails its self-check; "
            f"{len(problems)} figure(s) disagree with the plan's own decisions:\n  " + "\n  ".join(shown) + more
        )


def check_plan(
    result: PlanResult, *, objective: float | None = None, shortfall: Mapping[Requirement, float] | None = None
) -> None:
    """Raise :class:`PlanCheckError` unless a reported plan agrees with its own decisions.

    ``objective`` is the solver's objective value (the discounted cost it minimised) and
    ``shortfall`` its shortfall per requirement (max-attainment mode), when known. Plans
    not claimed ``optimal`` or ``optimal_within_gap`` pass unchecked.
    """
    if result.status not in CHECKED or result.plan is None:
        return
    problems = plan_problems(result, objective=objective, shortfall=shortfall)
    if problems:
        raise PlanCheckError(result.scenario.name, result.status, problems)


def _close(a: float, b: float, scale: float = 0.0, absolute: float = ABS) -> bool:
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= REL * max(abs(a), abs(b), scale) + absolute


def _where(s: Scenario, i: int, t: int) -> str:
    return f"community {s.communities[i].id}, year {t}"


def places_per_post(scenario: Scenario) -> dict[str, float]:
    """Staff kinds whose trained atoms ask more than one training place a post (``q > 1``):
    a ``--confidence`` plan's places for replacements; the program then allows
    ``q·staff + 1`` places (rounded up), and this check the same."""
    out: dict[str, float] = {}
    for tg in scenario.targets:
        for a in tg.condition.atoms if tg.condition is not None else ():
            if a.kind == "trained" and a.item is not None and a.of_staff > 1:
                out[a.item] = max(out.get(a.item, 1.0), a.of_staff)
    return out


def _decisions(s: Scenario, plan, projects: np.ndarray | None) -> tuple[list[str], np.ndarray]:
    """Problems with the decisions themselves (the formulation's domains and physical rules)."""
    problems: list[str] = []
    x = np.asarray(plan.space_added, dtype=float)
    y = np.asarray(projects, dtype=float) if projects is not None else None
    n, Y = len(s.communities), s.years
    arrays = [("space added", x)] + [(f"opened {u}", plan.opened[u]) for u in s.facilities]
    arrays += [(f"hires {k}", plan.hires[k]) for k in s.staff]
    if y is not None:
        arrays.append(("space projects", y))
    for name, a in arrays:
        if np.shape(a) != (n, Y):
            problems.append(f"{name}: shape {np.shape(a)}, not {n} communities × {Y} years")
    if problems:
        return problems, x
    for name, a in arrays:
        for i, t in zip(*np.nonzero(~np.isfinite(a) | (a < -ABS)), strict=True):
            problems.append(f"{name}, {_where(s, i, t + 1)}: {a[i, t]:g} is negative or not finite")
    whole = [(f"opened {u}", plan.opened[u], 1) for u in s.facilities] + [
        (f"hires {k}", plan.hires[k], None) for k in s.staff
    ]
    if y is not None:
        whole.append(("space projects", y, 1))
    for name, a, top in whole:
        bad = np.abs(a - np.rint(a)) > ABS
        if top is not None:
            bad |= a > top + ABS
        for i, t in zip(*np.nonzero(bad), strict=True):
            problems.append(f"{name}, {_where(s, i, t + 1)}: {a[i, t]:g} is not a whole number in range")
    if y is not None:
        for i, t in zip(*np.nonzero((x > ABS) & (y < 0.5)), strict=True):
            problems.append(f"{_where(s, i, t + 1)}: {x[i, t]:g} m² added without a space project")
    funds = getattr(plan, "funds", None)
    if funds is not None:
        for i, t in zip(*np.nonzero(~np.isfinite(funds) | (funds < -ABS)), strict=True):
            problems.append(f"working funds, {_where(s, i, t + 1)}: {funds[i, t]:g} is negative or not finite")
    per_post = places_per_post(s)
    for k, a in getattr(plan, "trained", {}).items():
        most = np.asarray(plan.staff[k], dtype=float)
        if k in per_post:
            most = per_post[k] * most + 1
        bad = (a < -ABS) | (np.abs(a - np.rint(a)) > ABS) | (a > most + ABS)
        for i, t in zip(*np.nonzero(bad), strict=True):
            problems.append(f"trained {k}, {_where(s, i, t + 1)}: {a[i, t]:g} is not a whole number of staff in post")
    for i, c in enumerate(s.communities):
        if c.max_space_added_m2 is not None:
            for t in np.flatnonzero(x[i] > c.max_space_added_m2 + ABS + REL * c.max_space_added_m2):
                problems.append(
                    f"{_where(s, i, int(t) + 1)}: {x[i, t]:g} m² added, above max_space_added_m2 = {c.max_space_added_m2:g}"
                )
    return problems, x


def _stocks(s: Scenario, x: np.ndarray, plan) -> tuple[np.ndarray, dict, dict]:
    """``space``, ``has`` and ``staff`` ``[i, t-1]`` by the formulation's stock recursion."""
    comms = s.communities
    space = np.array([c.space_m2 for c in comms], dtype=float)[:, None] + s.developer_m2() + np.cumsum(x, axis=1)
    has = {
        u: np.array([u in c.facilities for c in comms], dtype=float)[:, None]
        + np.cumsum(np.asarray(plan.opened[u], dtype=float), axis=1)
        for u in s.facilities
    }
    staff = {}
    for k, kind in s.staff.items():
        level = np.array([c.staff.get(k, 0) for c in comms], dtype=float)
        cols = []
        for t in range(s.years):
            level = (1.0 - kind.attrition) * level + np.asarray(plan.hires[k], dtype=float)[:, t]
            cols.append(level)
        staff[k] = np.column_stack(cols) if cols else np.zeros((len(comms), 0))
    return space, has, staff


def _costs(s: Scenario, x, y, plan, space, has, staff) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Cost ``[t-1]`` by line and the gross amount per year (the scale of its rounding).

    ``cost[t] = Σ_i c_m2·x + c_proj·y + o_m2·(space − space0) + Σ_u c_u·b + o_u·(has − has0)
    + Σ_s c_hire·h + pay[s,t]·staff − pay[s,0]·staff0`` (docs/planning-problem.md).
    """
    c, comms = s.costs, s.communities
    space0 = np.array([cm.space_m2 for cm in comms], dtype=float)
    parts: dict[str, list[np.ndarray]] = {line: [] for line in _lines(s)}
    parts["space"] += [
        c.space_build_per_m2 * x.sum(axis=0),
        c.space_running_per_m2 * (space - space0[:, None] - s.developer_m2()).sum(axis=0),
    ]
    parts["space"].append(c.space_project_fixed * y.sum(axis=0))
    for u, f in s.facilities.items():
        has0 = np.array([u in cm.facilities for cm in comms], dtype=float)
        parts["facilities"] += [
            f.build * np.asarray(plan.opened[u], dtype=float).sum(axis=0),
            f.running * (has[u] - has0[:, None]).sum(axis=0),
        ]
    for k, kind in s.staff.items():
        staff0 = np.array([cm.staff.get(k, 0) for cm in comms], dtype=float)
        pay = np.array([kind.pay_share[t] for t in range(s.years)], dtype=float) * c.average_wage
        parts["hires"].append(kind.hire * np.asarray(plan.hires[k], dtype=float).sum(axis=0))
        parts["pay"] += [
            pay * staff[k].sum(axis=0),
            -np.full(s.years, kind.base_pay_share * c.average_wage * staff0.sum()),
        ]
        if "training" in parts and k in getattr(plan, "trained", {}):
            parts["training"].append(kind.training * np.asarray(plan.trained[k], dtype=float).sum(axis=0))
    if "funds" in parts and getattr(plan, "funds", None) is not None:
        parts["funds"].append(np.asarray(plan.funds, dtype=float).sum(axis=0))
    zero = np.zeros(s.years)
    lines = {line: sum(p, zero.copy()) for line, p in parts.items()}
    gross = sum((np.abs(p) for ps in parts.values() for p in ps), zero.copy())
    return lines, gross


def _lines(s: Scenario) -> tuple[str, ...]:
    return LINES + (("funds",) if s.uses_funds else ()) + (("training",) if s.uses_training else ())


def _city(s: Scenario, lines: dict[str, np.ndarray], plan, staff) -> np.ndarray:
    """The city's own cost ``[t-1]``: everyone's, less staff paid by others and co-funders' shares."""
    c, comms = s.costs, s.communities
    total = np.sum([np.asarray(v, dtype=float) for v in lines.values()], axis=0)
    others = {"hires": np.zeros(s.years), "pay": np.zeros(s.years)}
    for k, kind in s.staff.items():
        if kind.funded_by is None:
            continue
        staff0 = np.array([cm.staff.get(k, 0) for cm in comms], dtype=float)
        pay = np.array(kind.pay_share, dtype=float) * c.average_wage
        others["hires"] += kind.hire * np.asarray(plan.hires[k], dtype=float).sum(axis=0)
        others["pay"] += pay * staff[k].sum(axis=0) - kind.base_pay_share * c.average_wage * staff0.sum()
    city = total - others["hires"] - others["pay"]
    for f in s.funding:
        base = sum((lines[x] - others.get(x, 0.0) for x in f.lines if x in lines), np.zeros(s.years))
        pays = f.share * base
        city -= pays if f.at_most is None else np.minimum(pays, np.asarray(f.at_most, dtype=float))
    return city


def _levels(s: Scenario, space, has, staff, plan) -> dict[Requirement, float]:
    key = np.array([c.key for c in s.communities], dtype=bool)
    out: dict[Requirement, float] = {}
    for r in s.requirements:
        tg = s.target(r.target)
        c = r.year - 1
        if r.kind in ("share", "keys_by"):
            stocks = Stocks(
                households=s.households(r.year),
                space=space[:, c],
                has={u: v[:, c] for u, v in has.items()},
                staff={k: v[:, c] for k, v in staff.items()},
                funds=None if getattr(plan, "funds", None) is None else np.asarray(plan.funds, dtype=float)[:, c],
                trained={k: np.asarray(v, dtype=float)[:, c] for k, v in getattr(plan, "trained", {}).items()} or None,
            )
            assert tg.condition is not None  # a share or keys_by target is per community
            ok = tg.condition.holds(stocks)
            out[r] = float(ok.sum() if r.kind == "share" else ok[key].sum())
        elif r.kind == "count":
            out[r] = float(np.asarray(plan.opened[tg.has], dtype=float)[:, c].sum())
        elif r.kind == "city_average":
            assert tg.city_average is not None and tg.covers is not None  # a planned average is of a staff kind
            out[r] = float(staff[tg.city_average][np.asarray(tg.covers, dtype=bool), c].mean())
        else:
            out[r] = float(staff[tg.city_staff][:, c].sum())
    return out


def plan_problems(
    result: PlanResult, *, objective: float | None = None, shortfall: Mapping[Requirement, float] | None = None
) -> list[str]:
    """Every figure of ``result`` that its decisions do not reproduce, in words (empty: all agree)."""
    s, plan = result.scenario, result.plan
    assert plan is not None  # only a result with a plan is checked
    problems, x = _decisions(s, plan, result.projects)
    if problems:
        return problems
    y = np.asarray(result.projects, dtype=float) if result.projects is not None else (x > ABS).astype(float)

    # stocks: the plan's columns against the recursion
    space, has, staff = _stocks(s, x, plan)
    claimed = [("space", plan.space, space)]
    claimed += [(f"has {u}", plan.has[u], has[u]) for u in s.facilities]
    claimed += [(f"staff {k}", plan.staff[k], staff[k]) for k in s.staff]
    for name, said_stock, got_stock in claimed:
        said_stock = np.asarray(said_stock, dtype=float)
        if said_stock.shape != got_stock.shape:
            problems.append(f"stock {name}: shape {said_stock.shape}, not {got_stock.shape}")
            continue
        off = ~(np.abs(said_stock - got_stock) <= REL * np.abs(got_stock) + ABS)
        for i, t in zip(*np.nonzero(off), strict=True):
            problems.append(
                f"stock {name}, {_where(s, i, t + 1)}: plan says {said_stock[i, t]:g}, "
                f"its decisions give {got_stock[i, t]:g}"
            )
    need = {u: f.space_m2 for u, f in s.facilities.items() if f.space_m2 > 0}
    if need:
        room = sum(m * has[u] for u, m in need.items())
        for i, t in zip(*np.nonzero(space < room - ABS - REL * room), strict=True):
            problems.append(f"room, {_where(s, i, t + 1)}: {space[i, t]:g} m² for facilities needing {room[i, t]:g} m²")
    for u in s.facilities:
        for i, t in zip(*np.nonzero(has[u] > 1 + ABS), strict=True):
            problems.append(f"{u}, {_where(s, i, t + 1)}: opened where the community already has one")

    # requirements: planned level, binding, and met as the mode demands
    levels = _levels(s, space, has, staff, plan)
    zero = np.zeros_like(x)
    nothing = SimpleNamespace(opened={u: zero for u in s.facilities}, hires={k: zero for k in s.staff})
    before = _levels(s, *_stocks(s, zero, nothing), nothing)
    reported = {rr.requirement: rr for rr in result.requirements}
    if set(reported) != set(levels) or len(result.requirements) != len(levels):
        problems.append(f"requirements: the result reports {len(result.requirements)}, the scenario has {len(levels)}")
    for r, level in levels.items():
        rr = reported.get(r)
        if rr is None:
            continue
        if rr.planned is None or not _close(float(rr.planned), level):
            problems.append(f"requirement {r.label}: planned {rr.planned} reported, the plan's stocks give {level:g}")
        binding = level - r.required < 1.0 - 1e-6 and before[r] < r.required - 1e-6
        if rr.binding is not None and bool(rr.binding) != binding:
            problems.append(
                f"requirement {r.label}: binding = {rr.binding} reported for planned {level:g} of {r.required:g}"
                f" ({before[r]:g} without the plan)"
            )
        allowed = 0.0
        if result.mode != "min-cost":
            if shortfall is None:
                continue  # elastic, and the solver's own shortfall is not known: nothing to hold it to
            allowed = float(shortfall.get(r, 0.0))
        if level + allowed < r.required - ABS - REL * r.required:
            what = (
                "every requirement is hard"
                if result.mode == "min-cost"
                else f"the solver claims a shortfall of {allowed:g}"
            )
            problems.append(
                f"requirement {r.label}: planned {level:g} < required {r.required:g}, yet the plan is {result.status} ({what})"
            )

    # cost by year and line, the discounted total, the solver's objective, the budget
    lines, gross = _costs(s, x, y, plan, space, has, staff)
    costs = result.costs
    names = _lines(s)
    if costs is None or np.shape(costs) != (s.years, len(names)):
        shape = None if costs is None else np.shape(costs)
        problems.append(f"cost table: shape {shape}, not {s.years} years × {len(names)} lines")
    else:
        for t in range(s.years):
            for j, line in enumerate(names):
                said, got = float(costs[t, j]), float(lines[line][t])
                if not _close(said, got, gross[t], ABS_MONEY):
                    problems.append(
                        f"cost of {line} in year {t + 1}: {said:,.2f} reported, the decisions cost {got:,.2f}"
                    )
    by_year = np.sum([np.asarray(v, dtype=float) for v in lines.values()], axis=0)
    if s.payers:
        # budgets bound the city's own cost; the objective is the city's unless minimise = "total"
        city = _city(s, lines, plan, staff)
        objective_by_year = by_year if s.budget.minimise == "total" else city
    else:
        city = objective_by_year = by_year
    weights = (1.0 + s.costs.discount_rate) ** -np.arange(s.years, dtype=float)
    total, scale = float(objective_by_year @ weights), float(gross.sum())
    if result.total_cost is None or not _close(float(result.total_cost), total, scale, ABS_MONEY):
        problems.append(f"total cost: {result.total_cost} reported, the decisions cost {total:,.2f} (discounted)")
    if objective is not None and not _close(float(objective), total, scale, ABS_MONEY):
        problems.append(f"the solver's objective {objective:,.2f} is not the plan's discounted cost {total:,.2f}")
    per_year = s.budget.per_year
    if per_year is not None:
        for t in range(s.years):
            if city[t] > per_year[t] + REL * max(gross[t], abs(per_year[t])) + ABS_MONEY:
                problems.append(f"budget of year {t + 1}: the plan spends {city[t]:,.2f} of {per_year[t]:,.2f}")
    limit = result.budget
    if limit is not None and city.sum() > limit + REL * max(scale, abs(limit)) + ABS_MONEY:
        problems.append(f"total budget: the plan spends {city.sum():,.2f} of {limit:,.2f}")
    share = s.budget.max_share_per_year
    if share is not None:
        for t in range(s.years):
            if by_year[t] > share * by_year.sum() + REL * scale + ABS_MONEY:
                problems.append(
                    f"max_share_per_year: year {t + 1} spends {by_year[t]:,.2f} of {by_year.sum():,.2f} in total, "
                    f"more than {share:g} of it"
                )
    problems += _capacity(s, x, y, plan)
    return problems


def _capacity(s: Scenario, x: np.ndarray, y: np.ndarray, plan) -> list[str]:
    """``[capacity]``: projects (space projects and facilities opened), hires by kind, hires per community, space."""
    cap, problems = s.capacity, []
    for t in range(s.years):
        if cap.projects_per_year is not None:
            projects = float(y[:, t].sum()) + sum(float(np.asarray(plan.opened[u])[:, t].sum()) for u in s.facilities)
            if projects > cap.projects_per_year[t] + ABS:
                problems.append(
                    f"projects in year {t + 1}: {projects:g}, above projects_per_year = {cap.projects_per_year[t]}"
                )
        for k, limit in cap.hires_per_year.items():
            hires = float(np.asarray(plan.hires[k], dtype=float)[:, t].sum())
            if hires > limit + ABS:
                problems.append(f"{k} hires in year {t + 1}: {hires:g}, above hires_per_year = {limit}")
        if cap.hires_per_community_per_year is not None and s.staff:
            each = np.sum([np.asarray(plan.hires[k], dtype=float)[:, t] for k in s.staff], axis=0)
            for i in np.flatnonzero(each > cap.hires_per_community_per_year + ABS):
                problems.append(
                    f"hires, {_where(s, int(i), t + 1)}: {each[i]:g}, above hires_per_community_per_year = "
                    f"{cap.hires_per_community_per_year}"
                )
        if cap.space_m2_per_year is not None:
            added = float(x[:, t].sum())
            if added > cap.space_m2_per_year[t] * (1 + REL) + ABS:
                problems.append(
                    f"space added in year {t + 1}: {added:g} m², above space_m2_per_year = {cap.space_m2_per_year[t]:g}"
                )
    return problems
