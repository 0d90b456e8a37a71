"""SHA-256 of every bundled scenario's outputs, to show a refactor changes no byte.

    python -m benchmarks.output_digests                 # print and write the digests
    python -m benchmarks.output_digests --check FILE    # exit 1 if any differs from FILE
    python -m benchmarks.output_digests --check FILE --processes 2   # the same on 2 workers

Each bundled scenario is run (plan, then simulate the plan) with its own seed and two
replications, every marginal cost re-solved without a time budget (a budget makes them
depend on the machine's speed); ``tutorial`` is also re-planned yearly. The digests of ``plan.csv``,
``summary.json``, ``timeseries.csv`` and ``attainment.csv`` are written to
``benchmarks/results/output_digests.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

SCENARIOS = ["tutorial", "county_city", "chifeng_2008", "guandu_2016", "suzhou_standards"]
FILES = ["plan.csv", "summary.json", "timeseries.csv", "attainment.csv"]
RUNS = [(name, []) for name in SCENARIOS] + [("tutorial", ["--replan", "yearly"])]
OUT = Path(__file__).parent / "results" / "output_digests.json"


def digests(processes: int = 1) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in RUNS:
            label = " ".join([name, *extra])
            out = Path(tmp) / label.replace(" ", "_")
            cmd = [
                sys.executable,
                "-m",
                "commplan",
                "run",
                name,
                "--replications",
                "2",
                "--processes",
                str(processes),
                "--marginal-time-limit",
                "inf",
            ]
            subprocess.run([*cmd, *extra, "--quiet", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
            found[label] = {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in FILES}
            print(label, {f: d[:12] for f, d in found[label].items()}, flush=True)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", type=Path, help="compare with this digest file instead of writing one")
    ap.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes for the replications and the re-solves (the digests must not depend on it)",
    )
    args = ap.parse_args()
    found = digests(args.processes)
    if args.check:
        expected = json.loads(args.check.read_text())
        differ = [(run, f) for run in expected for f in FILES if expected[run].get(f) != found.get(run, {}).get(f)]
        for run, f in differ:
            print(f"DIFFERS: {run}: {f}")
        print("identical" if not differ else f"{len(differ)} files differ")
        return 1 if differ else 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(found, indent=2) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
