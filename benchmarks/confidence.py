"""The price and the reliability of confidence plans.

For each scenario and level P: the deterministic plan's cost, the confidence plan's cost
and premium (``plan --confidence P``: through the price curve's levels below P), the
loops' wall time, the level's own rounds, the targets that drive the premium (those
its margins tighten), and the plan's probabilities *out of sample* (fresh seeds the
planner never saw): mean and worst over requirements (and over those with no ceiling below P,
which some plan can bring to P), how many reach P, and for each
requirement short of P the reason the simulation shows (vacancy, construction lag, an
outcome only the simulation judges, or a limit that set a margin aside). Also the wall
time of today's `run` (deterministic plan + 20 replications) for the ratio. With
``--uniform``, the premium of the hand-set buffer that reaches the same out-of-sample mean
(every staff requirement × one factor, every building target a year early). Writes
``benchmarks/results/confidence_<scenarios>.json`` and a table beside it (``.txt``).

    python -m benchmarks.confidence [--scenarios tutorial chifeng_2008] [--levels 0.8 0.9 0.95] [--uniform]
    python -m benchmarks.confidence --scenarios chifeng_2008 --uniform-only   # the buffer for the plans on file
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import optimize
from commplan.confidence import ConfidencePlan, Margins, ceiling, chain, drivers, levels_to, tightened
from model.plan import plan_from_result
from model.runner import SimulationResult, simulate
from scenarios.loader import load
from scenarios.schema import Scenario
from scenarios.targets import Target

OUT = Path(__file__).parent / "results"
FRESH_SEED = 8_675_309  # neither the scenario's seed nor its in-sample stream


def _staff_kinds(t: Target) -> set[str]:
    """The staff kinds whose posts the target reads (as the confidence loop's post margins do)."""
    if t.city_staff is not None:
        return {t.city_staff}
    if t.city_average is not None:
        return {t.city_average} if t.evaluated_by == "plan" else set()
    return {a.item for a in (t.condition.atoms if t.condition else ()) if a.kind == "staff" and a.item}


def _untrained(sim: SimulationResult, kind: str, year: int) -> str:
    """Communities with people in post not trained this year at its end, and how many of them
    lost someone of the kind during the year (a replacement finds the year's places taken)."""
    trained, staff = _year_end(sim, f"trained_{kind}", year), _year_end(sim, f"staff_{kind}", year)
    j = sim.columns[3:].index(f"exits_{kind}")
    exits = np.array([rep.timeseries[12 * (year - 1) : 12 * year, :, j].sum(axis=0) for rep in sim.replications])
    short = trained < staff - 1e-9
    return (
        f"{kind}: {short.sum(axis=1).mean():.1f} communities a replication end year {year} with someone in post "
        f"untrained (fewest {int(short.sum(axis=1).min())}); {100 * (exits[short] > 0).mean() if short.any() else 0:.0f} % "
        "of them lost a member of the kind that year: a replacement hired after the year's places are taken "
        "stays untrained (the loop's training margin buys places per post beyond one)"
    )


def _year_end(sim: SimulationResult, column: str, year: int) -> np.ndarray:
    """``column`` at the end of plan year ``year``: [replication, community]."""
    j = sim.columns[3:].index(column)
    return np.array([rep.timeseries[12 * year - 1, :, j] for rep in sim.replications])


def _vacancy(sim: SimulationResult, kind: str, year: int) -> tuple[float, float] | None:
    """Mean and worst (over replications) city share of posts of ``kind`` empty at the end of ``year``."""
    if f"posts_{kind}" not in sim.columns[3:]:
        return None
    posts = _year_end(sim, f"posts_{kind}", year).sum(axis=1)
    staff = _year_end(sim, f"staff_{kind}", year).sum(axis=1)
    share = np.where(posts > 0, 1 - staff / np.maximum(posts, 1), 0.0).clip(0, None)
    return float(share.mean()), float(share.max())


def _late(sim: SimulationResult, cp: ConfidencePlan, t: Target, year: int) -> list[str]:
    """What the plan has built by the end of ``year`` on paper and the simulation has not, by item."""
    plan = cp.result.plan
    assert plan is not None
    out = []
    atoms = t.condition.atoms if t.condition else ()
    items = {a.item if a.kind == "has" else None for a in atoms if a.kind in ("space", "has")}
    if t.count is not None and t.has is not None:
        items.add(t.has)
    for item in sorted(items, key=str):
        planned = plan.space[:, year - 1] if item is None else plan.has[item][:, year - 1]
        simulated = _year_end(sim, "space_m2" if item is None else f"has_{item}", year)
        late = (simulated < planned[None, :] - 1e-6) & (planned[None, :] > 0)
        what = "space" if item is None else item
        out.append(
            f"{what} planned in {int((planned > 0).sum())} communities, short of the plan at year end in "
            f"{late.sum(axis=1).mean():.1f} of them on average (worst replication {int(late.sum(axis=1).max())})"
        )
    return out


def why_short(scenario: Scenario, cp: ConfidencePlan, sim: SimulationResult, key: tuple[str, str, int]) -> dict:
    """The reason a requirement stays short of P out of sample, with the simulation's evidence."""
    name, kind, year = key
    t = scenario.target(name)
    reasons: list[str] = []
    evidence: list[str] = []
    blocked = {b[:2] for b in cp.margins.blocked}
    if t.evaluated_by != "plan":
        reasons.append("simulation-only outcome")
        evidence.append(f"judged by the simulation ({t.evaluated_by}); no margin the plan buys reaches it")
    for s in sorted(_staff_kinds(t)):
        reasons.append("vacancy")
        v = _vacancy(sim, s, year)
        f = cp.margins.post_factor.get(s, 1.0)
        if v is not None:
            evidence.append(
                f"{s}: posts planned at {f:.3f}× the requirement; year-{year} end vacancy {100 * v[0]:.1f} % "
                f"on average, {100 * v[1]:.1f} % in the worst replication"
            )
        if ("factor", s) in blocked:
            reasons.append("capacity")
            evidence.append(f"{s}: a larger post factor was set aside (capacity or budget limits)")
    for s in sorted({a.item for a in (t.condition.atoms if t.condition else ()) if a.kind == "trained" and a.item}):
        reasons.append("turnover after training")
        evidence.append(_untrained(sim, s, year))
    if t.count is not None or (t.condition is not None and any(a.kind in ("space", "has") for a in t.condition.atoms)):
        reasons.append("construction lag")
        early = name in cp.margins.lead
        if year == 1 and t.count is None:
            evidence.append("a year-1 condition: building must finish in year 1, no lead time is possible")
        elif t.count is not None:
            evidence.append("counts facilities opened in the year: a project that slips counts in the next")
        else:
            evidence.append("planned a year early" if early else "not planned a year early")
        evidence += _late(sim, cp, t, year)
        if ("lead", name) in blocked or ("extra", (name, year)) in blocked:
            reasons.append("capacity")
            evidence.append("a lead or more communities was set aside (capacity or budget limits)")
    for u in cp.unreachable:
        if u.startswith(f"{name} ({kind}), year {year}:"):
            evidence.append("loop: " + u.split(": ", 1)[1])
            if "capacity" in u:
                reasons.append("capacity")
    return {"reasons": sorted(set(reasons)) or ["unknown"], "evidence": evidence}


def measure(name: str, levels: list[float], fresh: int) -> list[dict]:
    """Each level as ``plan --confidence P`` plans it (through the price curve's levels below
    it): one chain through them all gives every level's plan, and each level's seconds are
    the chain's up to it."""
    s = load(name)
    t0 = time.perf_counter()
    det = optimize.solve(s, marginal_costs=False)
    simulate(s, plan_from_result(det, s), replications=20, seed=s.seed)
    run_seconds = time.perf_counter() - t0
    print(f"{name}: plain run (deterministic plan + 20 replications) {run_seconds:.0f} s", flush=True)
    rows = []
    t0, waited = time.perf_counter(), 0.0  # the out-of-sample checks are not the plan's time
    for p, cp in chain(s, [q for level in levels for q in levels_to(level)]):
        seconds = time.perf_counter() - t0 - waited
        if p not in levels:
            continue
        t1 = time.perf_counter()
        sim = simulate(s, plan_from_result(cp.result, s), replications=fresh, seed=FRESH_SEED)
        check_seconds = time.perf_counter() - t1
        waited += check_seconds
        reqs = sim.requirements(s)
        probs = [r["probability_met"] for r in reqs if r["probability_met"] is not None]
        short = [r for r in reqs if r["probability_met"] is not None and r["probability_met"] < p]
        # the requirements some plan can bring to P: no ceiling (what no money lifts) below it
        liftable = [
            r["probability_met"]
            for r in reqs
            if r["probability_met"] is not None
            and ((c := ceiling(s, r["target"], r["kind"], r["year"])) is None or c.probability >= p)
        ]
        rows.append(
            {
                "scenario": name,
                "confidence": p,
                "levels_before": [q for q in levels_to(p) if q != p],
                "deterministic_cost": det.total_cost,
                "cost": cp.result.total_cost,
                "premium": cp.result.total_cost / det.total_cost - 1,
                "rounds": len(cp.iterations),
                "in_sample_replications": sum(i["replications"] for i in cp.iterations),
                "seconds": seconds,
                "run_seconds": run_seconds,
                "time_ratio_to_run": seconds / run_seconds,
                "out_of_sample_replications": fresh,
                "out_of_sample_seconds": check_seconds,
                "out_of_sample_mean": float(np.mean(probs)),
                "out_of_sample_worst": float(np.min(probs)),
                "requirements": len(probs),
                "requirements_reaching_confidence": len(probs) - len(short),
                "liftable_requirements": len(liftable),
                "liftable_mean": float(np.mean(liftable)) if liftable else None,
                "liftable_worst": float(np.min(liftable)) if liftable else None,
                "reached_in_sample": cp.reached_in_sample,
                "drivers": drivers(s, cp.margins),
                "unreachable": cp.unreachable,
                "margins": cp.margins.describe(),
                "iterations": [
                    {k: i[k] for k in ("iteration", "total_cost", "short_in_sample")} for i in cp.iterations
                ],
                "short_of_confidence": [
                    {
                        "requirement": f"{r['target']} ({r['kind']}), year {r['year']}",
                        "probability_met": r["probability_met"],
                        "required": r["required"],
                        "achieved_mean": r["achieved_mean"],
                        **why_short(s, cp, sim, (r["target"], r["kind"], r["year"])),
                    }
                    for r in short
                ],
            }
        )
        print(line(rows[-1]), flush=True)
    return rows


def uniform_buffer(name: str, rows: list[dict[str, Any]], fresh: int, step: float = 0.05) -> None:
    """The hand-set buffer the premium goal compares with: every staff requirement scaled by one
    factor f and every building target planned a year early, f raised by ``step`` from 1 until the
    plan's out-of-sample mean (same fresh seeds) reaches the confidence plan's; its cost and premium
    go into each row (``uniform_buffer``). Where the scenario's ``[capacity]`` cannot take every
    building target a year early (chifeng_2008: not one plan fits), the buffer leads only
    those that fit, taken in the file's order."""
    s = load(name)
    builds: set[str] = set()
    for t in s.targets:
        if t.condition is not None and any(a.kind in ("space", "has") for a in t.condition.atoms):
            if optimize.solve(tightened(s, Margins(lead=builds | {t.name})), marginal_costs=False).feasible:
                builds.add(t.name)
            else:
                print(f"{name}: uniform buffer: {t.name} a year early does not fit the capacity", flush=True)
    tried: list[dict[str, Any]] = []

    def at(f: float) -> dict[str, Any]:
        for done in tried:
            if abs(done["factor"] - f) < 1e-9:
                return done
        m = Margins(post_factor={k: f for k in s.staff}, lead=set(builds))
        res = optimize.solve(tightened(s, m), marginal_costs=False)
        entry: dict[str, Any] = {"factor": round(f, 4), "cost": res.total_cost if res.feasible else None}
        if res.feasible:
            sim = simulate(s, plan_from_result(res, s), replications=fresh, seed=FRESH_SEED)
            probs = [r["probability_met"] for r in sim.requirements(s) if r["probability_met"] is not None]
            entry |= {"out_of_sample_mean": float(np.mean(probs)), "out_of_sample_worst": float(np.min(probs))}
        tried.append(entry)
        print(f"{name}: uniform buffer ×{f:.2f}: {entry}", flush=True)
        return entry

    for r in rows:
        f, found, refused = 1.0, None, None
        while f <= 2.0 + 1e-9:
            e = at(f)
            if e["cost"] is None:
                refused = e["factor"]  # this factor and any above it: no plan fits
                break
            if e["out_of_sample_mean"] >= r["out_of_sample_mean"] - 1e-9:
                found = e
                break
            f += step
        planned = [e for e in tried if e["cost"] is not None]
        best = found or (max(planned, key=lambda e: e["out_of_sample_mean"]) if planned else {})
        r["uniform_buffer"] = {
            "lead": sorted(builds),
            "reached": found is not None,
            **best,
            "premium": None if found is None else found["cost"] / r["deterministic_cost"] - 1,
            "refused_from": refused,
        }
        u = r["uniform_buffer"]
        print(
            f"{name} P={r['confidence']}: confidence plan +{100 * r['premium']:.1f} % (mean {r['out_of_sample_mean']:.3f}); "
            + (
                f"uniform buffer ×{u['factor']} +{100 * u['premium']:.1f} % (mean {u['out_of_sample_mean']:.3f})"
                if found
                else f"no uniform buffer up to ×2 reaches it (best mean {u.get('out_of_sample_mean', float('nan')):.3f})"
            ),
            flush=True,
        )


def line(r: dict[str, Any]) -> str:
    return (
        f"{r['scenario']:18} P={r['confidence']:<5} cost {r['deterministic_cost']:>14,.0f} → {r['cost']:>14,.0f} "
        f"(+{100 * r['premium']:.1f} %), {r['rounds']} rounds, {r['seconds']:.0f} s ({r['time_ratio_to_run']:.1f}× run), "
        f"out of sample ({r['out_of_sample_replications']} reps): mean {r['out_of_sample_mean']:.3f}, "
        f"worst {r['out_of_sample_worst']:.3f}, {r['requirements_reaching_confidence']}/{r['requirements']} reach P"
        + (
            f"; the {r['liftable_requirements']} with no ceiling below P: mean {r['liftable_mean']:.3f}, "
            f"worst {r['liftable_worst']:.3f}"
            if r.get("liftable_requirements") not in (None, 0, r["requirements"])
            else ""
        )
    )


def table(rows: list[dict[str, Any]], note: str) -> str:
    out = [f"# benchmarks.confidence, {note}", *map(line, rows)]
    for r in rows:
        if (u := r.get("uniform_buffer")) is not None:
            early = ", ".join(u["lead"]) or "none"
            out.append(
                f"{r['scenario']:18} P={r['confidence']:<5} uniform buffer (staff ×f; a year early: {early}): "
                + (
                    f"×{u['factor']} costs {u['cost']:,.0f} (+{100 * u['premium']:.1f} %) for out-of-sample mean "
                    f"{u['out_of_sample_mean']:.3f} (worst {u['out_of_sample_worst']:.3f}); the confidence plan "
                    f"+{100 * r['premium']:.1f} %"
                    if u["reached"]
                    else f"never reaches mean {r['out_of_sample_mean']:.3f} "
                    + (f"(×{u['refused_from']} and above: no plan fits)" if u.get("refused_from") else "up to ×2")
                    + (f", best {u['out_of_sample_mean']:.3f} at ×{u['factor']}" if "out_of_sample_mean" in u else "")
                )
            )
    for r in rows:
        out.append(f"\n## {r['scenario']} P={r['confidence']}: drivers {', '.join(r['drivers']) or 'none'}")
        for q in r["short_of_confidence"]:
            out.append(f"- {q['requirement']}: p = {q['probability_met']:.3f} — {', '.join(q['reasons'])}")
            out += [f"    {e}" for e in q["evidence"]]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.confidence", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", nargs="*", default=["tutorial", "chifeng_2008", "guandu_2016"])
    parser.add_argument("--levels", nargs="*", type=float, default=[0.8, 0.9, 0.95])
    parser.add_argument("--fresh", type=int, default=40, help="out-of-sample replications")
    parser.add_argument(
        "--uniform", action="store_true", help="also find the uniform buffer that reaches the same out-of-sample mean"
    )
    parser.add_argument(
        "--append", action="store_true", help="keep the rows of other levels already in the result file"
    )
    parser.add_argument(
        "--uniform-only",
        action="store_true",
        help="only the uniform buffer, for the confidence plans already in each scenario's result file",
    )
    parser.add_argument("--note", default="", help="a line for the table's heading (commit, machine load)")
    args = parser.parse_args(argv)
    if args.uniform_only:
        for name in args.scenarios:
            stem = OUT / f"confidence_{name}"
            rows = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
            uniform_buffer(name, rows, args.fresh)
            written = stem.with_suffix(".txt").read_text(encoding="utf-8")
            history = written[written.find("\n# before") + 1 :] if "\n# before" in written else ""  # kept below
            note = written.splitlines()[0].removeprefix("# benchmarks.confidence, ")
            note += f"; uniform buffer: {args.note or 'same code'}"
            stem.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
            stem.with_suffix(".txt").write_text(
                table(rows, note) + ("\n" + history if history else ""), encoding="utf-8"
            )
        return 0
    rows = []
    for name in args.scenarios:
        rows += (found := measure(name, args.levels, args.fresh))
        if args.uniform:
            uniform_buffer(name, found, args.fresh)
    OUT.mkdir(exist_ok=True)
    stem = OUT / f"confidence_{'_'.join(args.scenarios)}"
    note = args.note or f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end"
    if args.append and stem.with_suffix(".json").exists():
        new = {(r["scenario"], r["confidence"]) for r in rows}
        old = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        rows = sorted(
            [r for r in old if (r["scenario"], r["confidence"]) not in new] + rows,
            key=lambda r: (args.scenarios.index(r["scenario"]), r["confidence"]),
        )
        heading = (
            stem.with_suffix(".txt")
            .read_text(encoding="utf-8")
            .splitlines()[0]
            .removeprefix("# benchmarks.confidence, ")
        )
        note = f"{heading}; then {note}"
    stem.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    stem.with_suffix(".txt").write_text(table(rows, note), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
