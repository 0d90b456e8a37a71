"""A shrinking community's households leave for good, and are counted as moved out."""

from __future__ import annotations

import numpy as np

from model.model import CommunityModel
from scenarios.loader import loads
from tests.model.conftest import TUTORIAL


def test_households_balance_when_a_community_shrinks():
    assert TUTORIAL.count("household_growth = 0.05") == 1
    scenario = loads(TUTORIAL.replace("household_growth = 0.05", "household_growth = -0.1"))
    shrinking = scenario.community_ids.index("huayuan")
    model = CommunityModel(scenario, None, rng=3)
    while model.running:
        model.step()
    table = model.recorder.table()
    col = {c: table[:, :, j] for j, c in enumerate(model.recorder.columns)}
    before = np.vstack([scenario.households(0)[None, :], col["households"][:-1]])
    np.testing.assert_array_equal(col["households"], before + col["moved_in"] - col["moved_out"])
    decline = -np.diff(np.concatenate([[scenario.households(0)[shrinking]], col["households"][11::12, shrinking]]))
    assert (decline > 0).all()
    assert (col["moved_out"][0::12, shrinking] >= decline).all()
