"""Re-solves of the kept model, here or on worker processes, within one time budget.

The marginal and full costs are independent re-solves of one model, each with a few
column bounds raised (a requirement's shortfall allowed). They run here, one after
another on the kept :class:`~optimize.session.HighsSession`, or ``lanes`` at a time on
an executor: each worker builds the model once from a :class:`~optimize.session.ModelSpec`
and keeps it for every re-solve it is sent. A re-solve on a fresh copy of the model
finds what it finds on the kept one (HiGHS starts each MIP run from the plan given, not
from the last run), so a figure proven exact does not depend on where it ran or on how
many workers there were; under a time budget more workers price more requirements.

Time: each re-solve, when it starts, is given its fair share of what is left of its
budget across the lanes (never less than ``min_share``, never more than what is left);
those their budget does not reach get ``None``. The full costs and the marginal costs
run in one queue (full costs first, within half the budget), so that a lane freed while
the last full cost runs starts the first marginal cost instead of waiting.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import dataclass, replace

from optimize.session import HighsSession, ModelSpec, Run, plan_solution

#: Below this many seconds left, no further re-solve is started.
LAST_START = 0.05


@dataclass(frozen=True)
class Relaxation:
    """One re-solve: the columns whose upper bound is raised while it runs, and when it may stop.

    ``enough(best, bound)`` must pickle (a module-level function or a
    ``functools.partial`` of one) when the re-solve runs on a worker.
    """

    label: str
    bounds: tuple[tuple[int, float], ...]
    abs_gap: float
    target: float | None = None
    enough: Callable[[float, float], bool] | None = None


def fair_share(left: float, remaining: int, min_share: float, lanes: int = 1) -> float | None:
    """The seconds the next of ``remaining`` re-solves may take, or None once the budget is spent."""
    if left <= LAST_START:
        return None
    return min(left, max(left * lanes / remaining, min_share))


def run_relaxed(session: HighsSession, relax: Relaxation, time_limit: float) -> Run:
    """Raise the bounds, run from the plan, and put the bounds back (shortfall columns are fixed at 0)."""
    for j, up in relax.bounds:
        session.h.changeColBounds(j, 0.0, up)
    try:
        return session.run(
            time_limit=time_limit,
            rel_gap=0.0,
            abs_gap=relax.abs_gap,
            start=session.x0,
            target=relax.target,
            enough=relax.enough,
        )
    finally:
        for j, _ in relax.bounds:
            session.h.changeColBounds(j, 0.0, 0.0)


_kept: dict[str, HighsSession] = {}


def _run_on_worker(spec: ModelSpec, relax: Relaxation, time_limit: float) -> Run:
    """A worker's re-solve: the model built on its first task and kept (one model at a time)."""
    session = _kept.get(spec.key)
    if session is None:
        _kept.clear()
        session = _kept[spec.key] = HighsSession.of_spec(spec)
    return replace(run_relaxed(session, relax, time_limit), values=None)


def worker_processes(processes: int) -> ProcessPoolExecutor:
    """Workers for re-solves, started from a fork server: this process has HiGHS's threads running."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("forkserver"))


def run_within(
    session: HighsSession,
    relaxations: Sequence[Relaxation],
    *,
    budgets: Sequence[float],
    min_share: float,
    processes: int = 1,
    executor: Executor | None = None,
    announce: Callable[[Relaxation], None] | None = None,
) -> list[Run | None]:
    """Each relaxation's run, in order; ``None`` for those their budget did not reach.

    ``budgets[k]``: the seconds from this call by which re-solve ``k`` must end.
    Re-solves with the same budget share it (the full costs half the time budget, the
    marginal costs all of it), started in order; a later one may start while an earlier
    one runs on another lane. In this process when ``processes`` is 1 and no executor is
    given; otherwise up to ``processes`` at a time on ``executor`` (or on worker
    processes started for this call). ``announce(relax)`` is called as each starts. The
    kept model is left with the plan as its solution.
    """
    lanes = max(1, min(processes, len(relaxations)))
    t_start = time.perf_counter()
    out: list[Run | None] = [None] * len(relaxations)
    pending = list(range(len(relaxations)))

    def share(k: int, lanes: int) -> float | None:
        remaining = sum(1 for j in pending if budgets[j] == budgets[k])
        return fair_share(budgets[k] - (time.perf_counter() - t_start), remaining, min_share, lanes)

    if executor is not None or lanes > 1:
        try:
            _run_elsewhere(session, relaxations, pending, out, share, lanes, executor, announce)
        except BrokenExecutor:
            pass  # the workers died (or never started): what is left runs here
    while pending:
        k = pending[0]
        each = share(k, 1)
        pending.pop(0)
        if each is None:
            continue  # its budget is spent: not computed
        if announce:
            announce(relaxations[k])
        out[k] = run_relaxed(session, relaxations[k], each)
    session.h.setSolution(plan_solution(session.x0))
    return out


def _run_elsewhere(session, relaxations, pending, out, share, lanes, executor, announce) -> None:
    """Run ``pending`` (indices, consumed in order) ``lanes`` at a time on worker processes.

    Raises ``BrokenExecutor`` with the re-solves in flight put back at the front of
    ``pending``; a re-solve that fails on a working pool is reported in its run.
    """
    spec = session.spec()
    running: dict[Future, int] = {}
    try:
        with nullcontext(executor) if executor is not None else worker_processes(lanes) as pool:
            while pending or running:
                while pending and len(running) < lanes:
                    k = pending[0]
                    each = share(k, lanes)
                    if each is None:
                        pending.pop(0)  # its budget is spent: not computed
                        continue
                    running[pool.submit(_run_on_worker, spec, relaxations[k], each)] = k
                    pending.pop(0)
                    if announce:
                        announce(relaxations[k])
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    out[running.pop(f)] = _result(f)
    except BrokenExecutor:
        pending[:0] = sorted(running.values())
        raise


def _result(f: Future) -> Run:
    """A worker's run, or its failure as a run without a plan (reported, not raised)."""
    try:
        return f.result()
    except BrokenExecutor:
        raise
    except Exception as err:
        return Run(f"error: {type(err).__name__}: {err}", None, None, 0.0)
