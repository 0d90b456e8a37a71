"""What a plan's space, facilities and staff each change, against the status quo.

For each seed scenario: solve the cheapest plan, then simulate, with the same seeds
(common random numbers: replication ``r`` draws from the same stream in every variant),

- the status quo (nothing built, today's posts at today's pay),
- the plan's space alone, its facilities alone, its staff (hires and pay) alone,
- the whole plan,

and report the share of needs served (all services, and by service) and the share of
households satisfied, over the last plan year, with each variant's difference from the
status quo. Writes ``benchmarks/results/plan_effects.json`` and ``.md``.

    python -m benchmarks.plan_effects [--replications 4] [--scenarios chifeng_2008 ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import optimize
from model.plan import PlanSchedule, plan_from_result
from model.runner import simulate
from scenarios.loader import load

SEEDS = ("chifeng_2008", "county_city", "guandu_2016", "suzhou_standards")
OUT = Path(__file__).parent / "results"


def variants(scenario, plan: PlanSchedule) -> dict[str, PlanSchedule | None]:
    today_pay = {s: [k.base_pay_share] * scenario.years for s, k in scenario.staff.items()}
    return {
        "status quo": None,
        "space only": PlanSchedule.from_arrays(scenario, space_added=plan.space_added, pay_share=today_pay),
        "facilities only": PlanSchedule.from_arrays(scenario, opened=dict(plan.opened), pay_share=today_pay),
        "staff only": PlanSchedule.from_arrays(scenario, hires=dict(plan.hires), pay_share=dict(plan.pay_share)),
        "whole plan": plan,
    }


def outcomes(result, scenario) -> dict:
    """Last plan year, pooled over replications and communities."""
    cols = result.columns[3:]
    table = np.stack([r.timeseries for r in result.replications])  # (reps, months, communities, columns)
    last = table[:, -12:]
    col = {c: last[..., j] for j, c in enumerate(cols)}
    services = [c[len("served_") :] for c in cols if c.startswith("served_")]
    served = {s: float(col[f"served_{s}"].sum() / max(col[f"demand_{s}"].sum(), 1)) for s in services}
    demand = sum(col[f"demand_{s}"].sum() for s in services)
    households = col["households"]
    return {
        "served": float(sum(col[f"served_{s}"].sum() for s in services) / max(demand, 1)),
        "served_by_service": served,
        "satisfied": float((col["satisfied"] * households).sum() / households.sum()),
    }


def measure(name: str, replications: int) -> dict:
    scenario = load(name)
    result = optimize.solve(scenario, marginal_costs=False)
    if result.plan is None:
        return {"scenario": name, "status": result.status}
    plan = plan_from_result(result, scenario)
    out = {"scenario": name, "status": result.status, "total_cost": result.total_cost, "variants": {}}
    for label, p in variants(scenario, plan).items():
        sim = simulate(scenario, p, replications=replications, seed=scenario.seed)
        out["variants"][label] = outcomes(sim, scenario)
    base = out["variants"]["status quo"]
    for v in out["variants"].values():
        v["served_change"] = v["served"] - base["served"]
        v["satisfied_change"] = v["satisfied"] - base["satisfied"]
        v["served_by_service_change"] = {s: x - base["served_by_service"][s] for s, x in v["served_by_service"].items()}
    return out


def markdown(records: list[dict], replications: int) -> str:
    lines = [
        "# What a plan's parts change against the status quo",
        "",
        f"Last plan year, {replications} replications with common random numbers; needs served is "
        "served / demanded over all services; satisfied is the share of households. Changes are "
        "percentage points against the status quo.",
        "",
    ]
    for rec in records:
        lines += [f"## {rec['scenario']}", ""]
        if "variants" not in rec:
            lines += [f"no plan: {rec['status']}", ""]
            continue
        services = list(rec["variants"]["status quo"]["served_by_service"])
        lines.append("| variant | needs served | Δ | satisfied | Δ | " + " | ".join(f"Δ {s}" for s in services) + " |")
        lines.append("|---" * (5 + len(services)) + "|")
        for label, v in rec["variants"].items():
            cells = [
                label,
                f"{100 * v['served']:.1f} %",
                f"{100 * v['served_change']:+.1f}",
                f"{100 * v['satisfied']:.1f} %",
                f"{100 * v['satisfied_change']:+.1f}",
                *(f"{100 * v['served_by_service_change'][s]:+.1f}" for s in services),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.plan_effects", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--scenarios", nargs="*", default=list(SEEDS))
    args = parser.parse_args(argv)
    records = [measure(name, args.replications) for name in args.scenarios]
    OUT.mkdir(exist_ok=True)
    (OUT / "plan_effects.json").write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    text = markdown(records, args.replications)
    (OUT / "plan_effects.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
