"""A whole run of the money-side city: plan → simulate → report, in English and Chinese; simulate --plan reproduces."""

from __future__ import annotations

import json

from commplan.cli import main
from tests.money.conftest import CITY, FUNDS, POLICE, trained

FUNDING = '\n[[funding]]\nsource = "street offices"\nlines = ["space", "funds"]\nshare = 0.2\n'


def test_a_run_reports_who_pays_and_simulate_with_its_plan_reproduces_it(tmp_path):
    scenario = tmp_path / "money.toml"
    scenario.write_text(CITY.format(extra=FUNDS + trained() + POLICE + FUNDING), encoding="utf-8")
    out, zh, again = tmp_path / "run", tmp_path / "zh", tmp_path / "again"
    assert main(["run", str(scenario), "--replications", "2", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by = summary["cost_by_source"]
    assert set(by) == {"city", "street offices", "police bureau"}
    assert sum(by.values()) == round(sum(summary["cost_by_year"]), 2)
    assert summary["simulated_cost_by_line"]["funds"] == summary["cost_by_line"]["funds"] == 90000
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Who pays" in report and "street offices" in report and "police bureau" in report
    assert main(["run", str(scenario), "--replications", "2", "--out", str(zh), "--quiet", "--lang", "zh"]) == 0
    assert "费用由谁承担" in (zh / "report.html").read_text(encoding="utf-8")
    plan = out / "plan.csv"
    code = main(["simulate", str(scenario), "--plan", str(plan), "--replications", "2", "--out", str(again), "--quiet"])
    assert code == 0
    for name in ("timeseries.csv", "attainment.csv"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_yearly_replanning_keeps_the_money_keys_for_the_years_left(tmp_path):
    from commplan.replan import remaining_scenario
    from scenarios.loader import load

    capped = FUNDING + "at_most = [50000, 1000, 2000]\n"
    scenario = tmp_path / "money.toml"
    scenario.write_text(
        CITY.format(extra='\n[budget]\nminimise = "total"\n' + FUNDS + trained() + POLICE + capped), encoding="utf-8"
    )
    s = load(scenario)
    rest = remaining_scenario(s, 1, s.initial_stocks(), 0.0)
    assert rest.funding[0].at_most == (1000.0, 2000.0) and rest.budget.minimise == "total"
    assert rest.staff["police"].funded_by == "police bureau" and rest.staff["community_worker"].training == 800
    out = tmp_path / "replan"
    assert main(["run", str(scenario), "--replications", "2", "--replan", "yearly", "--out", str(out), "--quiet"]) == 0
    lines = (out / "replans.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert lines and all(",optimal," in line for line in lines)
