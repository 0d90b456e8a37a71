"""The command line: exit codes, messages without tracebacks, run folders that are never clobbered."""

from __future__ import annotations

import json

import pytest

from commplan.cli import main
from commplan.rundir import Run, RunExists, is_finished
from scenarios.loader import bundled_scenarios, load


def test_validate_accepts_every_bundled_scenario(capsys):
    assert main(["validate", *bundled_scenarios()]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok") == len(bundled_scenarios())


def test_validate_reports_every_file_and_exits_1(tmp_path, capsys, minimal_text):
    bad = tmp_path / "bad.toml"
    bad.write_text(minimal_text.replace("years = 3", "years = -1"))
    assert main(["validate", "tutorial", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "tutorial: ok" in captured.out
    assert "bad.toml has 1 problem:" in captured.err
    assert "scenario.years = -1: must be between 1 and 50" in captured.err
    assert "Traceback" not in captured.err


def test_missing_file_names_the_bundled_scenarios(capsys):
    assert main(["validate", "no-such-city.toml"]) == 1
    err = capsys.readouterr().err
    assert "no-such-city.toml has 1 problem:" in err
    assert "no such file (bundled scenarios: " in err and "tutorial" in err


def test_every_contract_subcommand_exists(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("validate", "plan", "simulate", "run", "sweep", "compare"):
        assert command in out


def test_bad_option_value_is_a_usage_error_not_a_traceback(capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate", "tutorial", "--replications", "0"])
    assert info.value.code == 1  # the user's input to fix (argparse's own 2 is the contract's "infeasible")
    assert "must be at least 1, not 0" in capsys.readouterr().err


def test_a_finished_run_is_not_overwritten_without_force(tmp_path):
    s = load("tutorial")
    out = tmp_path / "run"
    Run(out, s, "test", force=False).finish()
    assert is_finished(out)
    with pytest.raises(RunExists, match="--force"):
        Run(out, s, "test", force=False)
    Run(out, s, "test", force=True)
    assert not is_finished(out)  # reopened: unfinished until it finishes again


def test_an_unfinished_run_may_be_reused(tmp_path):
    s = load("tutorial")
    out = tmp_path / "run"
    Run(out, s, "test", force=False)  # crashed before finish()
    run = Run(out, s, "test", force=False)
    run.finish(status="optimal")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "optimal"
    assert manifest["command"] == "test"
    assert len(manifest["scenario_sha256"]) == 64
    assert {"mesa", "pulp", "numpy", "python"} <= set(manifest["versions"])
    assert manifest["start_time"] <= manifest["end_time"]


def test_resolved_scenario_toml_reproduces_the_scenario(tmp_path):
    s = load("tutorial")
    Run(tmp_path, s, "test", force=False)
    again = load(tmp_path / "scenario.toml")
    assert again.communities == s.communities and again.targets == s.targets


def test_an_internal_error_is_reported_without_traceback(monkeypatch, capsys):
    import functools

    import commplan.cli as cli

    # a failure raised from commplan's own code (here: cmd_validate calling a broken loader)
    monkeypatch.setattr(cli, "load", functools.partial(int, "not a number"))
    assert main(["validate", "tutorial"]) == 3
    err = capsys.readouterr().err
    assert "internal error" in err and "Traceback" not in err


@pytest.mark.parametrize(("flag", "status"), [("dual", "not computed: duals only"), ("resolve", "exact")])
def test_marginal_cost_flag_reaches_the_summary(tmp_path, flag, status):
    out = tmp_path / flag
    assert (
        main(
            ["plan", "tutorial", "--out", str(out), "--marginal-costs", flag, "--marginal-time-limit", "inf", "--quiet"]
        )
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    binding = [r for r in summary["requirements"] if r["binding"]]
    assert binding and all(r["marginal_status"] == status for r in binding)
    assert all(r["marginal_status"] == "not binding" for r in summary["requirements"] if not r["binding"])


def test_infeasible_plan_exits_2_and_explains_in_the_planners_words(tmp_path, capsys):
    from scenarios.loader import resolve_path

    tight = tmp_path / "tight.toml"
    tight.write_text(resolve_path("tutorial").read_text().replace("total = 12000000", "total = 3000000"))
    out = tmp_path / "plan"
    assert main(["plan", str(tight), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the targets cannot all be met" in err
    assert "elderly-centres (has elderly_centre): 1 elderly_centre opened in years 1–2 — 1 facility short" in err
    assert "the smallest total budget that meets them all" in err
    assert "Traceback" not in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert not (out / "plan.csv").exists()
    assert is_finished(out)


def test_a_solve_out_of_time_without_a_plan_writes_no_plan_and_says_so(tmp_path, capsys):
    out = tmp_path / "hurried"
    assert main(["plan", "chifeng_2008", "--time-limit", "0", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "no plan within the time limit" in err and "--time-limit" in err
    assert not (out / "plan.csv").exists()
    assert json.loads((out / "summary.json").read_text())["status"] == "time_limit"


def test_force_clears_the_previous_runs_outputs(tmp_path):
    from scenarios.loader import resolve_path

    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), "--marginal-costs", "none", "--quiet"]) == 0
    assert (out / "plan.csv").exists()
    tight = tmp_path / "tight.toml"
    tight.write_text(resolve_path("tutorial").read_text().replace("total = 12000000", "total = 3000000"))
    assert main(["plan", str(tight), "--out", str(out), "--force", "--quiet"]) == 2
    assert not (out / "plan.csv").exists()  # the old plan must not pass for this run's
    assert not (out / "cost_breakdown.png").exists()


def test_sweep_does_not_take_over_a_finished_plan_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), "--marginal-costs", "none", "--quiet"]) == 0
    before = (out / "manifest.json").read_text()
    assert main(["sweep", "tutorial", "--budgets", "6e6", "--replications", "1", "--out", str(out), "--quiet"]) == 1
    assert "--force" in capsys.readouterr().err
    assert (out / "manifest.json").read_text() == before and (out / "plan.csv").exists()


def test_a_capacity_too_small_for_the_targets_exits_2_naming_the_limit(tmp_path, capsys):
    from scenarios.loader import resolve_path

    text = resolve_path("tutorial").read_text()
    tight = tmp_path / "tight.toml"
    tight.write_text(text.replace("[[communities]]", "[capacity]\nprojects_per_year = [2, 3, 3]\n\n[[communities]]", 1))
    out = tmp_path / "plan"
    assert main(["plan", str(tight), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "What the city can absorb in a year is the reason" in err
    assert "more than the limit of" in err and "(projects_per_year)" in err
    assert "Money is the reason" not in err and "Traceback" not in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["infeasibility"]["capacity_is_reason"] is True
