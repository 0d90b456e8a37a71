"""Example extensions of the simulation, kept outside ``model/`` (see docs/extending.md).

A scenario names one with ``[scenario] extensions = ["extensions.parking"]``.
"""
