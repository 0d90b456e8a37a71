"""What issue 16's money side costs the optimiser: program size and solve time with and without it.

Each bundled scenario named below is solved as shipped, then with the money side added:
a working-funds target (10,000 yuan a year, every community, every year), a training target
(every community_worker trained every year, 800 yuan a place) and a co-funder (street
offices paying 20 % of space and funds, at most 50,000 a year). Reported per scenario:
variables, integer variables and rows of the program, build and HiGHS solve seconds (min-cost,
no marginal costs; the best of 3), total cost (the city's own) and the money lines. Run:

    .venv/bin/python benchmarks/money_side.py [scenario ...]

Figures go to stdout and ``benchmarks/results/money_side.json``. The machine is shared:
compare the two rows of one scenario, not absolute times across runs.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import optimize
from optimize.program import Program
from scenarios.loader import bundled_scenarios, loads

MONEY = """
[[targets]]
name = "bench-funds"
funds_at_least = 10000
share = 1.0

[[targets]]
name = "bench-trained"
trained_at_least = { community_worker = 1.0 }
share = 1.0

[[funding]]
source = "street offices"
lines = ["space", "funds"]
share = 0.2
at_most = 50000
"""

OUT = Path(__file__).parent / "results" / "money_side.json"


def with_money(text: str) -> str:
    text = re.sub(r"^(\[staff\.community_worker\][^\n]*\n)", r"\1training = 800\n", text, count=1, flags=re.M)
    return text + "\n" + MONEY


def measure(text: str, source: Path) -> dict:
    s = loads(text, source=source)
    prog = Program(s)
    variables = prog.prob.variables()
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        r = optimize.solve(s, marginal_costs=False)
        seconds = time.perf_counter() - t0
        best = seconds if best is None else min(best, seconds)
    lines = r.cost_by_line
    return {
        "variables": len(variables),
        "integer_variables": sum(1 for v in variables if v.cat == "Integer"),
        "rows": prog.prob.numConstraints(),
        "build_seconds": round(prog.build_seconds, 3),
        "solve_seconds_best_of_3": round(best or 0.0, 3),
        "status": r.status,
        "total_cost": r.total_cost,
        "funds": lines.get("funds"),
        "training": lines.get("training"),
        "cost_by_source": r.summary().get("cost_by_source"),
    }


def main(names: list[str]) -> int:
    found = {}
    paths = bundled_scenarios()
    for name in names:
        path = paths[name]
        text = path.read_text(encoding="utf-8")
        if "[staff.community_worker]" not in text:
            print(f"{name}: no community_worker kind; skipped")
            continue
        found[name] = {"as shipped": measure(text, path), "with the money side": measure(with_money(text), path)}
        for label, row in found[name].items():
            print(
                f"{name:18s} {label:20s} vars {row['variables']:6d} (int {row['integer_variables']:5d}) "
                f"rows {row['rows']:6d} build {row['build_seconds']:.3f}s solve {row['solve_seconds_best_of_3']:.3f}s "
                f"{row['status']} city cost {'—' if row['total_cost'] is None else format(row['total_cost'], ',.0f')} "
                f"funds {row['funds']} training {row['training']}"
            )
    OUT.write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["tutorial", "county_city", "chifeng_2008"]))
