"""Re-solves of the kept model, here or on worker processes, within one time budget.

The marginal and full costs are independent re-solves of one model, each with a few
column bounds raised (a requirement's shortfall allowed). They run here, one after
another on the kept :class:`~optimize.session.HighsSession`, or ``lanes`` at a time on
an executor: each worker builds the model once from a :class:`~optimize.session.ModelSpec`
and keeps it for every re-solve it is sent. A re-solve on a fresh copy of the model
finds what it finds on the kept one (HiGHS starts each MIP run from the plan given, not
from the last run), so a figure proven exact does not depend on where it ran or on how
many workers there were; under a time budget more workers price more requirements.

Time: each re-solve, when it starts, is given its fair share of what is left of the
budget across the lanes (never less than ``min_share``, never more than what is left);
those the budget does not reach get ``None``.
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
    budget: float,
    min_share: float,
    processes: int = 1,
    executor: Executor | None = None,
    announce: Callable[[int, Relaxation], None] | None = None,
) -> list[Run | None]:
    """Each relaxation's run, in order; ``None`` for those the budget did not reach.

    In this process when ``processes`` is 1 and no executor is given; otherwise up to
    ``processes`` at a time on ``executor`` (or on worker processes started for this
    call). ``announce(k, relax)`` is called as re-solve ``k`` starts. The kept model is
    left with the plan as its solution.
    """
    lanes = max(1, min(processes, len(relaxations)))
    t_start = time.perf_counter()
    out: list[Run | None] = [None] * len(relaxations)

    def share(remaining: int, lanes: int) -> float | None:
        return fair_share(budget - (time.perf_counter() - t_start), remaining, min_share, lanes)

    pending = list(range(len(relaxations)))
    if executor is not None or lanes > 1:
        try:
            _run_elsewhere(session, relaxations, pending, out, share, lanes, executor, announce)
        except BrokenExecutor:
            pass  # the workers died (or never started): what is left runs here
    while pending:
        each = share(len(pending), 1)
        if each is None:
            break
        k = pending.pop(0)
        if announce:
            announce(k, relaxations[k])
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
                    each = share(len(pending), lanes)
                    if each is None:
                        pending.clear()  # the budget is spent: what has not started is not computed
                        break
                    k = pending[0]
                    running[pool.submit(_run_on_worker, spec, relaxations[k], each)] = k
                    pending.pop(0)
                    if announce:
                        announce(k, relaxations[k])
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    k = running.pop(f)
                    out[k] = _result(f)
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
