"""Issue 14: a planner can read, trust and present the answer, in Chinese, in Excel, community by community.

One Chinese-named city (兴安), its communities in a CSV saved by Excel as "CSV UTF-8" (with
a byte-order mark and CRLF line ends), is validated, run in English and in Chinese, and swept.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from commplan.cli import main
from scenarios.loader import load
from scenarios.problems import ScenarioError

NAMES = ["兴安社区", "幸福社区", "和平社区", "建设社区", "南湖社区", "北苑社区", "西山社区", "青年社区"]
REPLICATIONS = 4

SCENARIO = """\
communities_csv = "xingan.csv"

[scenario]
name = "xingan"
title = "兴安市社区建设三年规划"
years = 3
start_year = 2019
seed = 11

[costs]
average_wage = 60000
space_build_per_m2 = 3000
space_running_per_m2 = 60
space_project_fixed = 20000

[facilities.one_stop]
build = 80000
running = 10000
space_m2 = 50

[staff.community_worker]
hire = 3000
base_pay_share = 0.6
pay_share = [0.7, 0.85, 1.0]

[[targets]]
name = "space-250"
space_at_least = 250
share = [0.4, 0.6, 0.8]

[[targets]]
name = "one-stop"
has = "one_stop"
keys_by = 1
share = [0.0, 0.3, 1.0]

[[targets]]
name = "workers-per-400"
staff_per_households = { community_worker = 400 }
share = 1.0
"""

#: No turnover, no lags, no overruns or deferrals, a candidate for every post, no contracts:
#: the simulation should spend exactly what the plan says (model.PERFECT_EXECUTION, and no contracts).
CALM = """
[simulation]
exit_hazard = 0.0
hiring_lag_months = 0
construction_lag_months = 0
project_deferral_share = 0
cost_overrun_median = 0
cost_overrun_sigma = 0
candidates_per_10000_households = 100000
organisation_contract_per_month = 0
"""


def write_city(folder: Path, extra: str = "", name: str = "xingan") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["id,name,households,space_m2,key,facilities,staff_community_worker,lon,lat"]
    for i, n in enumerate(NAMES):
        households = 900 + 173 * i
        space = 60 + 31 * i
        rows.append(
            f"xa-{i + 1:02d},{n},{households},{space},{'true' if i < 3 else 'false'},"
            f"{'one_stop' if i % 3 == 0 else ''},{2 + i % 4},{122.0 + 0.02 * i:.3f},{46.05 + 0.015 * (i % 3):.3f}"
        )
    (folder / "xingan.csv").write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(rows) + "\r\n").encode("utf-8"))
    path = folder / f"{name}.toml"
    path.write_text(SCENARIO.replace('name = "xingan"', f'name = "{name}"') + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    return write_city(tmp_path_factory.mktemp("xingan"))


def run(scenario: Path, out: Path, *extra: str) -> Path:
    args = ["run", str(scenario), "--out", str(out), "--replications", str(REPLICATIONS), "--quiet", *extra]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning: it fails the run
        assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def english(city, tmp_path_factory) -> Path:
    return run(city, tmp_path_factory.mktemp("en") / "run")


@pytest.fixture(scope="module")
def chinese(city, tmp_path_factory) -> Path:
    return run(city, tmp_path_factory.mktemp("zh") / "run", "--lang", "zh")


def test_a_chinese_named_city_from_an_excel_bom_csv_validates(city, capsys):
    scenario = load(city)
    assert [c.name for c in scenario.communities] == NAMES
    assert scenario.communities[0].lon == pytest.approx(122.0) and scenario.communities[0].lat == pytest.approx(46.05)
    assert main(["validate", str(city)]) == 0
    assert "8 communities" in capsys.readouterr().out


def test_a_chinese_id_is_refused_with_the_way_to_a_chinese_name(tmp_path):
    folder = tmp_path / "city"
    path = write_city(folder)
    csv = (folder / "xingan.csv").read_bytes().replace(b"xa-01,", "兴安,".encode(), 1)
    (folder / "xingan.csv").write_bytes(csv)
    with pytest.raises(ScenarioError) as e:
        load(path)
    assert "name" in str(e.value) and "letters, digits" in str(e.value)


def test_the_resolved_scenario_keeps_names_and_coordinates(english):
    scenario = load(english / "scenario.toml")
    assert [c.name for c in scenario.communities] == NAMES
    assert all(c.lat is not None for c in scenario.communities)


def test_charts_draw_chinese_with_no_missing_glyph(english, chinese):
    """The runs above turn warnings into errors; here each chart of both runs exists."""
    for out in (english, chinese):
        for name in ("cost_breakdown.png", "targets.png", "fans.png", "communities.png", "communities_map.png"):
            assert (out / name).stat().st_size > 10_000, (out, name)


def test_a_chart_with_chinese_text_warns_without_the_cjk_font(monkeypatch):
    """The check above can fail: drawing Chinese with Latin faces only is a missing-glyph warning."""
    from results import style

    monkeypatch.setitem(style.STYLE, "font.family", ["DejaVu Sans"])
    fig = style.figure(3, 2)
    fig.subplots().set_title("兴安社区")
    with pytest.warns(UserWarning, match="Glyph"):
        style.save(fig, Path("/dev/null"))


def test_report_is_in_chinese_with_lang_zh_and_english_by_default(english, chinese):
    en = (english / "report.html").read_text(encoding="utf-8")
    zh = (chinese / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "Cost by year: planned and simulated" in en
    assert '<html lang="zh-CN">' in zh and "逐年费用：规划与模拟" in zh and "Cost by year" not in zh
    for page in (en, zh):
        assert "兴安社区" in page  # community names, in either language
        assert "@font-face" in page  # the page carries the CJK glyphs it uses
    assert "scenario currency" not in en and "plan year 1" not in en


def test_summary_json_is_english_whatever_the_language(english, chinese):
    a = json.loads((english / "summary.json").read_text())
    b = json.loads((chinese / "summary.json").read_text())
    assert a["cost_differences"] == b["cost_differences"]
    assert [r.get("at_risk_reason") for r in a["requirements"]] == [r.get("at_risk_reason") for r in b["requirements"]]


def test_every_at_risk_requirement_has_a_reason_from_the_simulation(english):
    summary = json.loads((english / "summary.json").read_text())
    risky = [r for r in summary["requirements"] if r["probability_met"] < 0.9]
    assert risky, "the city should have a requirement at risk (workers-per-400 under turnover)"
    for r in summary["requirements"]:
        assert ("at_risk_reason" in r) == (r["probability_met"] < 0.9), r
    timeseries = pd.read_csv(english / "timeseries.csv")
    for r in risky:
        assert f"met in {r['probability_met']:.0%} of runs" in r["at_risk_reason"]
        if r["target"] == "workers-per-400":
            year = timeseries[(timeseries.month - 1) // 12 + 1 == r["year"]]
            left = year.groupby("replication").exits_community_worker.sum().mean()
            assert f"in {2018 + r['year']} {left:.0f} left" in r["at_risk_reason"]
    page = (english / "report.html").read_text(encoding="utf-8")
    assert "Why a target is at risk" in page


def test_planned_and_simulated_spending_reconcile_without_turnover_lags_or_contracts(tmp_path):
    out = run(write_city(tmp_path / "calm", CALM, name="calm"), tmp_path / "calm-run")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cost_by_line"]["space"] > 0 and summary["cost_by_line"]["hires"] > 0  # every line is exercised
    assert summary["simulated_cost_by_year"] == pytest.approx(summary["cost_by_year"], abs=0.5)
    for line, planned in summary["cost_by_line"].items():
        assert summary["simulated_cost_by_line"][line] == pytest.approx(planned, abs=0.5), line
    assert summary["simulated_cost_by_line"]["other"] == pytest.approx(0, abs=0.5)
    assert set(summary["cost_lines"]) >= {"space", "facilities", "hires", "pay"}
    assert "today's wage bill" in summary["cost_lines"]["pay"]


def test_with_turnover_the_difference_is_explained_line_by_line(english):
    summary = json.loads((english / "summary.json").read_text())
    assert len(summary["simulated_cost_by_year"]) == 3
    gap = sum(summary["simulated_cost_by_year"]) - sum(summary["cost_by_year"])
    assert abs(gap) > 1
    text = " ".join(summary["cost_differences"])
    assert f"({round(gap):+,d})" in summary["cost_differences"][0]
    assert "vacant" in text and "other:" in text  # turnover empties posts; contracts are outside the plan
    lines = summary["simulated_cost_by_line"]
    assert sum(lines.values()) == pytest.approx(sum(summary["simulated_cost_by_year"]), abs=1)


def test_communities_csv_has_a_row_per_community_and_year_and_matches_attainment(english):
    communities = pd.read_csv(english / "communities.csv", dtype={"community": str})
    assert len(communities) == len(NAMES) * 3
    assert communities["name"].tolist()[::3] == NAMES
    assert {"meets_space-250", "probability_space-250", "staff_community_worker", "served_share", "satisfied"} <= set(
        communities.columns
    )
    attainment = pd.read_csv(english / "attainment.csv")
    for target in ("space-250", "one-stop", "workers-per-400"):
        share = attainment[(attainment.target == target) & (attainment.kind == "share")]
        for year, rows in share.groupby("year"):
            expected = rows.achieved.mean()  # communities meeting it, mean over replications
            got = communities.loc[communities.year == year, f"probability_{target}"].sum()
            assert got == pytest.approx(expected), (target, year)
    assert communities["served_share"].between(0, 1).all() and communities["satisfied"].between(0, 1).all()


def test_results_xlsx_has_four_sheets_with_the_right_rows(english):
    from openpyxl import load_workbook

    book = load_workbook(english / "results.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "requirements", "plan", "communities"]
    summary = json.loads((english / "summary.json").read_text())
    plan = pd.read_csv(english / "plan.csv")
    rows = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    assert len(rows["requirements"]) - 1 == len(summary["requirements"])
    assert len(rows["plan"]) - 1 == len(plan)
    assert len(rows["communities"]) - 1 == len(NAMES) * 3
    assert rows["communities"][1][1] == NAMES[0]  # names survive, in Chinese
    items = dict(rows["summary"][1:])
    assert items["total_cost"] == summary["total_cost"]
    assert items["simulated_cost_by_year 2019"] == summary["simulated_cost_by_year"][0]


def test_results_xlsx_is_the_same_bytes_when_written_again(english, tmp_path):
    from results.publish import publish

    before = (english / "results.xlsx").read_bytes()
    publish(english)
    assert (english / "results.xlsx").read_bytes() == before


def test_the_sweep_report_lists_each_budgets_shortfalls(city, tmp_path):
    out = tmp_path / "sweep"
    budgets = [2_000_000, 3_000_000, 4_000_000]
    args = ["sweep", str(city), "--budgets", ",".join(map(str, budgets)), "--replications", "2", "--out", str(out)]
    assert main([*args, "--processes", "1", "--quiet", "--lang", "zh"]) == 0
    table = pd.read_csv(out / "shortfalls.csv")
    assert sorted(table.budget.unique()) == budgets
    page = (out / "sweep.html").read_text(encoding="utf-8")
    for budget in budgets:
        rows = table[table.budget == budget]
        units = json.loads(next((out / "units").glob(f"budget-{budget}*/summary.json")).read_text())
        short = [r for r in units["requirements"] if r["planned"] < r["required"] - 1e-6]
        assert (rows.short_in_plan > 0).sum() == len(short)
        for r in short:
            row = rows[(rows.target == r["target"]) & (rows.kind == r["kind"]) & (rows.year == r["year"])].iloc[0]
            assert row.short_in_plan == pytest.approx(r["required"] - r["planned"])
        assert f"预算 {budget:,} 元" in page
    assert (table.short_in_plan > 0).any(), "the smallest budget should leave something short"
    frontier = (out / "frontier.csv").read_text()
    assert "e+" not in frontier  # full precision, never 4e+07


def test_compare_says_when_runs_differ_in_mode(english, tmp_path, city):
    other = tmp_path / "max"
    assert (
        main(["run", str(city), "--out", str(other), "--replications", "2", "--quiet", "--mode", "max-attainment"]) == 0
    )
    out = tmp_path / "cmp"
    assert main(["compare", str(english), str(other), "--out", str(out), "--quiet"]) == 0
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "differ in mode" in page
    table = pd.read_csv(out / "comparison.csv")
    assert table["mode"].tolist() == ["min-cost", "max-attainment"]
    report = (other / "report.html").read_text(encoding="utf-8")
    assert "None" not in report and "min-cost mode only" in report


def test_money_and_years_read_the_same_everywhere():
    from results import i18n

    assert i18n.money(3_445_000) == "3.44 M" or i18n.money(3_445_000) == "3.45 M"
    with i18n.use("zh"):
        assert i18n.money(3_445_000) == "344.5 万"
        assert i18n.tr("yuan") == "元"
    assert i18n.year_label(2019, 3) == "2021"


def test_every_translation_keeps_its_placeholders():
    import string

    from results import i18n

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for english, chinese in i18n.ZH.items():
        assert fields(english) == fields(chinese), english


def test_a_replanned_run_that_does_worse_is_explained_requirement_by_requirement():
    from results.analysis import replan_reasons

    def rows(met: list[bool]) -> pd.DataFrame:
        return pd.DataFrame(
            {"replication": range(len(met)), "target": "workers", "kind": "share", "year": 2, "met": met}
        ).assign(achieved=[8.0 if m else 6.0 for m in met])

    replans = pd.DataFrame({"replication": [0, 1], "year": [1, 1], "status": ["optimal", "infeasible"]})
    reasons = replan_reasons(rows([True, True, False, True]), rows([True, False, False, False]), replans, 2019)
    assert reasons[0] == (
        "workers, 2020: met in 25% of re-planned runs against 75% with the fixed plan (mean level 6.5 against 7.5)"
    )
    assert "1 of 2 re-solves found a plan" in reasons[1]
    assert replan_reasons(rows([True, False]), rows([True, True]), replans) == []
