"""`commplan sensitivity` and `sweep --uncertain`: the right parameter ranked first, the tables' shape, resuming, bad options.

Parameter names come from ``SimulationParameters.uncertain()`` (they change as the model
does); the one named here is the parameter the dominance test widens, checked to exist.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import pytest

from commplan.cli import main
from commplan.sensitivity import Sensitivity, ranges_of, simulate_point
from model.plan import plan_from_rows
from model.records import columns
from model.runner import run_replication
from results.sensitivity import INDICES, outcomes, output_names
from scenarios.loader import load
from scenarios.parameters import SimulationParameters
from tests.conftest import MINIMAL

#: Needs per household: widened far beyond its plausible range, it must dominate the share of needs served.
DOMINANT = "demand_rate"


def tiny_text() -> str:
    """Two communities, one year, three targets (one on staff): a replication takes a few milliseconds."""
    text = MINIMAL.replace("years = 3", "years = 1").replace("pay_share = [0.7, 0.85, 1.0]", "pay_share = 0.8")
    text = text.replace("share = [0.5, 0.5, 1.0]", "share = 0.5")
    return text + '\n[[targets]]\nname = "workers"\ncity_staff = "community_worker"\nat_least = 5\n'


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(tiny_text())
    return path


def few() -> str:
    """Three parameters with plausible ranges (whichever the model declares first): a cheap design."""
    return ",".join(list(SimulationParameters.uncertain())[:3])


def sensitivity(tiny: Path, out: Path, *extra: str) -> int:
    """The command's exit code (argparse's exit on a bad option included)."""
    try:
        return main(["sensitivity", str(tiny), "--replications", "1", "--out", str(out), "--quiet", *extra])
    except SystemExit as e:
        return int(e.code or 0)


def test_morris_ranks_first_the_parameter_that_dominates_an_output(tiny, tmp_path):
    ranges = ranges_of()
    assert DOMINANT in ranges, f"{DOMINANT} no longer has a plausible range: pick another parameter for this test"
    low, high = ranges[DOMINANT]
    ranges[DOMINANT] = (low / 5, high * 5)  # needs from a tenth to ten times the default: served share swings
    sens = Sensitivity(load(str(tiny)), tmp_path, "morris", 2, 1, 7, ranges)
    sens.make_plan(None)
    assert sens.run_points(processes=1) == len(sens.design) == 2 * (len(ranges) + 1)
    sens.write({})
    table = pd.read_csv(tmp_path / "sensitivity.csv")
    served = table[table.output == "needs_served"].sort_values("mu_star", ascending=False)
    assert served.parameter.iloc[0] == DOMINANT
    assert served.mu_star.iloc[0] > 2 * served.mu_star.iloc[1]


@pytest.fixture(scope="module")
def morris(tiny, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "morris"
    assert (
        sensitivity(tiny, out, "--method", "morris", "--samples", "3", "--parameters", few(), "--processes", "1") == 0
    )
    return out


def test_morris_csv_has_a_row_per_parameter_and_output(morris, tiny):
    table = pd.read_csv(morris / "sensitivity.csv")
    assert list(table.columns) == ["parameter", "output", *INDICES["morris"]]
    outputs = output_names(load(str(tiny)), columns(load(str(tiny))))
    assert sorted(set(table.output)) == sorted(outputs)
    assert sorted(set(table.parameter)) == sorted(few().split(","))
    assert len(table) == 3 * len(outputs) and not table.duplicated(["parameter", "output"]).any()
    assert (table.mu_star >= 0).all() and (table.sigma >= 0).all()
    samples = pd.read_csv(morris / "samples.csv")
    assert len(samples) == 3 * (3 + 1)
    assert (morris / "sensitivity.png").stat().st_size > 10_000
    assert "Sensitivity" in (morris / "report.html").read_text()


def test_sobol_csv_has_first_and_total_order_indices(tiny, tmp_path):
    out = tmp_path / "sobol"
    assert sensitivity(tiny, out, "--method", "sobol", "--samples", "4", "--parameters", few(), "--processes", "1") == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == ["parameter", "output", "S1", "S1_conf", "ST", "ST_conf"]
    assert len(table) == 3 * len(output_names(load(str(tiny)), columns(load(str(tiny)))))
    assert len(pd.read_csv(out / "samples.csv")) == 4 * (3 + 2)
    varying = table[table.output == "needs_served"]
    assert varying.ST.notna().all()


def test_processes_give_identical_bytes(morris, tiny, tmp_path):
    out = tmp_path / "parallel"
    assert (
        sensitivity(tiny, out, "--method", "morris", "--samples", "3", "--parameters", few(), "--processes", "2") == 0
    )
    for name in ("sensitivity.csv", "samples.csv"):
        assert (out / name).read_bytes() == (morris / name).read_bytes()


def test_resume_recomputes_only_missing_or_damaged_units(morris, tiny, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(morris, copy)
    points = sorted((copy / "units" / "points").glob("point-*.csv"))
    points[1].unlink()
    points[2].write_text("replication,needs_served\n0,0.5\n")  # edited: fails its checksum
    (copy / "sensitivity.csv").unlink()
    warnings: list[str] = []
    seed = load(str(tiny)).seed
    sens = Sensitivity(load(str(tiny)), copy, "morris", 3, 1, seed, ranges_of(few().split(",")), warnings.append)
    assert sens.missing_points() == [1, 2]
    assert ["point-000001.csv is missing" in warnings[0], "point-000002.csv does not match" in warnings[1]] == [
        True
    ] * 2
    assert (
        sensitivity(tiny, copy, "--method", "morris", "--samples", "3", "--parameters", few(), "--processes", "1") == 0
    )
    for name in ("sensitivity.csv", "samples.csv"):
        assert (copy / name).read_bytes() == (morris / name).read_bytes()


def test_killed_run_resumes_to_identical_bytes(tiny, tmp_path):
    args = ["sensitivity", str(tiny), "--method", "morris", "--samples", "8", "--replications", "1"]
    args += ["--parameters", few()]  # 32 points
    whole = tmp_path / "whole"
    assert main([*args, "--out", str(whole), "--quiet", "--processes", "1"]) == 0
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "commplan.cli", "--quiet", *args, "--out", str(out), "--processes", "1"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.glob("units/points/point-*.json"))) < 3:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(out.glob("units/points/point-*.csv")))
    assert 0 < done < len(pd.read_csv(whole / "samples.csv")), "the kill should land mid-run"
    assert not (out / "sensitivity.csv").exists()
    assert main([*args, "--out", str(out), "--quiet", "--processes", "1"]) == 0
    for name in ("sensitivity.csv", "samples.csv", "plan.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes()


def test_a_different_analysis_is_not_mixed_in(morris, tiny, capsys):
    assert sensitivity(tiny, morris, "--method", "morris", "--samples", "4", "--parameters", few()) == 1
    assert "different samples" in capsys.readouterr().err


def test_every_point_uses_the_replication_seeds_of_simulate(tiny, tmp_path):
    """Common random numbers: at the scenario's own values, a point's replication r is simulate's replication r."""
    scenario = load(str(tiny))
    sens = Sensitivity(scenario, tmp_path, "morris", 1, 1, 5, ranges_of(few().split(",")))
    sens.make_plan(None)
    plan_csv = sens.plan_csv()
    assert plan_csv is not None
    own = {n: 1.0 if isinstance(v := getattr(scenario.simulation, n), Mapping) else v for n in sens.names}
    rows = pd.read_csv(io.StringIO(simulate_point(scenario, plan_csv, 5, own, 2)))
    plan = plan_from_rows(csv.DictReader(io.StringIO(plan_csv)), scenario)
    for r in range(2):
        rep = run_replication(scenario, plan, 5, r)
        expected = outcomes(rep, scenario, list(rep.columns or ()))
        assert rows.drop(columns="replication").iloc[r].tolist() == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--method", "fast", "--samples", "2"], "invalid choice"),
        (["--method", "morris", "--samples", "0"], "must be at least 1"),
        (["--method", "sobol", "--samples", "6"], "power of two"),
        (["--method", "morris", "--samples", "2", "--parameters", "demand_rat"], "did you mean 'demand_rate'"),
    ],
)
def test_bad_options_exit_1_with_a_clear_message(tiny, tmp_path, capsys, extra, message):
    assert sensitivity(tiny, tmp_path / "bad", *extra) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "bad").exists()  # refused before the output folder is made


def test_sweep_uncertain_adds_the_probability_across_futures(tiny, tmp_path, capsys):
    scenario = load(str(tiny))
    base = ["sweep", str(tiny), "--budgets", "1e6", "--replications", "2", "--quiet", "--processes", "1"]
    assert main([*base, "--out", str(tmp_path / "plain")]) == 0
    assert main([*base, "--uncertain", "3", "--out", str(tmp_path / "uncertain")]) == 0
    plain = pd.read_csv(tmp_path / "plain" / "frontier.csv")
    frontier = pd.read_csv(tmp_path / "uncertain" / "frontier.csv")
    pd.testing.assert_frame_equal(frontier[plain.columns], plain)  # the existing columns keep their meaning
    assert frontier.uncertain_futures.tolist() == [3]
    for t in scenario.targets:
        pooled, worst = (
            frontier[f"uncertain_probability_met_{t.name}"],
            frontier[f"uncertain_worst_probability_met_{t.name}"],
        )
        assert ((0 <= worst) & (worst <= pooled) & (pooled <= 1)).all()
    assert 0 <= frontier.uncertain_probability_all_met.iloc[0] <= 1
    futures = sorted((tmp_path / "uncertain" / "units" / "budget-1000000").glob("future-*-rep-*.csv"))
    assert len(futures) == 3 * 2
    again = tmp_path / "uncertain"
    before = (again / "frontier.csv").read_bytes()
    futures[0].unlink()
    assert main([*base, "--uncertain", "3", "--out", str(again)]) == 0
    assert (again / "frontier.csv").read_bytes() == before
    assert (again / "frontier.png").read_bytes() != (tmp_path / "plain" / "frontier.png").read_bytes()
    capsys.readouterr()
    assert main([*base, "--uncertain", "2", "--out", str(again)]) == 0  # other futures: their units are redone
    assert capsys.readouterr().err.count("was simulated in another future") == 2 * 2
    assert pd.read_csv(again / "frontier.csv").uncertain_futures.tolist() == [2]


def test_dask_cluster_gives_identical_bytes(morris, tiny, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "dask"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        extra = [
            "--method",
            "morris",
            "--samples",
            "3",
            "--parameters",
            few(),
            "--scheduler",
            cluster.scheduler_address,
        ]
        assert sensitivity(tiny, out, *extra) == 0
    assert (out / "sensitivity.csv").read_bytes() == (morris / "sensitivity.csv").read_bytes()


def test_a_given_plan_is_simulated_instead_of_planning(tiny, tmp_path):
    planned = tmp_path / "planned"
    assert main(["plan", str(tiny), "--out", str(planned), "--quiet", "--marginal-costs", "none"]) == 0
    text = (planned / "plan.csv").read_text()
    given = tmp_path / "given.csv"
    given.write_text(text)
    out = tmp_path / "with-plan"
    extra = ["--method", "morris", "--samples", "1", "--parameters", few(), "--plan", str(given), "--processes", "1"]
    assert sensitivity(tiny, out, *extra) == 0
    assert (out / "plan.csv").read_text() == text
    assert not (out / "summary.json").exists()  # nothing was solved
    bad = tmp_path / "bad.csv"
    bad.write_text("community,year\nnowhere,1\n")
    extra[extra.index(str(given))] = str(bad)
    assert sensitivity(tiny, tmp_path / "bad-plan", *extra) == 1


def test_targets_no_plan_can_meet_exit_2(tmp_path, capsys):
    text = tiny_text().replace("[facilities.one_stop]", "[budget]\ntotal = 1000\n\n[facilities.one_stop]")
    (tmp_path / "poor.toml").write_text(text)
    assert sensitivity(tmp_path / "poor.toml", tmp_path / "out", "--method", "morris", "--samples", "1") == 2
    assert "cannot all be met" in capsys.readouterr().err
    assert not (tmp_path / "out" / "sensitivity.csv").exists()
