"""How the planning optimiser scales: build time, solve time, and the whole solve vs HiGHS alone.

Synthetic cities of 200, 1,000 and 2,000 communities × 3 years (``[generate]``) with a
realistic target set: staged space shares, one-stop centres for key communities first, a
staff ratio, a standard, elderly-centre counts and a city-wide staff target.

For each size: the program's build time, HiGHS's solve time (through PuLP), their ratio,
and the whole ``optimize.solve`` after imports: without marginal costs, with LP duals only,
with the default marginal costs (re-solves within the default time budget, up to 1,000
communities) and, at 200, with every binding requirement priced (the time to exact
marginal costs). From 1,000 communities the model is also solved by ``highspy`` directly,
as the "HiGHS alone" reference (from MPS, and from the very model PuLP passed). Run:

    .venv/bin/python benchmarks/optimize_scale.py [sizes...]

Figures go to stdout and ``benchmarks/results/optimize_scale.json``. The machine is shared:
compare ratios within one run, not absolute times across runs.
"""

from __future__ import annotations

import json
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


def scenario(n: int):
    return loads(
        SCENARIO.format(
            n=n,
            keys=max(2, n // 10),
            elderly=max(1, n // 100),
            social1=n // 5,
            social2=(2 * n) // 5,
            social3=(3 * n) // 5,
        )
    )


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


def bench(n: int, with_marginals: bool, alone: bool, all_marginals: bool) -> dict:
    s = scenario(n)
    row: dict = {"communities": n, "requirements": len(s.requirements)}
    t0 = time.perf_counter()
    res = optimize.solve(s, marginal_costs=False)
    row["whole_s"] = time.perf_counter() - t0
    row["build_s"] = res.timings["build"]
    row["solve_s"] = res.timings["solve"]
    row["build_share_of_whole"] = row["build_s"] / row["whole_s"]
    row["build_over_solve"] = row["build_s"] / row["solve_s"]
    row["status"] = res.status
    row["total_cost"] = res.total_cost
    row["binding"] = sum(1 for rr in res.requirements if rr.binding)
    t0 = time.perf_counter()
    optimize.solve(s, marginal_costs="dual")
    row["whole_with_duals_s"] = time.perf_counter() - t0
    if with_marginals:
        # what `commplan plan` does by default: re-solves within the default time budget
        t0 = time.perf_counter()
        res_m = optimize.solve(s)
        row["whole_default_s"] = time.perf_counter() - t0
        row["default_marginal_s"] = res_m.timings.get("marginal")
        row["default_marginal_statuses"] = statuses(res_m)
        row["whole_default_over_whole"] = row["whole_default_s"] / row["whole_s"]
        row["build_share_of_whole_default"] = res_m.timings["build"] / row["whole_default_s"]
    if all_marginals:
        # every binding requirement priced, no budget: the time to exact marginal costs
        t0 = time.perf_counter()
        res_a = optimize.solve(s, marginal_time_limit=float("inf"))
        row["whole_all_marginals_s"] = time.perf_counter() - t0
        row["all_marginal_s"] = res_a.timings.get("marginal")
        row["all_marginal_statuses"] = statuses(res_a)
        row["all_marginals_per_resolve_over_solve"] = (
            row["all_marginal_s"] / max(1, row["binding"]) / res_a.timings["solve"]
        )
    if alone:
        prog = Program(s)
        row["highs_alone"] = highs_alone(prog)
        row["whole_over_highs_alone"] = row["whole_s"] / row["highs_alone"]["run_s"]
        row["whole_over_highs_same_model"] = row["whole_s"] / row["highs_alone"]["same_model_run_s"]
        if with_marginals:
            row["whole_default_over_highs_alone"] = row["whole_default_s"] / row["highs_alone"]["run_s"]
    return row


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [200, 1000, 2000]
    rows = []
    for n in sizes:
        row = bench(n, with_marginals=n <= 1000, alone=n >= 1000, all_marginals=n <= 200)
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)
    out = Path(__file__).parent / "results" / "optimize_scale.json"
    from scenarios.files import write_json

    write_json(out, {"sizes": rows, "note": "2-core shared machine; compare ratios within one run"})
    print(f"written {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
