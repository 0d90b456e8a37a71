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

If even the elastic re-solve is infeasible, the budget is below what the pay policy
alone costs for today's staff (the plan cannot avoid it), and the message says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimize.result import UNITS, money, planned_levels
from scenarios.targets import Requirement

if TYPE_CHECKING:
    from optimize.program import Program

#: Short requirements re-solved one at a time for their "at best" shortfall.
MAX_AT_BEST = 12


def describe(prog: Program, r: Requirement) -> str:
    """A requirement in the planner's words, e.g. "space-200 (space ≥ 200 m²): 8 communities in year 3"."""
    tg = prog.scenario.target(r.target)
    req = f"{r.required:g}"
    if r.kind == "share":
        what = f"{req} communities meeting it in year {r.year}"
    elif r.kind == "keys_by":
        what = f"all {req} key communities meeting it in year {r.year}"
    elif r.kind == "count":
        what = f"{req} {tg.has} opened in year {r.year}"
    else:
        what = f"{req} {tg.city_staff} staff city-wide in year {r.year}"
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
    if not out.has_solution:
        return None
    levels = planned_levels(prog.data, prog.plan(prog.solution()))
    return max(0.0, r.required - levels[r])


SINGULAR = {"communities": "community", "key communities": "key community", "facilities": "facility", "staff": "staff member"}


def _unit(plural: str, amount: float) -> str:
    """"1 facility short", "3 facilities short": the planner's grammar, not the program's."""
    return SINGULAR.get(plural, plural) if amount == 1 else plural


def _short_list(prog: Program, short: dict[Requirement, float], solver, time_limit, gap) -> list[dict[str, Any]]:
    items = []
    for k, (r, by) in enumerate(sorted(short.items(), key=lambda kv: (-kv[1] / kv[0].required, kv[0].year))):
        best = _at_best(prog, r, solver, time_limit, gap) if k < MAX_AT_BEST else None
        items.append(
            {
                "target": r.target,
                "kind": r.kind,
                "year": r.year,
                "required": r.required,
                "shortfall": round(by, 6),
                "shortfall_at_best": None if best is None else round(best, 6),
                "unit": UNITS[r.kind],
                "text": describe(prog, r),
            }
        )
    return items


def explain(prog: Program, solver: str, *, time_limit: float | None = None, gap: float = 1e-4) -> tuple[dict[str, Any], str]:
    """The ``infeasibility`` object of summary.json and the message a planner reads."""
    d = prog.data
    has_budget = any(entry[2] is not None for entry in prog.budget_rows.values())
    info: dict[str, Any] = {"budget_is_reason": None, "short": [], "smallest_total_budget": None}
    lines: list[str] = []
    try:
        prog.set_budget(hard=True)
        short = _elastic(prog, solver, time_limit, gap)
        if short is None:
            unavoidable = [d.unavoidable_cost(t) for t in d.T]
            info.update(budget_is_reason=True, reason="budget_below_unavoidable", unavoidable_cost_by_year=[money(v) for v in unavoidable])
            lines.append(
                "No plan fits the budget even if it does nothing: the pay policy for today's staff alone costs "
                + ", ".join(f"{v:,.0f} in year {t}" for t, v in zip(d.T, unavoidable, strict=True))
                + f" ({sum(unavoidable):,.0f} in total)."
            )
        else:
            short = {r: v for r, v in short.items() if v > 1e-6}
            info["short"] = _short_list(prog, short, solver, time_limit, gap)
            where = "within the budget" if has_budget else "together"
            lines.append(f"The targets cannot all be met {where}. In the plan that falls short least:")
            for it in info["short"]:
                best = "" if it["shortfall_at_best"] is None else f" (at best {it['shortfall_at_best']:g} short, if the others give way)"
                lines.append(f"  - {it['text']} — {it['shortfall']:g} {_unit(it['unit'], it['shortfall'])} short{best}")
        if has_budget:
            prog.set_budget(hard=False)
            prog.set_elastic(False)
            prog.use_objective("cost")
            out = prog.run(solver, time_limit=time_limit, gap=gap)
            if out.has_solution:
                plan = prog.plan(prog.solution())
                from optimize.data import cost_table

                by_year = cost_table(d, plan, prog.solution().y).sum(axis=1)
                info.update(budget_is_reason=True, smallest_total_budget=money(by_year.sum()), cost_by_year_without_budget=[money(v) for v in by_year])
                lines.append(
                    f"Money is the reason: the cheapest plan that meets every target costs {by_year.sum():,.0f} in total ("
                    + ", ".join(f"year {t}: {v:,.0f}" for t, v in zip(d.T, by_year, strict=True))
                    + "); that is the smallest total budget that meets them all."
                )
                return info, "\n".join(lines)
            info["budget_is_reason"] = False
        else:
            info["budget_is_reason"] = False
        # impossible at any cost: show what falls short without a budget
        prog.set_budget(hard=False)
        short = _elastic(prog, solver, time_limit, gap) or {}
        short = {r: v for r, v in short.items() if v > 1e-6}
        info["short_without_budget"] = _short_list(prog, short, solver, time_limit, gap)
        lines.append("No budget is enough: even with unlimited money these cannot be met (limits on space added per year, facilities already open, or the number of communities):")
        for it in info["short_without_budget"]:
            lines.append(f"  - {it['text']} — {it['shortfall']:g} {it['unit']} short")
        return info, "\n".join(lines)
    finally:
        prog.set_budget(hard=True)
        prog.set_elastic(False)
        prog.use_objective("cost")
