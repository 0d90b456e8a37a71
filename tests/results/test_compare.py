"""Paired comparison under common random numbers, on hand-made attainment tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from results.compare import met_by_replication, paired_differences
from results.report import target_probabilities
from results.runs import Run
from scenarios.loader import load


def fake_run(name: str, met: dict[str, list[bool]], seed: int = 7) -> Run:
    """A run whose target ``t`` is met in replication r iff ``met[t][r]`` (two years each)."""
    rows = []
    for target, flags in met.items():
        for r, ok in enumerate(flags):
            rows.append(
                {
                    "replication": r,
                    "year": 1,
                    "target": target,
                    "kind": "share",
                    "required": 1,
                    "achieved": 1,
                    "met": True,
                }
            )
            rows.append(
                {
                    "replication": r,
                    "year": 2,
                    "target": target,
                    "kind": "share",
                    "required": 1,
                    "achieved": int(ok),
                    "met": ok,
                }
            )
    return Run(Path(name), {"seeds": {"root": seed}}, load("tutorial"), None, None, None, pd.DataFrame(rows))


def test_a_target_counts_as_met_only_when_met_every_year():
    run = fake_run("a", {"space": [True, False, True, True]})
    assert met_by_replication(run)["space"].tolist() == [True, False, True, True]
    assert target_probabilities(run.attainment)["space"] == pytest.approx(0.75)


def test_paired_differences_count_replications_where_one_option_wins():
    a = fake_run("a", {"space": [True, True, False, True, False]})
    b = fake_run("b", {"space": [True, False, False, False, True]})
    row = paired_differences([a, b]).iloc[0]
    assert (row["p_a_not_b"], row["p_b_not_a"], row["p_both"], row["p_neither"]) == pytest.approx((0.4, 0.2, 0.2, 0.2))
    assert row["common_random_numbers"]


def test_runs_from_different_seeds_are_flagged_as_unpaired():
    a = fake_run("a", {"space": [True, False]}, seed=1)
    b = fake_run("b", {"space": [True, False]}, seed=2)
    assert not paired_differences([a, b]).iloc[0]["common_random_numbers"]


def test_headline_counts_sure_targets_and_names_those_at_risk():
    from results.report import headline

    run = fake_run("a", {"space-200": [True] * 10, "one-stop": [True] * 5 + [False] * 5})
    run.summary = {"status": "optimal", "total_cost": 2_500_000, "requirements": []}
    text = headline(run)
    assert text.startswith("Meets 1 of 5 targets with ≥ 90% probability at 2.50 M yuan.")
    assert "At risk: one-stop (met in 50% of simulated runs)." in text


def test_comparison_csv_keeps_every_digit(tmp_path, monkeypatch):
    """Was: ``%.6g`` printed budgets 5,972,399 and 5,972,400 both as 5.9724e+06."""
    import results.compare as compare_module

    a = fake_run("a", {"space": [True, False, True]})
    b = fake_run("b", {"space": [True, True, False]})
    a.summary = {"status": "optimal", "total_cost": 5_972_399.0}
    b.summary = {"status": "optimal", "total_cost": 5_972_400.0}
    runs = {"a": a, "b": b}
    monkeypatch.setattr(compare_module, "load_run", lambda d, timeseries=False: runs[Path(d).name])
    compare_module.compare([Path("a"), Path("b")], tmp_path)
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert table["total_cost"].tolist() == [5_972_399, 5_972_400]
    assert (tmp_path / "comparison.csv").read_text().splitlines()[1].startswith("a,tutorial,optimal,5972399,")
    probability = pd.read_csv(tmp_path / "comparison.csv")["probability_met_space"][0]
    assert probability == 2 / 3  # read back exactly, not 0.666667
    paired = pd.read_csv(tmp_path / "paired.csv")
    assert paired["p_a_not_b"][0] == 1 / 3
