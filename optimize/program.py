"""Build the canonical planning program once, then solve it in any mode.

:class:`Program` holds one PuLP problem built from a scenario (``docs/planning.md``, "The formulation").
The build is a short table of contents: decision families, stocks, physical rules,
target conditions, requirements by kind, cost, budget. Modes do not rebuild: they move
variable bounds (the shortfall and budget-slack variables), right-hand sides and the
objective, so min-cost, max-attainment, marginal-cost re-solves, the infeasibility
explanation and the budget frontier all share one built model.

:func:`solve` is the public entry point.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass

import highspy
import numpy as np
import pulp
from pulp import LpAffineExpression, LpConstraint, LpProblem, LpVariable

from optimize import constraints as C
from optimize import variables as V
from optimize.check import check_plan
from optimize.constraints import BudgetRow, LimitRow
from optimize.data import ProgramData
from optimize.fullcost import not_computed
from optimize.infeasibility import explain
from optimize.pricing import price
from optimize.result import PlanResult
from optimize.session import ctrl_c_noted, silence_banner, stop_when_noted
from optimize.variables import Grid, Lin, Stocks
from scenarios.plan import PlanArrays, stocks_from_decisions
from scenarios.schema import Scenario
from scenarios.targets import Requirement

MODES = ("min-cost", "max-attainment")
SOLVERS = ("highs", "cbc")
#: What ``solve(marginal_costs=...)`` accepts: re-solves (True, "resolve"), LP duals only, none.
MARGINALS = (True, False, "resolve", "dual")


@dataclass
class Outcome:
    """One solver run, in plain words: ``status`` is one of the summary's statuses."""

    status: str  # optimal, optimal_within_gap, time_limit, infeasible, error
    objective: float | None
    gap: float | None
    seconds: float
    detail: str = ""
    bound: float | None = None  # the best bound the solver proved (MIP), if any

    @property
    def has_solution(self) -> bool:
        """A plan is in hand: a solver stopped by its time limit may have none."""
        return self.status in ("optimal", "optimal_within_gap", "time_limit") and self.objective is not None


@dataclass
class Solution:
    """Decision values of one solve (rounded: whole hires, 0/1 projects and openings)."""

    x: np.ndarray
    y: np.ndarray
    b: dict[str, np.ndarray]
    h: dict[str, np.ndarray]
    shortfall: dict[Requirement, float]
    values: dict[str, float]  # every variable's value by name (names are unique), for warm starts
    f: np.ndarray | None = None  # working funds (None: the scenario plans none)
    g: dict[str, np.ndarray] | None = None  # people trained, by kind


class Program:
    """The planning program of one scenario, built once (see the module docstring).

    ``total_budget_row`` adds a total-budget row even without a scenario total (the
    frontier moves it); ``attainment_row`` adds ``Σ w·shortfall <= R`` for the
    lexicographic second stage of max-attainment.
    """

    builds = 0  # how many programs were built in this process (the frontier test reads it)

    # decisions (optimize.variables), each [i][t-1]; facility and staff families by kind
    x: Grid  # m² added
    y: Grid  # a space project happens (binary)
    b: dict[str, Grid]  # facility opened (binary)
    h: dict[str, Grid]  # hires (integer)
    f: Grid  # yuan into the working fund (only when a target asks for funds)
    g: dict[str, Grid]  # people trained (integer), by trained kind
    q: dict[tuple[int, int], LpVariable]  # (co-funder, year) -> what it pays
    others: dict[int, dict[str, dict[str, Lin]]]  # year -> staff payer -> line -> its part
    # stocks: affine expressions of the decisions
    space: Stocks
    has: dict[str, Stocks]
    staff: dict[str, Stocks]
    z: dict[tuple[str, int], dict[int, LpVariable]]  # (target, year) -> community -> held to it
    shortfall: dict[Requirement, LpVariable]
    # rows (optimize.constraints)
    req_rows: dict[Requirement, LpConstraint]
    cost: dict[int, dict[str, Lin]]  # year -> line -> expression
    budget_rows: dict[str, BudgetRow]  # "y<t>" or "total"
    limit_rows: dict[tuple[str, int], LimitRow]  # [capacity] and max_share_per_year, by (what, year)
    attainment_row: LpConstraint | None

    def __init__(
        self,
        scenario: Scenario,
        *,
        total_budget_row: bool = False,
        attainment_row: bool = False,
        weights: dict[Requirement, float] | None = None,
    ):
        Program.builds += 1
        t0 = time.perf_counter()
        scenario = scenario.planning()  # outcome conditions are the simulation's to judge
        self.scenario = scenario
        self.data = ProgramData.from_scenario(scenario)
        self.prob = LpProblem(f"commplan-{scenario.name}", pulp.LpMinimize)
        self.req_rows = {}
        # decisions and stocks
        self.x, self.y = V.define_space_variables(self)
        self.b = V.define_facility_variables(self)
        self.h = V.define_hire_variables(self)
        self.f = V.define_funds_variables(self)
        self.g = V.define_training_variables(self)
        self.q = V.define_cofunding_variables(self)
        self.space, self.has, self.staff = V.define_stocks(self)
        self.z = V.define_condition_variables(self)
        self.shortfall = V.define_shortfall_variables(self)
        # physical rules
        C.define_space_projects(self)
        C.define_open_once(self)
        C.define_room(self)
        C.define_training(self)
        # targets: conditions, then one function per requirement kind
        C.define_conditions(self)
        C.define_share(self)
        C.define_keys_by(self)
        C.define_count(self)
        C.define_city_staff(self)
        C.define_city_average(self)
        C.define_spread(self)
        # cost, budget, what the city can absorb in a year, objectives
        self.cost = C.define_cost(self)
        self.others = C.define_paid_by_others(self)
        C.define_cofunding(self)
        self.budget_rows = C.define_budget(self, total_row=total_budget_row)
        self.limit_rows = {**C.define_capacity(self), **C.define_max_share(self)}
        self.weights = weights or {r: 1.0 / r.required for r in scenario.requirements}
        self._define_objectives()
        self.attainment_row = None
        if attainment_row and self.shortfall:
            self.attainment_row = C.add_row(
                self, list(self.shortfall_pairs), 0.0, C.LE, self.max_shortfall, "attainment"
            )
        self.build_seconds = time.perf_counter() - t0

    # ----------------------------------------------------------------------------------
    # objectives

    def _define_objectives(self) -> None:
        d = self.data
        pairs: list = []
        const = 0.0
        for t in d.T:
            w = d.discount(t)
            # the city's own cost by default; everyone's with [budget] minimise = "total"
            city = self.scenario.budget.minimise == "city"
            p, c = C.city_cost_of_year(self, t) if city else C.cost_of_year(self, t)
            pairs += [(v, k * w) for v, k in p] if w != 1.0 else p
            const += c * w
        self.cost_objective = LpAffineExpression.from_list(pairs, constant=const)
        self.shortfall_pairs = [(s, self.weights[r]) for r, s in self.shortfall.items()]
        self.shortfall_objective = LpAffineExpression.from_list(self.shortfall_pairs)
        self.max_shortfall = float(sum(self.weights[r] * r.required for r in self.shortfall))

    def use_objective(self, which: str) -> None:
        """``cost`` (the discounted sum of yearly costs) or ``shortfall`` (weighted)."""
        self.prob.objective = self.cost_objective if which == "cost" else self.shortfall_objective

    # ----------------------------------------------------------------------------------
    # modes, as bounds and right-hand sides

    def set_elastic(self, elastic: bool) -> None:
        """Requirements hard (shortfall fixed at 0) or elastic (shortfall up to the requirement)."""
        for r, s in self.shortfall.items():
            s.upBound = float(r.required) if elastic else 0.0

    def set_budget(self, hard: bool = True, total: float | None | str = "keep") -> None:
        """Hold or drop the budget rows; optionally move the total budget (``None``: no total)."""
        for key, entry in self.budget_rows.items():
            if key == "total" and total != "keep":
                entry.limit = None if total is None else float(total)
                if entry.limit is not None:
                    entry.row.changeRHS(entry.limit - entry.constant)
            entry.slack.upBound = 0.0 if (hard and entry.limit is not None) else None

    def set_limits(self, hard: bool = True) -> None:
        """Hold the yearly limits (``[capacity]``, ``max_share_per_year``) or let them be exceeded."""
        for entry in self.limit_rows.values():
            entry.excess.upBound = 0.0 if hard else None

    def set_attainment_bound(self, bound: float | None) -> None:
        if self.attainment_row is not None:
            self.attainment_row.changeRHS(self.max_shortfall if bound is None else float(bound))

    # ----------------------------------------------------------------------------------
    # solving

    def run(
        self,
        solver: str = "highs",
        *,
        time_limit: float | None = None,
        gap: float = 1e-4,
        warm: bool = False,
        mip: bool = True,
    ) -> Outcome:
        """Solve the problem as it stands and classify the outcome in the summary's words.

        A warm solve that claims to have stopped at the gap while its plan is farther from
        the proven bound than ``gap`` is solved again cold, within the time left, and the
        better plan kept: HiGHS (1.16) can finish a warm-started MIP "optimal" on the
        presolved model yet hand back the starting plan itself, unimproved (the cost stage
        of max-attainment then returned plans up to 80 % dearer than min-cost's).
        """
        out = self._run_once(solver, time_limit=time_limit, gap=gap, warm=warm, mip=mip)
        if not (warm and out.status == "optimal_within_gap" and (out.gap or 0.0) > 1.01 * gap + 1e-9):
            return out
        left = None if time_limit is None else time_limit - out.seconds
        if left is not None and left <= 0:
            return out
        kept = {v.name: x for v in self.prob.variables() if (x := v.varValue) is not None}
        cold = self._run_once(solver, time_limit=left, gap=gap, warm=False, mip=mip)
        seconds = out.seconds + cold.seconds
        if cold.has_solution and (cold.objective or 0.0) <= (out.objective or math.inf):
            return dataclasses.replace(cold, seconds=seconds)
        self.prob.assignVarsVals(kept)
        return dataclasses.replace(out, seconds=seconds)

    def _run_once(self, solver: str, *, time_limit: float | None, gap: float, warm: bool, mip: bool) -> Outcome:
        """One solver call, classified (see :meth:`run`)."""
        sv: pulp.LpSolver
        noted = [False]  # a Ctrl-C while HiGHS runs (see optimize.session.ctrl_c_noted)
        if solver == "highs":
            silence_banner()
            sv = pulp.HiGHS(
                msg=False,
                mip=mip,
                gapRel=gap,
                timeLimit=time_limit,
                warmStart=warm,
                callbackTuple=stop_when_noted(noted),
                callbacksToActivate=[highspy.cb.HighsCallbackType.kCallbackMipInterrupt],
            )
        elif solver == "cbc":
            sv = pulp.COIN_CMD(msg=False, mip=mip, gapRel=gap, timeLimit=time_limit, warmStart=warm)
        else:
            raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
        t0 = time.perf_counter()
        try:
            with ctrl_c_noted(noted) if solver == "highs" else nullcontext():
                stats = self.prob.solve(sv)
        except Exception as err:  # a solver crash is reported, not raised: the run must say what happened
            return Outcome("error", None, None, time.perf_counter() - t0, f"{type(err).__name__}: {err}")
        if noted[0]:
            raise KeyboardInterrupt
        seconds = time.perf_counter() - t0
        S = pulp.LpSolveStatus
        obj = stats.objective
        if solver == "cbc" and stats.best_bound is not None and self.prob.objective is not None:
            # CBC reads an MPS file, which has no objective constant: its bound lacks it
            stats.best_bound += self.prob.objective.constant
        g = stats.gap_rel if (mip and stats.is_mip) else 0.0
        if g is not None and (not math.isfinite(g) or g < 1e-9):
            g = 0.0 if math.isfinite(g) else None
        if stats.has_solution and stats.status in (S.Optimal, S.GapLimit):
            return Outcome("optimal" if not g else "optimal_within_gap", obj, g or 0.0, seconds, bound=stats.best_bound)
        if stats.has_solution and stats.status in (
            S.TimeLimit,
            S.NodeLimit,
            S.IterationLimit,
            S.Stopped,
            S.Interrupted,
            S.SolutionLimit,
        ):
            return Outcome("time_limit", obj, g, seconds, bound=stats.best_bound)
        if stats.status in (S.Infeasible, S.Undefined) and not stats.has_solution:
            # all costs are non-negative on non-negative variables: never unbounded, so
            # HiGHS's "unbounded or infeasible" means infeasible here
            return Outcome("infeasible", None, None, seconds)
        if stats.status == S.TimeLimit:
            return Outcome("time_limit", None, None, seconds, "no feasible plan found within the time limit")
        return Outcome("error", None, None, seconds, f"solver stopped: {stats.status_str}")

    def solution(self) -> Solution:
        """Read the decisions back, rounding integers (solvers return 2.9999999)."""
        d = self.data

        def grid(g, integer: bool) -> np.ndarray:
            a = np.array([[v.varValue or 0.0 for v in row] for row in g], dtype=float).reshape(d.n, d.years)
            return np.rint(a) if integer else np.where(np.abs(a) < 1e-7, 0.0, np.round(a, 6))

        values = {v.name: x for v in self.prob.variables() if (x := v.varValue) is not None}
        return Solution(
            x=grid(self.x, False),
            y=grid(self.y, True),
            b={u: grid(self.b[u], True) for u in d.facilities},
            h={s: grid(self.h[s], True) for s in d.staff},
            shortfall={r: float(s.varValue or 0.0) for r, s in self.shortfall.items()},
            values=values,
            f=grid(self.f, False) if self.f else None,
            g={s: grid(self.g[s], True) for s in self.g},
        )

    def restore(self, sol: Solution) -> None:
        """Put a solution back into the variables, as the warm start of the next solve."""
        self.prob.assignVarsVals(sol.values)

    def plan(self, sol: Solution) -> PlanArrays:
        return stocks_from_decisions(self.data, sol.x, sol.b, sol.h, sol.f, sol.g)


#: How far a solve is from proven optimal, best first: a two-stage solve is as good as its worse stage.
RANK = {"optimal": 0, "optimal_within_gap": 1, "time_limit": 2}


def lexicographic(prog: Program, solver: str, *, time_limit: float | None, gap: float) -> tuple[Outcome, float | None]:
    """Max-attainment: least weighted shortfall first, then least cost with it held.

    Two solves, not a blended weight: the second bounds ``Σ w·shortfall`` at the first
    solve's incumbent (which it can always meet) and minimises cost, warm-started (and
    solved again cold if the warm solve hands back a plan outside the gap: :meth:`Program.run`).
    Returns one outcome for both stages (the worse status, the larger gap) and the
    shortfall reached. If the cost stage finds nothing, the attainment stage's plan is
    put back and the outcome says ``time_limit``: that plan's cost was not minimised.
    """
    prog.set_elastic(True)
    prog.set_attainment_bound(None)
    prog.use_objective("shortfall")
    first = prog.run(solver, time_limit=time_limit, gap=gap)
    if not first.has_solution:
        return first, None
    reached = float(sum(w * (s.varValue or 0.0) for s, w in prog.shortfall_pairs))
    first_plan = prog.solution()
    prog.set_attainment_bound(reached + 1e-6)
    prog.use_objective("cost")
    second = prog.run(solver, time_limit=time_limit, gap=gap, warm=True)
    seconds = first.seconds + second.seconds
    if not second.has_solution:
        prog.restore(first_plan)
        return Outcome(
            "time_limit",
            first.objective,
            first.gap,
            seconds,
            f"the cost stage found no plan ({second.status}): the plan's cost is not minimised",
        ), reached
    status = max(first.status, second.status, key=RANK.__getitem__)
    gaps = [g for g in (first.gap, second.gap) if g is not None]
    return Outcome(status, second.objective, max(gaps) if gaps else None, seconds, second.detail, second.bound), reached


def solve(
    scenario: Scenario,
    *,
    mode: str = "min-cost",
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-4,
    marginal_costs: bool | str = True,
    progress: Callable[[str], None] | None = None,
    marginal_time_limit: float | None = None,
    explain_infeasible: bool = True,
    processes: int | None = 1,
    executor: Executor | None = None,
):
    """Solve the planning program of ``scenario`` and return a :class:`~optimize.result.PlanResult`.

    ``mode``: ``min-cost`` (every requirement hard, budgets as constraints where given)
    or ``max-attainment`` (budget hard, least weighted shortfall, then least cost).
    ``solver``: ``highs`` (default) or ``cbc``. ``gap``: relative MIP gap at which the
    solver may stop (status ``optimal_within_gap`` reports the gap reached). In min-cost
    mode ``marginal_costs`` re-solves each binding requirement relaxed by one unit; an
    infeasible min-cost problem is explained (which requirements fall short, by how
    much, and the smallest budget that meets them all). Never raises for an infeasible
    or failed solve: the result's ``status`` and ``explanation`` say what happened.

    Marginal costs (min-cost mode only; see :mod:`optimize.marginal`):

    - ``marginal_costs=True`` (or ``"resolve"``, the default): the LP dual of every
      requirement, and for each *binding* requirement a re-solve relaxed by one unit, in
      order of LP dual (largest first), on the HiGHS model kept in memory, warm from the
      plan, to an absolute gap of one currency unit. Each binding requirement gets
      ``marginal_cost`` (saving found, from the plan's cost), ``marginal_cost_max``
      (proven most it could save) and ``marginal_status``: ``exact``, ``bounded``
      (the truth lies between the two) or ``not computed: time budget``.
    - ``marginal_costs="dual"``: LP duals only (``dual_lp``), no re-solve; binding
      requirements get ``marginal_status = "not computed: duals only"``.
    - ``marginal_costs=False``: neither.

    ``marginal_time_limit``: the total time budget of the re-solves (each target's full
    cost first, within at most half of it, then the marginal costs), in seconds (default
    ``max(5, 3 × the main solve)``, and never more than ``time_limit`` when one is
    given); ``float("inf")`` prices every binding requirement. Each re-solve gets at
    most its fair share of what is left, but no less than twice the main solve.
    Marginal costs are ``exact`` only when the plan itself is proven optimal to within
    a currency unit: pass ``gap=0`` for exact marginal costs on large cities.

    ``processes``: the re-solves run that many at a time, on worker processes started for
    the call (or on ``executor``, given by the caller); 1 runs them here; None: on every
    core when the main solve took at least :data:`optimize.pricing.PARALLEL_FROM` seconds (a re-solve takes
    about as long; below that, starting workers costs more than it saves), else here. A
    figure proven exact does not depend on it; under a time budget more processes price
    more requirements (:mod:`optimize.resolves`).

    ``explain_infeasible=False``: an infeasible problem is reported without its
    explanation (which takes further solves): for callers that only ask whether a plan
    exists, as the confidence loop does of each margin it tries.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    if marginal_costs not in MARGINALS:
        raise ValueError(f"unknown marginal_costs {marginal_costs!r}; choose True, False, 'resolve' or 'dual'")
    if solver not in SOLVERS:
        raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    say = progress or (lambda _msg: None)
    t_start = time.perf_counter()
    scenario = scenario.planning()  # outcome conditions are the simulation's to judge
    say(f"building the planning program for {len(scenario.communities)} communities × {scenario.years} years")
    prog = Program(scenario, attainment_row=(mode == "max-attainment"))
    timings = {"build": prog.build_seconds}
    if mode == "min-cost":
        prog.set_elastic(False)
        prog.use_objective("cost")
        say(f"solving for the least-cost plan with {solver}")
        out = prog.run(solver, time_limit=time_limit, gap=gap)
    else:
        say(f"solving for the most attainable plan within the budget with {solver}")
        out, _ = lexicographic(prog, solver, time_limit=time_limit, gap=gap)
    timings["solve"] = out.seconds
    if not out.has_solution:
        if out.status == "infeasible" and not explain_infeasible:
            info, text = None, "No plan meets every requirement (not explained: the caller did not ask)."
        else:
            info, text = _why_no_plan(prog, out, solver, time_limit, gap, say)
        timings["total"] = time.perf_counter() - t_start
        return PlanResult.without_plan(scenario, mode, solver, out, info, text, timings)
    sol = prog.solution()
    result = PlanResult.from_solution(prog, sol, mode, solver, out, timings)
    check_plan(result, objective=out.objective, shortfall=sol.shortfall)  # raises rather than report a wrong plan
    if mode == "min-cost" and marginal_costs and result.requirements:
        t0 = time.perf_counter()
        price(prog, sol, result, out, solver, marginal_costs, time_limit, marginal_time_limit, say, processes, executor)
        result.timings["marginal"] = time.perf_counter() - t0
    elif result.requirements:
        why = mode if mode != "min-cost" else "re-solves not asked for"
        result.target_costs = not_computed(prog, why)
    result.timings["total"] = time.perf_counter() - t_start
    say(f"done: {result.status_words()}")
    return result


def _why_no_plan(
    prog: Program, out: Outcome, solver: str, time_limit: float | None, gap: float, say: Callable[[str], None]
) -> tuple[dict | None, str]:
    """The explanation of a solve without a plan: infeasible (which targets, by how much), out of time, or failed."""
    if out.status == "infeasible":
        say("no plan meets every requirement: finding out which ones and why")
        return explain(prog, solver, time_limit=time_limit, gap=gap)
    if out.status == "time_limit":
        return (
            None,
            "The solver found no plan within the time limit: give it longer (--time-limit), or accept a larger --gap.",
        )
    return None, f"The solver failed: {out.detail or 'no details'}."
