"""`commplan sweep`: the same frontier serially, in processes, on Dask, and after a kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from commplan.cli import main
from commplan.sweep import Sweep
from scenarios.loader import load

BUDGETS = "2000000,6000000,12000000"
REPS = 3


def sweep(out: Path, *extra: str) -> bytes:
    assert (
        main(
            [
                "sweep",
                "tutorial",
                "--budgets",
                BUDGETS,
                "--replications",
                str(REPS),
                "--out",
                str(out),
                "--quiet",
                *extra,
            ]
        )
        == 0
    )
    return (out / "frontier.csv").read_bytes()


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> tuple[Path, bytes]:
    out = tmp_path_factory.mktemp("sweep") / "serial"
    return out, sweep(out, "--processes", "1")


def test_frontier_has_a_row_per_budget_and_attainment_never_falls(serial):
    out, _ = serial
    frontier = pd.read_csv(out / "frontier.csv")
    assert frontier.budget.tolist() == [2e6, 6e6, 12e6]
    assert frontier.planned_attainment.is_monotonic_increasing
    assert (frontier.total_cost <= frontier.budget + 1e-6).all()
    assert {"probability_all_met", "probability_met_space-200"} <= set(frontier.columns)
    assert (out / "frontier.png").stat().st_size > 10_000


def test_frontier_csv_writes_every_figure_in_full(serial):
    """No %.6g: 6,000,000 is written as 6000000 and a cost keeps every digit it has."""
    out, text = serial
    rows = text.decode().splitlines()
    assert [r.split(",")[0] for r in rows[1:]] == ["2000000", "6000000", "12000000"]
    costs = pd.read_csv(out / "frontier.csv", dtype=str).total_cost.dropna()
    assert not any("e+" in c for c in costs)


def test_processes_give_the_identical_frontier(serial, tmp_path):
    assert sweep(tmp_path / "parallel", "--processes", "2") == serial[1]


def test_dask_cluster_gives_the_identical_frontier(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        assert sweep(tmp_path / "dask", "--scheduler", cluster.scheduler_address) == serial[1]


def test_resume_redoes_only_missing_units(serial, tmp_path):
    out, expected = serial
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "units" / "budget-6000000" / "rep-00001.csv").unlink()
    (copy / "frontier.csv").unlink()
    s = Sweep(load("tutorial"), [2e6, 6e6, 12e6], copy, REPS, load("tutorial").seed)
    assert s.missing_plans() == []
    assert [(u.budget, u.replication) for u in s.missing_simulations()] == [(6e6, 1)]
    assert sweep(copy, "--processes", "1") == expected


def test_a_sweep_of_another_scenario_is_not_mixed_in(serial, capsys):
    out, _ = serial
    assert main(["sweep", "county_city", "--budgets", "1e6", "--out", str(out), "--quiet"]) == 1
    assert "different scenario_sha256" in capsys.readouterr().err


def test_killed_sweep_resumes_to_the_identical_frontier(serial, tmp_path):
    out = tmp_path / "killed"
    cmd = [
        sys.executable,
        "-m",
        "commplan.cli",
        "--quiet",
        "sweep",
        "tutorial",
        "--budgets",
        BUDGETS,
        "--replications",
        str(REPS),
        "--out",
        str(out),
        "--processes",
        "1",
    ]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob("units/*/rep-*.csv")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = list(out.glob("units/*/rep-*.csv"))
    assert 0 < len(written) < 3 * REPS, "the kill should land mid-sweep"
    assert not (out / "frontier.csv").exists()
    n_requirements = len(load("tutorial").requirements)
    for f in written:  # every unit on disk is whole: atomic writes leave no half file under its name
        assert len(pd.read_csv(f)) == n_requirements
    assert sweep(out, "--processes", "1") == serial[1]


def test_a_mismatched_sweep_leaves_the_finished_one_intact(serial, capsys):
    out, expected = serial
    assert main(["sweep", "county_city", "--budgets", "1e6", "--out", str(out), "--quiet"]) == 1
    assert (out / "frontier.csv").read_bytes() == expected
    assert json.loads((out / "manifest.json").read_text())["command"] == "sweep"


def test_a_budget_planned_again_alone_gives_the_same_frontier(serial, tmp_path):
    out, expected = serial
    import shutil

    copy = tmp_path / "replanned"
    shutil.copytree(out, copy)
    shutil.rmtree(copy / "units" / "budget-6000000")
    assert sweep(copy, "--processes", "1") == expected


def test_the_frontier_says_what_no_budget_lifts(serial):
    """tutorial's key community must open a one-stop centre in year 1: whatever the budget,
    every target holds at most with that project's chance of opening in time."""
    from commplan.confidence import ceiling

    out, _ = serial
    frontier = pd.read_csv(out / "frontier.csv")
    c = ceiling(load("tutorial"), "one-stop", "keys_by", 1)
    assert c is not None
    assert frontier.probability_all_met_at_most.tolist() == pytest.approx([c.probability] * 3)
    assert frontier.capped_by.str.startswith("one-stop (keys_by), year 1: at most 0.82 at any cost").all()
    page = (out / "sweep.html").read_text(encoding="utf-8")
    assert "No budget lifts the probability of meeting every target above 0.82, whatever the plan" in page
