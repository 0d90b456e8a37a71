"""Issue 13 part 5, a measurement: how often a cheap *repair bound* equals the exact marginal
cost, on the ``optimize_scale`` city (no capacity, no budget: the bound is valid there).

A share or keys_by requirement relaxed by one community can save at most what it costs to
bring one more community to the condition again: any relaxed plan leaves at least
N − R + 1 communities short of it, and the cheapest of them costs at most the R-th smallest
*standalone* cost c_(R) (each community alone, from its status quo, meeting the condition in
that year; stocks only grow, so from a relaxed plan's stocks it costs no more). Where c_(R)
equals the exact figure, a re-solve could stop at its first plan that saves c_(R), with no
proof; where it does not, the proof is still needed. Each c_i is a one-community solve.

    .venv/bin/python -m benchmarks.repair_bound [communities]

Prints each binding requirement's exact marginal cost (re-solved without a time budget)
beside its c_(R), and writes them to ``benchmarks/results/repair_bound.txt``.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from pathlib import Path

import optimize
from benchmarks.optimize_scale import scenario
from scenarios.schema import Community, Scenario
from scenarios.targets import Target

RESULTS = Path(__file__).parent / "results"


def _without_requirements(t: Target, years: int) -> Target:
    """``t`` asking for nothing (kept, so that a standard naming it still reads it)."""
    kw: dict = {}
    if t.share is not None or t.keys_by is not None:
        kw["share"], kw["keys_by"] = tuple(0.0 for _ in range(years)), None
    if t.count is not None:
        kw["count"] = tuple(0 for _ in t.count)
    if t.at_least is not None:
        kw["at_least"] = tuple(0.0 for _ in t.at_least)
    return dataclasses.replace(t, **kw)


def alone(s: Scenario, c: Community, name: str | None = None, year: int | None = None) -> Scenario:
    """``c`` as a city of one, meeting target ``name``'s condition in ``year`` (or nothing)."""
    targets = []
    for t in s.targets:
        quiet = _without_requirements(t, s.years)
        if t.name == name:
            quiet = dataclasses.replace(quiet, share=tuple(float(y == year) for y in range(1, s.years + 1)))
        targets.append(quiet)
    return dataclasses.replace(s, communities=(c,), targets=tuple(targets))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 200
    s = scenario(n)
    start = time.perf_counter()
    base = optimize.solve(s, marginal_time_limit=math.inf)
    solved = time.perf_counter() - start
    lines = [f"# benchmarks.repair_bound, {n} communities: exact marginal costs in {solved:.1f} s"]
    start = time.perf_counter()
    nothing: dict[str, float] = {}
    tight = priced = 0
    for rr in base.requirements:
        r = rr.requirement
        if not rr.binding:
            continue
        label = f"{r.target} ({r.kind}), year {r.year}"
        if r.kind not in ("share", "keys_by"):
            lines.append(f"{label:40} exact {rr.marginal_cost:>12,.0f}   (no repair bound: {r.kind})")
            continue
        costs = []
        for c in s.communities:
            if r.kind == "keys_by" and not c.key:
                continue
            if c.id not in nothing:
                nothing[c.id] = optimize.solve(alone(s, c), marginal_costs=False).total_cost
            met = optimize.solve(alone(s, c, r.target, r.year), marginal_costs=False)
            costs.append(met.total_cost - nothing[c.id] if met.feasible else math.inf)
        bound = sorted(costs)[int(round(r.required)) - 1]
        priced += 1
        equal = rr.marginal_cost is not None and abs(bound - rr.marginal_cost) <= 0.01 * max(bound, 1.0)
        tight += equal
        lines.append(
            f"{label:40} exact {rr.marginal_cost:>12,.0f}   c_(R) {bound:>12,.0f}   {'tight' if equal else 'loose'}"
        )
    lines.append(
        f"{tight} of {priced} share and keys_by requirements have c_(R) within 1 % of the exact figure; "
        f"bounds in {time.perf_counter() - start:.1f} s"
    )
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "repair_bound.txt").open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
