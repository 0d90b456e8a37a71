"""The confidence loop's lever for counts of facilities opened in a year (plan more of them,
for those that open late: a project that slips counts in the next year, not this one); the
planner's attrition assumption set aside under --confidence; the report's further margins."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest

import optimize
from commplan.confidence import (
    Margins,
    _stalled_words,
    _tighten,
    _why_short,
    annotate,
    drivers,
    plan_with_confidence,
    tightened,
    without_attrition,
)
from model.plan import plan_from_result
from model.runner import SimulationResult
from scenarios.loader import load, loads
from scenarios.targets import communities_required
from tests.commplan.test_confidence import SMALL


def _sim(target: str, year: int, achieved: list[int]) -> SimulationResult:
    """Replications whose only attainment row is ``target``'s count in ``year``."""
    reps = [SimpleNamespace(attainment=[(year, target, "count", 1, a, a >= 1)]) for a in achieved]
    return cast(SimulationResult, SimpleNamespace(replications=reps))


def test_more_facilities_opened_are_planned_in_that_year_only():
    s = load("tutorial")
    base = s.target("elderly-centres").count
    assert base is not None
    m = Margins(opened={("elderly-centres", 2): 1})
    assert tightened(s, m).target("elderly-centres").count == (base[0], base[1] + 1, base[2])
    plain = plan_from_result(optimize.solve(s, marginal_costs=False), s).opened["elderly_centre"].sum(axis=0)
    more = plan_from_result(optimize.solve(tightened(s, m), marginal_costs=False), s).opened["elderly_centre"]
    assert more.sum(axis=0)[1] == plain[1] + 1 and more.sum(axis=0)[0] == plain[0]
    assert m.describe()["extra_facilities_opened"] == {"elderly-centres, year 2": 1}
    assert drivers(s, m) == ["elderly-centres"]
    assert m.shifted(1).opened == {("elderly-centres", 1): 1}  # re-planning keeps it for the years left


def test_a_count_short_of_p_plans_as_many_more_as_the_worst_replications_missed():
    s = load("tutorial")
    m = Margins()
    # in 2 of 10 replications none opened in year 1: at P = 0.9 the worst 10 % miss one
    assert _tighten(s, m, [("elderly-centres", "count", 1)], _sim("elderly-centres", 1, [1] * 8 + [0] * 2), 0.9, {})
    assert m.opened == {("elderly-centres", 1): 1}
    # a further round short again adds to it
    assert _tighten(s, m, [("elderly-centres", "count", 1)], _sim("elderly-centres", 1, [1] * 8 + [0] * 2), 0.9, {})
    assert m.opened == {("elderly-centres", 1): 2}
    # a later year's count: more facilities at once, not a lead (a lead moves nothing for a count)
    later = Margins()
    assert _tighten(s, later, [("elderly-centres", "count", 2)], _sim("elderly-centres", 2, [1] * 8 + [0] * 2), 0.9, {})
    assert later.opened == {("elderly-centres", 2): 1} and not later.lead
    # set aside (it made the targets impossible): nothing is left to tighten
    blocked = Margins(blocked={("opened", ("elderly-centres", 1))})
    assert not _tighten(s, blocked, [("elderly-centres", "count", 1)], _sim("elderly-centres", 1, [0] * 10), 0.9, {})
    why = _why_short(s, ("elderly-centres", "count", 1), 0.9, "nothing left to tighten", blocked)
    assert "one that runs late counts in the next" in why and "more facilities opened" in why


def test_the_loop_plans_extra_centres_when_the_count_falls_short():
    """tutorial at P = 0.9: the deterministic plan opens exactly one elderly centre a year,
    which opens late often enough that the count misses; the loop plans more."""
    s = load("tutorial")
    cp = plan_with_confidence(s, 0.9, replications=10, seed=5, max_iterations=3)
    assert any(t == "elderly-centres" for t, _ in cp.margins.opened)
    plain = plan_from_result(optimize.solve(s, marginal_costs=False), s).opened["elderly_centre"].sum()
    assert plan_from_result(cp.result, s).opened["elderly_centre"].sum() > plain


def test_the_planners_attrition_is_set_aside_under_confidence_and_said():
    """attrition makes a deterministic plan hire more for exits it guesses; a confidence plan
    learns its margins from the simulation's exits, so the guess goes, with a message."""
    s = loads(SMALL.replace("[staff.community_worker]", "[staff.community_worker]\nattrition = 0.2", 1))
    zero, kept = without_attrition(s)
    assert kept == {"community_worker": 0.2} and zero.staff["community_worker"].attrition == 0.0
    assert without_attrition(zero) == (zero, {})
    said: list[str] = []
    cp = plan_with_confidence(s, 0.8, replications=8, seed=3, max_iterations=1, say=said.append)
    assert any("attrition (community_worker 0.2) is set aside" in line for line in said)
    # the plan is the one the loop's zero-attrition program gives, not the attrition one
    first = optimize.solve(zero, marginal_costs=False)
    guessed = optimize.solve(s, marginal_costs=False)
    assert guessed.total_cost > first.total_cost  # the guess costs money on its own
    assert cp.iterations[0]["total_cost"] == first.total_cost
    assert annotate({}, cp)["confidence_plan"]["attrition_set_aside"] == {"community_worker": 0.2}


def test_the_report_names_extra_facilities_and_the_attrition_set_aside_in_both_languages():
    from results.confidence import section
    from results.i18n import use

    summary = {
        "confidence": 0.9,
        "confidence_reached": False,
        "requirements": [{"target": "elderly-centres", "kind": "count", "year": 2, "probability_met": 0.6}],
        "confidence_plan": {
            "unreachable": [],
            "margins": {
                "post_factor": {},
                "planned_a_year_early": ["culture-room"],
                "extra_communities": {},
                "planned_early_years": {"culture-room": 2},
                "training_places_per_post": {"community_worker": 1.35},
                "extra_facilities_opened": {"elderly-centres, year 2": 1},
                "spare_posts": {"community_worker": 1},
            },
            "attrition_set_aside": {"community_worker": 0.1},
            "price": [],
        },
    }
    english = section(summary)
    assert "Extra facilities opened, for those that open late: elderly-centres, year 2 +1." in english
    assert "Spare posts in each community held to a staff condition: community_worker +1." in english
    assert "attrition (community_worker 0.1) was set aside" in english
    with use("zh"):
        chinese = section(summary)
    assert "为防设施延期开放而多建：elderly-centres, year 2 +1" in chinese
    assert "须满足人员条件的每个社区多设备用岗位：community_worker +1" in chinese
    assert "（community_worker 0.1）未采用" in chinese and "set aside" not in chinese
    bare = dict(summary, confidence_plan=dict(summary["confidence_plan"], attrition_set_aside={}))
    bare["confidence_plan"]["margins"] = {"post_factor": {}, "planned_a_year_early": [], "extra_communities": {}}
    assert "Extra facilities opened" not in section(bare) and "attrition" not in section(bare)
    assert "Spare posts" not in section(bare)


def test_the_loops_reasons_read_in_chinese_and_stay_as_written_in_english():
    """The unreachable lines are the loop's own English (summary.json); a Chinese report
    translates their known phrases. The lines here are the loop's, so a change of its
    wording that the report no longer knows fails this test."""
    from results.confidence import reason
    from results.i18n import use
    from tests.commplan.test_confidence_levers import KEYS

    keys, tutorial = loads(KEYS), load("tutorial")
    lines = [
        _why_short(keys, ("one-stop", "keys_by", 1), 0.9, "nothing left to tighten"),
        _why_short(keys, ("retirees", "share", 3), 0.9, "nothing left to tighten"),
        _why_short(
            keys,
            ("training", "share", 2),
            0.9,
            "nothing left to tighten",
            Margins(blocked={("train", "community_worker")}),
        ),
        _why_short(tutorial, ("elderly-centres", "count", 2), 0.9, "still short after 12 rounds"),
        _why_short(
            keys,
            ("training", "share", 2),
            0.9,
            "every further margin makes the targets impossible (capacity or budget limits)",
            Margins(),
        ),
        _why_short(tutorial, ("standard", "keys_by", 2), 0.95, _stalled_words(0.9)),
        _why_short(
            tutorial, ("workers-per-400", "share", 3), 0.9, "", Margins(blocked={("spare", "community_worker")})
        ),
    ]
    assert [reason(line) for line in lines] == lines  # English: exactly as the loop wrote them
    with use("zh"):
        chinese = [reason(line) for line in lines]
    assert chinese[0].startswith("one-stop（keys_by），第 1 年：无论投入多少，至多 0.3")
    assert "6 个重点社区的 6 个项目都须在规划开始后 12 个月内建成开放，每个项目做到的概率为 0.816" in chinese[0]
    assert chinese[1].endswith("仅由模拟评判；规划没有可调的手段")
    assert chinese[2].endswith("进一步的余量（community_worker 培训名额）会使目标无法实现（建设能力或预算限制）")
    assert chinese[3].endswith("按当年开放的设施计数，延期开放的计入下一年；经过 12 轮后仍未达到")
    assert chinese[4].endswith("任何进一步的余量都会使目标无法实现（建设能力或预算限制）")
    assert chinese[5].endswith("余量已不再提高其概率：样本内为 0.90，最近 3 轮未变")
    assert chinese[6].endswith("进一步的余量（community_worker 备用岗位）会使目标无法实现（建设能力或预算限制）")
    for line in chinese:
        assert not any(
            w in line
            for w in ("at most", "judged", "margins", "count of", "still short", "further", "spare", "lifting")
        )


def test_a_count_margin_the_capacity_refuses_in_full_is_kept_in_part():
    """tutorial with 6 projects a year city-wide: three more elderly centres in year 1 do not
    fit, two do; the loop keeps two instead of setting the lever aside."""
    from commplan.confidence import _keep_feasible

    text = (Path(__file__).parents[2] / "scenarios" / "tutorial.toml").read_text(encoding="utf-8")
    s = loads(text.replace("[[targets]]", "[capacity]\nprojects_per_year = 6\n\n[[targets]]", 1))

    def solve(m):
        return optimize.solve(tightened(s, m), marginal_costs=False)

    key = ("elderly-centres", 1)
    assert not solve(Margins(opened={key: 3})).feasible and solve(Margins(opened={key: 2})).feasible
    m, kept = _keep_feasible(Margins(), Margins(opened={key: 3}), solve)
    assert kept is not None and kept.feasible
    assert m.opened == {key: 2} and ("opened", key) not in m.blocked
    # one more than fits is refused at every size: the lever is set aside
    m2, kept2 = _keep_feasible(m, m.with_change(("opened", key, 3)), solve)
    assert kept2 is None and m2.opened == {key: 2} and ("opened", key) in m2.blocked


def test_smaller_steps_halve_the_excess_down_to_one():
    from commplan.confidence import _smaller

    m = Margins(extra={("space-200", 2): 1}, post_factor={"community_worker": 1.1})
    assert [c[2] for c in _smaller(("extra", ("space-200", 2), 9), m)] == [9, 5, 3, 2]
    assert [c[2] for c in _smaller(("opened", ("e", 1), 3), m)] == [3, 2, 1]
    assert [c[2] for c in _smaller(("factor", "community_worker", 1.2), m)] == [1.2, pytest.approx(1.15)]
    assert _smaller(("lead", "space-200"), m) == [("lead", "space-200")]


def test_a_spare_post_is_the_first_staff_margin_then_the_post_factor():
    """A community falls short when one post is empty at the year's end, and a factor rounds
    up unevenly on bounds of a few posts; so a per-community staff condition first gets one
    spare post in each community held to it, then factor steps."""
    s = load("tutorial")
    no_posts = cast(SimulationResult, SimpleNamespace(columns=["year", "month", "community"], replications=[]))
    m = Margins()
    assert _tighten(s, m, [("workers-per-400", "share", 2)], no_posts, 0.9, {})
    assert m.spare == {"community_worker": 1} and not m.post_factor
    assert _tighten(s, m, [("workers-per-400", "share", 2)], no_posts, 0.9, {})
    assert m.spare == {"community_worker": 1} and m.post_factor == {"community_worker": pytest.approx(1.05)}
    # a spare refused by capacity or budget: the factor is the first step
    refused = Margins(blocked={("spare", "community_worker")})
    assert _tighten(s, refused, [("workers-per-400", "share", 2)], no_posts, 0.9, {})
    assert not refused.spare and refused.post_factor
    why = _why_short(s, ("workers-per-400", "share", 2), 0.9, "", Margins(blocked={("spare", "community_worker")}))
    assert why.endswith(
        "its further margins (a spare post of community_worker) make the targets impossible (capacity or budget limits)"
    )


def test_a_spare_post_puts_one_post_above_the_bound_in_each_community_held_to_it():
    s = load("tutorial")
    spare = optimize.solve(tightened(s, Margins(spare={"community_worker": 1})), marginal_costs=False)
    plain = optimize.solve(s, marginal_costs=False)
    assert spare.feasible and spare.total_cost > plain.total_cost
    staff = plan_from_result(spare, s).staff["community_worker"]
    h = np.array([c.households for c in s.communities], dtype=float)
    need = np.ceil(h / 400 - 1e-9)
    held = staff >= need[:, None] + 1  # [community, year]: at least one post above the ratio
    # year 3 holds every community to one worker per 400 households: each has its spare post
    assert held[:, 2].all()
    assert (held.sum(axis=0) >= np.array([communities_required(x, len(h)) for x in (0.5, 0.8, 1.0)])).all()
    assert Margins(spare={"community_worker": 1}).describe()["spare_posts"] == {"community_worker": 1}
    assert drivers(s, Margins(spare={"community_worker": 1})) == ["workers-per-400", "standard"]


def test_a_requirement_its_margins_stopped_lifting_is_left_and_says_so(monkeypatch):
    """tutorial at P = 0.95: the standard's keys in year 2 read staff but fail on a one-stop
    centre that opens late; more posts each round move nothing. The loop leaves them after
    STALL_ROUNDS such rounds, instead of raising posts to the last round (dearer, slower)."""
    import commplan.confidence as confidence

    s = load("tutorial")
    stops = plan_with_confidence(s, 0.95, replications=20)
    assert any("its margins stopped lifting it" in line for line in stops.unreachable)
    monkeypatch.setattr(confidence, "STALL_ROUNDS", 99)
    goes_on = plan_with_confidence(s, 0.95, replications=20)
    assert not any("stopped lifting" in line for line in goes_on.unreachable)
    assert len(stops.iterations) < len(goes_on.iterations)
    assert stops.result.total_cost < goes_on.result.total_cost
    assert stops.margins.post_factor.get("community_worker", 1.0) < goes_on.margins.post_factor["community_worker"]


def test_the_price_curve_does_not_simulate_a_plan_twice():
    """Each level starts from the margins the level below ended with, so its first plan is
    that level's last: the curve shares the in-sample simulations and runs fewer
    replications than its levels one by one, for the same costs."""
    from commplan.confidence import price_of_confidence
    from model.runner import simulate

    ran: list[int] = []

    def counting(*args, **kw):
        ran.append(kw["replications"] - kw.get("first", 0))
        return simulate(*args, **kw)

    s = loads(SMALL)
    levels = (0.5, 0.8)
    _, rows = price_of_confidence(s, 0.8, levels, replications=10, simulate_fn=counting)
    shared = sum(ran)
    ran.clear()
    start, costs = None, []
    for p in levels:
        cp = plan_with_confidence(s, p, start=start, replications=10, simulate_fn=counting)
        start = cp.margins
        costs.append(cp.result.total_cost)
    assert [r["total_cost"] for r in rows[1:]] == costs
    assert shared < sum(ran)


def test_margins_the_loop_tries_are_not_explained_but_a_first_plan_that_fails_is():
    """Explaining an infeasible program takes further solves; the loop asks only whether a
    plan exists of each margin it tries, but when the targets fail even on paper the
    planner gets the explanation as without --confidence."""
    tight = loads(SMALL.replace("[[targets]]", "[capacity]\nspace_m2_per_year = 10\n\n[[targets]]", 1))
    plain = optimize.solve(tight, marginal_costs=False)
    assert plain.status == "infeasible" and plain.infeasibility is not None
    quick = optimize.solve(tight, marginal_costs=False, explain_infeasible=False)
    assert quick.status == "infeasible" and quick.infeasibility is None and "not explained" in quick.explanation
    cp = plan_with_confidence(tight, 0.8, replications=4)
    assert cp.result.status == "infeasible" and cp.result.explanation == plain.explanation


#: SMALL with a hall every community must have in year 2 (four projects in 24 months: a
#: ceiling of 0.92 with the model's construction lags) and 4 projects a year city-wide.
HALLS = SMALL.replace(
    "[staff.community_worker]", "[facilities.hall]\nbuild = 50000\nrunning = 5000\n\n[staff.community_worker]", 1
).replace("[[targets]]", "[capacity]\nprojects_per_year = 4\n\n[[targets]]", 1) + (
    '\n[[targets]]\nname = "halls"\nhas = "hall"\nshare = [0.0, 1.0]\n'
)


@pytest.mark.parametrize("p", [0.9, 0.95])
def test_a_lead_held_for_a_requirement_beyond_reach_yields_its_capacity_to_one_that_can_reach_p(p):
    """The halls' year-early building (bought at a lower level) holds the 4 projects of year 1.
    One more space-200 community in year 1 then does not fit. At P = 0.95, above the halls'
    ceiling, the lead is given up (and set aside) for it; at P = 0.9, below, the lead is
    kept and the community refused, as before."""
    from commplan.confidence import _keep_feasible, _released, ceiling

    s = loads(HALLS)
    cap = ceiling(s, "halls", "share", 2)
    assert cap is not None and 0.9 <= cap.probability < 0.95

    def solve(m):
        return optimize.solve(tightened(s, m), marginal_costs=False)

    def out_of_reach(key):
        c = ceiling(s, *key)
        return None if c is None else c.probability < p

    held = Margins(lead={"halls"})
    wanted = held.with_change(("extra", ("space-200", 1), 1))
    assert solve(held).feasible and solve(Margins(extra={("space-200", 1): 1})).feasible
    assert not solve(wanted).feasible  # 4 halls and one space project in year 1: 5 > 4

    m, kept = _keep_feasible(held, wanted, solve, release=lambda m, c: _released(s, m, c, out_of_reach))
    if p == 0.95:
        assert kept is not None and m.extra == {("space-200", 1): 1}
        assert not m.lead and {("lead", "halls"), ("lead_more", "halls")} <= m.blocked
        # the lead, wanted again for the halls themselves, does not take the capacity back
        assert _released(s, m.with_change(("lead", "halls")), ("lead", "halls"), out_of_reach) == []
        # least first: a longer lead is given up before the lead itself
        both = Margins(lead={"halls"}, lead_more={"halls": 1})
        change = ("extra", ("space-200", 1), 1)
        assert [(r.lead, r.lead_more) for r in _released(s, both, change, out_of_reach)] == [
            ({"halls"}, {}),
            (set(), {}),
        ]
    else:
        assert kept is None and m.lead == {"halls"} and ("extra", ("space-200", 1)) in m.blocked


@pytest.mark.parametrize("p", [0.9, 0.95])
def test_a_level_tries_again_what_was_refused_below_only_where_a_lead_can_now_give_way(p):
    """A lower level's plan held the halls a year early and the capacity refused one more
    space-200 community. At P = 0.95 that lead can give way, so the refusal is forgotten and the
    community tried again; at P = 0.9 nothing has changed and the refusal stands."""
    start = Margins(lead={"halls"}, blocked={("extra", ("space-200", 1)), ("lead_more", "halls")})
    cp = plan_with_confidence(loads(HALLS), p, start=start, replications=4, max_iterations=1)
    assert ("lead_more", "halls") in cp.margins.blocked  # a lead beyond reach stays set aside
    assert (("extra", ("space-200", 1)) in cp.margins.blocked) == (p == 0.9)


def test_the_price_table_names_what_no_plan_brings_to_each_level_and_why_a_level_may_cost_less():
    from commplan.confidence import beyond_reach_at
    from results.confidence import section
    from results.i18n import use

    s = loads(HALLS)
    halls = {"target": "halls", "kind": "share", "year": 2}
    assert beyond_reach_at(s, 0.9) == [] and beyond_reach_at(s, 0.95) == [halls]

    def summary(costs):
        price = [{"confidence": None, "total_cost": 100.0, "drivers": []}] + [
            {"confidence": p, "total_cost": c, "drivers": ["halls"], "beyond_reach": beyond_reach_at(s, p)}
            for p, c in zip((0.9, 0.95), costs, strict=True)
        ]
        return {"confidence": 0.95, "requirements": [], "confidence_plan": {"price": price, "margins": {}}}

    cheaper = section(summary([130.0, 120.0]))
    assert "halls (share), year 2" in cheaper and "can cost less than the one below" in cheaper
    assert "can cost less" not in section(summary([120.0, 130.0]))
    with use("zh"):
        chinese = section(summary([130.0, 120.0]))
    assert "halls（share），第 2 年" in chinese and "较高置信水平的费用可能低于较低水平" in chinese


def test_the_curves_levels_above_the_chosen_one_are_screened_and_leave_the_plan_as_it_was():
    """The price curve's levels above P are judged on SCREEN_REPLICATIONS a round, not the full
    sample: the plan at P and every level below it are what the unscreened chain gives, and
    the rows above P say they were screened (on chifeng_2008 at P = 0.9, level 0.95 judged in
    full was 59 % of the curve's replications)."""
    from commplan.confidence import SCREEN_REPLICATIONS, chain, price_of_confidence
    from model.runner import simulate

    s = loads(SMALL)
    levels = [0.5, 0.8, 0.9, 0.95]
    full = dict(chain(s, levels, replications=20))
    screened = dict(chain(s, levels, screen_above=0.8, replications=20))
    for p in (0.5, 0.8):
        assert screened[p].result.plan_rows() == full[p].result.plan_rows()
        assert screened[p].iterations == full[p].iterations
    for p in (0.9, 0.95):
        assert full[p].iterations[-1]["replications"] == 20
        assert all(i["replications"] == SCREEN_REPLICATIONS for i in screened[p].iterations)

    ran: list[int] = []

    def counting(*args, **kw):
        ran.append(kw["replications"] - kw.get("first", 0))
        return simulate(*args, **kw)

    cp, rows = price_of_confidence(s, 0.8, replications=20, simulate_fn=counting)
    assert cp.result.plan_rows() == full[0.8].result.plan_rows()
    assert [r.get("screened") for r in rows] == [None, None, None, SCREEN_REPLICATIONS, SCREEN_REPLICATIONS]
    assert sum(ran) < sum(max(i["replications"] for i in full[p].iterations) for p in levels)
    # a curve asked for no more than the screen judges every level in full, and says nothing
    _, few = price_of_confidence(s, 0.8, levels=(0.5, 0.8, 0.9), replications=SCREEN_REPLICATIONS)
    assert [r.get("screened") for r in few] == [None, None, None, None]


def test_the_price_table_and_chart_star_a_screened_level_and_say_what_it_means():
    from results.confidence import price_chart, section
    from results.i18n import use

    price = [
        {"confidence": None, "total_cost": 100.0, "drivers": []},
        {"confidence": 0.9, "total_cost": 120.0, "drivers": ["halls"], "screened": None},
        {"confidence": 0.95, "total_cost": 130.0, "drivers": ["halls"], "screened": 10},
    ]
    summary = {"confidence": 0.9, "requirements": [], "confidence_plan": {"price": price, "margins": {}}}
    english = section(summary)
    assert "<td>0.95*</td>" in english and "<td>0.9</td>" in english
    assert "judged on 10 in-sample replications" in english and "plan --confidence 0.95" in english
    assert "Screened" not in section({**summary, "confidence_plan": {"price": price[:2], "margins": {}}})
    with use("zh"):
        chinese = section(summary)
        fig = price_chart(price, 0.9, "t")
    assert "初筛" in chinese and "10 次" in chinese
    bars = fig.axes[0].patches
    assert [bool(b.get_hatch()) for b in bars] == [False, False, True]
    assert "10 次" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_a_requirement_beyond_reach_whose_early_building_gave_way_says_so_in_both_languages():
    """chifeng_2008 at P = 0.9: the culture rooms' line said only "at most 0.71 at any cost",
    while out of sample they were met with 0 once their lead had given way to space-200."""
    from results.confidence import reason
    from results.i18n import use

    s = loads(HALLS)
    key = ("halls", "share", 2)
    given_up = Margins(blocked={("lead", "halls"), ("lead_more", "halls")})
    led = Margins(lead={"halls"}, blocked={("lead_more", "halls")})
    assert "at most 0.9" in _why_short(s, key, 0.95, "x", Margins())
    assert "set aside" not in _why_short(s, key, 0.95, "x", Margins())
    line = _why_short(s, key, 0.95, "x", given_up)
    assert line.endswith("; building it early was set aside: the capacity and budget go first to what can reach 0.95")
    assert "a further year early was set aside" in _why_short(s, key, 0.95, "x", led)
    assert "set aside" not in _why_short(s, key, 0.9, "x", given_up)  # within reach: not the reason
    with use("zh"):
        chinese = reason(line)
    assert "不再提前建设" in chinese and "无论投入多少" in chinese and "set aside" not in chinese
