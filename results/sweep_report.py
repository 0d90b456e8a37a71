"""A sweep's page for a director: per budget, what it costs, what it leaves short, and how likely each target is.

``shortfalls.csv`` holds one row per budget and requirement (the budget's plan, its
shortfall in the plan and its simulated probability); ``sweep.html`` shows the same,
budget by budget, with the frontier chart.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from results.compare import csv_text
from results.confidence import reason
from results.i18n import tr, year_label
from results.report import html_image, html_page, html_table
from results.style import money_label
from scenarios.files import atomic_write_text
from scenarios.schema import Scenario
from scenarios.targets import unit

COLUMNS = [
    "budget",
    "status",
    "total_cost",
    "target",
    "kind",
    "year",
    "calendar_year",
    "required",
    "planned",
    "short_in_plan",
    "probability_met",
]


def shortfalls(scenario: Scenario, budgets: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per budget and requirement.

    ``budgets``: per budget ``{"budget", "summary" (its summary.json), "attainment" (its
    replications' attainment rows, or None)}``. ``short_in_plan`` is how many communities,
    facilities or staff the plan is short of the requirement (0 when it meets it);
    ``probability_met`` the share of simulated replications meeting it.
    """
    rows = []
    for b in budgets:
        summary = b["summary"]
        attainment = b.get("attainment")
        probability: dict[tuple[str, str, int], float] = {}
        if attainment is not None and len(attainment):
            met = attainment.groupby(["target", "kind", "year"])["met"].mean()
            probability = {(str(t), str(k), int(y)): float(p) for (t, k, y), p in met.items()}
        for r in summary.get("requirements", []):
            planned = r.get("planned")
            rows.append(
                {
                    "budget": b["budget"],
                    "status": summary.get("status"),
                    "total_cost": summary.get("total_cost"),
                    "target": r["target"],
                    "kind": r["kind"],
                    "year": r["year"],
                    "calendar_year": scenario.start_year + int(r["year"]) - 1,
                    "required": r["required"],
                    "planned": planned,
                    "short_in_plan": None if planned is None else max(float(r["required"]) - float(planned), 0.0),
                    "probability_met": probability.get((r["target"], r["kind"], int(r["year"]))),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def write_sweep_report(
    out: Path, scenario: Scenario, frontier: pd.DataFrame, table: pd.DataFrame, chart: Path | None
) -> list[Path]:
    """Write ``shortfalls.csv`` and ``sweep.html`` into the sweep folder."""
    atomic_write_text(out / "shortfalls.csv", csv_text(table))
    body = [
        f"<h1>{html.escape(tr('{title}: budgets compared', title=scenario.title))}</h1>",
        f"<h2>{tr('What each budget buys and what it leaves short')}</h2>",
    ]
    if "probability_all_met_at_most" in frontier and frontier["probability_all_met_at_most"].notna().any():
        first = frontier[frontier["probability_all_met_at_most"].notna()].iloc[0]
        body.append(
            "<p>"
            + html.escape(
                tr(
                    "No budget lifts the probability of meeting every target above {p}, whatever the plan: {why}.",
                    p=f"{float(first['probability_all_met_at_most']):.2g}",
                    why=reason(str(first["capped_by"])),
                )
            )
            + "</p>"
        )
    for budget, rows in table.groupby("budget", sort=True):
        line = frontier[frontier["budget"] == budget]
        f = line.iloc[0] if len(line) else pd.Series(dtype=object)
        body.append(f"<h3>{html.escape(tr('Budget {budget} yuan', budget=f'{float(budget):,.0f}'))}</h3>")  # type: ignore[arg-type]
        status = str(f.get("status", ""))
        if status not in ("optimal", "optimal_within_gap", "time_limit"):
            body.append(f"<p>{tr('no plan fits this budget')}</p>")
            continue
        p_all = f.get("probability_all_met")
        body.append(
            "<p>"
            + html.escape(
                tr(
                    "plan cost {cost} yuan; {met} of {n} requirements met in the plan; every requirement met in {p} "
                    "of simulated runs",
                    cost=money_label(float(f.get("total_cost", 0.0))),
                    met=int(f.get("requirements_met_planned", 0)),
                    n=int(f.get("requirements", len(rows))),
                    p="—" if p_all is None or pd.isna(p_all) else f"{float(p_all):.0%}",
                )
            )
            + "</p>"
        )
        short = rows[(rows["short_in_plan"].fillna(0) > 1e-6) | (rows["probability_met"].fillna(1) < 0.9)]
        if short.empty:
            body.append(f"<p>{tr('The plan meets every requirement.')}</p>")
            continue
        shown = pd.DataFrame(
            {
                tr("target"): short["target"],
                tr("year"): [year_label(scenario.start_year, int(y)) for y in short["year"]],
                tr("required"): short["required"],
                tr("planned"): short["planned"],
                tr("short by"): [
                    f"{v:g} {tr(unit(k, v))}"
                    for v, k in zip(short["short_in_plan"].fillna(0), short["kind"], strict=True)
                ],
                "probability_met": short["probability_met"],
            }
        )
        body.append(html_table(shown))
    if chart is not None and chart.exists():
        body.append(html_image(chart, tr("{title}: the budget frontier", title=scenario.title)))
    atomic_write_text(out / "sweep.html", html_page(tr("{title}: budgets compared", title=scenario.title), body))
    return [out / "shortfalls.csv", out / "sweep.html"]
