"""Is raising pay worth it? Two pay policies, planned and simulated under common random numbers.

    python -m scenarios.examples.pay_policy tutorial

Option A is the scenario's own pay policy; option B keeps today's pay every year. Both are
planned at minimum cost and simulated with the same seed, so replication r of A and of B
meet the same residents and the same luck: the difference is the policy's.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pandas as pd

import optimize
from model.plan import plan_from_result
from model.runner import simulate
from scenarios.loader import load
from scenarios.schema import Scenario, frozen_map


def todays_pay(scenario: Scenario) -> Scenario:
    """The same scenario with every staff kind kept at today's pay."""
    staff = {s: replace(k, pay_share=(k.base_pay_share,) * scenario.years) for s, k in scenario.staff.items()}
    return replace(scenario, staff=frozen_map(staff))


def exits_and_met(scenario: Scenario, replications: int) -> tuple[pd.Series, pd.DataFrame]:
    """Plan at minimum cost, simulate: (cost and mean staff exits, replication × target met)."""
    result = optimize.solve(scenario, marginal_costs=False)
    sim = simulate(scenario, plan_from_result(result, scenario), replications=replications)
    exits = [c for c in sim.columns[3:] if c.startswith("exits_")]
    idx = [sim.columns.index(c) - 3 for c in exits]
    total_exits = np.mean([rep.timeseries[:, :, idx].sum() for rep in sim.replications])
    met = pd.DataFrame(
        [(rep.index, t, ok) for rep in sim.replications for (_, t, _, _, _, ok) in rep.attainment],
        columns=["replication", "target", "met"],
    )
    per_target = met.groupby(["replication", "target"])["met"].all().unstack("target")
    return pd.Series({"total_cost": result.total_cost, "staff_exits": total_exits}), per_target


def compare_pay(scenario_name: str, replications: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A table of cost and exits per policy, and paired P(A meets a target and B does not)."""
    base = load(scenario_name)
    a, met_a = exits_and_met(base, replications)
    b, met_b = exits_and_met(todays_pay(base), replications)
    table = pd.DataFrame({"A: the plan's pay policy": a, "B: today's pay": b})
    paired = pd.DataFrame(
        {
            "P(A met, B not)": (met_a & ~met_b).mean(),
            "P(B met, A not)": (met_b & ~met_a).mean(),
            "P(A met)": met_a.mean(),
            "P(B met)": met_b.mean(),
        }
    )
    return table, paired


def main(argv: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="tutorial")
    ap.add_argument("--replications", type=int, default=10)
    args = ap.parse_args(argv)
    table, paired = compare_pay(args.scenario, args.replications)
    print(table.to_string(float_format=lambda v: f"{v:,.1f}"))
    print()
    print(paired.to_string(float_format=lambda v: f"{v:.2f}"))
    return table, paired


if __name__ == "__main__":
    main()
