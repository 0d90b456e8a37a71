"""Checked against something known: a fixed capacity facing Poisson demand."""

from __future__ import annotations

import math

import numpy as np

from model.model import CommunityModel
from scenarios.loader import loads

ONE_DESK = """
[scenario]
name = "one_desk"
years = 3
seed = 11

[costs]
average_wage = 50000
space_build_per_m2 = 1
space_running_per_m2 = 0
space_project_fixed = 0

[staff.community_worker]
base_pay_share = 1.0

[[communities]]
id = "only"
households = 1000
staff = {{ community_worker = 1 }}

[[targets]]
name = "space"
space_at_least = 0
share = 1.0

[simulation]
demand_rate = {{ admin = {rate}, elderly_care = 0, child_care = 0, health = 0, employment = 0, mediation = 0, culture = 0 }}
vulnerable_demand_multiplier = {{ admin = 1 }}
migrant_demand_multiplier = {{ admin = 1 }}
hours_per_need = {{ admin = 0.5 }}
staff_service_hours = {hours}
initial_skill = 1.0
new_hire_skill = 1.0
exit_hazard = 0.0
organisations_per_1000_households = 0.0
organisation_birth_per_volunteer = 0.0
"""


def expected_min(lam: float, c: int) -> float:
    """E[min(D, c)] for D ~ Poisson(lam)."""
    pmf = [math.exp(-lam + k * math.log(lam) - math.lgamma(k + 1)) for k in range(c)]
    return sum(k * p for k, p in enumerate(pmf)) + c * (1 - sum(pmf))


def test_share_served_matches_expected_min_of_poisson_and_capacity():
    # 1,000 households × 0.2 needs = Poisson(200) a month; one worker: 100 h / 0.5 h = 200 needs
    scenario = loads(ONE_DESK.format(rate=0.2, hours=100.0))
    served, demand = [], []
    for r in range(12):
        model = CommunityModel(scenario, rng=r)
        for _ in range(36):
            model.step()
            served.append(model.served.sum())
            demand.append(model.demand.sum())
    served = np.array(served)
    lam, c = 200.0, 200
    expected = expected_min(lam, c) / lam  # ≈ 0.972: a full capacity cuts off the peaks
    estimate = served.mean() / lam
    standard_error = served.std(ddof=1) / math.sqrt(len(served)) / lam
    assert abs(estimate - expected) < 3.5 * standard_error, (estimate, expected, standard_error)
    assert abs(np.mean(demand) - lam) < 3.5 * math.sqrt(lam / len(demand))
    assert expected < 0.98 and standard_error < 0.003  # the test can tell capped from uncapped
