"""Sensitivity throughput: a Morris analysis on 1 and on 2 local processes; wall time and parallel efficiency.

The plan is solved once (the same work whatever the parallelism); each configuration then
simulates every design point afresh in its own folder and computes the indices.
Parallel efficiency at 2 workers = t(1) / (2 · t(2)). The machine's load average before
each timing is printed too: on a shared machine it explains much of the spread.

Prints the figures and writes them to ``benchmarks/results/sensitivity.txt``.
Run: ``.venv/bin/python benchmarks/sensitivity.py [--scenario chifeng_2008] [--trajectories 10]
[--parameters K] [--replications 1]`` (``--parameters K``: the first K parameters with a
plausible range instead of all of them; the cost is trajectories × (K + 1) × replications runs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commplan.sensitivity import Sensitivity, ranges_of  # noqa: E402
from scenarios.loader import load  # noqa: E402


def timed(
    base: Path, scenario, ranges, trajectories: int, replications: int, processes: int
) -> tuple[float, int, bytes]:
    """Copy the planned folder, simulate every point and write the indices; return seconds, points, sensitivity.csv."""
    folder = Path(tempfile.mkdtemp(prefix="sens-bench-"))
    shutil.copytree(base, folder, dirs_exist_ok=True)
    sens = Sensitivity(scenario, folder, "morris", trajectories, replications, scenario.seed, ranges)
    t0 = time.perf_counter()
    n = sens.run_points(processes=processes)
    sens.write({})
    seconds = time.perf_counter() - t0
    table = (folder / "sensitivity.csv").read_bytes()
    shutil.rmtree(folder)
    return seconds, n, table


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="chifeng_2008")
    ap.add_argument("--trajectories", type=int, default=10)
    ap.add_argument("--parameters", type=int, help="only the first K parameters (default: all)")
    ap.add_argument("--replications", type=int, default=1)
    args = ap.parse_args()
    scenario = load(args.scenario)
    names = list(ranges_of())
    ranges = ranges_of(names[: args.parameters] if args.parameters else names)

    base = Path(tempfile.mkdtemp(prefix="sens-plan-"))
    sens = Sensitivity(scenario, base, "morris", args.trajectories, args.replications, scenario.seed, ranges)
    t0 = time.perf_counter()
    sens.make_plan(None)
    plan_seconds = time.perf_counter() - t0

    results, loads = {}, {}
    for processes in (1, 2):
        loads[processes] = os.getloadavg()[0]
        results[processes] = timed(base, scenario, ranges, args.trajectories, args.replications, processes)
    shutil.rmtree(base)

    t1, t2 = results[1][0], results[2][0]
    points = results[1][1]
    lines = [
        f"sensitivity (Morris): {args.scenario} ({len(scenario.communities)} communities, {scenario.years} years), "
        f"{args.trajectories} trajectories x ({len(ranges)} of {len(names)} parameters + 1) = {points} points "
        f"x {args.replications} replication(s) = {points * args.replications} simulated runs",
        f"plan (min-cost, no marginal costs): {plan_seconds:.2f} s",
    ]
    for processes, (seconds, n, _) in results.items():
        lines.append(
            f"{processes} process{'es' if processes > 1 else '  '}: {seconds:8.1f} s  {60 * n * args.replications / seconds:7.1f} runs/minute"
            f"  (load average before: {loads[processes]:.1f} on {os.cpu_count()} cores)"
        )
    lines.append(f"speed-up {t1 / t2:.2f}x, parallel efficiency t1 / (2 t2) = {t1 / (2 * t2):.1%}")
    lines.append(f"sensitivity.csv identical on 1 and 2 processes: {results[1][2] == results[2][2]}")
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).resolve().parent / "results" / "sensitivity.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
