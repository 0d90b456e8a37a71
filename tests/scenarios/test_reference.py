"""The scenario reference in docs/ is generated from the key declarations and must match them."""

from scenarios import fields as F
from scenarios.reference import DOC, render


def test_committed_reference_matches_the_declarations():
    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m scenarios.reference"


def test_reference_lists_every_key():
    text = render()
    for keys in (
        F.SCENARIO,
        F.COSTS,
        F.FACILITY,
        F.STAFF,
        F.BUDGET,
        F.COMMUNITY,
        F.GENERATE,
        F.CONDITIONS,
        F.REQUIREMENTS,
        F.simulation_keys(),
    ):
        for k in keys:
            assert f"| `{k.name}` |" in text
