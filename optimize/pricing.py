"""What each requirement and each target costs: LP duals, then the re-solves, in one time budget.

After a min-cost solve, every requirement gets its LP dual, every target its full cost
(:mod:`optimize.fullcost`) and every binding requirement its marginal cost
(:mod:`optimize.marginal`). On the kept HiGHS model all these re-solves form one queue
(:func:`optimize.resolves.run_within`): the full costs first, within half the time
budget, then the marginal costs in order of LP dual, within the rest; here or on worker
processes. Through PuLP (CBC) they run one after another, full costs first.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import nullcontext
from typing import TYPE_CHECKING

from optimize import fullcost, marginal, resolves
from optimize.marginal import DUALS_ONLY, NOT_BINDING, WITHIN, lp_duals, plan_cost, priority, settle
from optimize.session import HighsSession

if TYPE_CHECKING:
    from optimize.program import Outcome, Program, Solution
    from optimize.result import PlanResult

#: ``solve(processes=None)`` prices on every core once the main solve takes this many seconds.
PARALLEL_FROM = 0.25


def kept_session(prog: Program, solver: str) -> HighsSession | None:
    """The HiGHS model of the main solve, kept for the re-solves (None for CBC, or if PuLP left none)."""
    if solver != "highs":
        return None
    try:
        return HighsSession.of_program(prog)
    except ValueError:
        return None


def price(
    prog: Program,
    sol: Solution,
    result: PlanResult,
    out: Outcome,
    solver: str,
    marginal_costs: bool | str,
    time_limit: float | None,
    marginal_time_limit: float | None,
    say: Callable[[str], None],
    processes: int | None = 1,
    executor: Executor | None = None,
) -> None:
    """Every requirement's LP dual, then (unless duals only) the full costs and the binding ones' marginal costs.

    The time budget: ``marginal_time_limit``, else ``max(5, 3 × the main solve)``, never
    more than ``time_limit``; each re-solve gets its fair share of what is left, no less
    than twice the main solve. ``processes``: see :func:`optimize.solve`.
    """
    session = kept_session(prog, solver)
    say(
        "pricing each requirement: LP duals"
        + ("" if marginal_costs == "dual" else ", then re-solves of the binding ones")
    )
    duals = lp_duals(prog, solver, session)
    for rr in result.requirements:
        rr.dual_lp = duals.get(rr.requirement)
        rr.marginal_status = NOT_BINDING if not rr.binding else DUALS_ONLY
    if marginal_costs == "dual":
        result.target_costs = fullcost.not_computed(prog, "duals only")
        return
    budget = marginal_time_limit if marginal_time_limit is not None else max(5.0, 3.0 * out.seconds)
    if time_limit is not None:
        budget = min(budget, time_limit)
    within = None if math.isinf(budget) else WITHIN  # no budget: every figure proven to a currency unit
    if processes is None:
        processes = (os.cpu_count() or 1) if out.seconds >= PARALLEL_FROM else 1
    min_share = 2.0 * out.seconds
    c0, lb0 = plan_cost(prog, sol, out, session)
    order = [rr.requirement for rr in priority(result)]
    prog.set_elastic(False)
    prog.use_objective("cost")
    if session is None:
        t0 = time.perf_counter()
        found = fullcost.full_costs_pulp(prog, sol, solver, budget=budget / 2, min_share=min_share, progress=say)
        left = budget - (time.perf_counter() - t0)
        margins = marginal.marginal_costs_pulp(
            prog, sol, order, solver, c0, budget=left, min_share=min_share, progress=say
        )
    else:
        full = fullcost.full_cost_relaxations(prog, session, c0, lb0, within)
        asked, relaxations, margins = marginal.marginal_relaxations(prog, order, session, c0, within)
        started = executor is None and processes > 1
        with resolves.worker_processes(processes) if started else nullcontext(executor) as pool:
            runs = resolves.run_within(
                session,
                full + relaxations,
                budgets=[budget / 2] * len(full) + [budget] * len(relaxations),
                min_share=min_share,
                processes=processes,
                executor=pool,
                announce=lambda rx: say(rx.label),
            )
        found = fullcost.from_runs(runs[: len(full)])
        margins.update(marginal.from_runs(asked, runs[len(full) :], c0))
    result.target_costs = fullcost.target_costs(prog, found, c0, lb0)
    result.timings["full_costs"] = sum(got[2] for got in found if got is not None)  # re-solve seconds, all lanes
    settled = settle(prog, margins, c0, lb0)
    for rr in result.requirements:
        m = settled.get(rr.requirement)
        if m is not None:
            rr.marginal_cost, rr.marginal_cost_max, rr.marginal_status = m.saving, m.saving_max, m.status
