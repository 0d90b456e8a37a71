"""Small scenarios for the optimiser's tests, written as TOML the way planners write them."""

from __future__ import annotations

import pytest

from scenarios.loader import load, loads

HEAD = """
[scenario]
name = "tiny"
years = {years}

[costs]
average_wage = 10000
space_build_per_m2 = 100
space_running_per_m2 = 10
space_project_fixed = 1000
discount_rate = {rate}

[facilities.one_stop]
build = 5000
running = 500
space_m2 = 50

[staff.worker]
hire = 300
base_pay_share = 0.5
pay_share = {pay}
attrition = {attrition}
"""

TWO = """
[[communities]]
id = "a"
households = 800
space_m2 = 120
key = true
staff = { worker = 1 }

[[communities]]
id = "b"
households = 1200
space_m2 = 40
staff = { worker = 2 }
"""

COMMUNITIES = (
    TWO
    + """
[[communities]]
id = "c"
households = 500
space_m2 = 210
facilities = ["one_stop"]
staff = { worker = 1 }
"""
)


def tiny(
    targets: str = "",
    *,
    years: int = 2,
    budget: str = "",
    rate: float = 0.0,
    attrition: float = 0.0,
    pay: str = "0.6",
    communities: str = COMMUNITIES,
):
    """A 3-community city with one facility and one staff kind, plus the given targets."""
    text = HEAD.format(years=years, rate=rate, attrition=attrition, pay=pay) + budget + communities + targets
    return loads(text)


@pytest.fixture(scope="session")
def tutorial():
    return load("tutorial")


@pytest.fixture(scope="session")
def tutorial_text():
    from scenarios.loader import resolve_path

    return resolve_path("tutorial").read_text()
