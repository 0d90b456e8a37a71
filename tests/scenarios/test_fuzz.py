"""Property: whatever a planner does to a valid file, loading ends in a Scenario or a report, never a traceback."""

from __future__ import annotations

import tomllib

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.loader import bundled_scenarios, loads
from scenarios.problems import ScenarioError

from ..conftest import MINIMAL

GENERATED = (
    MINIMAL.split("[[communities]]")[0]
    + """
[generate]
communities = 12
keys = 3
facilities = { one_stop = 0.2 }
households_per_staff = { community_worker = 500 }

[[targets]]
name = "space-200"
space_at_least = 200
share = [0.5, 0.5, 1.0]
keys_by = 2
"""
)
TEXTS = [MINIMAL, GENERATED, bundled_scenarios()["tutorial"].read_text(encoding="utf-8")]

scalars = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    st.booleans(),
    st.sampled_from(["one_stop", "elderly_centre", "community_worker", "space-200", "east"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
    max_leaves=8,
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


def load_or_report(text: str) -> None:
    try:
        loads(text, source="fuzz.toml")
    except ScenarioError as e:
        assert str(e).startswith("fuzz.toml has ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEXTS), st.data())
def test_replacing_or_deleting_any_value_never_raises_a_traceback(text, data):
    doc = tomllib.loads(text)
    path = data.draw(st.sampled_from([p for p in paths(doc) if p]))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace":
        parent[path[-1]] = data.draw(values)
    elif action == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=10))] = data.draw(values)
    try:
        mutated = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return  # not expressible as TOML (e.g. a list where a table must be): no file can hold it
    load_or_report(mutated)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEXTS), st.data())
def test_editing_the_text_never_raises_a_traceback(text, data):
    lines = text.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    edit = data.draw(st.sampled_from(["drop", "duplicate", "garble", "truncate"]))
    if edit == "drop":
        del lines[i]
    elif edit == "duplicate":
        lines.insert(i, lines[i])
    elif edit == "garble":
        lines[i] = data.draw(st.text(max_size=30))
    else:
        lines = lines[:i]
    load_or_report("\n".join(lines))
