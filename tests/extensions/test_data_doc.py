"""docs/api.md documents every household column and every attribute of the agents.

Introspected from a built model after one month: a column or attribute added to the code
and not to the reference fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import mesa
import pytest

from model.agents import Community, Organisation, StaffMember
from model.model import CommunityModel
from model.runner import simulate
from scenarios.loader import load

API = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = API.index(title)
    end = API.find("\n#", start + len(title))
    return API[start : end if end > 0 else None]


def rows(text: str) -> set[str]:
    """Names in the first cell of each table row (several in one cell allowed)."""
    out: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            out |= set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", line.split("|")[1]))
    return out


@pytest.fixture(scope="module")
def model():
    m = CommunityModel(load("tutorial"), rng=3)
    m.step()
    return m


def mesa_attributes() -> set[str]:
    return set(vars(mesa.Agent(mesa.Model(rng=0))))


def public(obj) -> set[str]:
    return {n for n in vars(obj) if not n.startswith("_")}


def test_every_household_column_is_documented_with_its_dtype(model):
    table = section("### Household columns")
    documented = rows(table)
    assert set(model.households.cols) <= documented, set(model.households.cols) - documented
    for name, column in model.households.cols.items():
        line = next(x for x in table.splitlines() if x.startswith(f"| `{name}` |"))
        assert f"| {column.dtype} |" in line, f"{name} is {column.dtype}, the reference says: {line}"


def test_every_other_household_attribute_is_documented(model):
    documented = rows(section("### Other household arrays"))
    missing = public(model.households) - {"cols"} - documented
    assert not missing, missing
    assert model.households.needs.shape == (len(model.households), len(model.services))


@pytest.mark.parametrize(
    ("cls", "title"),
    [
        (Organisation, "### `Organisation` attributes"),
        (StaffMember, "### `StaffMember` attributes"),
        (Community, "### `Community` attributes"),
    ],
)
def test_every_agent_attribute_is_documented(model, cls, title):
    agent = next(a for a in model.agents if isinstance(a, cls))
    missing = public(agent) - mesa_attributes() - rows(section(title))
    assert not missing, f"{cls.__name__} attributes missing from docs/api.md: {missing}"
    assert all(f"`{n}`" in API for n in mesa_attributes())


def test_the_reference_counts_simulation_result_columns_right():
    scenario = load("tutorial")
    result = simulate(scenario, replications=1, seed=1)
    values = result.replications[0].timeseries.shape[2]
    assert len(result.columns) == values + 3 and result.columns[:3] == ["replication", "month", "community"]
    assert f"({len(result.columns)} names for the tutorial: 3 keys + {values} values)" in API
