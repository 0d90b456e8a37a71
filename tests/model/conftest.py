"""Small scenarios for the simulation's tests (each runs in well under a second)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scenarios.loader import loads

TUTORIAL = (Path(__file__).parents[2] / "scenarios" / "tutorial.toml").read_text(encoding="utf-8")


def tutorial(simulation: str = ""):
    """The tutorial city with extra ``[simulation]`` lines."""
    return loads(TUTORIAL + "\n[simulation]\n" + textwrap.dedent(simulation))


#: seed 002's county-level city: 9 communities averaging 2,349 households, 5 + 1 staff
#: each, 5 of 9 below the provincial standard of 300 m².
COUNTY_CITY = """
[scenario]
name = "county_test"
years = 3
seed = 2005

[costs]
average_wage = 15000
space_build_per_m2 = 700
space_running_per_m2 = 15
space_project_fixed = 5000

[facilities.one_stop]
build = 30000
running = 5000
space_m2 = 50

[staff.community_worker]
hire = 1000
base_pay_share = 0.6
pay_share = {pay}

[staff.part_time_worker]
hire = 500
base_pay_share = 0.2

[[targets]]
name = "space-300"
space_at_least = 300
share = [0.6, 0.8, 1.0]
"""
COUNTY_SPACE = [340, 320, 310, 305, 280, 240, 210, 180, 150]
COUNTY_HOUSEHOLDS = [2610, 2480, 2400, 2350, 2300, 2290, 2260, 2240, 2211]


def county_city(pay: str = "[0.6, 0.6, 0.6]", simulation: str = ""):
    text = COUNTY_CITY.format(pay=pay)
    for i, (h, a) in enumerate(zip(COUNTY_HOUSEHOLDS, COUNTY_SPACE, strict=True)):
        text += f'\n[[communities]]\nid = "c{i}"\nhouseholds = {h}\nspace_m2 = {a}\nhousehold_size = 3.19\n'
        text += "staff = { community_worker = 5, part_time_worker = 1 }\n"
    return loads(text + "\n[simulation]\n" + textwrap.dedent(simulation))


@pytest.fixture
def small_city():
    return tutorial()
