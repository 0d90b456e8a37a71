"""The price and the reliability of confidence plans.

For each scenario and level P: the deterministic plan's cost, the confidence plan's cost
and premium, the loop's wall time and rounds, and the plan's probabilities *out of
sample* (fresh seeds the planner never saw): mean and worst over requirements. Also the
wall time of today's `run` (deterministic plan + 20 replications) for the ratio. Writes
``benchmarks/results/confidence.json`` and prints a table.

    python -m benchmarks.confidence [--scenarios tutorial chifeng_2008] [--levels 0.8 0.9 0.95]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import optimize
from commplan.confidence import plan_with_confidence
from model.plan import plan_from_result
from model.runner import simulate
from scenarios.loader import load

OUT = Path(__file__).parent / "results"
FRESH_SEED = 8_675_309  # neither the scenario's seed nor its in-sample stream


def measure(name: str, levels: list[float], fresh: int) -> list[dict]:
    s = load(name)
    t0 = time.perf_counter()
    det = optimize.solve(s, marginal_costs=False)
    simulate(s, plan_from_result(det, s), replications=20, seed=s.seed)
    run_seconds = time.perf_counter() - t0
    rows = []
    for p in levels:
        t0 = time.perf_counter()
        cp = plan_with_confidence(s, p)
        seconds = time.perf_counter() - t0
        sim = simulate(s, plan_from_result(cp.result, s), replications=fresh, seed=FRESH_SEED)
        probs = [r["probability_met"] for r in sim.requirements(s)]
        rows.append(
            {
                "scenario": name,
                "confidence": p,
                "deterministic_cost": det.total_cost,
                "cost": cp.result.total_cost,
                "premium": cp.result.total_cost / det.total_cost - 1,
                "rounds": len(cp.iterations),
                "in_sample_replications": sum(i["replications"] for i in cp.iterations),
                "seconds": seconds,
                "run_seconds": run_seconds,
                "time_ratio_to_run": seconds / run_seconds,
                "out_of_sample_mean": float(np.mean(probs)),
                "out_of_sample_worst": float(np.min(probs)),
                "reached_in_sample": cp.reached_in_sample,
                "unreachable": cp.unreachable,
                "margins": cp.margins.describe(),
            }
        )
        print(
            f"{name:18} P={p:<5} cost {det.total_cost:>14,.0f} → {cp.result.total_cost:>14,.0f} "
            f"(+{100 * rows[-1]['premium']:.1f} %), {len(cp.iterations)} rounds, {seconds:.0f} s "
            f"({rows[-1]['time_ratio_to_run']:.1f}× run), out of sample ({fresh} reps): mean "
            f"{rows[-1]['out_of_sample_mean']:.3f}, worst {rows[-1]['out_of_sample_worst']:.3f}",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.confidence", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", nargs="*", default=["tutorial", "chifeng_2008", "guandu_2016"])
    parser.add_argument("--levels", nargs="*", type=float, default=[0.8, 0.9, 0.95])
    parser.add_argument("--fresh", type=int, default=40, help="out-of-sample replications")
    args = parser.parse_args(argv)
    rows = [row for name in args.scenarios for row in measure(name, args.levels, args.fresh)]
    OUT.mkdir(exist_ok=True)
    (OUT / f"confidence_{'_'.join(args.scenarios)}.json").write_text(
        json.dumps(rows, indent=2) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
