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
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def plan_solution(values: np.ndarray) -> highspy.HighsSolution:
    """``values`` as a HiGHS solution to start from (the plan, for the next re-solve)."""
    sol = highspy.HighsSolution()
    sol.col_value = values.tolist()
    sol.value_valid = True
    return sol


@contextmanager
def ctrl_c_noted(noted: list[bool]) -> Iterator[None]:
    """While HiGHS runs, a Ctrl-C is noted (and the run stopped by its callback), not raised.

    Python raises a Ctrl-C only where Python code runs: during a run, that is inside one
    of HiGHS's callbacks, where the exception is lost in the C++ between and the run goes
    on as if nothing happened. Noted instead, it stops the run at the next callback and
    is raised once the run has returned. Only the main thread can take the signal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def note(_signum, _frame) -> None:
        noted[0] = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


def stop_when_noted(noted: list[bool]):
    """PuLP's ``callbackTuple`` for a solve it runs: HiGHS's MIP interrupt callback stops the
    run once :func:`ctrl_c_noted` has noted a Ctrl-C (PuLP creates the ``Highs`` itself, so
    highspy's subscriptions cannot be used)."""

    def stop(_type, _message, _data_out, data_in, _user_data) -> None:
        if noted[0] and data_in is not None:
            data_in.user_interrupt = True

    return stop, None


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

    def __init__(self, h: highspy.Highs, *, col_of: dict, x0: np.ndarray, objective0: float, bound0: float | None):
        self.h = h
        self.col_of = col_of
        self.x0 = x0
        self.objective0 = objective0
        self.bound0 = bound0
        self._spec: ModelSpec | None = None

    @classmethod
    def of_program(cls, prog: Program) -> HighsSession:
        """The model PuLP passed to HiGHS for ``prog``'s last solve, with that solve's plan."""
        h = prog.prob.solverModel
        if not isinstance(h, highspy.Highs):
            raise ValueError("no HiGHS model to keep: solve the program with HiGHS first")
        h.enableCallbacks()  # highspy's own dispatcher again, where the main solve had PuLP's callback
        info = h.getInfo()
        b = float(info.mip_dual_bound)
        return cls(
            h,
            col_of={v.id: j for j, v in enumerate(prog.prob.exported_variables())},
            x0=np.array(h.getSolution().col_value, dtype=float),
            objective0=float(info.objective_function_value),
            bound0=b if math.isfinite(b) else None,
        )

    @classmethod
    def of_spec(cls, spec: ModelSpec) -> HighsSession:
        """The model a :class:`ModelSpec` carries, in this process (columns by index only)."""
        return cls(spec.highs(), col_of={}, x0=spec.x0, objective0=spec.objective0, bound0=spec.bound0)

    def spec(self) -> ModelSpec:
        """This model as a :class:`ModelSpec`, made once: re-solves put back every bound they move."""
        if self._spec is None:
            self._spec = ModelSpec.of(self)
        return self._spec

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
            h.setSolution(plan_solution(start))
        stopped = [False]
        interrupted = [False]

        def check(e) -> None:
            if interrupted[0]:
                e.interrupt()
                return
            best, bound = float(e.data_out.mip_primal_bound), float(e.data_out.mip_dual_bound)
            if enough is not None and math.isfinite(best) and math.isfinite(bound) and enough(best, bound):
                stopped[0] = True
                e.interrupt()

        h.cbMipInterrupt.subscribe(check)
        t0 = time.perf_counter()
        try:
            with ctrl_c_noted(interrupted):
                h.run()
        except Exception as err:  # reported, not raised
            return Run(f"error: {type(err).__name__}: {err}", None, None, time.perf_counter() - t0)
        finally:
            h.cbMipInterrupt.unsubscribe(check)
            # HiGHS keeps the interrupt flag set for the next run (which would stop at
            # once): passing the callback again clears it
            h.enableCallbacks()
        if interrupted[0]:
            raise KeyboardInterrupt
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


@dataclass(frozen=True)
class ModelSpec:
    """The kept model and its plan as plain arrays, for a re-solve in another process.

    ``highspy.HighsLp`` does not pickle, so the LP travels as its arrays (column-wise
    matrix) and is passed to a fresh ``Highs`` on the other side, with the plan
    (``x0``) as each re-solve's starting incumbent. ``key`` names this model, so that
    a worker builds it once however many re-solves it is sent.
    """

    key: str
    col_cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    a_start: np.ndarray
    a_index: np.ndarray
    a_value: np.ndarray
    integrality: np.ndarray
    offset: float
    x0: np.ndarray
    objective0: float
    bound0: float | None

    @classmethod
    def of(cls, session: HighsSession) -> ModelSpec:
        lp = session.h.getLp()
        a = lp.a_matrix_
        if a.format_ != highspy.MatrixFormat.kColwise or lp.sense_ != highspy.ObjSense.kMinimize:
            raise ValueError("only a column-wise minimisation can be sent to another process")
        return cls(
            key=f"{os.getpid()}-{id(session)}-{time.monotonic_ns()}",
            col_cost=np.array(lp.col_cost_, dtype=float),
            col_lower=np.array(lp.col_lower_, dtype=float),
            col_upper=np.array(lp.col_upper_, dtype=float),
            row_lower=np.array(lp.row_lower_, dtype=float),
            row_upper=np.array(lp.row_upper_, dtype=float),
            a_start=np.array(a.start_, dtype=np.int32),
            a_index=np.array(a.index_, dtype=np.int32),
            a_value=np.array(a.value_, dtype=float),
            integrality=np.array([int(v) for v in lp.integrality_], dtype=np.int8),
            offset=float(lp.offset_),
            x0=session.x0.copy(),
            objective0=session.objective0,
            bound0=session.bound0,
        )

    def highs(self) -> highspy.Highs:
        """A fresh ``Highs`` holding this model (each re-solve sets the plan as its start)."""
        silence_banner()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.col_cost), len(self.row_lower)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = self.col_cost, self.col_lower, self.col_upper
        lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
        lp.offset_ = self.offset
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = self.a_start, self.a_index, self.a_value
        if len(self.integrality):
            lp.integrality_ = [highspy.HighsVarType(int(v)) for v in self.integrality]
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(lp)
        return h
