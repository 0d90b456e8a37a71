"""``city_average`` targets (seed 004: "on average at least 10 organisations per urban
community"): what the loader refuses, with its line and fix, and what it builds."""

from __future__ import annotations

import pytest
import tomli_w

from scenarios.loader import loads
from scenarios.problems import ScenarioError
from scenarios.schema import scenario_to_dict
from tests.conftest import MINIMAL


def target(body: str, extra: str = "") -> str:
    return MINIMAL + extra + f'\n[[targets]]\nname = "avg"\n{body}\n'


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, source="city.toml")
    return [str(p).strip() for p in info.value.problems]


BAD = {
    "unknown quantity": (
        'city_average = "organisation"\nat_least = 5',
        'line 48   targets.avg.city_average = "organisation": not a quantity a city_average can average: one of '
        'organisations, satisfied, participation or a declared staff kind; did you mean "organisations"?',
    ),
    "bad where key": (
        'city_average = "organisations"\nwhere = { village = false }\nat_least = 5',
        'line 49   targets.avg.where = "village": not a community field a city_average can filter on; '
        "one of village_to_residence, key",
    ),
    "where not true/false": (
        'city_average = "organisations"\nwhere = { key = 1 }\nat_least = 5',
        "line 49   targets.avg.where = { key = 1 }: key: must be true or false",
    ),
    "where not a table": (
        'city_average = "organisations"\nwhere = "key"\nat_least = 5',
        'line 49   targets.avg.where = "key": must be a table of true/false by name, '
        "e.g. { village_to_residence = false }",
    ),
    "where covering nothing": (
        'city_average = "community_worker"\nwhere = { key = true, village_to_residence = true }\nat_least = 5',
        "line 49   targets.avg.where = { key = true, village_to_residence = true }: covers no community: "
        "no community has these values; loosen or remove where",
    ),
    "at_least length": (
        'city_average = "organisations"\nat_least = [1, 2]',
        "line 49   targets.avg.at_least = [1, 2]: has 2 entries but the plan has 3 years: give one per year, "
        "or a single number for every year",
    ),
    "with share": (
        'city_average = "organisations"\nat_least = 5\nshare = 0.5',
        "line 50   targets.avg.share = 0.5: a city-wide target takes only at_least",
    ),
    "with keys_by": (
        'city_average = "organisations"\nat_least = 5\nkeys_by = 2',
        "line 50   targets.avg.keys_by = 2: a city-wide target takes only at_least",
    ),
    "measured on an outcome": (
        'city_average = "organisations"\nat_least = 5\nmeasured = "annual_average"',
        'line 50   targets.avg.measured = "annual_average": goes only with a staff condition (staff_per_households, '
        "staff_at_least, city_staff, city_average of a staff kind, or a standard that has one)",
    ),
    "where without city_average": (
        "space_at_least = 100\nshare = 0.5\nwhere = { key = true }",
        "line 50   targets.avg.where = { key = true }: goes only with city_average",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_city_average_is_refused_with_its_line_and_fix(case):
    body, expected = BAD[case]
    assert problems(target(body)) == [expected]


def test_city_average_without_at_least_is_refused():
    got = problems(target('city_average = "organisations"\ncount = [1, 1, 1]'))
    assert (
        'line 48   targets.avg.city_average = "organisations": city_average and at_least go together, '
        "and with no other requirement"
    ) in got


def test_a_standard_cannot_include_a_city_average():
    extra = '\n[[targets]]\nname = "avg0"\ncity_average = "community_worker"\nat_least = 3\n'
    assert problems(target('standard = ["space-200", "avg0"]\nshare = 0.5', extra)) == [
        'line 53   targets.avg.standard = "avg0": is a city-wide target; a standard combines per-community conditions'
    ]


def test_where_picks_the_covered_communities_and_the_kind_decides_who_judges():
    s = loads(
        target('city_average = "organisations"\nwhere = { key = false }\nat_least = [0, 6, 10]')
        + '\n[[targets]]\nname = "workers"\ncity_average = "community_worker"\nat_least = 4\n'
        'measured = "annual_average"\n'
    )
    avg, workers = s.target("avg"), s.target("workers")
    assert avg.covers == (False, True)  # east is the key community
    assert workers.covers == (True, True) and workers.measured == "annual_average"
    assert avg.evaluated_by == "simulation" and workers.evaluated_by == "plan"
    assert [(r.kind, r.year, r.required) for r in s.requirements if r.target == "avg"] == [
        ("city_average", 2, 6.0),
        ("city_average", 3, 10.0),
    ]
    planning = s.planning()
    assert "avg" not in [t.name for t in planning.targets] and "workers" in [t.name for t in planning.targets]


def test_the_scenario_as_run_keeps_where():
    s = loads(target('city_average = "organisations"\nwhere = { village_to_residence = false }\nat_least = 2'))
    written = scenario_to_dict(s)["targets"][-1]
    assert written["city_average"] == "organisations" and written["where"] == {"village_to_residence": False}
    again = loads(tomli_w.dumps(scenario_to_dict(s)))
    assert again.target("avg") == s.target("avg")
