"""How much longer ``commplan run --confidence P`` takes than ``commplan run`` (issue 12's goal:
at most 5× on chifeng_2008 at P = 0.9).

Each command runs in a fresh process, as a planner runs it, with its outputs in a temporary
folder; each confidence run sits between two plain runs, and its ratio is to their mean, so
that a machine whose speed drifts during the measurement moves both sides. The figures are
appended to ``benchmarks/results/confidence_run.txt`` and kept by scenario and level in
``confidence_run.json``.

    python -m benchmarks.confidence_run [--scenario chifeng_2008] [--confidence 0.9] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def timed(args: list[str]) -> float:
    """Seconds for ``commplan`` with ``args`` in a fresh process; a failure stops the benchmark."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "commplan.cli", *args, "--out", out, "--force", "--quiet"],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"commplan {' '.join(args)} failed (exit {done.returncode}):\n{done.stderr}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.confidence_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="chifeng_2008")
    parser.add_argument("--confidence", type=float, default=0.9)
    parser.add_argument("--repeat", type=int, default=1, help="confidence runs, each between two plain runs")
    parser.add_argument("--note", default="", help="a word on the code and the machine (commit, load)")
    args = parser.parse_args(argv)
    plain = [timed(["run", args.scenario])]
    confident: list[float] = []
    for _ in range(args.repeat):
        confident.append(timed(["run", args.scenario, "--confidence", f"{args.confidence:g}"]))
        plain.append(timed(["run", args.scenario]))
    ratios = [c / ((plain[i] + plain[i + 1]) / 2) for i, c in enumerate(confident)]
    entry = {
        "plain_seconds": [round(t, 1) for t in plain],
        "confidence_seconds": [round(t, 1) for t in confident],
        "ratios": [round(r, 2) for r in ratios],
        "ratio": round(sum(confident) / len(confident) / (sum(plain) / len(plain)), 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "note": args.note,
    }
    line = (
        f"{args.scenario} run --confidence {args.confidence:g}: "
        + ", ".join(f"{t:.1f} s" for t in confident)
        + " against run "
        + ", ".join(f"{t:.1f} s" for t in plain)
        + f": {entry['ratio']:.2f}× ({', '.join(f'{r:.2f}×' for r in ratios)} each against the runs around it)"
        + (f"; {args.note}" if args.note else "")
    )
    print(line)
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "confidence_run.txt").open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    path = RESULTS / "confidence_run.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept[f"{args.scenario} {args.confidence:g}"] = entry
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(kept, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)  # never half-written
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
