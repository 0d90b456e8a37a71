"""The ``commplan`` command: validate, plan, simulate, run, sweep, compare.

Exit codes (the contract): 0 done; 1 the user's input is wrong (the message says what to
change); 2 the plan is infeasible (the message says which targets and by how much); 3 an
internal error. No traceback reaches the user: an internal error's details go to a log
file whose path is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import sysconfig
import tempfile
import traceback
from pathlib import Path

from commplan.rundir import Run, default_out, finished_command
from scenarios.loader import bundled_scenarios, load
from scenarios.problems import InputError, ScenarioError

OK, USER_ERROR, INFEASIBLE, INTERNAL = 0, 1, 2, 3


class UserError(InputError):
    """Bad options or input that are not a scenario problem; the message says the fix."""


class Infeasible(Exception):
    """The targets cannot be met together; the message explains in the planner's words."""


class SolverFailed(Exception):
    """The solver broke down (not the input, not infeasibility)."""


def _no_plan(result) -> None:
    """Why a solve has no plan decides the exit code: infeasible 2, out of time 1, a failure 3."""
    if result.status == "infeasible":
        raise Infeasible(result.explanation)
    if result.status == "time_limit":
        raise UserError(result.explanation)
    raise SolverFailed(result.explanation)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, not {text}")
    return value


def _budgets(text: str) -> list[float]:
    try:
        values = [float(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give budgets as numbers separated by commas, e.g. 1e6,2e6,3e6"
        ) from None
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("give one or more budgets ≥ 0, separated by commas")
    return values


def build_parser() -> argparse.ArgumentParser:
    scenario_help = "scenario file, or the name of a bundled scenario (" + ", ".join(bundled_scenarios()) + ")"
    p = argparse.ArgumentParser(
        prog="commplan",
        description="Plan and simulate multi-year urban community construction programmes.",
        epilog="Exit codes: 0 done, 1 input to fix, 2 plan infeasible, 3 internal error.",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars (for scripts)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(cmd: argparse.ArgumentParser, out: bool = True) -> None:
        cmd.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS, help="no progress bars")
        if out:
            cmd.add_argument("--out", type=Path, help="output folder (default: runs/<scenario>-<mode>/)")
            cmd.add_argument("--force", action="store_true", help="overwrite a finished run in --out")

    v = sub.add_parser("validate", help="check scenario files and print every problem")
    v.add_argument("files", nargs="+", metavar="FILE", help=scenario_help)
    common(v, out=False)

    def solve_options(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--mode", choices=("min-cost", "max-attainment"), default="min-cost")
        cmd.add_argument("--solver", choices=("highs", "cbc"), default="highs")
        cmd.add_argument("--time-limit", type=_non_negative_float, metavar="S", help="seconds the solver may take")
        cmd.add_argument(
            "--gap",
            type=_non_negative_float,
            default=1e-4,
            metavar="G",
            help="relative optimality gap (default 1e-4; 0 for exact marginal costs on large cities)",
        )
        cmd.add_argument(
            "--marginal-costs",
            choices=("resolve", "dual", "none"),
            default="resolve",
            help="what each binding target costs: re-solve with it relaxed by one (default), LP duals only, or none",
        )
        cmd.add_argument(
            "--marginal-time-limit",
            type=_non_negative_float,
            metavar="S",
            help="total seconds for the marginal-cost re-solves, most valuable first (default: max(5, 3 × the solve); 'inf' for all)",
        )

    pl = sub.add_parser("plan", help="solve the planning program and write the plan")
    pl.add_argument("file", metavar="FILE", help=scenario_help)
    solve_options(pl)
    common(pl)

    sim = sub.add_parser("simulate", help="simulate a plan (or the status quo) month by month")
    sim.add_argument("file", metavar="FILE", help=scenario_help)
    sim.add_argument(
        "--plan", type=Path, metavar="PLAN.csv", help="a plan.csv written by 'commplan plan' (default: the status quo)"
    )
    sim.add_argument("--replications", type=_positive_int, default=20, metavar="N")
    sim.add_argument("--seed", type=int, metavar="S", help="root seed (default: the scenario's)")
    sim.add_argument(
        "--processes", type=_positive_int, default=1, metavar="P", help="worker processes (results do not depend on it)"
    )
    common(sim)

    run = sub.add_parser("run", help="plan, simulate the plan, and write plots and a report (the main job)")
    run.add_argument("file", metavar="FILE", help=scenario_help)
    run.add_argument("--replications", type=_positive_int, default=20, metavar="N")
    run.add_argument("--seed", type=int, metavar="S", help="root seed (default: the scenario's)")
    run.add_argument("--processes", type=_positive_int, default=1, metavar="P")
    run.add_argument(
        "--replan",
        choices=("none", "yearly"),
        default="none",
        help="yearly: re-solve the remaining years from the simulated state at each year's end",
    )
    solve_options(run)
    common(run)

    sw = sub.add_parser("sweep", help="plan and simulate for each budget; write the frontier")
    sw.add_argument("file", metavar="FILE", help=scenario_help)
    sw.add_argument("--budgets", type=_budgets, required=True, metavar="B1,B2,…")
    sw.add_argument("--replications", type=_positive_int, default=20, metavar="N")
    sw.add_argument("--processes", type=_positive_int, metavar="P", help="local worker processes (default: all cores)")
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask distributed scheduler to run the work on (pip install 'commplan[dask]')",
    )
    common(sw)

    cmp_ = sub.add_parser("compare", help="put finished runs side by side")
    cmp_.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    common(cmp_)
    return p


# --------------------------------------------------------------------------------------
# commands


def cmd_validate(args: argparse.Namespace) -> int:
    problems: list[ScenarioError] = []
    for name in args.files:
        try:
            s = _load(name)
        except ScenarioError as e:
            problems.append(e)
            continue
        print(
            f"{name}: ok — {len(s.communities)} communities, {len(s.targets)} targets, {len(s.requirements)} requirements over {s.years} years"
        )
    for problem in problems:
        print(problem, file=sys.stderr)
    return USER_ERROR if problems else OK


def _load(name: str):
    """The scenario, its extensions' services checked too (running the scenario runs their code)."""
    from model.extensions import services_of

    return load(name, services_of=services_of)


def _out(args: argparse.Namespace, scenario, mode: str) -> Path:
    return args.out if args.out is not None else default_out(scenario, mode)


def _solve_options(args: argparse.Namespace):
    from commplan.pipeline import SolveOptions

    return SolveOptions(
        mode=args.mode,
        solver=args.solver,
        time_limit=args.time_limit,
        gap=args.gap,
        marginal_costs=args.marginal_costs,
        marginal_time_limit=args.marginal_time_limit,
    )


def _sim_options(args: argparse.Namespace):
    from commplan.pipeline import SimulationOptions

    return SimulationOptions(
        replications=args.replications,
        seed=args.seed,
        processes=args.processes,
        replan=getattr(args, "replan", "none"),
    )


def cmd_plan(args: argparse.Namespace) -> int:
    from commplan import pipeline

    scenario = _load(args.file)
    out = _out(args, scenario, args.mode)
    run = Run(out, scenario, "plan", args.force)
    result = pipeline.plan(scenario, _solve_options(args), out, args.quiet)
    run.finish(status=result.status)
    if not result.feasible:
        _no_plan(result)
    _say(args, f"{scenario.title}: {result.status}, total cost {result.total_cost:,.0f}; plan written to {out}/")
    return OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from commplan import pipeline
    from model.plan import read_plan_csv
    from results.summary import read_summary, skeleton
    from scenarios.files import atomic_write_bytes

    scenario = _load(args.file)
    plan = read_plan_csv(args.plan, scenario) if args.plan else None
    out = _out(args, scenario, "simulate" if plan is None else "simulate-plan")
    options = _sim_options(args)
    planned = args.plan.parent / "summary.json" if args.plan else None
    if planned is not None and planned.exists():  # the plan's own folder: carry its summary and plan along
        summary = read_summary(planned)
        plan_bytes = args.plan.read_bytes()
    else:
        summary, plan_bytes = skeleton(scenario, "status-quo" if plan is None else "plan"), None
    seeds = {"root": options.root_seed(scenario), "replications": args.replications}
    run = Run(out, scenario, "simulate", args.force, seeds=seeds)
    if plan_bytes is not None:
        atomic_write_bytes(out / "plan.csv", plan_bytes)
    result = pipeline.simulate_plan(scenario, plan, options, args.quiet)
    pipeline.record_simulation(summary, result, scenario, out)
    pipeline.draw(out, args.quiet)
    run.finish()
    _say(args, f"{scenario.title}: {args.replications} replications simulated; written to {out}/")
    return OK


def cmd_run(args: argparse.Namespace) -> int:
    from commplan import pipeline

    scenario = _load(args.file)
    out = _out(args, scenario, args.mode)
    options = _sim_options(args)
    seeds = {"root": options.root_seed(scenario), "replications": args.replications}
    run = Run(out, scenario, "run", args.force, seeds=seeds)
    result = pipeline.run(scenario, _solve_options(args), options, out, args.quiet)
    run.finish(status=result.status)
    if not result.feasible:
        _no_plan(result)
    _say(
        args,
        f"{scenario.title}: {result.status}, total cost {result.total_cost:,.0f}; plan and {args.replications} simulated replications in {out}/",
    )
    return OK


def cmd_sweep(args: argparse.Namespace) -> int:
    import shutil

    from commplan.progress import bar, spinner
    from commplan.sweep import Sweep

    scenario = _load(args.file)
    out = args.out if args.out is not None else default_out(scenario, "sweep")
    if args.force:
        for name in ("units", "sweep.json", "frontier.csv", "frontier.png", "manifest.json"):
            target = out / name
            shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    seed = scenario.seed
    resuming = finished_command(out) == "sweep" or (out / "sweep.json").exists()
    sweep = Sweep(scenario, args.budgets, out, args.replications, seed)
    run = Run(
        out, scenario, "sweep", force=args.force or resuming, seeds={"root": seed, "replications": args.replications}
    )
    with spinner(f"planning {len(sweep.missing_plans())} budgets", args.quiet) as say:
        planned = sweep.run_plans(progress=say)
    todo = len(sweep.missing_simulations())
    with bar(todo, "simulating budgets × replications", args.quiet, unit="run") as b:

        def progress(done: int, total: int) -> None:
            b.update(1)

        simulated = sweep.run_simulations(processes=args.processes, scheduler=args.scheduler, progress=progress)
    sweep.write_frontier()
    run.finish(budgets=sweep.budgets, planned=planned, simulated=simulated)
    _say(
        args,
        f"{scenario.title}: frontier of {len(sweep.budgets)} budgets ({planned} planned and {simulated} replications simulated now, the rest reused) in {out}/",
    )
    return OK


def cmd_compare(args: argparse.Namespace) -> int:
    from results.compare import compare

    out = args.out if args.out is not None else Path("runs") / "compare"
    run = Run(out, None, "compare", args.force, compared=[str(d) for d in args.dirs])
    written = compare(args.dirs, out)
    run.finish()
    _say(args, f"compared {len(args.dirs)} runs; wrote " + ", ".join(p.name for p in written) + f" in {out}/")
    return OK


COMMANDS = {
    "validate": cmd_validate,
    "plan": cmd_plan,
    "simulate": cmd_simulate,
    "run": cmd_run,
    "sweep": cmd_sweep,
    "compare": cmd_compare,
}


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text)


#: commplan's own packages: an error raised in code outside them (and outside libraries) is
#: the user's extension code failing, not a bug in commplan.
OWN_PACKAGES = tuple(
    str(Path(__file__).resolve().parents[1] / name) + os.sep
    for name in ("commplan", "model", "optimize", "scenarios", "results")
)


def _users_code(error: BaseException) -> traceback.FrameSummary | None:
    """The frame of the user's own code (an extension) where ``error`` arose, if it did.

    An error raised in a worker process arrives with the worker's traceback as text (its
    ``__cause__``): that text is read the same way.
    """
    frames = list(traceback.extract_tb(error.__traceback__))
    remote = error.__cause__
    if remote is not None and type(remote).__name__ == "_RemoteTraceback":
        frames += [
            traceback.FrameSummary(path, int(line), name)
            for path, line, name in re.findall(r'File "([^"]+)", line (\d+), in (\S+)', str(remote))
        ]
    libraries = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])
    for frame in reversed(frames):
        path = str(Path(frame.filename).resolve())
        if path.startswith(libraries) or frame.filename.startswith("<"):
            continue
        return None if path.startswith(OWN_PACKAGES) else frame
    return None


def main(argv: list[str] | None = None) -> int:
    # Like `python -m`, look for extension modules in the current folder first.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    parser = build_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    try:
        return COMMANDS[args.command](args)
    except ScenarioError as e:
        print(e, file=sys.stderr)
        return USER_ERROR
    except InputError as e:
        print(f"commplan {args.command}: {e}", file=sys.stderr)
        return USER_ERROR
    except Infeasible as e:
        print(f"commplan {args.command}: the targets cannot all be met.\n{e}", file=sys.stderr)
        return INFEASIBLE
    except SolverFailed as e:
        print(f"commplan {args.command}: {e}", file=sys.stderr)
        return INTERNAL
    except KeyboardInterrupt:
        print(f"commplan {args.command}: interrupted; the output folder is left unfinished", file=sys.stderr)
        return 130
    except Exception as e:
        log = Path(tempfile.gettempdir()) / "commplan-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        if (frame := _users_code(e)) is not None:
            print(
                f"commplan {args.command}: your extension code failed at {frame.filename}:{frame.lineno} "
                f"({frame.name}): {type(e).__name__}: {e}\nthe full traceback is in {log}",
                file=sys.stderr,
            )
            return USER_ERROR
        print(
            f"commplan {args.command}: internal error (a bug in commplan, not in your input); details in {log}",
            file=sys.stderr,
        )
        return INTERNAL


if __name__ == "__main__":
    sys.exit(main())
