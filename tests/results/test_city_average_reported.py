"""``city_average`` targets in a run: the simulation judges an outcome's average from the
same figures timeseries.csv records, and summary.json, attainment.csv and the report
(English and Chinese) carry both kinds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from commplan.cli import main
from scenarios.loader import loads
from tests.model.conftest import TUTORIAL

REPLICATIONS = 3

EXTRA = """
[[targets]]
name = "organisations-average"
city_average = "organisations"
where = { village_to_residence = false }
at_least = [2, 4, 6]

[[targets]]
name = "participation-average"
city_average = "participation"
at_least = 0.1

[[targets]]
name = "workers-average"
city_average = "community_worker"
at_least = [0, 3, 3.5]
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("average")
    (root / "city.toml").write_text(TUTORIAL + EXTRA, encoding="utf-8")
    out = {}
    for lang in ("en", "zh"):
        out[lang] = root / lang
        args = ["run", str(root / "city.toml"), "--out", str(out[lang]), "--replications", str(REPLICATIONS)]
        assert main([*args, "--quiet", "--lang", lang]) == 0
    return out


def test_an_outcome_average_is_the_year_end_mean_over_covered_communities_in_timeseries(runs):
    s = loads(TUTORIAL + EXTRA)
    urban = {c.id for c in s.communities if not c.village_to_residence}
    assert 0 < len(urban) < len(s.communities)  # the filter leaves some out
    ts = pd.read_csv(runs["en"] / "timeseries.csv", dtype={"community": str})
    attainment = pd.read_csv(runs["en"] / "attainment.csv")
    rows = attainment[attainment.target == "organisations-average"]
    assert len(rows) == REPLICATIONS * s.years and set(rows.kind) == {"city_average"}
    for row in rows.itertuples():
        end = ts[(ts.replication == row.replication) & (ts.month == 12 * row.year) & ts.community.isin(urban)]
        assert len(end) == len(urban)
        assert row.achieved == pytest.approx(end.organisations.mean())
        assert row.met == (end.organisations.mean() >= row.required - 1e-9)
    every = set(ts.community)
    part = attainment[attainment.target == "participation-average"]
    for row in part.itertuples():
        year = ts[(ts.replication == row.replication) & ((ts.month - 1) // 12 + 1 == row.year)]
        # each community's mean over the year's months, then the mean over every community
        by_community = year.groupby("community").participation.mean()
        assert set(by_community.index) == every
        assert row.achieved == pytest.approx(by_community.mean(), abs=1e-6)  # CSVs keep 6 decimals


def test_summary_and_attainment_carry_both_kinds(runs):
    summary = json.loads((runs["en"] / "summary.json").read_text())
    by = {(r["target"], r["year"]): r for r in summary["requirements"]}
    organisations = by["organisations-average", 3]
    assert organisations["kind"] == "city_average" and organisations["required"] == 6
    assert organisations["evaluated_by"] == "simulation" and organisations["planned"] is None
    assert 0 <= organisations["probability_met"] <= 1
    workers = by["workers-average", 3]
    assert workers["evaluated_by"] == "plan" and workers["planned"] >= 3.5 - 1e-9
    assert ("workers-average", 1) not in by  # 0: no requirement that year
    plan = pd.read_csv(runs["en"] / "plan.csv")
    last = plan[plan.year == 3]
    assert last.staff_community_worker.mean() == pytest.approx(workers["planned"])
    attainment = pd.read_csv(runs["en"] / "attainment.csv")
    got = attainment[(attainment.target == "workers-average") & (attainment.year == 3)]
    ts = pd.read_csv(runs["en"] / "timeseries.csv", dtype={"community": str})
    end = ts[ts.month == 36].groupby("replication").staff_community_worker.mean()
    assert np.allclose(got.sort_values("replication").achieved.to_numpy(), end.sort_index().to_numpy())


def test_the_report_renders_them_in_both_languages(runs):
    english = (runs["en"] / "report.html").read_text(encoding="utf-8")
    chinese = (runs["zh"] / "report.html").read_text(encoding="utf-8")
    for name in ("organisations-average", "participation-average", "workers-average"):
        assert name in english and name in chinese
    assert "city average" in english and "全市平均" in chinese
