"""Compare budget options programmatically: what each total budget buys, and how likely it holds.

    python -m scenarios.examples.compare_budgets county_city 100000 200000 300000

For each budget the optimiser finds the plan with the most attainment it can afford (one
built model for all budgets), the simulation runs that plan with common random numbers,
and a table and chart put the options side by side.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import optimize
from model.plan import plan_from_result
from model.runner import simulate
from results import style
from results.style import figure, money_label, save
from scenarios.loader import load


def compare_budgets(scenario_name: str, budgets: list[float], replications: int = 10) -> pd.DataFrame:
    """One row per budget: planned cost and attainment, and the simulated chance every target holds."""
    scenario = load(scenario_name)
    rows = []
    for budget, result in zip(budgets, optimize.frontier(scenario, budgets), strict=True):
        row = {
            "budget": budget,
            "status": result.status,
            "planned_cost": result.total_cost,
            "planned_attainment": result.attainment,
        }
        if result.feasible:
            sim = simulate(scenario, plan_from_result(result, scenario), replications=replications)
            met = pd.DataFrame(
                [(rep.index, target, ok) for rep in sim.replications for (_, target, _, _, _, ok) in rep.attainment],
                columns=["replication", "target", "met"],
            )
            row["p_every_target"] = met.groupby("replication")["met"].all().mean()
        rows.append(row)
    return pd.DataFrame(rows)


@style.chart
def chart(table: pd.DataFrame, title: str, path: Path) -> Path:
    fig = figure(7, 4)
    ax = fig.subplots()
    ax.plot(table["budget"], 100 * table["planned_attainment"], "o-", label="planned attainment")
    if "p_every_target" in table:
        ax.plot(table["budget"], 100 * table["p_every_target"], "s--", label="P(every target met), simulated")
    ax.set_xlabel("total budget (yuan)")
    ax.xaxis.set_major_formatter(lambda v, _: money_label(v))
    ax.set_ylabel("%")
    ax.set_ylim(-3, 103)
    ax.set_title(title)
    ax.legend()
    return save(fig, path)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("budgets", type=float, nargs="+")
    ap.add_argument("--replications", type=int, default=10)
    ap.add_argument("--out", type=Path, default=Path("runs/compare-budgets"))
    args = ap.parse_args(argv)
    table = compare_budgets(args.scenario, args.budgets, args.replications)
    print(table.to_string(index=False))
    print("chart:", chart(table, f"{args.scenario}: what each budget buys", args.out / "budgets.png"))
    return table


if __name__ == "__main__":
    main()
