"""[capacity] and [budget] max_share_per_year: read, checked with their lines, and written back."""

from __future__ import annotations

import pytest
import tomli_w

from scenarios.loader import loads
from scenarios.problems import ScenarioError

CAPACITY = """
[capacity]
projects_per_year = [3, 4, 5]
hires_per_year = { community_worker = 60 }
hires_per_community_per_year = 6
space_m2_per_year = 4000
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, source="city.toml")
    return [str(p).strip() for p in info.value.problems]


def test_capacity_is_read_by_year(minimal_text):
    s = loads(minimal_text + CAPACITY)
    cap = s.capacity
    assert cap.projects_per_year == (3, 4, 5)
    assert dict(cap.hires_per_year) == {"community_worker": 60}
    assert cap.hires_per_community_per_year == 6
    assert cap.space_m2_per_year == (4000.0, 4000.0, 4000.0)
    assert loads(minimal_text).capacity.any is False


def test_capacity_and_share_survive_the_resolved_scenario_file(minimal_text):
    s = loads(minimal_text + CAPACITY + "\n[budget]\nmax_share_per_year = 0.45\n")
    again = loads(tomli_w.dumps(s.to_dict()))
    assert again.capacity == s.capacity
    assert again.budget.max_share_per_year == 0.45


def test_a_hire_limit_names_a_declared_staff_kind(minimal_text):
    text = minimal_text + CAPACITY.replace("community_worker = 60", "comunity_worker = 60")
    found = problems(text)
    assert len(found) == 1
    assert "capacity.hires_per_year" in found[0] and 'did you mean "community_worker"' in found[0]
    assert found[0].startswith(f"line {text.splitlines().index('hires_per_year = { comunity_worker = 60 }') + 1} ")


def test_capacity_values_are_checked(minimal_text):
    text = minimal_text + CAPACITY.replace("= [3, 4, 5]", "= [3, 4]").replace("= 6\n", "= -1\n")
    found = problems(text)
    assert any("projects_per_year" in p and "has 2 entries but the plan has 3 years" in p for p in found)
    assert any("hires_per_community_per_year" in p for p in found)
    assert any("unknown key" in p for p in problems(minimal_text + "\n[capacity]\nprojects = 3\n"))


def test_a_share_too_small_for_the_years_is_refused_with_the_fix(minimal_text):
    found = problems(minimal_text + "\n[budget]\nmax_share_per_year = 0.3\n")
    assert len(found) == 1
    assert "3 plan years of at most 0.3 each hold only 90% of the total" in found[0]
    assert "at least 0.3333 (1 / years)" in found[0]
