"""Plans with a chosen confidence: margins learned from the simulation, checked out of sample."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from commplan.cli import main
from commplan.confidence import Margins, in_sample_seed, plan_with_confidence, price_of_confidence, tightened
from commplan.pipeline import SolveOptions, solve_with_confidence
from model.plan import plan_from_result
from model.runner import simulate
from scenarios.loader import load, loads
from scenarios.targets import communities_required

#: Four communities, two years, one staff ratio and one space target; turnover at the
#: calibrated rate, so the deterministic plan (posts exactly at the ratio) often falls short.
SMALL = """
[scenario]
name = "small"
years = 2
seed = 11

[costs]
average_wage = 50000
space_build_per_m2 = 2000
space_running_per_m2 = 40
space_project_fixed = 10000

[staff.community_worker]
hire = 2000
base_pay_share = 0.8

[[communities]]
id = "a"
households = 1600
space_m2 = 150
staff = { community_worker = 3 }

[[communities]]
id = "b"
households = 1200
space_m2 = 220
staff = { community_worker = 3 }

[[communities]]
id = "c"
households = 2000
space_m2 = 90
staff = { community_worker = 4 }

[[communities]]
id = "d"
households = 800
space_m2 = 260
staff = { community_worker = 2 }

[[targets]]
name = "workers-per-400"
staff_per_households = { community_worker = 400 }
share = [0.5, 1.0]

[[targets]]
name = "space-200"
space_at_least = 200
share = [0.5, 0.75]
"""


def test_margins_tighten_what_the_optimiser_plans_and_keep_the_targets_names():
    s = loads(SMALL)
    m = Margins(post_factor={"community_worker": 1.25}, lead={"space-200"}, extra={("workers-per-400", 1): 1})
    t = tightened(s, m)
    assert [x.name for x in t.targets] == [x.name for x in s.targets]
    atom = t.target("workers-per-400").condition.atoms[0]
    assert atom.bound(400.0) == pytest.approx(1.25)
    assert t.target("space-200").share == (0.75, 0.75)  # year 2's share planned by year 1
    assert communities_required(t.target("workers-per-400").share[0], 4) == 3  # 2 + 1 extra
    assert t.target("workers-per-400").share[1] == 1.0


def test_the_in_sample_seed_is_not_the_out_of_sample_seed():
    assert (
        in_sample_seed(11) != 11
        and in_sample_seed(11) == in_sample_seed(11)
        and in_sample_seed(12) != in_sample_seed(11)
    )


def test_a_confidence_plan_holds_out_of_sample_where_the_deterministic_plan_does_not():
    s = loads(SMALL)
    cp = plan_with_confidence(s, 0.8, replications=20)
    assert cp.result.feasible and cp.iterations[0]["short_in_sample"] > 0  # the deterministic plan fell short
    fresh = simulate(s, plan_from_result(cp.result, s), replications=40, seed=99)
    probs = [r["probability_met"] for r in fresh.requirements(s)]
    # out of sample (40 replications): the goal, mean over requirements ≥ P, worst ≥ P − 0.15
    assert np.mean(probs) >= 0.8
    assert min(probs) >= 0.8 - 0.15
    assert cp.result.total_cost > cp.iterations[0]["total_cost"]  # confidence has a price
    # the summary reports the original requirements, not the tightened ones
    assert [r.requirement.required for r in cp.result.requirements] == [r.required for r in s.requirements]


def test_run_with_confidence_records_it_and_each_probabilitys_interval(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(path), "--confidence", "0.8", "--replications", "10", "--out", str(out), "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["confidence"] == 0.8 and isinstance(summary["confidence_reached"], bool)
    assert summary["confidence_plan"]["iterations"]
    assert [r["confidence"] for r in summary["confidence_plan"]["price"]] == [None, 0.5, 0.8, 0.9, 0.95]
    assert (out / "confidence_price.png").exists() and "Confidence 0.8" in (out / "report.html").read_text()
    for r in summary["requirements"]:
        low, high = r["probability_interval"]
        assert low <= r["probability_met"] <= high


def test_plan_and_run_with_confidence_give_the_same_plan_and_no_level_costs_less_than_the_one_below():
    """plan --confidence P reaches P through the price curve's levels below it, as run does.
    On its own from nothing, tutorial's loop at P = 0.8 (8 replications) ended at 8,638,400
    where the curve's ended at 8,162,000: the two commands handed a planner two plans."""
    s = load("tutorial")
    options = SolveOptions(confidence=0.8, confidence_replications=8, marginal_costs="none")
    planned, _ = solve_with_confidence(s, options, quiet=True)
    run, cp = solve_with_confidence(s, dataclasses.replace(options, price_curve=True), quiet=True)
    assert planned.plan_rows() == run.plan_rows() and planned.total_cost == run.total_cost
    assert cp is not None and cp.price is not None
    costs = [r["total_cost"] for r in cp.price]
    assert costs == sorted(costs)


def test_with_a_budget_plan_and_sweep_start_the_loop_from_nothing(monkeypatch):
    """max-attainment has no curve to agree with: plan_at runs one loop from nothing, as each
    budget of sweep --confidence does, so the two give the same plan at the same budget."""
    import commplan.confidence as confidence

    levels: list[tuple[float, bool]] = []  # (level, started from a lower level's margins)
    real = confidence.plan_with_confidence

    def spy(scenario, p, **kw):
        levels.append((p, kw.get("start") is not None))
        return real(scenario, p, **kw)

    monkeypatch.setattr(confidence, "plan_with_confidence", spy)
    confidence.plan_at(loads(SMALL), 0.9, mode="max-attainment", replications=4, max_iterations=1)
    assert levels == [(0.9, False)]
    confidence.plan_at(loads(SMALL), 0.9, replications=4, max_iterations=1)
    assert levels == [(0.9, False), (0.5, False), (0.8, True), (0.9, True)]


def test_without_confidence_the_summary_says_so(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "plan"
    assert main(["plan", str(path), "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "summary.json").read_text())["confidence"] is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--confidence", "1.5"], "probability between 0 and 1"),
        (["--confidence", "0"], "probability between 0 and 1"),
    ],
)
def test_a_bad_confidence_is_refused_with_exit_1(args, says, tmp_path, capsys):
    try:
        code = main(["run", "tutorial", "--out", str(tmp_path / "x"), "--quiet", *args])
    except SystemExit as e:  # argparse's own refusal
        code = e.code
    assert code == 1
    assert says in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # refused before any folder was made


def test_posts_people_in_post_and_vacancies_balance():
    s = loads(SMALL)
    cp = plan_with_confidence(s, 0.8, replications=5, max_iterations=1)
    sim = simulate(s, plan_from_result(cp.result, s), replications=3, seed=5)
    cols = sim.columns[3:]
    j = {
        c: cols.index(c)
        for c in (
            "posts_community_worker",
            "staff_community_worker",
            "hires_community_worker",
            "exits_community_worker",
        )
    }
    start = np.array([3, 3, 4, 2])
    for rep in sim.replications:
        ts = rep.timeseries
        staff = ts[:, :, j["staff_community_worker"]]
        flows = np.cumsum(ts[:, :, j["hires_community_worker"]] - ts[:, :, j["exits_community_worker"]], axis=0)
        np.testing.assert_array_equal(staff, start + flows)  # people in post: today's plus hires minus exits
        vacant = ts[:, :, j["posts_community_worker"]] - staff
        assert (vacant >= 0).all() and vacant.sum() > 0  # posts never fall here; some stand empty a while


def test_the_price_of_confidence_rises_with_the_level_and_names_its_drivers():
    s = loads(SMALL)
    cp, rows = price_of_confidence(s, 0.8, levels=(0.5, 0.8), replications=10)
    assert [r["confidence"] for r in rows] == [None, 0.5, 0.8]
    costs = [r["total_cost"] for r in rows]
    assert costs == sorted(costs) and costs[-1] > costs[0]  # margins only grow with the level
    assert cp.confidence == 0.8 and cp.result.total_cost == costs[-1]
    assert set(rows[-1]["drivers"]) <= {t.name for t in s.targets} and rows[-1]["drivers"]


def test_margins_that_make_the_targets_impossible_are_dropped_one_by_one():
    """60 m² a year city-wide: a year's lead for space-200 fits (community a needs 50 m²), one
    more community does not (c needs 110 m² more: 160 m² in two years)."""
    import optimize
    from commplan.confidence import _keep_feasible

    s = loads(SMALL.replace("[[targets]]", "[capacity]\nspace_m2_per_year = 60\n\n[[targets]]", 1))

    def solve(m):
        return optimize.solve(tightened(s, m), marginal_costs=False)

    assert not solve(Margins(lead={"space-200"}, extra={("space-200", 2): 1})).feasible
    m, kept = _keep_feasible(Margins(), Margins(lead={"space-200"}, extra={("space-200", 2): 1}), solve)
    assert kept is not None and kept.feasible
    assert m.lead == {"space-200"} and not m.extra
    assert ("extra", ("space-200", 2)) in m.blocked


def test_the_confidence_section_is_in_chinese_with_lang_zh():
    from results.confidence import section
    from results.i18n import use

    summary = {
        "confidence": 0.8,
        "confidence_reached": False,
        "requirements": [{"target": "space-200", "kind": "share", "year": 2, "probability_met": 0.5}],
        "confidence_plan": {
            "unreachable": ["space-200 (share), year 2: nothing left to tighten"],
            "margins": {"post_factor": {"community_worker": 1.25}, "planned_a_year_early": [], "extra_communities": {}},
            "price": [{"confidence": None, "total_cost": 100.0, "drivers": []}],
        },
    }
    english = section(summary)
    with use("zh"):
        chinese = section(summary)
    assert "Not reached" in english and "Not reached" not in chinese
    for words in (
        "置信水平 0.8",
        "未达到",
        "第 2 年：50%",
        "规划无法再收紧",
        "岗位 × community_worker 1.25",
        "确定性规划",
    ):
        assert words in chinese


def test_replanning_yearly_keeps_the_confidence_margins():
    """The re-solve of the years left plans posts at the learned factor: more posts in post
    in year 2 than a plain re-solve from the same state (same seed, same first plan)."""
    import optimize
    from commplan.replan import simulate_adaptive

    s = loads(SMALL)
    first = optimize.solve(s, marginal_costs=False)
    plan, by_year = plan_from_result(first, s), first.summary()["cost_by_year"]
    plain, _ = simulate_adaptive(s, plan, by_year, 1, 7)
    kept, replans = simulate_adaptive(s, plan, by_year, 1, 7, margins=Margins(post_factor={"community_worker": 1.5}))
    j = plain.columns.index("posts_community_worker") - 3
    year2 = slice(12, 24)
    assert replans and all(r.status.startswith("optimal") for r in replans)
    assert kept.replications[0].timeseries[year2, :, j].sum() > plain.replications[0].timeseries[year2, :, j].sum()


def test_run_with_confidence_and_replanning_writes_the_replans(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "run"
    args = ["run", str(path), "--confidence", "0.8", "--replan", "yearly", "--replications", "4", "--out", str(out)]
    assert main([*args, "--quiet"]) == 0
    assert json.loads((out / "summary.json").read_text())["confidence"] == 0.8
    assert len((out / "replans.csv").read_text().splitlines()) == 1 + 4  # one re-solve a replication (2 years)
