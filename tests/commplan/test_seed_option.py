"""``--seed`` sets the root seed of a simulation, and the manifest records it."""

from __future__ import annotations

import json

from commplan.cli import main
from model.runner import simulate, timeseries_text
from scenarios.loader import load


def test_simulate_with_seed_draws_from_that_seed_not_the_scenarios(tmp_path):
    scenario = load("tutorial")
    assert scenario.seed != 3
    out = tmp_path / "sim"
    assert main(["--quiet", "simulate", "tutorial", "--seed", "3", "--replications", "1", "--out", str(out)]) == 0
    written = (out / "timeseries.csv").read_text(encoding="utf-8")
    assert written == timeseries_text(simulate(scenario, replications=1, seed=3))
    assert written != timeseries_text(simulate(scenario, replications=1))
    assert json.loads((out / "manifest.json").read_text())["seeds"]["root"] == 3
