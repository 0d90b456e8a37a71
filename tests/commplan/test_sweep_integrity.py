"""Sweep units carry their check: a damaged unit is computed again, never used; a failed resume
leaves the finished frontier and manifest in place.

Regression tests of issue 10 ("Corrupt state used silently").
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest

import commplan.sweep
from commplan.cli import main
from commplan.rundir import is_finished

BUDGETS = "6000000,12000000"
UNIT = Path("units") / "budget-6000000"


def sweep(out: Path, *extra: str) -> int:
    args = ["sweep", "tutorial", "--budgets", BUDGETS, "--replications", "2", "--processes", "1", "--quiet"]
    return main([*args, "--out", str(out), *extra])


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, bytes]:
    out = tmp_path_factory.mktemp("integrity") / "sweep"
    assert sweep(out) == 0
    return out, (out / "frontier.csv").read_bytes()


@pytest.fixture
def copy(finished, tmp_path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(finished[0], out)
    return out


def truncate(path: Path) -> None:  # `head -4`
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:4]))


def edit(path: Path) -> None:
    path.write_text(path.read_text().replace(",1,", ",0,", 1).replace(",True,", ",False,", 1))


def relabel_csv(path: Path) -> None:
    """Replication 1's rows copied over replication 0's unit, its check file left."""
    shutil.copy(path.with_name("rep-00001.csv"), path)


def relabel_both(path: Path) -> None:
    """Replication 1's unit and its check file copied over replication 0's."""
    shutil.copy(path.with_name("rep-00001.csv"), path)
    shutil.copy(path.with_name("rep-00001.json"), path.with_suffix(".json"))


def rewrite_label(path: Path) -> None:
    """Replication 1's rows relabelled to 0 in the file (the check file still says what was written)."""
    lines = path.with_name("rep-00001.csv").read_text().splitlines(keepends=True)
    path.write_text(lines[0] + "".join("0" + line[1:] for line in lines[1:]))


def empty(path: Path) -> None:
    path.write_text("")


def lose_check(path: Path) -> None:
    path.with_suffix(".json").unlink()


@pytest.mark.parametrize("damage", [truncate, edit, relabel_csv, relabel_both, rewrite_label, empty, lose_check])
def test_a_damaged_unit_is_computed_again_with_a_warning(finished, copy, damage, capsys):
    unit = copy / UNIT / "rep-00000.csv"
    damage(unit)
    assert sweep(copy) == 0
    err = capsys.readouterr().err
    assert f"warning: {unit}" in err and "computing it again" in err
    assert "extension" not in err
    assert (copy / "frontier.csv").read_bytes() == finished[1]
    assert sweep(copy) == 0 and "warning" not in capsys.readouterr().err  # repaired for good


@pytest.mark.parametrize("name", ["summary.json", "plan.csv"])
def test_a_damaged_plan_is_planned_again(finished, copy, name, capsys):
    path = copy / UNIT / name
    path.write_text(path.read_text()[:-40])
    assert sweep(copy) == 0
    err = capsys.readouterr().err
    assert f"{copy / UNIT / 'done.json'}" in err and name in err
    assert (copy / "frontier.csv").read_bytes() == finished[1]


def test_units_of_an_older_commplan_without_checks_are_computed_again(finished, copy, capsys):
    for check in (copy / "units").glob("*/rep-*.json"):
        check.unlink()
    assert sweep(copy) == 0
    err = capsys.readouterr().err
    assert err.count("has no check file") == 4
    assert (copy / "frontier.csv").read_bytes() == finished[1]


def test_a_failed_resume_keeps_the_finished_frontier_and_manifest(finished, copy, monkeypatch):
    frontier, manifest = (copy / "frontier.csv").read_bytes(), (copy / "manifest.json").read_bytes()
    (copy / UNIT / "rep-00001.csv").unlink()

    # a failure inside commplan (a C function called with the unit's arguments raises TypeError)
    monkeypatch.setattr(commplan.sweep, "simulate_unit", functools.partial(int, "a bug"))
    assert sweep(copy) == 3
    assert (copy / "frontier.csv").read_bytes() == frontier
    assert (copy / "manifest.json").read_bytes() == manifest
    assert is_finished(copy)
    monkeypatch.undo()
    assert sweep(copy) == 0
    assert (copy / "frontier.csv").read_bytes() == finished[1]


def test_a_resume_after_a_kill_removes_the_orphaned_temporaries(finished, copy):
    orphans = [copy / ".frontier.csv.abcd1234.tmp", copy / UNIT / ".rep-00001.csv.x_y9z0k1.tmp"]
    for f in orphans:
        f.write_text("half")
    assert sweep(copy) == 0
    assert not any(f.exists() for f in orphans)


def test_the_unit_check_records_rows_and_checksum(finished):
    out, _ = finished
    check = json.loads((out / UNIT / "rep-00001.json").read_text())
    assert check["replication"] == 1 and check["budget"] == 6e6
    assert check["rows"] == len((out / UNIT / "rep-00001.csv").read_text().splitlines()) - 1
    done = json.loads((out / UNIT / "done.json").read_text())
    assert set(done["files"]) == {"plan.csv", "summary.json"}
    assert check["plan_sha256"] == done["files"]["plan.csv"]


def test_failed_units_are_named_up_to_a_limit_then_counted_in_one_line(tmp_path):
    from commplan.rundir import MOST_WARNINGS, FailedUnits

    said: list[str] = []
    failed = FailedUnits(tmp_path, said.append)
    for i in range(MOST_WARNINGS + 5):
        failed(f"rep-{i:05d}.csv", "is truncated")
    assert len(said) == MOST_WARNINGS + 1
    assert said[0] == f"{tmp_path / 'rep-00000.csv'} is truncated; computing it again"
    assert said[-1] == "more units failed their check; all are computed again"
