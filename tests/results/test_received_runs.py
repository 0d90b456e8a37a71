"""A run folder received from someone else, or edited by hand, is checked before it is used.

Was: ``compare`` of a folder whose summary.json was ``[]`` or had ``"requirements": 5`` exited 0
with an empty row; one whose summary.json, manifest or attainment.csv could not be parsed
exited 3 ("a bug in commplan"). Now each damage is an input error (exit 1) naming the file and
the field.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from commplan.cli import main


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("received") / "good"
    assert main(["run", "tutorial", "--out", str(out), "--replications", "2", "--quiet"]) == 0
    return out


def _edit_json(name: str, change):
    def edit(folder: Path) -> None:
        path = folder / name
        data = json.loads(path.read_text())
        path.write_text(json.dumps(change(data)))

    return edit


def _write(name: str, text: str | bytes):
    def edit(folder: Path) -> None:
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())

    return edit


def _set(field, value):
    def change(d):
        d[field] = value
        return d

    return change


def _probability(d):
    d["requirements"][0]["probability_met"] = 1.5
    return d


DAMAGE = {
    "summary is a list": (_write("summary.json", "[]"), "summary.json", "not a JSON object"),
    "summary cut short": (_write("summary.json", '{"status": '), "summary.json", "not valid JSON"),
    "summary holds NaN": (_write("summary.json", '{"total_cost": NaN}'), "summary.json", "NaN"),
    "requirements not a list": (_edit_json("summary.json", _set("requirements", 5)), "summary.json", "requirements"),
    "requirement not an object": (
        _edit_json("summary.json", _set("requirements", [1])),
        "summary.json",
        "requirements[0]",
    ),
    "cost as text": (_edit_json("summary.json", _set("total_cost", "abc")), "summary.json", "total_cost"),
    "cost by year a map": (_edit_json("summary.json", _set("cost_by_year", {"a": 1})), "summary.json", "cost_by_year"),
    "probability above 1": (_edit_json("summary.json", _probability), "summary.json", "probability_met"),
    "manifest a list": (_write("manifest.json", '["end_time"]'), "manifest.json", "not a JSON object"),
    "manifest end_time a number": (_edit_json("manifest.json", _set("end_time", 5)), "manifest.json", "end_time"),
    "attainment without its columns": (_write("attainment.csv", "a,b\n1,2\n"), "attainment.csv", "'replication'"),
    "attainment binary": (_write("attainment.csv", bytes(range(256)) * 4), "attainment.csv", "attainment.csv"),
    "attainment met as text": (
        _write("attainment.csv", "replication,year,target,required,achieved,met\n0,1,t,1,1,yes\n"),
        "attainment.csv",
        "'met'",
    ),
    "plan without its columns": (_write("plan.csv", "x,y\n1,2\n"), "plan.csv", "'community'"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_received_run_is_refused_naming_the_file_and_field(good, tmp_path, capsys, damage):
    edit, file, words = DAMAGE[damage]
    received = tmp_path / "received"
    shutil.copytree(good, received)
    edit(received)
    code = main(["compare", str(good), str(received), "--out", str(tmp_path / "cmp"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert file in err and words in err, err
    assert "internal error" not in err


def test_an_undamaged_copy_compares(good, tmp_path, capsys):
    received = tmp_path / "received"
    shutil.copytree(good, received)
    assert main(["compare", str(good), str(received), "--out", str(tmp_path / "cmp"), "--quiet"]) == 0
