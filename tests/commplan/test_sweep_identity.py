"""A sweep folder belongs to one scenario, seed and solver: resuming it with another is refused.

Its units depend on all three (docs of ``commplan.sweep``), so mixing units of two seeds
or two solvers into one frontier would be silently wrong. The command line passes the
scenario's own seed and HiGHS; the Python API takes both, so the refusal is tested there.
"""

from __future__ import annotations

import pytest

from commplan.sweep import Sweep, SweepMismatch
from scenarios.loader import load


@pytest.fixture
def started(tmp_path):
    """A sweep folder whose identity is written (no budgets: nothing to plan or simulate)."""
    scenario = load("tutorial")
    Sweep(scenario, [], tmp_path, 1, seed=11, solver="highs").run_plans()
    assert (tmp_path / "sweep.json").exists()
    return scenario, tmp_path


def test_resuming_with_the_same_seed_and_solver_is_accepted(started):
    scenario, out = started
    Sweep(scenario, [], out, 1, seed=11, solver="highs")


@pytest.mark.parametrize(("seed", "solver", "different"), [(12, "highs", "seed"), (11, "cbc", "solver")])
def test_resuming_with_a_different_seed_or_solver_is_refused(started, seed, solver, different):
    scenario, out = started
    with pytest.raises(SweepMismatch, match=f"different {different}"):
        Sweep(scenario, [], out, 1, seed=seed, solver=solver)
