"""What each requirement costs at the margin.

``marginal_cost``: how much the total cost falls if a requirement is relaxed by one unit
(one community, facility or staff member), found by re-solving the program with that
requirement's shortfall variable allowed up to 1. It is measured from the reported
plan's cost ``C0``: the re-solve's best plan ``UB`` gives ``marginal_cost = C0 − UB`` (a
saving that is certainly available), its proven bound ``LB`` gives
``marginal_cost_max = C0 − LB`` (no relaxed plan saves more). ``marginal_status`` says
which it is, in plain words:

- ``exact`` — the two agree to within :data:`EXACT_TOLERANCE` (one currency unit) and
  the plan itself is proven optimal to within it, so the saving is the true marginal
  cost of the formulation;
- ``bounded`` — the true saving lies in ``[marginal_cost, marginal_cost_max]`` (the
  re-solve stopped at its share of the time budget, or the plan has a gap of its own);
- ``not computed: time budget`` — the budget ran out before this requirement's turn;
- ``not computed: duals only`` — marginal costs were asked for as LP duals only;
- ``not binding`` — the plan has a unit or more to spare, relaxing it cannot be
  expected to save (reported ``null``);
- ``failed: ...`` — the re-solve ended without a plan (should not happen: the plan
  itself stays feasible when a requirement is relaxed).

How the re-solves are made affordable (``docs/planning.md`` asks for re-solves):

- one HiGHS model is kept in memory (:class:`~optimize.session.HighsSession`): a
  re-solve moves one column bound and runs, no rebuild, no re-pass;
- each re-solve starts from the plan (still feasible once a requirement is relaxed),
  so it always has an incumbent and the saving found is never negative;
- it stops at an *absolute* gap of one currency unit (``mip_abs_gap``), not the plan's
  relative gap: a 1e-4 gap on a 5e8 objective is 50,000, larger than most marginal costs;
- binding requirements are priced in order of their LP dual (the largest expected saving
  first) within a total time budget, each re-solve getting at most its fair share of what
  is left (but never less than twice the main solve, so that one can finish);
- a cheap exact case: relaxing a ``city_staff`` requirement by one staff member cannot
  save more than one hire in that year costs (hire it back: every other requirement
  still holds), so the re-solve stops as soon as it finds that saving, which is then
  exact. (Not used under a hard budget, where hiring back could break the budget.)

``dual_lp``: the dual value of the requirement's row in the LP relaxation (integrality
dropped) — cheap and available for every requirement, but only an approximation of the
integer marginal cost: it is labelled as such in summary.json.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from optimize.resolves import Relaxation, fair_share, run_relaxed
from scenarios.targets import Requirement

if TYPE_CHECKING:
    from optimize.program import Outcome, Program, Solution
    from optimize.result import PlanResult
    from optimize.session import HighsSession, Run

#: Marginal costs closer than this (currency units) to their proven bound are exact.
EXACT_TOLERANCE = 1.0
#: Under a time budget a re-solve stops once its figure is bounded within this share of
#: itself: the last proof to a currency unit can cost more than everything before it.
WITHIN = 0.01

EXACT = "exact"
BOUNDED = "bounded"
BUDGET = "not computed: time budget"
DUALS_ONLY = "not computed: duals only"
NOT_BINDING = "not binding"


@dataclass
class Marginal:
    """One requirement's marginal cost: saving found, most it could save, and which it is."""

    saving: float | None
    saving_max: float | None
    status: str
    seconds: float = 0.0


def lp_duals(prog: Program, solver: str, session: HighsSession | None = None) -> dict[Requirement, float | None]:
    """Duals of the requirement rows in the min-cost LP relaxation (cost per unit required).

    With a kept HiGHS model the relaxation is solved from a copy of it (no re-pass).
    """
    if session is not None:
        duals = session.lp_duals()
        if duals is None:
            return {}
        return {r: abs(float(duals[session.row(row)])) for r, row in prog.req_rows.items()}
    prog.set_elastic(False)
    prog.use_objective("cost")
    out = prog.run(solver, mip=False)
    if not out.has_solution:
        return {}
    # a >= row of a minimisation has a non-negative dual in every solver's convention
    # once signs are normalised; report the magnitude (cost per unit of requirement)
    return {r: abs(row.pi) if row.pi is not None else None for r, row in prog.req_rows.items()}


def hire_back_cost(prog: Program, r: Requirement) -> float | None:
    """The most relaxing ``r`` by one can save, when a simple repair proves it; else None.

    ``city_staff``: one more hire of that kind in that year, with its pay to the end of
    the plan (attrition and discounting applied), restores the requirement and breaks no
    other (stocks only grow). Not valid under a hard budget.
    """
    if r.kind != "city_staff" or prog.budget_rows:
        return None
    d = prog.data
    s = prog.scenario.target(r.target).city_staff
    assert s is not None  # a city_staff requirement's target names its staff kind
    keep = 1.0 - d.attr[s]
    t = r.year
    cost = d.c_hire[s] * d.discount(t)
    cost += sum(float(d.pay[s][tau]) * keep ** (tau - t) * d.discount(tau) for tau in range(t, d.years + 1))
    return float(cost)


def priority(result: PlanResult) -> list:
    """Binding requirements, largest LP dual first (the biggest expected saving), then in scenario order."""
    binding = [rr for rr in result.requirements if rr.binding]
    return sorted(binding, key=lambda rr: -(rr.dual_lp or 0.0))


def plan_cost(prog: Program, sol: Solution, base: Outcome, session: HighsSession | None) -> tuple[float, float | None]:
    """The plan's cost ``C0`` and its proven lower bound ``LB0`` (None if unproven): what every re-solve is measured from."""
    if session is not None:
        c0, lb0 = session.objective0, session.bound0
    else:
        prog.restore(sol)
        c0 = float(prog.cost_objective.value() or 0.0)  # restored: every variable has a value
        lb0 = base.bound
    if lb0 is None and base.status == "optimal":
        lb0 = c0  # an LP-free solve proven optimal (no MIP bound reported)
    return c0, lb0


def marginal_relaxations(
    prog: Program, order: list[Requirement], session: HighsSession, c0: float, within: float | None
) -> tuple[list[Requirement], list[Relaxation], dict[Requirement, Marginal]]:
    """The re-solves of the kept model for ``order`` (each requirement relaxed by one unit), in that order.

    Returns the requirements asked, their relaxations, and a failure for any not in the
    model. ``within``: a re-solve may stop once ``marginal_cost_max − marginal_cost`` is
    at most this share of ``marginal_cost_max`` (status ``bounded``); None proves every
    one to a currency unit.
    """
    asked: list[Requirement] = []
    relaxations: list[Relaxation] = []
    failed: dict[Requirement, Marginal] = {}
    for k, r in enumerate(order):
        j = session.col(prog.shortfall[r])
        if j is None:
            failed[r] = Marginal(None, None, "failed: requirement not in the model")
            continue
        repair = hire_back_cost(prog, r)
        asked.append(r)
        relaxations.append(
            Relaxation(
                f"marginal cost {k + 1}/{len(order)}: {r.label}",
                ((j, 1.0),),
                abs_gap=EXACT_TOLERANCE / 2,
                target=c0 - repair + EXACT_TOLERANCE / 2 if repair is not None else None,
                enough=close_enough(c0, within),
            )
        )
    return asked, relaxations, failed


def settle(
    prog: Program, found: dict[Requirement, Marginal], c0: float, lb0: float | None
) -> dict[Requirement, Marginal]:
    """Each re-solve's saving with its status: ``exact`` where what the solver proved, or a repair proves, meets it."""
    base_gap = max(0.0, c0 - lb0) if lb0 is not None else None
    base_exact = base_gap is not None and base_gap <= EXACT_TOLERANCE
    for r, m in found.items():
        if m.saving is None:
            continue
        most, repair = m.saving_max, hire_back_cost(prog, r)
        if repair is not None and base_gap is not None:
            most = min(most, repair + base_gap) if most is not None else repair + base_gap
        m.saving_max = max(m.saving, most) if most is not None else None
        exact = base_exact and m.saving_max is not None and m.saving_max - m.saving <= EXACT_TOLERANCE
        m.status = EXACT if exact else BOUNDED
        if exact:
            m.saving_max = m.saving
    return found


def from_runs(asked: list[Requirement], runs: list[Run | None], c0: float) -> dict[Requirement, Marginal]:
    """The kept model's runs as savings found and the most proven possible (``None``: the budget ran out)."""
    return {
        r: Marginal(None, None, BUDGET) if run is None else _marginal_of(run, c0)
        for r, run in zip(asked, runs, strict=True)
    }


def marginal_costs_pulp(
    prog: Program,
    sol: Solution,
    order: list[Requirement],
    solver: str,
    c0: float,
    *,
    budget: float,
    min_share: float,
    progress: Callable[[str], None],
) -> dict[Requirement, Marginal]:
    """The solver-neutral way (CBC through PuLP): one re-solve after another, rebuilt each time."""
    prog.set_elastic(False)
    prog.use_objective("cost")
    t_start = time.perf_counter()
    out: dict[Requirement, Marginal] = {}
    for k, r in enumerate(order):
        each = fair_share(budget - (time.perf_counter() - t_start), len(order) - k, min_share)
        if each is None:
            out[r] = Marginal(None, None, BUDGET)
            continue
        progress(f"marginal cost {k + 1}/{len(order)}: {r.label}")
        out[r] = _resolve_pulp(prog, sol, r, solver, c0, each)
    prog.restore(sol)
    return out


def _within_share(best: float, bound: float, *, c0: float, base_gap: float, within: float) -> bool:
    """The saving's range (``base_gap`` plus the re-solve's gap) is within ``within`` of its top."""
    return base_gap + best - bound <= max(EXACT_TOLERANCE / 2, within * (c0 - bound))


def close_enough(c0: float, within: float | None) -> Callable[[float, float], bool] | None:
    """Stop rule of a re-solve: the saving's range ``[c0 − best, c0 − bound]`` is within ``within`` of its top."""
    if within is None:
        return None
    return partial(_within_share, c0=c0, base_gap=0.0, within=within)


def _marginal_of(run: Run, c0: float) -> Marginal:
    """A re-solve's run as the saving it found and the most it proved possible (status set by the caller)."""
    if run.objective is None:
        return Marginal(None, None, f"failed: {run.status}", run.seconds)
    found = max(0.0, c0 - run.objective)
    most = (
        found if run.status == "optimal" and run.bound is None else (c0 - run.bound if run.bound is not None else None)
    )
    if run.status == "optimal" and run.bound is not None:
        most = max(found, c0 - run.bound)
    return Marginal(found, most, BOUNDED, run.seconds)


def _resolve_kept(
    session: HighsSession, shortfall, c0: float, target: float | None, time_limit: float, within: float | None = None
) -> Marginal:
    """One requirement's re-solve on the kept model, here: one figure without the time budget's queue."""
    j = session.col(shortfall)
    if j is None:
        return Marginal(None, None, "failed: requirement not in the model")
    relax = Relaxation("", ((j, 1.0),), EXACT_TOLERANCE / 2, target, close_enough(c0, within))
    return _marginal_of(run_relaxed(session, relax, time_limit), c0)


def _resolve_pulp(prog: Program, sol: Solution, r: Requirement, solver: str, c0: float, time_limit: float) -> Marginal:
    """The solver-neutral re-solve through PuLP (CBC): rebuilds and re-passes each time."""
    s = prog.shortfall[r]
    s.upBound = 1.0
    prog.restore(sol)
    try:
        o = prog.run(solver, time_limit=time_limit, gap=0.0, warm=True)
    finally:
        s.upBound = 0.0
    if not (o.has_solution and o.objective is not None):
        return Marginal(None, None, f"failed: {o.status}", o.seconds)
    found = max(0.0, c0 - o.objective)
    most = found if o.status == "optimal" and o.bound is None else (c0 - o.bound if o.bound is not None else None)
    return Marginal(found, most, BOUNDED, o.seconds)
