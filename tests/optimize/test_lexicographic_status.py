"""Max-attainment is two solves: it reports the worse of the two, and keeps a plan when the second fails."""

from __future__ import annotations

from optimize.program import Outcome, Program, lexicographic
from scenarios.loader import load


def test_two_stage_status_is_the_worse_stage(monkeypatch):
    prog = Program(load("tutorial"), attainment_row=True)
    real = Program.run
    calls = []

    def run(self, *args, **kw):
        out = real(self, *args, **kw)
        calls.append(out)
        if len(calls) == 1:  # pretend the attainment stage stopped within a gap
            return Outcome("optimal_within_gap", out.objective, 0.01, out.seconds)
        return out

    monkeypatch.setattr(Program, "run", run)
    out, _ = lexicographic(prog, "highs", time_limit=None, gap=1e-4)
    assert out.status == "optimal_within_gap" and out.gap == 0.01


def test_cost_stage_failure_keeps_the_attainment_plan(monkeypatch):
    prog = Program(load("tutorial"), attainment_row=True)
    real = Program.run
    calls = []

    def run(self, *args, **kw):
        calls.append(1)
        if len(calls) == 2:
            return Outcome("time_limit", None, None, 0.0, "no plan")
        return real(self, *args, **kw)

    monkeypatch.setattr(Program, "run", run)
    out, reached = lexicographic(prog, "highs", time_limit=None, gap=1e-4)
    assert out.has_solution and out.status == "time_limit" and "not minimised" in out.detail
    assert reached is not None
    plan = prog.plan(prog.solution())
    assert plan.space.sum() > 0  # the attainment stage's plan, put back
