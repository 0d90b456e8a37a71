"""The simulation evaluates each requirement as the optimiser defines it."""

from __future__ import annotations

from model.model import CommunityModel
from tests.model.conftest import tutorial


def test_keys_by_counts_only_the_key_communities_that_meet_it():
    scenario = tutorial()
    model = CommunityModel(scenario, None, rng=1)  # the status quo opens nothing
    for _ in range(12):
        model.step()
    keys = [c for c in scenario.communities if c.key]
    expected = sum("one_stop" in c.facilities for c in keys)
    held = sum("one_stop" in c.facilities for c in scenario.communities)
    assert 0 < expected < len(keys) and held > expected  # counting every community would differ
    rows = {
        (target, kind): (required, achieved, met) for (y, target, kind, required, achieved, met) in model.attainment
    }
    assert rows["one-stop", "keys_by"] == (len(keys), expected, False)
