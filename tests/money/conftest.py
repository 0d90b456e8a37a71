"""A small city for issue 16's money side: working funds, training, staff paid by others, co-funding."""

from __future__ import annotations

from scenarios.loader import loads

CITY = """
[scenario]
name = "money"
years = 3
seed = 7

[costs]
average_wage = 50000
space_build_per_m2 = 3000
space_running_per_m2 = 50
space_project_fixed = 20000

[staff.community_worker]
base_pay_share = 0.6
hire = 2000
training = 800

[staff.police]
base_pay_share = 1.0
hire = 5000
funded_by = "police bureau"
hours_per_month = 20

[[communities]]
id = "a"
households = 1200
space_m2 = 100
staff = {{ community_worker = 3 }}

[[communities]]
id = "b"
households = 800
space_m2 = 300
staff = {{ community_worker = 2, police = 1 }}

[[communities]]
id = "c"
households = 1500
space_m2 = 150
staff = {{ community_worker = 4 }}
{extra}
"""

FUNDS = """
[[targets]]
name = "working-funds"
funds_at_least = 10000
share = 1.0
"""

SPACE = """
[[targets]]
name = "space"
space_at_least = 250
share = [0.4, 1.0, 1.0]
"""

TRAINED = """
[[targets]]
name = "trained"
trained_at_least = { community_worker = 1.0 }
share = SHARE
"""

POLICE = """
[[targets]]
name = "police-hours"
staff_hours_at_least = { police = 30 }
share = 1.0
"""


def trained(share: str = "1.0") -> str:
    return TRAINED.replace("SHARE", share)


def city(*parts: str, head: str = ""):
    """The city with the given [[targets]] / [[funding]] / [budget] parts appended."""
    return loads(CITY.format(extra=head + "\n".join(parts)), source="money.toml")
