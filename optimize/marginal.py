"""What each requirement costs at the margin.

``marginal_cost``: how much the total cost falls if a requirement is relaxed by one unit
(one community, facility or staff member), found by re-solving the same built program
with that requirement's shortfall variable allowed up to 1. Only binding requirements
are re-solved (a requirement with a unit or more to spare cannot get cheaper by one
unit of relaxation in the usual case, and is reported ``null``). Each re-solve is warm
started from the optimal plan, which stays feasible when a requirement is relaxed, so
the solver starts from a good incumbent and the reported saving is never negative.

``dual_lp``: the dual value of the requirement's row in the LP relaxation (integrality
dropped) — cheap and available for every requirement, but only an approximation of the
integer marginal cost: it is labelled as such in summary.json.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from scenarios.targets import Requirement

if TYPE_CHECKING:
    from optimize.program import Program, Solution
    from optimize.result import PlanResult


def lp_duals(prog: Program, solver: str) -> dict[Requirement, float]:
    """Duals of the requirement rows in the min-cost LP relaxation (cost per unit required)."""
    prog.set_elastic(False)
    prog.use_objective("cost")
    out = prog.run(solver, mip=False)
    if not out.has_solution:
        return {}
    # a >= row of a minimisation has a non-negative dual in every solver's convention
    # once signs are normalised; report the magnitude (cost per unit of requirement)
    return {r: abs(row.pi) if row.pi is not None else None for r, row in prog.req_rows.items()}


def marginal_costs(
    prog: Program,
    sol: Solution,
    result: PlanResult,
    solver: str,
    *,
    time_limit: float | None = None,
    gap: float = 1e-4,
    progress: Callable[[str], None] | None = None,
) -> dict[Requirement, tuple[float | None, float | None]]:
    """Re-solve once per binding requirement, relaxed by one unit: ``(saving found, most it could save)``.

    The two agree when the re-solve proves optimality; with a gap or a time limit the
    first is what the solver found and the second comes from its bound. Requirements
    that are not binding are left out (reported ``null``).
    """
    prog.restore(sol)
    base = prog.cost_objective.value()
    out: dict[Requirement, tuple[float | None, float | None]] = {}
    binding = [rr for rr in result.requirements if rr.binding]
    prog.set_elastic(False)
    prog.use_objective("cost")
    for k, rr in enumerate(binding, start=1):
        r = rr.requirement
        if progress:
            progress(f"marginal cost {k}/{len(binding)}: {r.label}")
        s = prog.shortfall[r]
        s.upBound = 1.0
        prog.restore(sol)
        o = prog.run(solver, time_limit=time_limit, gap=gap, warm=True)
        s.upBound = 0.0
        if o.has_solution and o.objective is not None:
            found = max(0.0, base - o.objective)
            most = found if o.status == "optimal" or o.bound is None else max(found, base - o.bound)
            out[r] = (found, most)
        else:
            out[r] = (None, None)
    prog.restore(sol)
    return out
