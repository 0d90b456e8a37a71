"""Scenarios for the extension tests: the tutorial city with extensions named in [scenario]."""

from __future__ import annotations

import textwrap
from pathlib import Path

from scenarios.loader import loads

TUTORIAL = (Path(__file__).parents[2] / "scenarios" / "tutorial.toml").read_text(encoding="utf-8")

CAR_PARK = """
[facilities.car_park]           # assumption: a 150-space community car park
build = 400000
running = 20000
"""

VILLAGE = """
[facilities.legal_office]
build = 50000
running = 8000

[staff.grid_worker]
hire = 1000
base_pay_share = 0.5
"""


def tutorial_text(extensions: list[str], extra: str = "", simulation: str = "") -> str:
    names = ", ".join(f'"{e}"' for e in extensions)
    text = TUTORIAL.replace("[scenario]\n", f"[scenario]\nextensions = [{names}]\n", 1)
    text = text.replace("[budget]", extra + "\n[budget]", 1)
    return text + "\n[simulation]\n" + textwrap.dedent(simulation)


def parking_city(simulation: str = ""):
    return loads(tutorial_text(["extensions.parking"], CAR_PARK, simulation))


def village_city(extensions=("tests.extensions.village",), simulation: str = ""):
    return loads(tutorial_text(list(extensions), VILLAGE, simulation))
