"""Re-solves on worker processes: the figures this process finds, and nothing lost when workers fail."""

from __future__ import annotations

import dataclasses
import multiprocessing
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor

import pytest

import optimize
import optimize.pricing as pricing
import optimize.resolves as resolves
from optimize.marginal import EXACT
from optimize.pricing import kept_session
from optimize.program import Program
from optimize.session import HighsSession, ModelSpec

INF = float("inf")


def _priced(res):
    """What the planner reads of the re-solves: every requirement's figures and every target's full cost."""
    marginal = [
        (rr.requirement.label, rr.marginal_status, rr.marginal_cost, rr.marginal_cost_max) for rr in res.requirements
    ]
    full = [dataclasses.replace(t, seconds=0.0) for t in res.target_costs]
    return marginal, full


def _resolves(res) -> int:
    return sum(rr.binding for rr in res.requirements) + sum(1 for t in res.target_costs if t.cost_without is not None)


class Counting(ProcessPoolExecutor):
    """Worker processes that count what they are sent."""

    def __init__(self, workers: int):
        super().__init__(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
        self.sent = 0

    def submit(self, fn, /, *args, **kwargs):
        self.sent += 1
        return super().submit(fn, *args, **kwargs)


class Broken(Executor):
    """A pool whose workers have died."""

    def submit(self, fn, /, *args, **kwargs):
        raise BrokenExecutor("the workers are gone")


class Failing(Executor):
    """A pool whose every task fails in the worker."""

    def submit(self, fn, /, *args, **kwargs):
        f: Future = Future()
        f.set_exception(MemoryError("no room for the model"))
        return f


@pytest.fixture(scope="module")
def here(tutorial):
    res = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=INF)
    assert any(rr.marginal_status == EXACT for rr in res.requirements)
    return res


def test_workers_find_every_figure_this_process_finds(tutorial, here):
    with Counting(2) as pool:
        there = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=INF, processes=2, executor=pool)
    assert pool.sent == _resolves(here) > 0  # every re-solve went to a worker
    assert _priced(there) == _priced(here)


def test_workers_started_for_the_call_find_the_same(tutorial, here):
    there = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=INF, processes=2)
    assert _priced(there) == _priced(here)


def test_dead_workers_leave_the_re_solves_to_this_process(tutorial, here):
    there = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=INF, processes=2, executor=Broken())
    assert _priced(there) == _priced(here)


def test_a_re_solve_that_fails_on_a_worker_is_reported_not_raised(tutorial, here):
    there = optimize.solve(tutorial, gap=1e-9, marginal_time_limit=INF, processes=2, executor=Failing())
    binding = [rr for rr in there.requirements if rr.binding]
    assert binding
    for rr in binding:
        assert rr.marginal_status.startswith("failed: error: MemoryError"), rr.marginal_status
        assert rr.marginal_cost is None
    priced = [t for t in here.target_costs if t.cost_without is not None]
    assert priced
    failed = {t.target: t.status for t in there.target_costs}
    for t in priced:
        assert failed[t.target].startswith("failed: error: MemoryError")


@pytest.mark.parametrize("threshold, started", [(INF, False), (0.0, True)])
def test_by_default_workers_start_only_for_a_solve_long_enough_to_repay_them(tutorial, monkeypatch, threshold, started):
    calls = []

    def refuse(processes):
        calls.append(processes)
        return Broken()  # not started in this test: the re-solves fall back to this process

    monkeypatch.setattr(pricing, "PARALLEL_FROM", threshold)
    monkeypatch.setattr(resolves, "worker_processes", refuse)
    monkeypatch.setattr(pricing.os, "cpu_count", lambda: 3)
    optimize.solve(tutorial, marginal_time_limit=INF, processes=None)
    assert bool(calls) is started
    if started:
        assert calls[0] == 3  # every core


def _solved(scenario):
    """The min-cost program of ``scenario`` solved exactly, and its kept HiGHS model."""
    prog = Program(scenario.planning())
    prog.set_elastic(False)
    prog.use_objective("cost")
    prog.run("highs", gap=0.0)
    kept = kept_session(prog, "highs")
    assert kept is not None
    return prog, kept


def test_a_model_sent_to_a_worker_is_the_model_kept_here(tutorial):
    _, kept = _solved(tutorial)
    copy = HighsSession.of_spec(ModelSpec.of(kept))
    a, b = kept.h.getLp(), copy.h.getLp()
    for field in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert list(getattr(a, field)) == list(getattr(b, field)), field
    assert list(a.a_matrix_.value_) == list(b.a_matrix_.value_)
    assert [int(v) for v in a.integrality_] == [int(v) for v in b.integrality_]
    assert any(int(v) for v in b.integrality_)  # a MIP, not its relaxation
    run = copy.run(time_limit=60.0, rel_gap=0.0, abs_gap=0.5, start=copy.x0)
    assert run.status == "optimal" and run.objective == pytest.approx(kept.objective0, abs=0.5)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_spent_budget_stops_its_own_re_solves_not_the_next_ones(tutorial, processes):
    """The full costs' half of the budget spent, the marginal costs still run (one queue, two budgets)."""
    from optimize.marginal import marginal_relaxations

    prog, kept = _solved(tutorial)
    order = list(prog.shortfall)[:4]
    _, relaxations, _ = marginal_relaxations(prog, order, kept, kept.objective0, None)
    started = []
    runs = resolves.run_within(
        kept,
        relaxations,
        budgets=[0.0, 0.0, INF, INF],
        min_share=0.0,
        processes=processes,
        announce=lambda rx: started.append(rx.label),
    )
    assert runs[:2] == [None, None]
    assert all(run is not None and run.status == "optimal" for run in runs[2:])
    assert started == [rx.label for rx in relaxations[2:]]


def test_a_ctrl_c_during_a_re_solve_stops_it_and_is_raised_not_lost():
    """Raised inside HiGHS's callback, a Ctrl-C used to vanish and the run went on; now it ends the run."""
    import os
    import signal
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from optimize_scale import scenario

    prog, kept = _solved(scenario(60))
    before = signal.getsignal(signal.SIGINT)
    sent = []

    def ctrl_c(best, bound):  # the Ctrl-C arrives while HiGHS runs
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)
        return False

    j = kept.col(next(iter(prog.shortfall.values())))
    kept.h.changeColBounds(j, 0.0, 1.0)
    with pytest.raises(KeyboardInterrupt):
        kept.run(time_limit=60.0, rel_gap=0.0, abs_gap=0.5, start=kept.x0, enough=ctrl_c)
    assert sent
    assert signal.getsignal(signal.SIGINT) is before  # the planner's Ctrl-C is Python's again
    again = kept.run(time_limit=60.0, rel_gap=0.0, abs_gap=0.5, start=kept.x0)
    kept.h.changeColBounds(j, 0.0, 0.0)
    assert again.status == "optimal"  # the next run is not stopped by the last one's interrupt


def test_a_ctrl_c_during_the_main_solve_stops_it_and_is_raised(tutorial, monkeypatch):
    """PuLP runs the main solve; its HiGHS callback stops the run once the Ctrl-C is noted."""
    import os
    import signal

    import optimize.program as program

    real = program.stop_when_noted
    sent = []

    def sending(noted):
        stop, data = real(noted)

        def callback(*args):
            if not sent:  # the Ctrl-C arrives while HiGHS runs
                sent.append(True)
                os.kill(os.getpid(), signal.SIGINT)
            stop(*args)

        return callback, data

    monkeypatch.setattr(program, "stop_when_noted", sending)
    before = signal.getsignal(signal.SIGINT)
    prog = Program(tutorial.planning())
    prog.set_elastic(False)
    prog.use_objective("cost")
    with pytest.raises(KeyboardInterrupt):
        prog.run("highs", gap=0.0)
    assert sent and signal.getsignal(signal.SIGINT) is before
    monkeypatch.setattr(program, "stop_when_noted", real)
    assert prog.run("highs", gap=0.0).status == "optimal"  # and the program solves again
