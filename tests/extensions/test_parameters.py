"""``[extension.<name>]`` tables: declared by the extension, checked with file and line,
reaching the running model (in worker processes too), and written back to the run folder."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from model.extensions import Extension, ExtensionError, parameter, parameters_of, services_of
from model.model import CommunityModel
from model.runner import simulate
from scenarios.loader import load, loads
from scenarios.problems import ScenarioError
from tests.extensions.conftest import tutorial_text

ROOT = Path(__file__).parents[2]
TIMEBANK = "extensions.timebank"


def text(table: str = "", header: str = "[extension.timebank]") -> str:
    return tutorial_text([TIMEBANK]) + f"\n{header}\n{table}\n"


def checked(t: str):
    return loads(t, source="city.toml", services_of=services_of, parameters_of=parameters_of)


def line_of(t: str, needle: str) -> int:
    return next(i for i, line in enumerate(t.splitlines(), 1) if needle in line)


def test_values_are_checked_and_defaults_filled_in():
    s = checked(text("hours_per_volunteer = 8"))
    assert dict(s.extension_parameters[TIMEBANK]) == {
        "hours_per_volunteer": 8.0,
        "redeem_share": 0.5,
        "hours_per_visit": 2.0,
    }
    # an extension without a table gets its defaults written out too (the run folder is complete)
    assert checked(tutorial_text([TIMEBANK])).extension_parameters[TIMEBANK]["hours_per_volunteer"] == 4.0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("hours_per_volunteer = 80", "extension.timebank.hours_per_volunteer = 80: must be between 0 and 40"),
        ("hours_per_volunter = 3", 'hours_per_volunter: unknown key; did you mean "hours_per_volunteer"?'),
        ("redeem_share = true", "extension.timebank.redeem_share = true: must be a number"),
        ("hours_per_visit = 0", "extension.timebank.hours_per_visit = 0: must be between 0.1 and 24"),
    ],
)
def test_a_bad_value_is_a_problem_with_its_file_line_field_and_fix(table, message):
    t = text(table)
    with pytest.raises(ScenarioError) as caught:
        checked(t)
    shown = str(caught.value)
    assert "city.toml" in shown and f"line {line_of(t, table)} " in shown and message in shown, shown


def test_a_table_for_an_extension_the_scenario_does_not_name_is_a_problem_even_when_validating():
    t = text("hours_per_volunteer = 8", header="[extension.timebnk]")
    for load_it in (checked, lambda t: loads(t, source="city.toml")):  # run, and validate (no code runs)
        with pytest.raises(ScenarioError) as caught:
            load_it(t)
        shown = str(caught.value)
        assert f"line {line_of(t, '[extension.timebnk]')} " in shown
        assert "no extension 'timebnk' in [scenario] extensions" in shown and 'did you mean "timebank"?' in shown


def test_the_table_may_be_named_in_full_quoted_or_dotted():
    for header in (f'[extension."{TIMEBANK}"]', f"[extension.{TIMEBANK}]"):
        s = checked(text("redeem_share = 0.25", header=header))
        assert s.extension_parameters[TIMEBANK]["redeem_share"] == 0.25


def test_validating_runs_no_extension_code_and_the_model_checks_the_values_then():
    s = loads(text("hours_per_volunteer = 80"))  # as `commplan validate` loads: the module is not run
    assert dict(s.extension_parameters[TIMEBANK]) == {"hours_per_volunteer": 80}
    with pytest.raises(
        ExtensionError,
        match=r"\[extension\.extensions\.timebank\] hours_per_volunteer = 80: "
        r"must be between 0 and 40 \(.*timebank\.py:\d+\)",
    ):
        CommunityModel(s, rng=1)


def outcome(scenario, column, processes=1) -> np.ndarray:
    result = simulate(scenario, replications=2, seed=3, processes=processes)
    j = result.columns.index(column) - (len(result.columns) - result.replications[0].timeseries.shape[2])
    return np.stack([r.timeseries[:, :, j] for r in result.replications])


def test_the_values_reach_the_running_model_and_worker_processes():
    default, generous = checked(text()), checked(text("hours_per_volunteer = 8\nredeem_share = 1"))
    model = CommunityModel(generous, rng=1)
    assert model.extension_params("timebank").hours_per_volunteer == 8.0
    assert model.registry.params("timebank").redeem_share == 1.0
    # no hours banked: elderly care served exactly as without the time bank
    idle = checked(text("hours_per_volunteer = 0"))
    assert outcome(idle, "timebank_hours").max() == 0
    core = loads(tutorial_text([]))
    np.testing.assert_array_equal(outcome(idle, "served_elderly_care"), outcome(core, "served_elderly_care"))
    assert outcome(default, "timebank_hours").max() > 0  # half the balance is kept each month
    assert outcome(generous, "timebank_hours").max() == 0  # … all of it offered
    more = outcome(generous, "served_elderly_care").sum()
    assert more > outcome(default, "served_elderly_care").sum() > outcome(idle, "served_elderly_care").sum()
    np.testing.assert_array_equal(outcome(generous, "served_elderly_care", processes=2).sum(), more)


def test_an_extension_declaring_no_parameters_refuses_a_table():
    t = tutorial_text(["extensions.parking"]) + "\n[extension.parking]\nspaces = 3\n"
    with pytest.raises(ScenarioError, match="declares no parameters"):
        checked(t)


def test_a_declaration_that_cannot_be_a_scenario_key_is_an_error_where_it_is_defined():
    @dataclass(frozen=True)
    class Bad:
        rates: tuple = (1, 2)

    with pytest.raises(ExtensionError, match=r"'rates' has default \(1, 2\): a parameter is a bool, int, float or str"):

        class Broken(Extension):
            parameters = Bad

    @dataclass(frozen=True)
    class NoDefault:
        hours: float

    with pytest.raises(ExtensionError, match=r"test_parameters\.py:\d+\).*'hours' has no default"):

        class AlsoBroken(Extension):
            parameters = NoDefault

    assert parameter(1.0, "x").metadata["doc"] == "x"


def test_the_command_line_runs_with_the_values_writes_them_back_and_exits_1_for_a_bad_one(tmp_path):
    path = tmp_path / "city.toml"
    path.write_text(text("hours_per_volunteer = 6"), encoding="utf-8")
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "commplan", "--quiet", "simulate", str(path), "--replications", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*cmd, "--out", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = load(out / "scenario.toml", parameters_of=parameters_of)
    assert again.extension_parameters[TIMEBANK]["hours_per_volunteer"] == 6.0
    assert again.extension_parameters[TIMEBANK]["redeem_share"] == 0.5
    path.write_text(text("hours_per_volunteer = -1"), encoding="utf-8")
    done = subprocess.run([*cmd, "--out", str(tmp_path / "bad")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "city.toml" in done.stderr and f"line {line_of(text('hours_per_volunteer = -1'), '= -1')}" in done.stderr
    assert "Traceback" not in done.stderr
