"""How the planning optimiser scales: the whole default ``commplan plan`` against HiGHS alone.

Synthetic cities of 200, 1,000 and 2,000 communities × 3 years (``[generate]``) with a
realistic target set: staged space shares, one-stop centres for key communities first, a
staff ratio, a standard, elderly-centre counts and a city-wide staff target.

For each size: the whole default ``commplan plan`` as a planner runs it (a fresh process;
marginal and full costs within the default time budget; outputs and charts written),
with where its time went (build, solve, LP duals, each full cost and marginal-cost
re-solve, outputs: stamped from the solver's progress messages), the marginal-cost
statuses of the binding requirements (and how many are exact or bounded within 1 %) and
the full-cost statuses; and "HiGHS alone", the same model solved by ``highspy`` directly
(from MPS, and from the very model PuLP passed), with the ratio of the whole command to
it. At 200 communities also every binding requirement priced without a budget. Run:

    .venv/bin/python benchmarks/optimize_scale.py [sizes...]

Figures go to stdout and ``benchmarks/results/optimize_scale.json``. The machine is shared:
compare ratios within one run, not absolute times across runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import highspy

import optimize
from optimize.program import Program
from scenarios.loader import loads

SCENARIO = """
[scenario]
name = "bench-{n}"
years = 3
seed = 11

[costs]
average_wage = 60000
space_build_per_m2 = 3000
space_running_per_m2 = 60
space_project_fixed = 20000

[facilities.one_stop]
build = 80000
running = 10000
space_m2 = 50

[facilities.elderly_centre]
build = 300000
running = 60000
space_m2 = 150

[staff.community_worker]
hire = 3000
base_pay_share = 0.6
pay_share = [0.7, 0.85, 1.0]

[staff.social_worker]
hire = 3000
base_pay_share = 0.7
pay_share = [0.8, 0.9, 1.0]

[generate]
communities = {n}
keys = {keys}
households_per_staff = {{ community_worker = 500 }}
facilities = {{ one_stop = 0.1 }}

[[targets]]
name = "space-200"
space_at_least = 200
share = [0.4, 0.6, 0.8]

[[targets]]
name = "space-per-households"
space_per_100_households = 12
share = [0.0, 0.5, 0.9]

[[targets]]
name = "one-stop"
has = "one_stop"
keys_by = 1
share = [0.0, 0.3, 0.6]

[[targets]]
name = "workers-per-400"
staff_per_households = {{ community_worker = 400 }}
share = [0.5, 0.8, 1.0]

[[targets]]
name = "social-worker"
staff_at_least = {{ social_worker = 1 }}
share = [0.0, 0.3, 0.6]

[[targets]]
name = "elderly-centres"
has = "elderly_centre"
count = [{elderly}, {elderly}, {elderly}]

[[targets]]
name = "service-staff"
city_staff = "social_worker"
at_least = [{social1}, {social2}, {social3}]

[[targets]]
name = "standard"
standard = ["space-200", "one-stop", "workers-per-400"]
keys_by = 2
share = [0.0, 0.2, 0.4]
"""


def _values(n: int) -> dict:
    return {
        "n": n,
        "keys": max(2, n // 10),
        "elderly": max(1, n // 100),
        "social1": n // 5,
        "social2": (2 * n) // 5,
        "social3": (3 * n) // 5,
    }


def scenario(n: int):
    return loads(SCENARIO.format(**_values(n)))


def highs_alone(prog: Program) -> dict:
    """HiGHS alone on the built min-cost model, two ways.

    ``mps``: the model written as MPS and read by ``highspy`` (the issue's reference).
    ``same_model``: the very ``HighsLp`` PuLP passed (``passModel`` into a fresh
    ``Highs``), so that the solve differs from PuLP's in nothing but the caller: MPS
    rounds bounds in the 14th digit and stores the matrix by column, which sends HiGHS's
    MIP search down a different (here shorter or longer, by luck) path. Also times
    PuLP's pass of the model to highspy and the read-back of the solution.
    """
    import pulp

    prog.set_elastic(False)
    prog.use_objective("cost")
    out: dict = {}
    sv = pulp.HiGHS(msg=False, gapRel=1e-4)
    lp = prog.prob
    sv.createAndConfigureSolver(lp)
    t0 = time.perf_counter()
    sv.buildSolverModel(lp)
    out["pulp_pass_s"] = time.perf_counter() - t0
    model = lp.solverModel.getLp()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "model.mps")
        prog.prob.writeMPS(path, rename=True)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 1e-4)
        t0 = time.perf_counter()
        h.readModel(path)
        t1 = time.perf_counter()
        h.run()
        t2 = time.perf_counter()
        # the MPS file carries no objective constant (the pay policy on today's staff): add it back
        objective = h.getInfo().objective_function_value + prog.prob.objective.constant
        out.update(
            {
                "read_s": t1 - t0,
                "run_s": t2 - t1,
                "objective": objective,
                "status": h.modelStatusToString(h.getModelStatus()),
                "lp_iterations": h.getInfo().simplex_iteration_count,
            }
        )
    g = highspy.Highs()
    g.setOptionValue("output_flag", False)
    g.setOptionValue("mip_rel_gap", 1e-4)
    g.passModel(model)
    t0 = time.perf_counter()
    g.run()
    out["same_model_run_s"] = time.perf_counter() - t0
    out["same_model_lp_iterations"] = g.getInfo().simplex_iteration_count
    out["same_model_objective"] = g.getInfo().objective_function_value
    t0 = time.perf_counter()
    sv.findSolutionValues(lp)
    out["pulp_read_back_s"] = time.perf_counter() - t0
    return out


def statuses(res) -> dict:
    out: dict = {}
    for rr in res.requirements:
        if rr.binding:
            out[rr.marginal_status] = out.get(rr.marginal_status, 0) + 1
    return out


#: ``commplan plan`` in a fresh process, with ``optimize.solve``'s progress messages stamped
#: (seconds since the process started) and its timings written to a file beside the run.
TIMED_PLAN = """
import json, sys, time
T0 = time.perf_counter()
import optimize, optimize.program
stamps = []
solve = optimize.program.solve
def timed(*args, progress=None, **kwargs):
    def say(msg):
        stamps.append((time.perf_counter() - T0, msg))
        if progress:
            progress(msg)
    res = solve(*args, progress=say, **kwargs)
    stamps.append((time.perf_counter() - T0, "solve returned"))
    timed.timings = res.timings
    return res
optimize.solve = timed
from commplan.cli import main
code = main(["plan", sys.argv[1], "--out", sys.argv[2], "--quiet", *sys.argv[4:]])
stamps.append((time.perf_counter() - T0, "outputs written"))
with open(sys.argv[3], "w") as f:
    json.dump({"stamps": stamps, "timings": getattr(timed, "timings", None)}, f)
sys.exit(code)
"""


def plan_command(n: int, extra: tuple[str, ...] = ()) -> dict:
    """The whole default ``commplan plan`` (a fresh process: imports, build, solve, marginal and
    full costs within the default time budget, on every core, plan.csv, summary.json and the
    two charts); ``extra``: options added to it."""
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench-{n}.toml"
        path.write_text(SCENARIO.format(**_values(n)), encoding="utf-8")
        run = Path(tmp) / "run"
        stamps = Path(tmp) / "stamps.json"
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", TIMED_PLAN, str(path), str(run), str(stamps), *extra],
            capture_output=True,
            text=True,
        )
        out["plan_command_s"] = time.perf_counter() - t0
        out["plan_command_exit"] = done.returncode
        if done.returncode != 0:
            out["plan_command_stderr"] = done.stderr[-2000:]
        summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
        timed = json.loads(stamps.read_text(encoding="utf-8"))
    out["plan_timings"] = timed["timings"]
    out["plan_phases"] = _phases(timed["stamps"])
    binding = [r for r in summary["requirements"] if r["binding"]]
    out["plan_status"] = summary["status"]
    out["plan_binding"] = len(binding)
    out["plan_marginal_statuses"] = _count(r["marginal_status"] for r in binding)
    out["plan_marginal_exact_or_within_1pct"] = sum(1 for r in binding if _within(r, 0.01))
    out["plan_full_cost_statuses"] = _count(t["full_cost_status"] for t in summary.get("targets", []))
    return out


def _phases(stamps: list) -> list:
    """Each progress message with the seconds until the next one: where the command's time went."""
    return [
        {"step": msg, "at_s": round(at, 2), "took_s": round(stamps[k + 1][0] - at, 2) if k + 1 < len(stamps) else None}
        for k, (at, msg) in enumerate(stamps)
    ]


def _count(items) -> dict:
    out: dict = {}
    for k in items:
        out[k] = out.get(k, 0) + 1
    return out


def _within(r: dict, rel: float) -> bool:
    """A marginal cost exact, or bounded with its range within ``rel`` of its upper end."""
    if r["marginal_status"] == "exact":
        return True
    low, high = r.get("marginal_cost"), r.get("marginal_cost_max")
    return (
        r["marginal_status"] == "bounded"
        and low is not None
        and high is not None
        and high - low <= rel * max(high, 1.0)
    )


def bench(n: int, all_marginals: bool) -> dict:
    s = scenario(n)
    row: dict = {"communities": n, "requirements": len(s.requirements)}
    row["cores"] = os.cpu_count()
    if all_marginals:
        # every binding requirement priced, no budget: the time to exact marginal costs, on
        # one process and on every core
        for key, processes in (("all", 1), ("all_every_core", None)):
            t0 = time.perf_counter()
            res_a = optimize.solve(s, marginal_time_limit=float("inf"), processes=processes)
            row[f"{key}_whole_s"] = time.perf_counter() - t0
            row[f"{key}_solve_s"] = res_a.timings.get("solve")
            row[f"{key}_marginal_s"] = res_a.timings.get("marginal")
            row[f"{key}_full_costs_s"] = res_a.timings.get("full_costs")
            row[f"{key}_marginal_statuses"] = statuses(res_a)
    row.update(plan_command(n))
    # the same command with its re-solves kept in one process (before optimize.resolves)
    one = plan_command(n, ("--processes", "1"))
    row["one_process"] = {
        k: one[k]
        for k in (
            "plan_command_s",
            "plan_timings",
            "plan_marginal_statuses",
            "plan_marginal_exact_or_within_1pct",
            "plan_full_cost_statuses",
        )
    }
    timings = row["plan_timings"] or {}
    row["build_s"] = timings.get("build")
    row["solve_s"] = timings.get("solve")
    row["pricing_s"] = timings.get("marginal")  # LP duals, full costs and marginal costs together
    prog = Program(s)
    row["highs_alone"] = highs_alone(prog)
    alone = row["highs_alone"]["run_s"]
    row["solve_over_highs_alone"] = row["solve_s"] / alone if row["solve_s"] else None
    row["plan_command_over_highs_alone"] = row["plan_command_s"] / alone
    row["one_process"]["plan_command_over_highs_alone"] = one["plan_command_s"] / alone
    return row


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [200, 1000, 2000]
    rows = []
    out = Path(__file__).parent / "results" / "optimize_scale.json"
    from scenarios.files import write_json

    for n in sizes:
        row = bench(n, all_marginals=n <= 200)
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)
        # written after each size: the largest takes the better part of an hour on a shared machine
        write_json(out, {"sizes": rows, "note": "2-core shared machine; compare ratios within one run"})
    print(f"written {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
