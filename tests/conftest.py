"""Shared fixtures: a minimal valid scenario text that tests mutate."""

from __future__ import annotations

import textwrap

import pytest

MINIMAL = textwrap.dedent(
    """\
    [scenario]
    name = "mini"
    years = 3
    seed = 1

    [costs]
    average_wage = 50000
    space_build_per_m2 = 2500
    space_running_per_m2 = 50
    space_project_fixed = 20000

    [facilities.one_stop]
    build = 60000
    running = 8000
    space_m2 = 50

    [staff.community_worker]
    hire = 1500
    base_pay_share = 0.6
    pay_share = [0.7, 0.85, 1.0]

    [[communities]]
    id = "east"
    households = 1200
    space_m2 = 150
    key = true
    staff = { community_worker = 2 }

    [[communities]]
    id = "west"
    households = 800
    space_m2 = 320
    facilities = ["one_stop"]
    staff = { community_worker = 3 }

    [[targets]]
    name = "space-200"
    space_at_least = 200
    share = [0.5, 0.5, 1.0]

    [[targets]]
    name = "one-stop"
    has = "one_stop"
    keys_by = 1
    """
)


@pytest.fixture
def minimal_text() -> str:
    return MINIMAL
