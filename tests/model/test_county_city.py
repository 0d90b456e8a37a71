"""Calibrated from seed 002: the county-level city starts where the speech says, and pay matters."""

from __future__ import annotations

from model.model import CommunityModel
from model.plan import PlanSchedule
from model.runner import simulate
from tests.model.conftest import county_city


def test_the_county_city_starts_with_5_of_9_communities_below_300_m2():
    scenario = county_city()
    model = CommunityModel(scenario, rng=1)
    stocks = model.stocks()
    assert len(stocks.space) == 9 and (stocks.space < 300).sum() == 5
    assert round(stocks.households.mean()) == 2349
    assert stocks.staff["community_worker"].tolist() == [5] * 9
    assert (scenario.target("space-300").condition.holds(stocks)).sum() == 4


def exits(pay_share: float, replications: int = 4) -> float:
    scenario = county_city()
    plan = PlanSchedule.from_arrays(scenario, pay_share={"community_worker": [pay_share] * 3})
    result = simulate(scenario, plan, replications=replications, seed=9)
    j = result.columns.index("exits_community_worker") - 3
    return sum(rep.timeseries[:, :, j].sum() for rep in result.replications) / replications


def test_paying_the_local_average_wage_visibly_lowers_staff_exits():
    # hazard ratio exp(3 × 0.4) ≈ 3.3; over 4 replications of 45 workers × 36 months the low-pay
    # city loses ~100 workers a replication, so a ratio below 0.6 is many standard errors away
    low, high = exits(0.6), exits(1.0)
    assert low > 30
    assert high < 0.6 * low, (high, low)
