"""Every random draw in commplan flows from the scenario's seed through one SeedSequence.

Each use has its own stream, so adding draws to one (say, a new household attribute in the
simulation) never shifts another (the synthetic city's layout).
"""

from __future__ import annotations

import numpy as np

#: Stream numbers: the first spawn key under the scenario's seed.
GENERATE = 0
SIMULATE = 1
PARAMETERS = 2  # sampling behaviour parameters: sensitivity designs, uncertain futures
CONFIDENCE = 3  # in-sample replications a confidence plan learns from (commplan/confidence.py)
DEVELOPER_SPACE = 4  # under a replication's own sequence: whether developers hand over the space they owe


def seed_sequence(seed: int, stream: int, *index: int) -> np.random.SeedSequence:
    """The SeedSequence of ``stream`` (and e.g. replication ``index``) under ``seed``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(stream, *index))


def rng(seed: int, stream: int, *index: int) -> np.random.Generator:
    return np.random.default_rng(seed_sequence(seed, stream, *index))
