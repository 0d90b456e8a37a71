"""summary.json after a simulation: each requirement gains ``achieved_mean`` and ``probability_met``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from scenarios import limits as L
from scenarios.problems import InputError, Unreadable, open_regular, read_limited
from scenarios.schema import Scenario


def skeleton(scenario: Scenario, mode: str) -> dict[str, Any]:
    """The summary of a simulation with no optimiser behind it (the status quo, or a plan file alone)."""
    return complete_requirements({"status": "simulated", "mode": mode, "requirements": []}, scenario)


def complete_requirements(summary: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
    """Every requirement of the scenario, in its order, each saying who judges it.

    The optimiser plans without outcome conditions (satisfaction, organisations,
    participation: :meth:`~scenarios.schema.Scenario.planning`), so a target of an outcome
    alone has no planned row: it is added with ``planned`` null. ``evaluated_by`` is "plan",
    "simulation" or "plan and simulation" (the plan buys the part it can, the simulation judges the rest).
    """
    by_key = {(r["target"], r["kind"], r["year"]): r for r in summary.get("requirements", [])}
    rows = []
    for r in scenario.requirements:
        row = by_key.pop((r.target, r.kind, r.year), None)
        if row is None:
            row = {"target": r.target, "kind": r.kind, "year": r.year, "required": r.required, "planned": None}
        rows.append({**row, "evaluated_by": scenario.target(r.target).evaluated_by})
    rows += list(by_key.values())  # rows of a summary written for another scenario stay as they were
    return {**summary, "requirements": rows}


def with_simulation(summary: dict[str, Any], achieved: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge per-requirement simulation results into a summary, matching target, kind and year."""
    by_key = {(a["target"], a["kind"], a["year"]): a for a in achieved}
    merged = []
    for req in summary.get("requirements", []):
        a = by_key.get((req["target"], req["kind"], req["year"]), {})
        merged.append({**req, "achieved_mean": a.get("achieved_mean"), "probability_met": a.get("probability_met")})
    return {**summary, "requirements": merged}


def wilson(k: int, n: int, z: float = 1.6449) -> tuple[float, float]:
    """The Wilson 90 % interval of a proportion ``k / n`` (sound near 0 and 1, unlike p ± z·se)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def with_intervals(summary: dict[str, Any], replications: int) -> dict[str, Any]:
    """Each simulated requirement's 90 % ``probability_interval``; with a ``confidence``, also
    ``confidence_reached``: whether every requirement's probability reached it."""
    rows = []
    reached = True
    confidence = summary.get("confidence")
    for r in summary.get("requirements", []):
        p = r.get("probability_met")
        if p is None:
            rows.append(r)
            continue
        low, high = wilson(round(p * replications), replications)
        rows.append({**r, "probability_interval": [round(low, 4), round(high, 4)]})
        reached &= confidence is None or p >= confidence
    out = {**summary, "requirements": rows}
    if confidence is not None:
        out["confidence_reached"] = reached
    return out


def _number(v: Any, missing_ok: bool = False) -> bool:
    if v is None:
        return missing_ok
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _shape_problem(summary: Any) -> str | None:
    """What is wrong with the shape of a summary.json, or None (only what readers rely on is checked)."""
    if not isinstance(summary, dict):
        return "it is not a JSON object"
    for key in ("status", "mode"):
        if key in summary and not isinstance(summary[key], str):
            return f"{key} is not text"
    for key in ("total_cost", "gap"):
        if key in summary and not _number(summary[key], missing_ok=True):
            return f"{key} is not a number"
    if "cost_by_year" in summary and not (
        isinstance(summary["cost_by_year"], list) and all(_number(v) for v in summary["cost_by_year"])
    ):
        return "cost_by_year is not a list of numbers"
    if "cost_by_line" in summary and not (
        isinstance(summary["cost_by_line"], dict) and all(_number(v) for v in summary["cost_by_line"].values())
    ):
        return "cost_by_line is not a table of numbers"
    requirements = summary.get("requirements", [])
    if not isinstance(requirements, list):
        return "requirements is not a list"
    for r in requirements:
        if not (
            isinstance(r, dict)
            and isinstance(r.get("target"), str)
            and isinstance(r.get("kind"), str)
            and isinstance(r.get("year"), int)
            and _number(r.get("required"), missing_ok=True)
            and _number(r.get("marginal_cost"), missing_ok=True)
        ):
            return "a requirement lacks its target, kind, year or numbers"
    return None


def read_summary(path: Path) -> dict[str, Any]:
    """The ``summary.json`` that ``commplan plan`` wrote beside a plan, checked before it is carried along.

    Raises :class:`~scenarios.problems.InputError` (exit 1) naming the file when it is not
    one: not a regular file, too large, not JSON, or not of the shape commplan writes.
    """

    def refuse(why: str) -> InputError:
        return InputError(
            f"{path} is not a summary.json written by commplan plan ({why}); remove it, or copy plan.csv to a "
            "folder of its own"
        )

    try:
        with open_regular(path, L.SCENARIO_BYTES) as f:
            summary = json.loads(read_limited(f, L.SCENARIO_BYTES).decode("utf-8"))
    except Unreadable as e:
        raise refuse(f"it {e}") from None
    except OSError as e:
        raise refuse(f"it cannot be read: {e.strerror or e}") from None
    except (UnicodeDecodeError, RecursionError, ValueError) as e:  # JSONDecodeError is a ValueError
        raise refuse(f"it is not JSON: {str(e)[:80]}") from None
    if (why := _shape_problem(summary)) is not None:
        raise refuse(why)
    return summary


def with_analysis(summary: dict[str, Any], scenario: Scenario, out: Path) -> dict[str, Any]:
    """Add what the simulation says about cost and risk, read from the run folder's tables.

    ``simulated_cost_by_year`` and ``simulated_cost_by_line`` (mean over replications, on
    ``cost_by_year``'s basis: above today's wage bill and running costs), ``cost_lines``
    (what each line is), ``cost_differences`` (why simulated spending differs from the
    plan's) and, per requirement met in fewer than 90 % of runs, ``at_risk_reason``.
    Always in English: summary.json is read by scripts; the report words them in its language.
    """
    import pandas as pd

    from results import analysis, i18n

    if not (out / "timeseries.csv").exists():
        return summary
    timeseries = pd.read_csv(out / "timeseries.csv", dtype={"community": str})
    attainment = pd.read_csv(out / "attainment.csv") if (out / "attainment.csv").exists() else None
    with i18n.use("en"):
        simulated = analysis.simulated_costs(timeseries, scenario)
        planned = analysis.planned_cost_table(out, scenario)
        differences = analysis.cost_differences(planned, simulated, timeseries, scenario, analysis.read_plan(out))
        reasons = analysis.at_risk_reasons(summary, attainment, timeseries, scenario) if attainment is not None else {}
    lines = [c for c in simulated.columns if c not in ("year", "total")]
    requirements = [
        {**r, **({"at_risk_reason": why} if (why := reasons.get((r["target"], r["kind"], r["year"]))) else {})}
        for r in summary.get("requirements", [])
    ]
    extra = analysis.developments(timeseries, scenario)
    return {
        **summary,
        **extra,
        "simulated_cost_by_year": [round(float(v), 2) for v in simulated["total"]],
        "simulated_cost_by_line": {k: round(float(simulated[k].sum()), 2) for k in lines},
        "cost_lines": {k: analysis.LINE_MEANINGS[k] for k in lines if k in analysis.LINE_MEANINGS},
        "cost_differences": differences,
        "requirements": requirements,
    }
