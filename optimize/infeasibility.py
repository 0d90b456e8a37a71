"""Explaining an infeasible plan in the planner's words, never a bare "Infeasible".

Three re-solves of the same built program answer the planner's three questions:

1. *Which requirements cannot be met together, and by how much at best?* An elastic
   re-solve (every requirement's shortfall variable freed, budget held) minimises the
   weighted shortfall; every requirement still short in it is reported with how far it
   falls short, and then, one at a time, with the least shortfall it can reach when
   the others may give way ("at best").
2. *Is money the reason?* A min-cost re-solve with the budget rows dropped: if it finds
   a plan, its cost is the smallest budget that meets every requirement.
3. *If not, what is impossible at any cost?* The elastic re-solve again, without budget.

If even the elastic re-solve is infeasible, no plan obeys the physical rules at all,
whatever it attempts. Two causes are told apart from the data, so the message blames
the right one:

- a community already holds facilities that need more room than it has and can add
  in its first plan year (``max_space_added_m2``): no plan can keep them
  (:func:`rooms_too_small`, exact for the program's room rows);
- otherwise, when a budget exists and the elastic re-solve without it finds a plan, the
  budget is below what any plan must spend (the pay policy for today's staff, room for
  facilities already held); the message gives the least spending by year.

The budget is blamed only when there is one and dropping it makes a plan possible.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from pulp import LpAffineExpression

from optimize.constraints import LimitRow
from optimize.result import money
from scenarios.plan import city_cost_by_year, cost_table, planned_levels
from scenarios.targets import Requirement, unit

if TYPE_CHECKING:
    from optimize.data import ProgramData
    from optimize.program import Program

#: Short requirements re-solved one at a time for their "at best" shortfall: one per
#: target and kind (the worst year stands for its target), at most this many.
MAX_AT_BEST = 12

#: Seconds the "at best" re-solves may take together when no ``--time-limit`` is given.
#: They refine an answer already found, so a long plan (50 years) must not wait on them.
AT_BEST_SECONDS = 60.0


def describe(prog: Program, r: Requirement, when: str | None = None) -> str:
    """A requirement in the planner's words, e.g. "space-200 (space ≥ 200 m²): 8 communities in year 3".

    ``when`` replaces "year 3" (e.g. "years 1–11 and 13", for requirements alike but for the year).
    """
    tg = prog.scenario.target(r.target)
    req = f"{r.required:g}"
    when = when or f"year {r.year}"
    if r.kind == "share":
        what = f"{req} communities meeting it in {when}"
    elif r.kind == "keys_by":
        what = f"all {req} key communities meeting it in {when}"
    elif r.kind == "count":
        what = f"{req} {tg.has} opened in {when}"
    elif r.kind == "city_average":
        where = " and ".join(f"{k} = {str(v).lower()}" for k, v in (tg.where or {}).items())
        over = f"communities with {where}" if where else "all communities"
        what = f"an average of {req} {tg.city_average} over {over} in {when}"
    else:
        what = f"{req} {tg.city_staff} staff city-wide in {when}"
    cond = f" ({tg.condition.text})" if tg.condition is not None else ""
    return f"{r.target}{cond}: {what}"


def _elastic(prog: Program, solver: str, time_limit, gap) -> dict[Requirement, float] | None:
    """Shortfall per requirement in the least-short plan, or None if there is no plan at all."""
    prog.set_elastic(True)
    prog.use_objective("shortfall")
    out = prog.run(solver, time_limit=time_limit, gap=gap)
    if not out.has_solution:
        return None
    levels = planned_levels(prog.data, prog.plan(prog.solution()))
    return {r: max(0.0, r.required - levels[r]) for r in prog.scenario.requirements}


def _at_best(prog: Program, r: Requirement, solver: str, time_limit, gap) -> float | None:
    """The least shortfall ``r`` alone can reach when every other requirement may give way."""
    prog.set_elastic(True)
    prog.prob.objective = prog.shortfall[r] * 1.0
    out = prog.run(solver, time_limit=time_limit, gap=gap)
    if not out.has_solution or out.status == "time_limit":
        return None  # stopped before proving it: not an "at best"
    levels = planned_levels(prog.data, prog.plan(prog.solution()))
    return max(0.0, r.required - levels[r])


def _short_list(
    prog: Program, short: dict[Requirement, float], solver, time_limit, gap, at_best: bool = True
) -> list[dict[str, Any]]:
    """Each short requirement with its shortfall; the worst of each target and kind also with
    its "at best" shortfall (when ``at_best``), as far as :data:`AT_BEST_SECONDS` (or
    ``time_limit`` a solve) allow."""
    items = []
    allowed = AT_BEST_SECONDS if time_limit is None else time_limit * MAX_AT_BEST
    started = time.monotonic()
    asked: set[tuple[str, str]] = set()
    for r, by in sorted(short.items(), key=lambda kv: (-kv[1] / kv[0].required, kv[0].year)):
        best = None
        left = allowed - (time.monotonic() - started)
        if at_best and (r.target, r.kind) not in asked and len(asked) < MAX_AT_BEST and left > 0:
            asked.add((r.target, r.kind))
            best = _at_best(prog, r, solver, left if time_limit is None else min(time_limit, left), gap)
        items.append(
            {
                "target": r.target,
                "kind": r.kind,
                "year": r.year,
                "required": r.required,
                "shortfall": round(by, 6),
                "shortfall_at_best": None if best is None else round(best, 6),
                "unit": unit(r.kind),
                "text": describe(prog, r),
            }
        )
    return items


def years_text(years: list[int]) -> str:
    """[1, 2, 3, 5] → "years 1–3 and 5": a 50-year plan's shortfalls in one line, not fifty."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    parts = [f"{r[0]}" if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    if len(years) == 1:
        return f"year {parts[0]}"
    return "years " + (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])


def amounts_by_year(values: list[float]) -> str:
    """[744000, 744000, 9000] → "744,000 in years 1–2, 9,000 in year 3": equal years said once."""
    runs: list[tuple[str, list[int]]] = []
    for t, v in enumerate(values, start=1):
        text = f"{v:,.0f}"
        if runs and runs[-1][0] == text:
            runs[-1][1].append(t)
        else:
            runs.append((text, [t]))
    return ", ".join(f"{text} in {years_text(years)}" for text, years in runs)


def _short_lines(prog: Program, items: list[dict[str, Any]], with_best: bool = True) -> list[str]:
    """One line per target, kind, requirement and shortfall, its years together."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for it in items:
        groups.setdefault((it["target"], it["kind"], it["required"], it["shortfall"]), []).append(it)
    lines = []
    for (target, kind, required, by), group in groups.items():
        r = Requirement(target, kind, group[0]["year"], required)
        text = describe(prog, r, years_text([it["year"] for it in group]))
        best = ""
        if with_best:
            known = [it for it in group if it["shortfall_at_best"] is not None]
            if known:
                at = f" in year {known[0]['year']}" if len(group) > 1 else ""
                best = f" (at best {known[0]['shortfall_at_best']:g} short{at}, if the others give way)"
        lines.append(f"  - {text} — {by:g} {unit(kind, by)} short{best}")
    return lines


def rooms_too_small(d: ProgramData) -> list[dict[str, Any]]:
    """Communities whose facilities already held need more room than any plan can give them.

    The program's room rows ask ``space[i,t] >= Σ_u need_m2[u]·has[i,u,t]`` in every plan
    year; a facility held today is held in every year, and space grows by at most
    ``max_m2[i]`` a year. So community ``i`` breaks the rule in year 1 whatever is planned
    exactly when ``Σ_u need_m2[u]·has0[i,u] > space0[i] + max_m2[i]``. Each item gives the
    numbers and the first plan year the community could have room (None: not within any
    number of years, because it can add nothing).
    """
    need_all = sum(m for m in d.need_m2.values() if m > 0)
    out = []
    for i, cid in enumerate(d.ids):
        if d.space0[i] >= need_all:  # the program leaves the room rows out here
            continue
        held = {u: d.need_m2[u] for u in d.facilities if d.has0[u][i] >= 1 and d.need_m2[u] > 0}
        need = float(sum(held.values()))
        add = float(d.max_m2[i])
        if need <= d.space0[i] + add + 1e-6:
            continue
        first = None if add <= 0 else int(math.ceil((need - d.space0[i]) / add - 1e-9))
        out.append(
            {
                "community": cid,
                "facilities": {u: float(m) for u, m in held.items()},
                "need_m2": need,
                "space_m2": float(d.space0[i]),
                "max_space_added_m2": add,
                "first_year_with_room": first,
            }
        )
    return out


def _room_line(item: dict[str, Any], years: int) -> str:
    kinds = ", ".join(f"{u} {m:g} m²" for u, m in item["facilities"].items())
    need, has, add = item["need_m2"], item["space_m2"], item["max_space_added_m2"]
    first = item["first_year_with_room"]
    if first is None:
        when = "it can add no space, so it can never have room for them"
    elif first > years:
        when = f"it can never have room for them: it needs the room from year 1, and at that pace it reaches {need:g} m² only in year {first}, after the {years}-year plan"
    else:
        when = f"it needs the room from year 1 but at that pace reaches {need:g} m² only in year {first}, so no plan can keep them"
    fix = f"raise its max_space_added_m2 to at least {need - has:g}, or correct its space_m2 or facilities, or the [facilities.<kind>] space_m2"
    return f"  - community {item['community']} holds facilities that need {need:g} m² ({kinds}) but has {has:g} m² and can add at most {add:g} m² a year: {when}. To fix: {fix}."


def _least_spending(prog: Program, solver: str, time_limit, gap) -> list[float] | None:
    """Spending by year of the cheapest plan that obeys the physical rules, every target given up."""
    prog.set_budget(hard=False)
    prog.set_elastic(True)
    prog.use_objective("cost")
    out = prog.run(solver, time_limit=time_limit, gap=gap)
    if not out.has_solution:
        return None
    plan = prog.plan(prog.solution())
    return [float(v) for v in city_cost_by_year(prog.data, plan, cost_table(prog.data, plan, prog.solution().y))]


def _no_plan_at_all(
    prog: Program, solver: str, time_limit, gap, has_budget: bool, info: dict[str, Any], lines: list[str]
) -> None:
    """Not even a plan that gives up every target: say whether the data or the budget is why."""
    d = prog.data
    rooms = rooms_too_small(d)
    if rooms:
        info.update(budget_is_reason=False, reason="no_room_for_facilities_held", no_room=rooms)
        lines.append(
            "No plan is possible at any cost: facilities a community already holds do not fit the space it can have."
        )
        lines += [_room_line(item, d.years) for item in rooms]
        return
    least = _least_spending(prog, solver, time_limit, gap) if has_budget else None
    if least is not None:
        unavoidable = [d.unavoidable_cost(t) for t in d.T]
        info.update(
            budget_is_reason=True,
            reason="budget_below_unavoidable",
            unavoidable_cost_by_year=[money(v) for v in unavoidable],
            least_cost_by_year=[money(v) for v in least],
        )
        pay = ""
        if any(v > 0.005 for v in unavoidable):
            pay = ", of which the pay policy for today's staff alone costs " + amounts_by_year(unavoidable)
        rooms_line = (
            ""
            if not any(v > u + 0.005 for v, u in zip(least, unavoidable, strict=True))
            else ", because it must make room for facilities communities already hold"
        )
        lines.append(
            "No plan fits the budget even if it meets no target: the least any plan can spend is "
            + amounts_by_year(least)
            + f" ({sum(least):,.0f} in total){rooms_line}{pay}. Raise the budget to at least that, by year and in total."
        )
        return
    info.update(budget_is_reason=False, reason="no_plan_obeys_the_rules")
    lines.append(
        "No plan is possible at any cost, even one that meets no target: the physical rules (room for facilities, "
        "space added per year, one facility of a kind per community) contradict the scenario's starting data. "
        "Check each community's space_m2, facilities and max_space_added_m2."
    )


def limit_words(entry: LimitRow, by: float) -> str:
    """One limit exceeded, in the planner's words, e.g. "projects in year 2: 4 more than the limit of 12"."""
    if entry.what == "spending":
        return (
            f"spending in year {entry.year}: {by:,.0f} yuan more than max_share_per_year allows "
            "(its share of the total)"
        )
    if entry.what == "community-hires":
        return (
            f"hires in one community in year {entry.year}: {by:g} more than the limit of {entry.limit:g} "
            "(hires_per_community_per_year)"
        )
    if entry.what == "space":
        return f"space added in year {entry.year}: {by:,.6g} m² more than the limit of {entry.limit:,.6g} m² (space_m2_per_year)"
    if entry.what.startswith("hires:"):
        kind = entry.what.split(":", 1)[1]
        return f"{kind} hires in year {entry.year}: {by:g} more than the limit of {entry.limit:g} (hires_per_year)"
    return f"projects in year {entry.year}: {by:g} more than the limit of {entry.limit:g} (projects_per_year)"


def _limits_are_reason(prog: Program, solver: str, time_limit, gap, info: dict[str, Any], lines: list[str]) -> bool:
    """Whether exceeding the yearly limits (budget set aside) meets every target; if so, say by how much.

    Minimises the weighted excess over every limit with every requirement hard: the
    limits still exceeded in that plan are the ones that must give way.
    """
    prog.set_budget(hard=False)
    prog.set_elastic(False)
    prog.set_limits(hard=False)
    prog.prob.objective = LpAffineExpression.from_list([(e.excess, e.weight) for e in prog.limit_rows.values()])
    try:
        out = prog.run(solver, time_limit=time_limit, gap=gap)
        if not out.has_solution:
            return False
        over = []
        for entry in prog.limit_rows.values():
            by = float(entry.excess.varValue or 0.0)
            if by > 1e-6:
                by = math.ceil(by - 1e-6) if entry.unit in ("project", "hire") else by
                over.append((entry, by))
    finally:
        prog.set_limits(hard=True)
    info.update(
        budget_is_reason=False,
        capacity_is_reason=True,
        capacity_exceeded=[
            {
                "limit": e.what,
                "year": e.year,
                "value": e.limit,
                "exceeded_by": round(by, 6),
                "unit": e.unit,
                "text": limit_words(e, by),
            }
            for e, by in over
        ],
    )
    lines.append(
        "What the city can absorb in a year is the reason: every target can be met only if these limits give way "
        "(the least excess over them, budget set aside):"
    )
    lines += [f"  - {limit_words(e, by)}" for e, by in over]
    lines.append("Raise those limits in [capacity] (or [budget] max_share_per_year), or lower or delay the targets.")
    return True


def explain(
    prog: Program, solver: str, *, time_limit: float | None = None, gap: float = 1e-4
) -> tuple[dict[str, Any], str]:
    """The ``infeasibility`` object of summary.json and the message a planner reads."""
    d = prog.data
    has_budget = any(entry.limit is not None for entry in prog.budget_rows.values())
    info: dict[str, Any] = {"budget_is_reason": None, "short": [], "smallest_total_budget": None}
    lines: list[str] = []
    try:
        prog.set_budget(hard=True)
        short = _elastic(prog, solver, time_limit, gap)
        if short is None:
            _no_plan_at_all(prog, solver, time_limit, gap, has_budget, info, lines)
            return info, "\n".join(lines)
        short = {r: v for r, v in short.items() if v > 1e-6}
        info["short"] = _short_list(prog, short, solver, time_limit, gap)
        where = "within the budget" if has_budget else "together"
        lines.append(f"The targets cannot all be met {where}. In the plan that falls short least:")
        lines += _short_lines(prog, info["short"])
        if has_budget:
            prog.set_budget(hard=False)
            prog.set_elastic(False)
            prog.use_objective("cost")
            out = prog.run(solver, time_limit=time_limit, gap=gap)
            if out.has_solution:
                plan = prog.plan(prog.solution())
                by_year = city_cost_by_year(d, plan, cost_table(d, plan, prog.solution().y))  # budgets bound it
                info.update(
                    budget_is_reason=True,
                    smallest_total_budget=money(by_year.sum()),
                    cost_by_year_without_budget=[money(v) for v in by_year],
                )
                lines.append(
                    f"Money is the reason: the cheapest plan that meets every target costs {by_year.sum():,.0f} in total ("
                    + amounts_by_year(list(by_year))
                    + "); that is the smallest total budget that meets them all."
                )
                return info, "\n".join(lines)
            info["budget_is_reason"] = False
        else:
            info["budget_is_reason"] = False
        if prog.limit_rows and _limits_are_reason(prog, solver, time_limit, gap, info, lines):
            return info, "\n".join(lines)
        # impossible at any cost: show what falls short without a budget
        if not has_budget:  # the plan above already had unlimited money
            info["short_without_budget"] = info["short"]
            lines.append(
                "No budget is enough: these cannot be met with unlimited money (limits on space added per year, "
                "facilities already open, or the number of communities)."
            )
            return info, "\n".join(lines)
        prog.set_budget(hard=False)
        short = _elastic(prog, solver, time_limit, gap) or {}
        short = {r: v for r, v in short.items() if v > 1e-6}
        info["short_without_budget"] = _short_list(prog, short, solver, time_limit, gap, at_best=False)
        lines.append(
            "No budget is enough: even with unlimited money these cannot be met (limits on space added per year, facilities already open, or the number of communities):"
        )
        lines += _short_lines(prog, info["short_without_budget"], with_best=False)
        return info, "\n".join(lines)
    finally:
        prog.set_budget(hard=True)
        prog.set_limits(hard=True)
        prog.set_elastic(False)
        prog.use_objective("cost")
