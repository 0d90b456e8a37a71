"""results.sensitivity: designs drawn from the seed, and indices that name the parameter an output depends on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from results.sensitivity import INDICES, futures, indices, points, ranked
from scenarios.parameters import SimulationParameters


def some_ranges(k: int = 4) -> dict[str, tuple[float, float]]:
    """The first k declared ranges: real names and ranges, whichever the model declares."""
    return dict(list(SimulationParameters.uncertain().items())[:k])


def test_the_design_depends_only_on_the_seed():
    ranges = some_ranges()
    assert np.array_equal(points("morris", ranges, 3, seed=1), points("morris", ranges, 3, seed=1))
    assert not np.array_equal(points("morris", ranges, 3, seed=1), points("morris", ranges, 3, seed=2))
    assert points("sobol", ranges, 8, seed=1).shape == (8 * (len(ranges) + 2), len(ranges))


def test_futures_stay_within_the_plausible_ranges():
    ranges = some_ranges()
    drawn = futures(ranges, 5, seed=3)
    assert len(drawn) == 5
    for name, (low, high) in ranges.items():
        values = sorted(f[name] for f in drawn)
        assert low <= values[0] and values[-1] <= high
        # a Latin hypercube: one value in each fifth of the range
        assert [int((v - low) / (high - low) * 5) for v in values] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("method", "samples"), [("morris", 8), ("sobol", 64)])
def test_indices_rank_first_the_parameter_the_output_depends_on(method, samples):
    ranges = some_ranges()
    names = list(ranges)
    x = points(method, ranges, samples, seed=4)
    low, high = ranges[names[2]]
    scaled = (x - np.array([r[0] for r in ranges.values()])) / np.array([r[1] - r[0] for r in ranges.values()])
    y = pd.DataFrame({"strong": 5 * scaled[:, 2] + 0.2 * scaled[:, 0], "flat": np.ones(len(x))})
    table = indices(method, ranges, x, y, seed=5)
    assert list(table.columns) == ["parameter", "output", *INDICES[method]]
    assert len(table) == len(names) * 2
    top = ranked(table, method)
    strong = top[top.output == "strong"]
    assert strong.parameter.iloc[0] == names[2]
    assert strong.parameter.iloc[1] == names[0]
    flat = table[table.output == "flat"]  # an output that never varies depends on nothing
    assert (flat["mu_star" if method == "morris" else "ST"] == 0).all()
