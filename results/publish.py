"""Turn a run folder's tables into its charts and report (called by the commands, or by hand)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from results import analysis, i18n, plots
from results.compare import csv_text
from results.confidence import price_chart, price_rows
from results.plan_plots import plot_attainment, plot_cost_breakdown
from results.report import write_report
from results.runs import Run, load_run
from results.style import save
from results.workbook import write_workbook
from scenarios.files import atomic_write_text
from scenarios.schema import Scenario


def publish(path: str | Path, *, finished: bool = False, lang: str | None = None) -> list[Path]:
    """Write ``communities.csv`` and ``results.xlsx``, draw every chart the folder's tables allow,
    then ``report.html``, in ``lang`` (default: the language in force, English unless set);
    returns what was written."""
    with i18n.use(lang):
        run = load_run(path, finished=finished)
        tables = write_tables(run)
        charts = draw_charts(run)
        return [*tables, *[p for p, _ in charts], write_report(run, charts)]


def write_tables(run: Run) -> list[Path]:
    """``communities.csv`` (community by community, planned and simulated) and ``results.xlsx``."""
    written = []
    communities = None
    if run.plan is not None or run.timeseries is not None:
        communities = analysis.communities_table(run.scenario, run.plan, run.timeseries)
        atomic_write_text(run.path / "communities.csv", csv_text(communities))
        written.append(run.path / "communities.csv")
    written.append(
        write_workbook(run.path / "results.xlsx", run.summary, run.plan, communities, run.scenario.start_year)
    )
    return written


def draw_charts(run: Run) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    title = run.scenario.title
    tr = i18n.tr
    if run.summary and run.summary.get("cost_by_line") and run.plan is not None:
        out.append((plots_of_plan(run), tr("Cost by year and line")))
    req = run.requirements()
    if not req.empty and run.attainment is not None:
        fig = plots.requirements_chart(
            req, run.attainment, tr("{title}: required, planned and achieved", title=title), run.scenario.start_year
        )
        fig_path = save(fig, run.path / "targets.png")
        out.append(
            (
                fig_path,
                tr(
                    "Each requirement by year: required, planned, and achieved in the simulation (median and 5–95 % range)"
                ),
            )
        )
    elif run.summary and (run.path / "attainment.png").exists():
        plot_attainment(run.summary, run.scenario, run.path / "attainment.png")
        out.append((run.path / "attainment.png", tr("Does the plan meet each target? (required and planned)")))
    if run.timeseries is not None and len(run.timeseries):
        fig = plots.fan_charts(run.timeseries, tr("{title}: month by month over the plan", title=title))
        out.append(
            (
                save(fig, run.path / "fans.png"),
                tr("City-wide satisfaction, unmet demand and staff: median and 5–95 % of replications"),
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
        fig = price_chart(
            price_rows(run.summary), run.summary["confidence"], tr("{title}: the price of confidence", title=title)
        )
        out.append(
            (
                save(fig, run.path / "confidence_price.png"),
                tr("Total cost of the cheapest plan found at each confidence level (the chosen one in orange)"),
            )
        )
    communities = analysis.communities_table(run.scenario, run.plan, run.timeseries)
    if any(c.startswith("probability_") for c in communities.columns):
        fig = plots.community_grid(
            communities,
            run.scenario,
            tr("{title}: simulated probability each community meets each target, by year", title=title),
        )
        out.append(
            (
                save(fig, run.path / "communities.png"),
                tr("Probability each community meets each target in the simulation (planned: ○ meets, × does not)"),
            )
        )
        if all(c.lon is not None and c.lat is not None for c in run.scenario.communities):
            fig = plots.community_map(communities, run.scenario, tr("{title}: where the communities are", title=title))
            out.append(
                (
                    save(fig, run.path / "communities_map.png"),
                    tr(
                        "Where the communities are: colour is the share of per-community targets met with ≥ 90 % "
                        "probability in the last year"
                    ),
                )
            )
    elif run.plan is not None and any(c.startswith("meets_") for c in run.plan.columns):
        fig = plots.community_heatmap(
            run.plan, tr("{title}: which community meets which target in the plan", title=title), run.scenario
        )
        out.append((save(fig, run.path / "communities.png"), tr("Targets met by each community and year in the plan")))
    return out


def plots_of_plan(run: Run) -> Path:
    """cost_breakdown.png again, in the language in force, from plan.csv (the solve drew it in English)."""
    costs = analysis.planned_cost_table(run.path, run.scenario)
    assert run.summary is not None and costs is not None  # called when there is a plan
    return plot_cost_breakdown(run.summary, costs, run.scenario, run.path / "cost_breakdown.png")


def reported_columns(timeseries: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The columns of ``timeseries.csv`` the core does not write: extensions' reporters."""
    from model.invariants import extension_columns  # Mesa only where there is a simulation

    values = [c for c in timeseries.columns if c not in ("replication", "month", "community")]
    return extension_columns(values, facilities=scenario.facilities)
