"""What a solve writes: ``plan.csv``, ``summary.json`` and the two plan charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimize.result import PlanResult
from results.plan_plots import plot_attainment, plot_cost_breakdown
from results.summary import complete_requirements
from scenarios.files import write_csv, write_json
from scenarios.schema import Scenario


def write_plan(
    result: PlanResult, scenario: Scenario, out_dir: str | Path, extra: dict[str, Any] | None = None
) -> dict[str, Path]:
    """Write ``plan.csv`` (when there is a plan), ``summary.json`` and the two charts into ``out_dir``.

    ``extra`` keys join ``summary.json`` (a confidence plan's ``confidence`` and record).

    Every file is written atomically (scenarios.files). Returns the paths written, by name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if result.feasible:
        header, rows = result.plan_rows()
        write_csv(out / "plan.csv", header, rows)
        written["plan.csv"] = out / "plan.csv"
    summary = complete_requirements({**result.summary(), **(extra or {})}, scenario)
    write_json(out / "summary.json", summary)
    written["summary.json"] = out / "summary.json"
    if result.feasible:
        assert result.costs is not None  # a result with a plan has its costs
        written["cost_breakdown.png"] = plot_cost_breakdown(summary, result.costs, scenario, out / "cost_breakdown.png")
    written["attainment.png"] = plot_attainment(summary, scenario, out / "attainment.png")
    return written
