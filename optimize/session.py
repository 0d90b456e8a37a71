"""The HiGHS model of the last solve, kept in memory for re-solves that only move bounds.

PuLP stays the modelling layer: it builds the program and passes it to HiGHS once
(``pulp.HiGHS`` leaves the ``highspy.Highs`` object it built on ``LpProblem.solverModel``).
Every later solve that differs only in a column bound (the marginal-cost re-solves relax
one requirement's shortfall variable) reuses that object: ``changeColBounds``,
``setSolution`` (the previous optimum as the starting incumbent) and ``run``, instead of
PuLP creating a new ``Highs``, re-passing 30,000 columns and 27,000 rows and reading
every value back (about 0.3 s a solve at 1,000 communities, plus the read-back).
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np

if TYPE_CHECKING:
    from pulp import LpConstraint, LpVariable

    from optimize.program import Program


_banner_silenced = False


def silence_banner() -> None:
    """Keep HiGHS's banner ("Running HiGHS …") off the process's standard output.

    HiGHS prints it from C when the process's first ``Highs`` object is built, before any
    option (``output_flag``, ``log_to_console``, PuLP's ``msg=False``) can be set, and
    only once a process. So the first one is built here with the file descriptor of
    standard output pointed at the null device; every later ``Highs`` prints nothing
    unless asked. Results are unaffected: nothing is solved.
    """
    global _banner_silenced
    if _banner_silenced:
        return
    _banner_silenced = True
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return  # no standard output to protect
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            highspy.Highs()
            _flush_c_stdout()
        finally:
            os.dup2(saved, 1)
            os.close(null)
    finally:
        os.close(saved)


def _flush_c_stdout() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):
        pass  # not a C library that exports fflush: HiGHS flushes its own lines


@dataclass
class Run:
    """One run of the kept model: ``status`` in the summary's words, objective and proven bound."""

    status: str  # optimal, enough, target, time_limit, infeasible, error
    objective: float | None
    bound: float | None
    seconds: float
    values: np.ndarray | None = None


class HighsSession:
    """The ``highspy.Highs`` PuLP built for ``prog``'s last HiGHS solve, with its solution.

    Column order is PuLP's (``LpProblem.exported_variables``), row order its constraint
    ids, so any :class:`~pulp.LpVariable` or :class:`~pulp.LpConstraint` of the program
    maps to the solver's index.
    """

    def __init__(self, prog: Program):
        h = prog.prob.solverModel
        if not isinstance(h, highspy.Highs):
            raise ValueError("no HiGHS model to keep: solve the program with HiGHS first")
        self.h = h
        self.col_of = {v.id: j for j, v in enumerate(prog.prob.exported_variables())}
        self.x0 = np.array(h.getSolution().col_value, dtype=float)
        info = h.getInfo()
        self.objective0 = float(info.objective_function_value)
        b = float(info.mip_dual_bound)
        self.bound0 = b if math.isfinite(b) else None

    def col(self, var: LpVariable) -> int | None:
        return self.col_of.get(var.id)

    @staticmethod
    def row(constraint: LpConstraint) -> int:
        return constraint.id

    def lp_duals(self) -> np.ndarray | None:
        """Row duals of the LP relaxation (integrality dropped) of the kept model, or None."""
        lp = self.h.getLp()
        lp.integrality_ = []
        g = highspy.Highs()
        g.setOptionValue("output_flag", False)
        g.passModel(lp)
        g.run()
        if g.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.array(g.getSolution().row_dual, dtype=float)

    def run(
        self,
        *,
        time_limit: float | None,
        rel_gap: float,
        abs_gap: float,
        start: np.ndarray | None = None,
        target: float | None = None,
        enough: Callable[[float, float], bool] | None = None,
    ) -> Run:
        """Run HiGHS on the kept model as it stands (warm from ``start`` when given).

        ``target``: stop as soon as a plan costing at most this is found (HiGHS's
        ``objective_target``; used when a bound elsewhere already proves it optimal).
        ``enough(best, bound)``: asked by HiGHS's MIP interrupt callback with the best plan's
        cost and the proven bound; the run stops (status ``enough``) once it says True, so
        a caller that needs a figure to within a share of itself, not to one currency unit,
        does not pay for the last proof.
        """
        h = self.h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(time_limit) if time_limit is not None else highspy.kHighsInf)
        h.setOptionValue("mip_rel_gap", float(rel_gap))
        h.setOptionValue("mip_abs_gap", float(abs_gap))
        h.setOptionValue("objective_target", float(target) if target is not None else -highspy.kHighsInf)
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = start.tolist()
            sol.value_valid = True
            h.setSolution(sol)
        stopped = [False]

        def check(e) -> None:
            best, bound = float(e.data_out.mip_primal_bound), float(e.data_out.mip_dual_bound)
            if enough is not None and math.isfinite(best) and math.isfinite(bound) and enough(best, bound):
                stopped[0] = True
                e.interrupt()

        if enough is not None:
            h.cbMipInterrupt.subscribe(check)
        t0 = time.perf_counter()
        try:
            h.run()
        except Exception as err:  # reported, not raised
            return Run(f"error: {type(err).__name__}: {err}", None, None, time.perf_counter() - t0)
        finally:
            if enough is not None:
                h.cbMipInterrupt.unsubscribe(check)
                # HiGHS keeps the interrupt flag set for the next run (which would stop at
                # once): passing the callback again clears it
                h.enableCallbacks()
        seconds = time.perf_counter() - t0
        st = h.getModelStatus()
        info = h.getInfo()
        obj = float(info.objective_function_value)
        dual_bound = float(info.mip_dual_bound)
        bound = dual_bound if math.isfinite(dual_bound) else None
        S = highspy.HighsModelStatus
        has = info.primal_solution_status == 2 and math.isfinite(obj)  # kSolutionStatusFeasible
        values = np.array(h.getSolution().col_value, dtype=float) if has else None
        if st == S.kOptimal:
            return Run("optimal", obj, bound, seconds, values)
        if st == S.kInfeasible:
            return Run("infeasible", None, None, seconds)
        if has and stopped[0] and st == S.kInterrupt:
            return Run("enough", obj, bound, seconds, values)
        if has:
            return Run("time_limit" if st != S.kObjectiveTarget else "target", obj, bound, seconds, values)
        return Run("time_limit" if st == S.kTimeLimit else f"error: {h.modelStatusToString(st)}", None, bound, seconds)
