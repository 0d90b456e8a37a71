"""The plan counts developers' space only when told to, and plans the office share by building."""

from __future__ import annotations

import numpy as np
import pytest

import optimize
from commplan.confidence import counted_at, plan_with_confidence
from scenarios.loader import loads
from scenarios.schema import DEVELOPER_DELIVERY
from tests.conftest import MINIMAL

SPACE_300 = MINIMAL.replace("space_at_least = 200", "space_at_least = 300").replace(
    "share = [0.5, 0.5, 1.0]", "share = [1.0, 1.0, 1.0]"
)
DEV = '\n[[developer_space]]\ncommunity = "east"\nm2 = 100\ndue_year = 1\ndelivery_probability = {p}\ncounted = {counted}\n'


def added(result) -> float:
    return float(np.asarray(result.plan.space_added).sum())


def test_counted_developer_space_reduces_the_space_the_plan_builds():
    alone = optimize.solve(loads(SPACE_300))
    counted = optimize.solve(loads(SPACE_300 + DEV.format(p=0.5, counted="true")))
    ignored = optimize.solve(loads(SPACE_300 + DEV.format(p=0.5, counted="false")))
    # east has 150 m² and needs 300: 150 m² built alone, 50 with 100 m² owed and counted
    assert added(alone) == pytest.approx(150) and added(counted) == pytest.approx(50)
    assert added(ignored) == pytest.approx(150) and ignored.total_cost == pytest.approx(alone.total_cost)
    build = 2500 * 100 + 50 * 100 * 3  # 100 m² fewer built, and not run for three years
    assert alone.total_cost - counted.total_cost == pytest.approx(build)
    assert counted.plan.space[0].tolist() == pytest.approx([300, 300, 300])  # plan.csv's space_m2 includes it


def test_developer_space_due_late_is_counted_only_from_its_year():
    late = optimize.solve(loads(SPACE_300 + DEV.format(p=0.5, counted="true").replace("due_year = 1", "due_year = 3")))
    assert added(late) == pytest.approx(150)  # years 1 and 2 need the 150 m² built anyway


def test_a_confidence_plan_counts_developer_space_only_as_sure_as_the_plan_must_be():
    s = loads(SPACE_300 + DEV.format(p=0.85, counted="true") + DEV.format(p=0.95, counted="false"))
    at_09 = counted_at(s, 0.9)
    assert [d.counted for d in at_09.developer_space] == [False, True]
    assert [d.counted for d in counted_at(s, 0.8).developer_space] == [True, True]


def test_a_confidence_plan_does_not_rely_on_space_seed_004s_developers_owe():
    """The file counts on 100 m² delivered at 8/33; a plan at P = 0.8 builds the space itself."""
    text = SPACE_300.replace('[[targets]]\nname = "one-stop"', '[[targets]]\nname = "one-stop-unused"', 1)
    s = loads(text + DEV.format(p=DEVELOPER_DELIVERY, counted="true") + "\n[simulation]\nexit_hazard = 0.0\n")
    deterministic = optimize.solve(s)
    assert added(deterministic) == pytest.approx(50)
    cp = plan_with_confidence(s, 0.8, replications=10)
    east = 0
    assert cp.result.plan.space_added[east].sum() >= 150 - 1e-6
    assert cp.result.plan.space[east].tolist()[0] >= 300 - 1e-6


def test_office_share_is_met_by_building_space():
    text = MINIMAL.replace("space_m2 = 150\n", "space_m2 = 150\noffice_m2 = 60\n").replace(
        "space_m2 = 320\n", "space_m2 = 320\noffice_m2 = 40\n"
    )
    s = loads(text + '\n[[targets]]\nname = "office"\noffice_share_at_most = 0.15\nshare = [0, 0, 1]\n')
    result = optimize.solve(s)
    # east: 60 m² of office needs 400 m² of space in all (60 / 0.15); it has 150
    assert result.plan.space[0, 2] == pytest.approx(400)
    level = {(r.requirement.target, r.requirement.year): r.planned for r in result.requirements}
    assert level["office", 3] == 2
    stricter = optimize.solve(
        loads(text + '\n[[targets]]\nname = "office"\noffice_share_at_most = 0.1\nshare = [0, 0, 1]\n')
    )
    assert stricter.plan.space[0, 2] == pytest.approx(600) and stricter.plan.space[1, 2] == pytest.approx(400)
