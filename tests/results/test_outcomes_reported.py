"""Issues 14 and 16 reported like every other requirement: summary.json, attainment.csv,
communities.csv, the report (English and Chinese), and the scenario as run."""

from __future__ import annotations

import json
import tomllib

import pandas as pd
import pytest

from commplan.cli import main
from scenarios.loader import load
from tests.model.conftest import TUTORIAL

REPLICATIONS = 4

#: The tutorial city with a new development, developers' space, offices and the new conditions.
EXTRA = """
[[developer_space]]
community = "huayuan"
m2 = 120
due_year = 2
delivery_probability = 0.5

[[targets]]
name = "mediation"
served_share_at_least = { mediation = 0.9 }
share = [0.0, 0.5, 0.8]

[[targets]]
name = "cobuilding"
cobuilding_at_least = 0.8
share = [0.0, 0.3, 0.5]

[[targets]]
name = "office-share"
office_share_at_most = 0.15
share = [0.0, 0.5, 1.0]
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("outcomes")
    text = TUTORIAL.replace("household_growth = 0.05\n", "household_growth = 0.05\nnew_development = true\n")
    head, cut, tail = text.partition("[[communities]]")
    text = head + cut + tail.replace("space_m2 = ", "office_m2 = 30\nspace_m2 = ")
    (root / "city.toml").write_text(text + EXTRA, encoding="utf-8")
    out = {}
    for lang in ("en", "zh"):
        out[lang] = root / lang
        args = ["run", str(root / "city.toml"), "--out", str(out[lang]), "--replications", str(REPLICATIONS)]
        assert main([*args, "--quiet", "--lang", lang]) == 0
    return out


def test_every_new_requirement_is_in_summary_and_attainment(runs):
    summary = json.loads((runs["en"] / "summary.json").read_text())
    attainment = pd.read_csv(runs["en"] / "attainment.csv")
    by = {(r["target"], r["year"]): r for r in summary["requirements"]}
    for target, evaluated in (("mediation", "simulation"), ("cobuilding", "simulation"), ("office-share", "plan")):
        row = by[target, 3]
        assert row["evaluated_by"] == evaluated
        assert row["probability_met"] is not None
        assert (row["planned"] is None) == (evaluated == "simulation")
        assert len(attainment[(attainment.target == target) & (attainment.year == 3)]) == REPLICATIONS
    plan = pd.read_csv(runs["en"] / "plan.csv")
    assert "meets_office-share" in plan and plan.loc[plan.year == 3, "meets_office-share"].sum() == 10


def test_communities_csv_matches_attainment_for_the_new_outcomes(runs):
    communities = pd.read_csv(runs["en"] / "communities.csv", dtype={"community": str})
    attainment = pd.read_csv(runs["en"] / "attainment.csv")
    for target in ("mediation", "cobuilding", "office-share"):
        share = attainment[(attainment.target == target) & (attainment.kind == "share")]
        for year, rows in share.groupby("year"):
            got = communities.loc[communities.year == year, f"probability_{target}"].sum()
            assert got == pytest.approx(rows.achieved.mean()), (target, year)
    new = communities[communities.community == "huayuan"]
    assert (
        new["committee_formed"].notna().all()
        and communities[communities.community != "huayuan"]["committee_formed"].isna().all()
    )
    assert (communities.loc[communities.year == 1, "developer_m2"] == 0).all()


def test_summary_reports_developers_space_and_committees(runs):
    summary = json.loads((runs["en"] / "summary.json").read_text())
    timeseries = pd.read_csv(runs["en"] / "timeseries.csv", dtype={"community": str})
    dev = summary["developer_space"]
    assert dev["owed_m2"] == 120 and dev["counted_m2"] == 0
    last = timeseries[timeseries.month == timeseries.month.max()]
    assert dev["delivered_m2_mean"] == pytest.approx(last.developer_m2.sum() / REPLICATIONS)
    (committee,) = summary["committees"]
    assert committee["community"] == "huayuan" and 0 <= committee["formed_share"] <= 1


def test_the_report_says_it_in_both_languages(runs):
    english = (runs["en"] / "report.html").read_text(encoding="utf-8")
    chinese = (runs["zh"] / "report.html").read_text(encoding="utf-8")
    assert "Developers&#x27; space: 120 m² owed, 0 m² counted on by the plan" in english
    assert "New development huayuan" in english
    assert "开发商配建用房：应移交 120 m²" in chinese and "新建小区 huayuan" in chinese


def test_the_scenario_as_run_reloads_to_the_same_scenario(runs):
    written = runs["en"] / "scenario.toml"
    data = tomllib.loads(written.read_text(encoding="utf-8"))
    assert data["developer_space"][0]["community"] == "huayuan"
    again = load(written)
    assert again.developer_space[0].m2 == 120 and again.communities[-1].new_development
    assert again.communities[0].office_m2 == 30
    assert again.target("office-share").condition.atoms[0].by_community == pytest.approx((200.0,) * 10)


def test_a_requirement_resting_on_counted_developers_space_says_so(tmp_path):
    owed = EXTRA.replace("due_year = 2", "due_year = 1")
    text = TUTORIAL + owed.replace("delivery_probability = 0.5", "delivery_probability = 0.0\ncounted = true")
    text = text.replace("office_share_at_most = 0.15\nshare = [0.0, 0.5, 1.0]", "space_at_least = 260\nshare = 1.0")
    text = text.replace('name = "office-share"', 'name = "space-260"')
    (tmp_path / "city.toml").write_text(text, encoding="utf-8")
    assert (
        main(["run", str(tmp_path / "city.toml"), "--out", str(tmp_path / "r"), "--replications", "2", "--quiet"]) == 0
    )
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    reasons = [r.get("at_risk_reason", "") for r in summary["requirements"] if r["target"] == "space-260"]
    assert reasons and all(
        "counts on 120 m² of developers' space, each handed over with probability 0%" in x for x in reasons
    )
