"""summary.json after a simulation: each requirement gains ``achieved_mean`` and ``probability_met``."""

from __future__ import annotations

from typing import Any

from scenarios.schema import Scenario


def skeleton(scenario: Scenario, mode: str) -> dict[str, Any]:
    """The summary of a simulation with no optimiser behind it (the status quo, or a plan file alone)."""
    return {
        "status": "simulated",
        "mode": mode,
        "requirements": [
            {"target": r.target, "kind": r.kind, "year": r.year, "required": r.required} for r in scenario.requirements
        ],
    }


def with_simulation(summary: dict[str, Any], achieved: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge per-requirement simulation results into a summary, matching target, kind and year."""
    by_key = {(a["target"], a["kind"], a["year"]): a for a in achieved}
    merged = []
    for req in summary.get("requirements", []):
        a = by_key.get((req["target"], req["kind"], req["year"]), {})
        merged.append({**req, "achieved_mean": a.get("achieved_mean"), "probability_met": a.get("probability_met")})
    return {**summary, "requirements": merged}
