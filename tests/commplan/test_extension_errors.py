"""A researcher's own extension module: found from the current folder, and its mistakes blamed on it."""

from __future__ import annotations

import sys
import textwrap

import pytest

from commplan.cli import main
from scenarios.loader import resolve_path

GOOD = """
from model.extensions import Extension


class Counter(Extension):
    reporters = {"one": lambda model: [1.0] * model.n}


extension = Counter()
"""

BROKEN_HOOK = """
from model.extensions import Extension


class Broken(Extension):
    def end_month(self, model):
        return model.no_such_attribute


extension = Broken()
"""


@pytest.fixture
def lab(tmp_path, monkeypatch):
    """A researcher's folder: a package of their own beside a scenario that names it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in [m for m in sys.modules if m.startswith("lab_ext")]:
        monkeypatch.delitem(sys.modules, name)
    (tmp_path / "lab_ext").mkdir()
    (tmp_path / "lab_ext" / "__init__.py").write_text("")

    def scenario(module: str, code: str | None) -> str:
        if code is not None:
            (tmp_path / "lab_ext" / f"{module}.py").write_text(textwrap.dedent(code))
        text = (
            resolve_path("tutorial")
            .read_text()
            .replace("[scenario]\n", f'[scenario]\nextensions = ["lab_ext.{module}"]\n', 1)
        )
        (tmp_path / f"{module}.toml").write_text(text)
        return f"{module}.toml"

    return scenario


def test_the_command_finds_an_extension_in_the_current_folder(lab, tmp_path):
    assert main(["simulate", lab("good", GOOD), "--replications", "1", "--out", "out", "--quiet"]) == 0
    header = (tmp_path / "out" / "timeseries.csv").read_text().splitlines()[0].split(",")
    assert header[-1] == "one"


def test_a_misspelt_module_suggests_its_neighbour(lab, capsys):
    lab("parking", GOOD)
    assert main(["validate", lab("parkin", None)]) == 1
    err = capsys.readouterr().err
    assert "cannot import extension module 'lab_ext.parkin'" in err
    assert 'did you mean "lab_ext.parking"?' in err


def test_a_module_that_fails_to_import_is_reported_with_its_line(lab, tmp_path, capsys):
    assert (
        main(["plan", lab("typo", "from model.extensions import Extension\nextension = Extenson()\n"), "--quiet"]) == 1
    )
    err = capsys.readouterr().err
    assert "extension module 'lab_ext.typo' failed while importing: NameError: name 'Extenson' is not defined" in err
    assert f"{tmp_path / 'lab_ext' / 'typo.py'}:2" in err


def test_an_error_inside_an_extension_hook_is_the_extensions_not_commplans(lab, capsys):
    assert main(["simulate", lab("broken", BROKEN_HOOK), "--replications", "1", "--out", "out", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "your extension code failed at" in err and "broken.py:7 (end_month): AttributeError" in err
    assert "internal error" not in err


def test_an_unknown_top_level_package_gets_the_path_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (
        resolve_path("tutorial")
        .read_text()
        .replace("[scenario]\n", '[scenario]\nextensions = ["nowhere_pkg.parking"]\n', 1)
    )
    (tmp_path / "s.toml").write_text(text)
    assert main(["validate", "s.toml"]) == 1
    assert "add that folder to PYTHONPATH" in capsys.readouterr().err


def test_the_manifest_records_each_extension_file_and_hash(lab, tmp_path):
    import hashlib
    import json

    assert main(["simulate", lab("good", GOOD), "--replications", "1", "--out", "out", "--quiet"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    recorded = manifest["extensions"]["lab_ext.good"]
    assert recorded["file"].endswith("lab_ext/good.py")
    assert recorded["sha256"] == hashlib.sha256((tmp_path / "lab_ext" / "good.py").read_bytes()).hexdigest()


def test_an_extension_error_in_a_worker_process_is_still_the_extensions(lab, capsys):
    args = [
        "simulate",
        lab("broken", BROKEN_HOOK),
        "--replications",
        "2",
        "--processes",
        "2",
        "--out",
        "out",
        "--quiet",
    ]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "your extension code failed at" in err and "broken.py:7 (end_month): AttributeError" in err


WRONG_SHAPE = """
import numpy as np

from model.extensions import Extension


def halves(model):
    return np.ones((model.n, 2))


class Halves(Extension):
    reporters = {"halves": halves}


extension = Halves()
"""

NEGATIVE = """
import numpy as np

from model.extensions import Extension


def debt(model):
    return -np.ones(model.n)


class Debt(Extension):
    reporters = {"debt": debt}


extension = Debt()
"""

UNDECLARED_KIND = """
from model.agents import StaffMember
from model.extensions import Extension


class Nurse(StaffMember):
    pass


class Nursing(Extension):
    staff_classes = {"nurse": Nurse}


extension = Nursing()
"""


@pytest.mark.parametrize(
    ("module", "code", "said"),
    [
        ("shape", WRONG_SHAPE, "reporter 'halves' ({}:7) must return one number per community, 10 in all"),
        ("negative", NEGATIVE, "reporter 'debt' ({}:7) returned -1.0 for community"),
        (
            "kinds",
            UNDECLARED_KIND,
            "({}:10): staff_classes names staff kind 'nurse', which the scenario does not declare",
        ),
    ],
)
def test_an_extensions_mistake_exits_1_naming_its_file_and_line(lab, tmp_path, capsys, module, code, said):
    args = ["simulate", lab(module, code), "--replications", "1", "--out", "out", "--quiet"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert said.format(tmp_path / "lab_ext" / f"{module}.py") in err, err
    assert "internal error" not in err


def test_validate_never_runs_extension_code(lab, tmp_path, capsys):
    """Checking a received scenario must not run the modules it names: they are only looked up."""
    marker = tmp_path / "ran.txt"
    code = f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n" + GOOD
    assert main(["validate", lab("evil", code)]) == 0
    assert not marker.exists()
    assert main(["simulate", lab("evil", code), "--replications", "1", "--out", "out", "--quiet"]) == 0
    assert marker.exists()  # running the scenario runs its extensions, as the README says


def test_compare_never_runs_the_extension_a_received_run_names(lab, tmp_path, capsys):
    marker = tmp_path / "ran.txt"
    code = f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n" + GOOD
    scenario = lab("evil", code)
    for out in ("a", "b"):
        assert main(["simulate", scenario, "--replications", "1", "--out", out, "--quiet"]) == 0
    marker.unlink()
    assert main(["compare", "a", "b", "--out", "cmp", "--quiet"]) == 0
    assert not marker.exists()


@pytest.mark.parametrize("how", ["commplan", "python -m commplan"])
def test_a_module_in_the_current_folder_never_shadows_an_installed_library(tmp_path, how):
    """A mesa.py or numpy.py lying in the current folder is not what commplan imports.

    Was: ``python -m commplan`` put the current folder first on the import path.
    """
    import subprocess
    from pathlib import Path

    for name in ("mesa", "numpy"):
        (tmp_path / f"{name}.py").write_text(f"raise SystemExit('the current folder shadowed {name}')\n")
    if how == "commplan":
        start = [str(Path(sys.executable).parent / "commplan")]
    else:
        start = [sys.executable, "-m", "commplan"]
    cmd = [*start, "simulate", "tutorial", "--replications", "1", "--out", "out", "--quiet"]
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "shadowed" not in done.stderr


# -- a model class named by the scenario ---------------------------------------------------

A_MODEL = """
from model.extensions import Extension
from model.model import CommunityModel


class Counter(Extension):
    reporters = {"one": lambda model: [1.0] * model.n}


class CountingModel(CommunityModel):
    extensions = (Counter(),)


class NotAModel:
    pass


extension = Counter()
"""


def _with_model(tmp_path, reference: str) -> str:
    text = (tmp_path / "counting.toml").read_text()
    text = text.replace('extensions = ["lab_ext.counting"]\n', f'model = "{reference}"\n', 1)
    (tmp_path / "model.toml").write_text(text)
    return "model.toml"


def test_a_scenario_named_model_class_runs_from_the_command_line(lab, tmp_path):
    lab("counting", A_MODEL)
    scenario = _with_model(tmp_path, "lab_ext.counting:CountingModel")
    assert main(["simulate", scenario, "--replications", "1", "--out", "out", "--quiet"]) == 0
    header = (tmp_path / "out" / "timeseries.csv").read_text().splitlines()[0].split(",")
    assert header[-1] == "one"  # the model class's own extension ran
    assert 'model = "lab_ext.counting:CountingModel"' in (tmp_path / "out" / "scenario.toml").read_text()


def test_a_model_class_that_is_not_there_is_a_problem_with_its_line(lab, tmp_path, capsys):
    lab("counting", A_MODEL)
    assert main(["validate", _with_model(tmp_path, "lab_ext.countin:CountingModel")]) == 1
    err = capsys.readouterr().err
    assert "scenario.model" in err and "cannot import model module 'lab_ext.countin'" in err
    assert 'did you mean "lab_ext.counting"?' in err
    assert main(["validate", _with_model(tmp_path, "lab_ext.counting")]) == 1
    assert 'must be "package.module:Class"' in capsys.readouterr().err


def test_a_model_reference_to_something_else_exits_1_naming_it(lab, tmp_path, capsys):
    lab("counting", A_MODEL)
    scenario = _with_model(tmp_path, "lab_ext.counting:NotAModel")
    assert main(["simulate", scenario, "--replications", "1", "--out", "out", "--quiet"]) == 1
    assert "no subclass of CommunityModel named 'NotAModel'" in capsys.readouterr().err
