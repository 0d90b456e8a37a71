"""The budget frontier: max-attainment over a list of total budgets, one built model.

The program is built once with a total-budget row and an attainment row; for each
budget only the total row's right-hand side moves, then the lexicographic two-stage
solve runs (least weighted shortfall, then least cost). Per-year budgets of the
scenario stay as they are. Budgets are solved in increasing order, each warm-started
(in its cost stage) from its own attainment stage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from optimize.check import check_plan
from optimize.infeasibility import explain
from optimize.program import Outcome, Program, lexicographic
from optimize.result import PlanResult
from scenarios.schema import Scenario


def frontier(
    scenario: Scenario,
    budgets: Sequence[float],
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-4,
    progress: Callable[[str], None] | None = None,
) -> list[PlanResult]:
    """One max-attainment :class:`PlanResult` per total budget, in the order given.

    Each result's ``budget`` is the total budget it was solved under, ``attainment`` the
    mean share of each requirement met, ``total_cost`` what the plan spends.
    """
    say = progress or (lambda _msg: None)
    scenario = scenario.planning()  # outcome conditions are the simulation's to judge
    prog = Program(scenario, total_budget_row=True, attainment_row=True)
    results: dict[int, PlanResult] = {}
    for k, idx in enumerate(sorted(range(len(budgets)), key=lambda j: budgets[j]), start=1):
        budget = float(budgets[idx])
        say(f"frontier {k}/{len(budgets)}: total budget {budget:,.0f}")
        prog.set_budget(hard=True, total=budget)
        t0 = time.perf_counter()
        out, _ = lexicographic(prog, solver, time_limit=time_limit, gap=gap)
        timings = {"build": prog.build_seconds if k == 1 else 0.0, "solve": time.perf_counter() - t0}
        if out.has_solution:
            sol = prog.solution()
            res = PlanResult.from_solution(prog, sol, "max-attainment", solver, out, timings)
            check_plan(res, objective=out.objective, shortfall=sol.shortfall)
        else:
            text = "No plan fits this budget."
            info = None
            if out.status == "infeasible":
                info, text = explain(prog, solver, time_limit=time_limit, gap=gap)
                prog.set_budget(hard=True, total=budget)
            res = PlanResult.without_plan(
                scenario,
                "max-attainment",
                solver,
                Outcome(out.status, None, None, out.seconds, out.detail),
                info,
                text,
                timings,
            )
        res.budget = budget
        results[idx] = res
    return [results[j] for j in range(len(budgets))]
