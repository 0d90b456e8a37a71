"""What each target costs in full: the total cost with it minus the total cost without it.

A marginal cost prices one more community, facility or staff member; for a staged target
it is often a *deferral* saving (relaxing year 1 only moves the work to year 2), and it
says nothing of what the whole target costs. The full cost answers that: every
requirement of the target (all its years and kinds) is given up, the program is
re-solved for least cost, and the difference from the plan's cost is what the target
costs. Other targets stay as written; a ``standard`` that names the target keeps asking
for its condition, so giving the target up does not give up the standard.

The re-solve starts from the plan (still feasible without the target) on the HiGHS model
kept in memory, stops at an absolute gap of half a currency unit, and reports what was
proven: ``full_cost = C0 − UB`` (the plans' difference, from the plan's cost ``C0`` and
the re-solve's best plan ``UB``), ``full_cost_min = LB0 − UB`` and ``full_cost_max =
C0 − LB`` with ``LB0``, ``LB`` the two solves' proven bounds. ``full_cost_status`` is
``exact`` when the two bounds agree within one currency unit, ``bounded`` when the truth
lies between them, ``not computed: time budget`` when the time budget ran out first, and
``not computed: <mode>`` outside min-cost mode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from optimize.marginal import BOUNDED, BUDGET, EXACT, EXACT_TOLERANCE, _within_share
from optimize.resolves import Relaxation, fair_share
from optimize.result import TargetCost

if TYPE_CHECKING:
    from optimize.program import Program, Solution
    from optimize.session import HighsSession, Run


def not_computed(prog: Program, why: str) -> list[TargetCost]:
    return [TargetCost(t.name, None, None, None, f"not computed: {why}") for t in prog.scenario.targets]


def targets_asked(prog: Program) -> list:
    """The targets that ask something in some year (the others cost nothing to give up)."""
    return [t for t in prog.scenario.targets if any(r.target == t.name for r in prog.shortfall)]


def _given_up(prog: Program, name: str) -> list:
    """The target's shortfall variables, each with the most it may fall short: all it asks."""
    return [(s, float(r.required)) for r, s in prog.shortfall.items() if r.target == name]


def full_cost_relaxations(
    prog: Program, session: HighsSession, c0: float, lb0: float | None, within: float | None
) -> list[Relaxation]:
    """The re-solves of the kept model, one per target of :func:`targets_asked`, each without that target.

    ``within``: a re-solve may stop once ``full_cost_max − full_cost_min`` is at most this
    share of ``full_cost_max`` (status ``bounded``); None proves each to a currency unit.
    """
    targets = targets_asked(prog)
    return [
        Relaxation(
            f"full cost {k + 1}/{len(targets)}: {tg.name}",
            tuple((j, up) for s, up in _given_up(prog, tg.name) if (j := session.col(s)) is not None),
            abs_gap=EXACT_TOLERANCE / 2,
            enough=_close_enough(c0, lb0, within),
        )
        for k, tg in enumerate(targets)
    ]


def target_costs(prog: Program, found: list, c0: float, lb0: float | None) -> list[TargetCost]:
    """Every target's full cost from its re-solve's ends (``found``, in :func:`targets_asked` order; None: no time)."""
    out: dict[str, TargetCost] = {}
    for tg, got in zip(targets_asked(prog), found, strict=True):
        if got is None:
            out[tg.name] = TargetCost(tg.name, None, None, None, BUDGET)
            continue
        ub, lb, seconds, status = got
        if ub is None:
            out[tg.name] = TargetCost(tg.name, None, None, None, f"failed: {status}", seconds=seconds)
            continue
        ub = min(ub, c0)  # the plan itself is a plan without the target
        low = None if lb0 is None else lb0 - ub
        high = None if lb is None else c0 - lb
        exact = low is not None and high is not None and high - low <= EXACT_TOLERANCE
        cost = c0 - ub
        out[tg.name] = TargetCost(
            tg.name,
            cost,
            cost if exact else low,
            cost if exact else high,
            EXACT if exact else BOUNDED,
            cost_without=ub,
            seconds=seconds,
        )
    result = []
    for tg in prog.scenario.targets:
        # a target that asks nothing in any year (all zeros) costs nothing to give up
        result.append(out.get(tg.name) or TargetCost(tg.name, 0.0, 0.0, 0.0, EXACT, cost_without=c0))
    return result


def from_runs(runs: list[Run | None]) -> list:
    """The kept model's runs as :func:`target_costs` reads them."""
    return [None if run is None else _ends(run) for run in runs]


def full_costs_pulp(
    prog: Program, sol: Solution, solver: str, *, budget: float, min_share: float, progress: Callable[[str], None]
) -> list:
    """The solver-neutral way (CBC through PuLP): one re-solve after another, within ``budget`` seconds."""
    prog.set_elastic(False)
    prog.use_objective("cost")
    targets = targets_asked(prog)
    found: list = []
    t_start = time.perf_counter()
    for k, tg in enumerate(targets):
        each = fair_share(budget - (time.perf_counter() - t_start), len(targets) - k, min_share)
        if each is None:
            found.append(None)
            continue
        progress(f"full cost {k + 1}/{len(targets)}: {tg.name}")
        found.append(_resolve_pulp(prog, sol, _given_up(prog, tg.name), solver, each))
    prog.restore(sol)
    return found


def _close_enough(c0: float, lb0: float | None, within: float | None) -> Callable[[float, float], bool] | None:
    """Stop rule: ``[lb0 − best, c0 − bound]`` (the plan's own gap included) within ``within`` of its top."""
    if within is None or lb0 is None:
        return None
    return partial(_within_share, c0=c0, base_gap=max(0.0, c0 - lb0), within=within)


def _ends(run: Run):
    """A re-solve's best plan, its proven bound, seconds and status."""
    bound = run.bound if run.bound is not None else (run.objective if run.status == "optimal" else None)
    return run.objective, bound, run.seconds, run.status


def _resolve_pulp(prog: Program, sol: Solution, free, solver: str, time_limit: float):
    for s, up in free:
        s.upBound = up
    prog.restore(sol)
    try:
        o = prog.run(solver, time_limit=time_limit, gap=0.0, warm=True)
    finally:
        for s, _ in free:
            s.upBound = 0.0
    if not o.has_solution:
        return None, None, o.seconds, o.status
    bound = o.bound if o.bound is not None else (o.objective if o.status == "optimal" else None)
    return o.objective, bound, o.seconds, o.status
