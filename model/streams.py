"""Each extension's own random stream, so its draws never shift the core's (common random numbers)."""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["EXTENSION_STREAM", "extension_stream", "own_stream"]

#: The spawn key under a model's seed sequence where extensions' own streams live.
EXTENSION_STREAM = zlib.crc32(b"extension")


def extension_stream(core: np.random.Generator, name: str) -> np.random.Generator:
    """The random stream of the extension called ``name`` in a model whose generator is ``core``.

    Derived from ``core``'s seed sequence (its entropy and spawn key, e.g. the replication's)
    plus ``EXTENSION_STREAM`` and ``zlib.crc32(name)``, without drawing from ``core``: the
    core's own draws stay the same with and without the extension, and the same seed and
    name always give the same stream.
    """
    bits = core.bit_generator
    seq = getattr(bits, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):  # a generator not built from a seed sequence
        seq = np.random.SeedSequence(zlib.crc32(repr(bits.state).encode()))
    key = (*seq.spawn_key, EXTENSION_STREAM, zlib.crc32(name.encode()))
    return np.random.default_rng(np.random.SeedSequence(seq.entropy, spawn_key=key, pool_size=seq.pool_size))


def own_stream(core: np.random.Generator, number: int) -> np.random.Generator:
    """A stream of the model's own under ``core``'s seed sequence (``number``: a
    :mod:`scenarios.seeding` stream number), drawn without drawing from ``core``: adding
    such draws (e.g. developers' deliveries) leaves every existing draw as it was."""
    bits = core.bit_generator
    seq = getattr(bits, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):
        seq = np.random.SeedSequence(zlib.crc32(repr(bits.state).encode()))
    key = (*seq.spawn_key, number)
    return np.random.default_rng(np.random.SeedSequence(seq.entropy, spawn_key=key, pool_size=seq.pool_size))
