"""Common random numbers survive extension: an extension draws from a stream of its own.

A core run and a run with an extension that draws random numbers (and changes nothing
else) must write byte-identical core columns of ``timeseries.csv``: the extension's
draws never shift the core's.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from model.extensions import Extension, ExtensionError
from model.model import CommunityModel
from model.runner import simulate, write_simulation
from model.streams import extension_stream
from tests.model.conftest import tutorial


def noise(model) -> np.ndarray:
    h = model.households
    return h.community_sum(h.noise)


class Noisy(Extension):
    """Draws random numbers for every household, monthly through a reporter and yearly; changes nothing."""

    name = "noisy"
    reporters = {"noise": noise}

    def household_columns(self, households, fresh, rng):
        return {"noise": rng.random(len(fresh["community"]))}

    def household_year(self, households, rng):
        households.cols["noise"][:] = rng.random(len(households))


class Leaky(Noisy):
    """The same, but also drawing from the core's generator: the core's streams shift."""

    name = "leaky"

    def setup(self, model):
        model.rng.random(3)


def core_columns(path, drop=("noise",)) -> str:
    """timeseries.csv without the extension's own column, as text."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    keep = [j for j, c in enumerate(rows[0]) if c not in drop]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[j] for j in keep] for r in rows])
    return out.getvalue()


def run(tmp_path, name, extensions=()):
    scenario = tutorial()
    result = simulate(scenario, replications=2, seed=11, extensions=extensions)
    write_simulation(result, scenario, tmp_path / name)
    return tmp_path / name / "timeseries.csv"


def test_core_columns_are_byte_identical_with_and_without_an_extension_that_draws(tmp_path):
    core = run(tmp_path, "core")
    noisy = run(tmp_path, "noisy", [Noisy()])
    header = noisy.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[-1] == "noise" and "noise" not in core.read_text(encoding="utf-8").splitlines()[0]
    assert core_columns(noisy) == core.read_text(encoding="utf-8")


def test_the_comparison_can_fail_an_extension_drawing_from_the_core_generator_shifts_it(tmp_path):
    core = run(tmp_path, "core")
    leaky = run(tmp_path, "leaky", [Leaky()])
    assert core_columns(leaky) != core.read_text(encoding="utf-8")


class Quiet(Extension):
    name = "quiet"


def test_each_extension_has_its_own_reproducible_stream_that_is_not_the_cores():
    scenario = tutorial()
    a = CommunityModel(scenario, rng=5, extensions=[Noisy(), Quiet()])
    b = CommunityModel(scenario, rng=5, extensions=[Noisy(), Quiet()])
    assert a.extension_rng("noisy") is a.extension_rng(Noisy())
    first = {n: a.extension_rng(n).random(4) for n in ("noisy", "quiet")}
    assert not np.allclose(first["noisy"], first["quiet"])
    assert all(np.array_equal(first[n], b.extension_rng(n).random(4)) for n in first)
    core = np.random.default_rng(5)
    assert not np.allclose(extension_stream(core, "noisy").random(4), np.random.default_rng(5).random(4))
    # same seed sequence and name → the same stream, whatever the core generator has drawn since
    start = extension_stream(core, "noisy").random(4)
    core.random(100)
    assert np.array_equal(extension_stream(core, "noisy").random(4), start)
    with pytest.raises(ExtensionError, match="no extension named 'parking'.*noisy, quiet"):
        a.extension_rng("parking")
