"""The loaded scenario: immutable, complete, reproducible, and the same when written back."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import tomli_w

from scenarios.loader import bundled_scenarios, load, loads
from scenarios.parameters import SimulationParameters
from scenarios.targets import Stocks, communities_required

from .test_fuzz import GENERATED


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_survives_being_written_back(name):
    s = load(name)
    again = loads(tomli_w.dumps(s.to_dict()))
    assert dataclasses.replace(again, source=s.source) == s


def test_scenario_is_immutable():
    s = load("tutorial")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.years = 5
    with pytest.raises(TypeError):
        s.facilities["gym"] = None
    with pytest.raises(TypeError):
        s.communities[0].staff["community_worker"] = 99


def test_defaults_are_resolved():
    s = loads(GENERATED)
    assert s.title == "mini"
    assert s.costs.discount_rate == 0.0
    assert s.simulation == SimulationParameters()
    assert s.staff["community_worker"].attrition == 0.0


def test_scalar_share_means_every_year(minimal_text):
    s = loads(minimal_text.replace("share = [0.5, 0.5, 1.0]", "share = 0.5"))
    assert s.target("space-200").share == (0.5, 0.5, 0.5)


def test_pay_share_defaults_to_todays_pay(minimal_text):
    s = loads(minimal_text.replace("pay_share = [0.7, 0.85, 1.0]\n", ""))
    assert s.staff["community_worker"].pay_share == (0.6, 0.6, 0.6)
    assert s.staff["community_worker"].pay(0, 50000) == pytest.approx(30000)


def test_generated_city_is_the_same_for_the_same_seed_and_differs_for_another():
    a, b = loads(GENERATED), loads(GENERATED)
    c = loads(GENERATED.replace("seed = 1", "seed = 2"))
    assert a.communities == b.communities
    assert [x.households for x in a.communities] != [x.households for x in c.communities]


def test_generated_city_follows_its_table():
    s = loads(GENERATED.replace("communities = 12", "communities = 400"))
    households = s.households()
    assert len(s.communities) == 400
    assert len(s.keys) == 3
    assert households.min() >= 500 and households.max() <= 20000
    assert abs(households.mean() - 1500) < 60  # normal(1500, 300): standard error 15
    share_one_stop = np.mean(["one_stop" in c.facilities for c in s.communities])
    assert 0.12 < share_one_stop < 0.28
    staff = np.array([c.staff["community_worker"] for c in s.communities])
    assert np.array_equal(staff, np.rint(households / 500))


@pytest.mark.parametrize(
    ("share", "n", "expected"),
    [(0.3, 10, 3), (0.6, 10, 6), (0.7, 10, 7), (0.4, 9, 4), (1.0, 9, 9), (0.0, 9, 0), (0.01, 9, 1)],
)
def test_communities_required_is_ceil_of_share_times_n(share, n, expected):
    assert communities_required(share, n) == expected


def test_requirements_list_every_year_and_kind():
    s = load("tutorial")
    kinds = {(r.target, r.kind): [] for r in s.requirements}
    for r in s.requirements:
        kinds[(r.target, r.kind)].append((r.year, r.required))
    assert kinds[("space-200", "share")] == [(1, 4), (2, 6), (3, 8)]
    assert kinds[("one-stop", "share")] == [(2, 3), (3, 10)]  # a share of 0 requires nothing
    assert kinds[("one-stop", "keys_by")] == [(1, 2), (2, 2), (3, 2)]
    assert kinds[("elderly-centres", "count")] == [(1, 1), (2, 1), (3, 1)]
    assert kinds[("standard", "keys_by")] == [(2, 2), (3, 2)]


def test_standard_condition_is_all_its_parts():
    s = load("tutorial")
    stocks = s.initial_stocks()
    parts = [s.target(n).condition.holds(stocks) for n in ("space-200", "one-stop", "workers-per-400")]
    assert np.array_equal(s.target("standard").condition.holds(stocks), parts[0] & parts[1] & parts[2])
    assert parts[0].sum() == 3  # xinhua 260, nanhu 210, gongyuan 230


def test_staff_ratio_condition_counts_whole_staff():
    s = load("tutorial")
    cond = s.target("workers-per-400").condition
    stocks = Stocks(
        households=np.array([1200.0, 1201.0]),
        space=np.zeros(2),
        has={},
        staff={"community_worker": np.array([3.0, 3.0])},
    )
    assert cond.holds(stocks).tolist() == [True, False]


def test_a_scenario_crosses_to_another_process_intact():
    import pickle
    import subprocess
    import sys

    s = load("tutorial")
    code = "import pickle, sys; s = pickle.load(sys.stdin.buffer); print(len(s.communities), s.facilities['one_stop'].build)"
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(s), capture_output=True, check=True)
    assert done.stdout.decode().split() == ["10", "80000.0"]
