"""Turn a run folder's tables into its charts and report (called by the commands, or by hand)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from model.invariants import extension_columns
from results import plots
from results.confidence import price_chart, price_rows
from results.report import write_report
from results.runs import Run, load_run
from results.style import save
from scenarios.schema import Scenario


def publish(path: str | Path, *, finished: bool = False) -> list[Path]:
    """Draw every chart the folder's tables allow, then ``report.html``; returns what was written."""
    run = load_run(path, finished=finished)
    charts = draw_charts(run)
    return [*[p for p, _ in charts], write_report(run, charts)]


def draw_charts(run: Run) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    title = run.scenario.title
    for existing, caption in (
        ("cost_breakdown.png", "Cost by year and line"),
        ("attainment.png", "Required and planned, by requirement"),
    ):
        if (run.path / existing).exists():
            out.append((run.path / existing, caption))
    req = run.requirements()
    if not req.empty and run.attainment is not None:
        fig = plots.requirements_chart(req, run.attainment, f"{title}: required, planned and achieved")
        chart = (
            save(fig, run.path / "targets.png"),
            "Each requirement by year: required, planned, and achieved in the simulation (median and 5–95 % range)",
        )
        out = [c for c in out if c[0].name != "attainment.png"] + [chart]  # it adds "achieved" to the plan-only chart
    if run.timeseries is not None and len(run.timeseries):
        fig = plots.fan_charts(run.timeseries, f"{title}: month by month over the plan")
        out.append(
            (
                save(fig, run.path / "fans.png"),
                "City-wide satisfaction, unmet demand and staff: median and 5–95 % of replications",
            )
        )
        for column in plots.numeric_columns(run.timeseries, reported_columns(run.timeseries, run.scenario)):
            fig = plots.extension_fan(run.timeseries, column, f"{title}: {column} (an extension's column)")
            out.append(
                (
                    save(fig, run.path / f"extension_{re.sub(r'[^A-Za-z0-9_.-]', '_', column)}.png"),
                    f"{column} (reported by an extension), summed over communities: median and 5–95 % of replications",
                )
            )
    if run.summary and price_rows(run.summary):
        fig = price_chart(price_rows(run.summary), run.summary["confidence"], f"{title}: the price of confidence")
        out.append(
            (
                save(fig, run.path / "confidence_price.png"),
                "Total cost of the cheapest plan found at each confidence level (the chosen one in orange)",
            )
        )
    if run.plan is not None and any(c.startswith("meets_") for c in run.plan.columns):
        fig = plots.community_heatmap(run.plan, f"{title}: which community meets which target in the plan")
        out.append((save(fig, run.path / "communities.png"), "Targets met by each community and year in the plan"))
    return out


def reported_columns(timeseries: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The columns of ``timeseries.csv`` the core does not write: extensions' reporters."""
    values = [c for c in timeseries.columns if c not in ("replication", "month", "community")]
    return extension_columns(values, facilities=scenario.facilities)
