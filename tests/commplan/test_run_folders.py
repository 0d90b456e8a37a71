"""Run folders: commplan touches only what it wrote, never an input, and one command at a time.

Regression tests of issue 10 ("Files the user wrote are destroyed").
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from commplan.cli import main
from commplan.rundir import LOCK, RunFolder, is_finished
from scenarios.loader import resolve_path

QUICK = ["--marginal-costs", "none", "--quiet"]


def plan(out: Path, *extra: str) -> int:
    return main(["plan", "tutorial", "--out", str(out), *QUICK, *extra])


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    """A finished plan run, copied by the tests that need one."""
    out = tmp_path_factory.mktemp("planned") / "plan"
    assert plan(out) == 0
    return out


def copy_of(run: Path, where: Path) -> Path:
    shutil.copytree(run, where)
    return where


def users_folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


def test_a_folder_of_the_users_is_refused_without_force(tmp_path, capsys):
    folder = users_folder(tmp_path, holiday__png="a photo", report__html="my report")
    assert plan(folder) == 1
    err = capsys.readouterr().err
    assert str(folder) in err and "holds no commplan run" in err and "--force" in err
    assert (folder / "holiday.png").read_text() == "a photo"
    assert (folder / "report.html").read_text() == "my report"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["holiday.png", "report.html"]


def test_with_force_the_users_files_are_left_alone(tmp_path):
    folder = users_folder(tmp_path, holiday__png="a photo", notes__txt="keep me")
    assert plan(folder, "--force") == 0
    assert (folder / "holiday.png").read_text() == "a photo"
    assert (folder / "notes.txt").read_text() == "keep me"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "holiday.png" not in manifest["files"] and "plan.csv" in manifest["files"]
    assert plan(folder, "--force") == 0  # a second --force clears only what the first wrote
    assert (folder / "holiday.png").read_text() == "a photo"


def test_a_users_file_under_a_name_commplan_writes_is_refused_even_with_force(tmp_path, capsys):
    folder = users_folder(tmp_path, plan__csv="my own plan")
    assert plan(folder, "--force") == 1
    err = capsys.readouterr().err
    assert f"{folder / 'plan.csv'} was not written by commplan" in err
    assert (folder / "plan.csv").read_text() == "my own plan"


def test_a_file_added_to_a_finished_run_is_left_alone(planned, tmp_path):
    out = copy_of(planned, tmp_path / "run")
    (out / "notes.txt").write_text("what I thought of this plan")
    (out / "my-sketch.png").write_text("drawn by hand")
    assert plan(out, "--force") == 0
    assert (out / "notes.txt").read_text() == "what I thought of this plan"
    assert (out / "my-sketch.png").read_text() == "drawn by hand"


def test_the_scenario_inside_out_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    original = resolve_path("tutorial").read_text() + "\n# my comments\n"
    Path("scenario.toml").write_text(original)
    for extra in ([], ["--force"]):
        assert main(["plan", "scenario.toml", "--out", ".", *QUICK, *extra]) == 1
        err = capsys.readouterr().err
        assert "the scenario scenario.toml is inside the output folder ." in err
    assert Path("scenario.toml").read_text() == original
    assert sorted(os.listdir(".")) == ["scenario.toml"]


def test_a_plan_inside_out_is_refused(planned, tmp_path, capsys):
    out = copy_of(planned, tmp_path / "run")
    before = (out / "plan.csv").read_bytes()
    code = main(["simulate", "tutorial", "--plan", str(out / "plan.csv"), "--out", str(out), "--force", "--quiet"])
    assert code == 1
    assert "the plan" in capsys.readouterr().err
    assert (out / "plan.csv").read_bytes() == before and is_finished(out)


def test_compare_into_a_compared_run_is_refused_before_deleting_anything(planned, tmp_path, capsys):
    a = copy_of(planned, tmp_path / "a")
    b = copy_of(planned, tmp_path / "b")
    before = {p.name: p.read_bytes() for p in a.iterdir() if p.is_file()}
    assert main(["compare", str(a), str(b), "--out", str(a), "--force", "--quiet"]) == 1
    assert "the compared run" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in a.iterdir() if p.is_file()} == before


def test_compare_into_a_new_folder_still_works(planned, tmp_path):
    a = copy_of(planned, tmp_path / "a")
    b = copy_of(planned, tmp_path / "b")
    out = tmp_path / "cmp"
    assert main(["compare", str(a), str(b), "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in out.iterdir() if not p.name.startswith(".")}


def test_orphaned_temporaries_of_commplan_are_removed_and_no_other(planned, tmp_path):
    out = copy_of(planned, tmp_path / "run")
    ours = out / ".plan.csv.k3j_9x2a.tmp"
    theirs = [out / ".notes.txt.k3j_9x2a.tmp", out / "draft.tmp"]
    for f in [ours, *theirs]:
        f.write_text("half")
    assert plan(out, "--force") == 0
    assert not ours.exists()
    assert all(f.read_text() == "half" for f in theirs)


def test_a_killed_run_is_rerun_without_force_and_its_files_cleared(planned, tmp_path):
    from commplan.rundir import Run
    from scenarios.loader import load

    out = tmp_path / "killed"
    Run(out, load("tutorial"), "run", force=False).close()  # started, then killed: no end_time
    (out / "timeseries.csv").write_text("half a table")  # a file the killed run had written
    manifest = json.loads((out / "manifest.json").read_text())
    assert "end_time" not in manifest and "timeseries.csv" in manifest["files"]
    assert plan(out) == 0
    assert not (out / "timeseries.csv").exists()


def test_a_second_command_on_a_locked_folder_exits_1_naming_the_holder(tmp_path, capsys):
    out = tmp_path / "busy"
    holder = RunFolder(out, "run", force=False)
    try:
        assert plan(out) == 1
        err = capsys.readouterr().err
        assert f"{out} is in use by another commplan command (pid {os.getpid()}" in err
        assert not (out / "plan.csv").exists()
    finally:
        holder.release()
    assert plan(out) == 0  # released: the folder is free again


def test_the_lock_is_released_when_a_command_fails(tmp_path, monkeypatch):
    import functools

    import commplan.pipeline as pipeline

    out = tmp_path / "failing"
    monkeypatch.setattr(pipeline, "plan", functools.partial(int, "a bug in commplan"))
    assert plan(out) == 3
    RunFolder(out, "plan", force=True).release()  # would raise FolderBusy if still held


HOLD = """
import sys, time
from pathlib import Path
from commplan.rundir import RunFolder
held = RunFolder(Path(sys.argv[1]), "run", force=False)
print("holding", flush=True)
time.sleep(120)
"""


def test_a_concurrent_command_is_turned_away_and_a_killed_holder_does_not_block(tmp_path, capsys):
    out = tmp_path / "shared"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLD), str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        assert plan(out) == 1
        assert f"pid {proc.pid}" in capsys.readouterr().err
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert (out / LOCK).exists()  # the lock file stays; the system released the lock itself
    assert plan(out) == 0


def test_two_runs_into_one_folder_cannot_mix(tmp_path):
    """The issue's case: two `commplan run` into one --out, started 2 s apart."""
    out = tmp_path / "both"
    cmd = [sys.executable, "-m", "commplan", "--quiet", "run", "tutorial", "--replications", "4", "--out", str(out)]
    first = subprocess.Popen([*cmd, "--marginal-costs", "none"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out / ".commplan.lock.holder").exists():
        time.sleep(0.02)
    second = subprocess.run([*cmd, "--seed", "99"], stderr=subprocess.PIPE, text=True)
    assert first.wait() == 0
    assert second.returncode == 1
    # turned away by the lock (or, on a machine slow enough to start it after the first
    # finished, by the finished run): either way nothing of the second is in the folder
    assert f"pid {first.pid}" in second.stderr or "holds a finished run" in second.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"]["root"] != 99
    assert manifest["end_time"] and (out / "plan.csv").exists() and (out / "timeseries.csv").exists()


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("plan", []),
        ("simulate", ["--replications", "1"]),
        ("run", ["--replications", "1", "--replan", "yearly"]),
    ],
)
def test_the_manifest_lists_every_file_a_command_wrote(tmp_path, command, extra):
    out = tmp_path / command
    args = [command, "tutorial", "--out", str(out), "--quiet", *extra]
    if command != "simulate":
        args += ["--marginal-costs", "none"]
    assert main(args) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in out.iterdir() if not p.name.startswith(".")}


def test_a_manifest_cannot_make_commplan_delete_files_outside_its_names(planned, tmp_path):
    """A received run folder whose manifest lists other files: they are not commplan's to delete."""
    out = copy_of(planned, tmp_path / "received")
    (tmp_path / "precious.txt").write_text("mine")
    (out / "data.csv").write_text("mine too")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"] += ["../precious.txt", "data.csv", "/etc/hostname"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert plan(out, "--force") == 0
    assert (tmp_path / "precious.txt").read_text() == "mine"
    assert (out / "data.csv").read_text() == "mine too"


def test_sweep_force_leaves_a_users_units_folder_alone(tmp_path, capsys):
    folder = users_folder(tmp_path)
    (folder / "units").mkdir()
    (folder / "units" / "thesis.tex").write_text("three years of work")
    code = main(["sweep", "tutorial", "--budgets", "6e6", "--replications", "1", "--out", str(folder), "--force"])
    assert code == 1
    assert "units was not written by commplan" in capsys.readouterr().err
    assert (folder / "units" / "thesis.tex").read_text() == "three years of work"


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("swept") / "sweep"
    args = ["sweep", "tutorial", "--budgets", "6e6", "--replications", "1", "--processes", "1", "--quiet"]
    assert main([*args, "--out", str(out)]) == 0
    return out


def test_compare_refuses_a_sweep_folder(planned, swept, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(planned), str(swept), "--out", str(out), "--quiet"]) == 1
    assert f"{swept} holds a sweep" in capsys.readouterr().err
    assert not out.exists() or not (out / "comparison.csv").exists()


def test_sweep_force_clears_its_own_units_and_nothing_else(swept, tmp_path):
    out = copy_of(swept, tmp_path / "again")
    (out / "units" / "my-notes.txt").write_text("notes")
    (out / "units" / "budget-6000000" / "chart-i-drew.png").write_text("png")
    args = ["sweep", "tutorial", "--budgets", "7e6", "--replications", "1", "--processes", "1", "--quiet"]
    assert main([*args, "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in (out / "units").iterdir()) == ["budget-6000000", "budget-7000000", "my-notes.txt"]
    assert [p.name for p in (out / "units" / "budget-6000000").iterdir()] == ["chart-i-drew.png"]


def test_a_solver_that_broke_down_leaves_the_folder_unfinished(tmp_path, monkeypatch, capsys):
    """Issue 10: a solve ending in "error" left a finished manifest, as if it were a result."""
    from types import SimpleNamespace

    import commplan.pipeline as pipeline

    broke = SimpleNamespace(feasible=False, status="error", explanation="solver stopped: numerical trouble")
    monkeypatch.setattr(pipeline, "plan", lambda *args, **kwargs: broke)
    out = tmp_path / "broke"
    assert plan(out) == 3
    assert "solver stopped: numerical trouble" in capsys.readouterr().err
    assert not is_finished(out)
    assert plan(out) == 3  # and it may be run again without --force
