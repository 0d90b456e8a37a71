"""Sweep throughput: simulated runs per minute with 1 process, 2 processes and a Dask cluster.

A sweep's work is budgets × replications. The plans are solved once (they are the same
work whatever the parallelism) and each configuration then simulates every unit afresh in
its own folder. Parallel efficiency at 2 workers = t(1) / (2 · t(2)).

Prints the figures and writes them to ``benchmarks/results/sweep_throughput.txt``.
Run: ``.venv/bin/python benchmarks/sweep_throughput.py [--scenario chifeng_2008] [--replications 8]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commplan.sweep import Sweep  # noqa: E402
from scenarios.loader import load  # noqa: E402


def timed_simulations(base: Path, scenario, budgets, replications: int, **how) -> tuple[float, int, bytes]:
    """Copy the planned sweep, drop its replications, simulate them all; return seconds, units, frontier."""
    folder = Path(tempfile.mkdtemp(prefix="sweep-bench-"))
    shutil.copytree(base, folder, dirs_exist_ok=True)
    for f in folder.glob("units/*/rep-*.csv"):
        f.unlink()
    sweep = Sweep(scenario, budgets, folder, replications, scenario.seed)
    t0 = time.perf_counter()
    n = sweep.run_simulations(**how)
    seconds = time.perf_counter() - t0
    sweep.write_frontier()
    frontier = (folder / "frontier.csv").read_bytes()
    shutil.rmtree(folder)
    return seconds, n, frontier


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="chifeng_2008")
    ap.add_argument("--budgets", default="20e6,35e6,50e6")
    ap.add_argument("--replications", type=int, default=8)
    args = ap.parse_args()
    scenario = load(args.scenario)
    budgets = [float(b) for b in args.budgets.split(",")]

    base = Path(tempfile.mkdtemp(prefix="sweep-plans-"))
    sweep = Sweep(scenario, budgets, base, args.replications, scenario.seed)
    t0 = time.perf_counter()
    sweep.run_plans()
    plan_seconds = time.perf_counter() - t0

    results = {}
    results["1 process"] = timed_simulations(base, scenario, budgets, args.replications, processes=1)
    results["2 processes"] = timed_simulations(base, scenario, budgets, args.replications, processes=2)
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        results["Dask, 2 workers"] = timed_simulations(
            base, scenario, budgets, args.replications, scheduler=cluster.scheduler_address
        )
    shutil.rmtree(base)

    t1 = results["1 process"][0]
    lines = [
        f"sweep throughput: {args.scenario} ({len(scenario.communities)} communities, {int(scenario.households().sum()):,} households), "
        f"{len(budgets)} budgets x {args.replications} replications = {len(budgets) * args.replications} simulated runs",
        f"plans (max-attainment frontier, one built model): {plan_seconds:.2f} s for {len(budgets)} budgets",
    ]
    for name, (seconds, n, _) in results.items():
        workers = 1 if name == "1 process" else 2
        eff = t1 / (workers * seconds)
        lines.append(
            f"{name:>16}: {seconds:7.2f} s  {60 * n / seconds:7.1f} runs/minute  speed-up {t1 / seconds:4.2f}x  parallel efficiency {eff:6.1%}"
        )
    frontiers = {f for _, _, f in results.values()}
    lines.append(f"frontier.csv identical across the three: {len(frontiers) == 1}")
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).resolve().parent / "results" / "sweep_throughput.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
