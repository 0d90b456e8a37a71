"""The ``commplan`` command: validate, plan, simulate, run, sweep, compare.

Exit codes (the contract): 0 done; 1 the user's input is wrong (the message says what to
change); 2 the plan is infeasible (the message says which targets and by how much); 3 an
internal error. No traceback reaches the user: an internal error's details go to a log
file whose path is printed (in the run folder when the command has one). A bad option is
an input error too: exit 1 with the usage line, never argparse's 2.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import re
import site
import sys
import sysconfig
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn

from commplan.rundir import ERROR_LOG, Run, RunFolder, default_out, refuse_inputs_inside
from results.i18n import use as language
from scenarios.files import atomic_write_text
from scenarios.loader import bundled_scenarios, load, resolve_path
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


def _solver_broke(result) -> None:
    """A solver that broke down leaves the run folder unfinished (no manifest passes it for a result)."""
    if not result.feasible and result.status not in ("infeasible", "time_limit"):
        raise SolverFailed(result.explanation)


class _Parser(argparse.ArgumentParser):
    """argparse, with the contract's exit code: a bad option is the user's input to fix (1), not 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USER_ERROR, f"{self.prog}: error: {message}\n")


#: The most worker processes and replications an option may ask for (more is a typo).
MAX_PROCESSES, MAX_REPLICATIONS = 1024, 1_000_000
#: The largest budget ``--budgets`` takes: a thousand trillion yuan, far beyond any city's programme.
MAX_BUDGET = 1e15
MAX_SEED = 2**64 - 1


def _whole(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,}, not {value:,}")
        return value

    return parse


_processes = _whole(1, MAX_PROCESSES)
_replications = _whole(1, MAX_REPLICATIONS)
_seed = _whole(0, MAX_SEED)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if math.isnan(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, not {text}")
    return value


def _finite_number(text: str) -> float:
    value = _number(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text}")
    return value


def _probability(text: str) -> float:
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a probability between 0 and 1 (exclusive), such as 0.9, not {text}")
    return value


def _seconds(text: str) -> float | None:
    """A time limit in seconds; ``inf`` is no limit at all."""
    value = _number(text)
    return None if math.isinf(value) else value


def _seconds_or_inf(text: str) -> float:
    return _number(text)


def _budgets(text: str) -> list[float]:
    try:
        values = [float(x.replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give budgets as numbers separated by commas, e.g. 1e6,2e6,3e6"
        ) from None
    if not values or any(not (0 <= v <= MAX_BUDGET) for v in values):  # NaN fails too
        raise argparse.ArgumentTypeError(
            f"give one or more budgets from 0 to {MAX_BUDGET:.0e} yuan, separated by commas (not {text!r})"
        )
    return values


def _names(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",") if x.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"{text!r}: give parameter names separated by commas")
    return names


def build_parser() -> argparse.ArgumentParser:
    scenario_help = "scenario file, or the name of a bundled scenario (" + ", ".join(bundled_scenarios()) + ")"
    p = _Parser(
        prog="commplan",
        description="Plan and simulate multi-year urban community construction programmes.",
        epilog="Exit codes: 0 done, 1 input to fix, 2 plan infeasible, 3 internal error.",
    )
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars and nothing on standard output; the result line goes to standard error",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(cmd: argparse.ArgumentParser, out: bool = True) -> None:
        cmd.add_argument(
            "--quiet",
            action="store_true",
            default=argparse.SUPPRESS,
            help="no progress bars and nothing on standard output; the result line goes to standard error",
        )
        if out:
            cmd.add_argument("--out", type=Path, help="output folder (default: runs/<scenario>-<mode>/)")
            cmd.add_argument("--force", action="store_true", help="overwrite a finished run in --out")
            cmd.add_argument(
                "--lang",
                choices=("en", "zh"),
                default="en",
                help="language of report.html and the charts: en (English, the default) or zh (中文)",
            )

    v = sub.add_parser("validate", help="check scenario files and print every problem")
    v.add_argument("files", nargs="+", metavar="FILE", help=scenario_help)
    common(v, out=False)

    def solve_options(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument(
            "--mode",
            choices=("min-cost", "max-attainment"),
            default="min-cost",
            help="min-cost: the cheapest plan that meets every target (default; exit 2 if a budget is too small); "
            "max-attainment: the most of the targets the budget buys",
        )
        cmd.add_argument("--solver", choices=("highs", "cbc"), default="highs", help="the MIP solver (default highs)")
        cmd.add_argument("--time-limit", type=_seconds, metavar="S", help="seconds the solver may take")
        cmd.add_argument(
            "--gap",
            type=_finite_number,
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
            "--confidence",
            type=_probability,
            metavar="P",
            help="the cheapest plan whose every requirement is met with probability ≥ P in the simulation "
            "(margins learned from the simulation; see docs/planning.md); default: the deterministic plan",
        )
        cmd.add_argument(
            "--marginal-time-limit",
            type=_seconds_or_inf,
            metavar="S",
            help="total seconds for the marginal-cost re-solves, most valuable first (default: max(5, 3 × the solve); 'inf' for all)",
        )

    pl = sub.add_parser("plan", help="solve the planning program and write the plan")
    pl.add_argument("file", metavar="FILE", help=scenario_help)
    pl.add_argument(
        "--processes",
        type=_processes,
        metavar="P",
        help="marginal- and full-cost re-solves at a time (default: every core once the solve takes a quarter "
        "of a second or more; figures proven exact do not depend on it)",
    )
    solve_options(pl)
    common(pl)

    sim = sub.add_parser("simulate", help="simulate a plan (or the status quo) month by month")
    sim.add_argument("file", metavar="FILE", help=scenario_help)
    sim.add_argument(
        "--plan", type=Path, metavar="PLAN.csv", help="a plan.csv written by 'commplan plan' (default: the status quo)"
    )
    sim.add_argument(
        "--replications", type=_replications, default=20, metavar="N", help="simulated replications (default 20)"
    )
    sim.add_argument("--seed", type=_seed, metavar="S", help="root seed (default: the scenario's)")
    sim.add_argument(
        "--processes", type=_processes, default=1, metavar="P", help="worker processes (results do not depend on it)"
    )
    common(sim)

    run = sub.add_parser("run", help="plan, simulate the plan, and write plots and a report (the main job)")
    run.add_argument("file", metavar="FILE", help=scenario_help)
    run.add_argument(
        "--replications", type=_replications, default=20, metavar="N", help="simulated replications (default 20)"
    )
    run.add_argument("--seed", type=_seed, metavar="S", help="root seed (default: the scenario's)")
    run.add_argument(
        "--processes",
        type=_processes,
        default=1,
        metavar="P",
        help="worker processes for the replications and the cost re-solves (results do not depend on it)",
    )
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
    sw.add_argument(
        "--budgets", type=_budgets, required=True, metavar="B1,B2,…", help="total budgets in yuan, e.g. 2e6,3e6,4e6"
    )
    sw.add_argument(
        "--replications", type=_replications, default=20, metavar="N", help="simulated replications per budget"
    )
    sw.add_argument("--processes", type=_processes, metavar="P", help="local worker processes (default: all cores)")
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask distributed scheduler to run the work on (pip install 'commplan[dask]')",
    )
    sw.add_argument(
        "--uncertain",
        type=_replications,
        metavar="N",
        help="also simulate each budget in N Latin-hypercube futures of the behaviour parameters",
    )
    sw.add_argument(
        "--confidence",
        type=_probability,
        metavar="P",
        help="at each budget, the plan that buys the most reliability: margins learned from the simulation "
        "until each requirement is met with probability ≥ P or the budget binds (docs/planning.md)",
    )
    common(sw)

    se = sub.add_parser("sensitivity", help="how a plan's outcomes depend on the behaviour parameters (Morris, Sobol')")
    se.add_argument("file", metavar="FILE", help=scenario_help)
    se.add_argument("--method", choices=("morris", "sobol"), required=True)
    se.add_argument(
        "--samples",
        type=_whole(1, MAX_REPLICATIONS),
        required=True,
        metavar="N",
        help="Morris trajectories, or Sobol' base samples (a power of two)",
    )
    se.add_argument(
        "--replications", type=_replications, default=2, metavar="R", help="replications per point (default 2)"
    )
    se.add_argument("--seed", type=_seed, metavar="S", help="root seed (default: the scenario's)")
    se.add_argument(
        "--plan", type=Path, metavar="PLAN.csv", help="simulate this plan (default: plan at minimum cost first)"
    )
    se.add_argument(
        "--parameters",
        type=_names,
        metavar="NAME,…",
        help="sample only these parameters (default: every one with a plausible range)",
    )
    se.add_argument("--processes", type=_processes, metavar="P", help="local worker processes (default: all cores)")
    se.add_argument("--scheduler", metavar="ADDRESS", help="a Dask distributed scheduler to run the work on")
    common(se)

    cmp_ = sub.add_parser("compare", help="put finished runs side by side")
    cmp_.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="finished run folders (plan, simulate or run)")
    common(cmp_)
    return p


# --------------------------------------------------------------------------------------
# commands


def cmd_validate(args: argparse.Namespace) -> int:
    problems: list[ScenarioError] = []
    for name in args.files:
        try:
            s = load(name)  # extension modules are looked up, never run: validating runs no code
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
    return load(name, services_of=_services_of, parameters_of=_parameters_of)


def _services_of(name: str) -> tuple[str, ...]:
    from model.extensions import services_of  # the model (and Mesa) only for a scenario that names extensions

    return services_of(name)


def _parameters_of(name: str) -> type | None:
    from model.extensions import parameters_of

    return parameters_of(name)


def _out(args: argparse.Namespace, scenario, mode: str) -> Path:
    return args.out if args.out is not None else default_out(scenario, mode)


def _solve_options(args: argparse.Namespace):
    from commplan.pipeline import SolveOptions

    confidence = getattr(args, "confidence", None)
    return SolveOptions(
        mode=args.mode,
        solver=args.solver,
        time_limit=args.time_limit,
        gap=args.gap,
        marginal_costs=args.marginal_costs,
        marginal_time_limit=args.marginal_time_limit,
        confidence=confidence,
        processes=args.processes,
    )


def _sim_options(args: argparse.Namespace):
    from commplan.pipeline import SimulationOptions

    return SimulationOptions(
        replications=args.replications,
        seed=args.seed,
        processes=args.processes,
        replan=getattr(args, "replan", "none"),
    )


def _hold(args: argparse.Namespace, run: Run) -> Run:
    """Remember the command's run folder: its lock is released, and an error logged in it, by :func:`main`."""
    args.folder = run.folder
    return run


def _scenario_file(name: str) -> Path:
    return resolve_path(name)


def cmd_plan(args: argparse.Namespace) -> int:
    from commplan import pipeline

    scenario = _load(args.file)
    options = _solve_options(args)
    out = _out(args, scenario, args.mode)
    refuse_inputs_inside(out, [("the scenario", _scenario_file(args.file))])
    run = _hold(args, Run(out, scenario, "plan", args.force))
    result = pipeline.plan(scenario, options, out, args.quiet)
    _solver_broke(result)
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
    refuse_inputs_inside(out, [("the scenario", _scenario_file(args.file)), ("the plan", args.plan)])
    options = _sim_options(args)
    planned = args.plan.parent / "summary.json" if args.plan else None
    if planned is not None and planned.exists():  # the plan's own folder: carry its summary and plan along
        summary = read_summary(planned)
        plan_bytes = args.plan.read_bytes()
    else:
        summary, plan_bytes = skeleton(scenario, "status-quo" if plan is None else "plan"), None
    seeds = {"root": options.root_seed(scenario), "replications": args.replications}
    run = _hold(args, Run(out, scenario, "simulate", args.force, seeds=seeds))
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
    solve_options = _solve_options(args)
    out = _out(args, scenario, args.mode)
    options = _sim_options(args)
    seeds = {"root": options.root_seed(scenario), "replications": args.replications}
    refuse_inputs_inside(out, [("the scenario", _scenario_file(args.file))])
    run = _hold(args, Run(out, scenario, "run", args.force, seeds=seeds))
    result = pipeline.run(scenario, solve_options, options, out, args.quiet)
    _solver_broke(result)
    run.finish(status=result.status)
    if not result.feasible:
        _no_plan(result)
    _say(
        args,
        f"{scenario.title}: {result.status}, total cost {result.total_cost:,.0f}; plan and {args.replications} simulated replications in {out}/",
    )
    return OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from commplan.progress import bar, spinner
    from commplan.sweep import RESUMED, Sweep

    scenario = _load(args.file)
    out = args.out if args.out is not None else default_out(scenario, "sweep")
    refuse_inputs_inside(out, [("the scenario", _scenario_file(args.file))])
    seed = scenario.seed
    folder = RunFolder(out, "sweep", args.force, resume=True)
    args.folder = folder
    seeds = {"root": seed, "replications": args.replications}
    uncertain = args.uncertain or 0
    confidence = args.confidence
    if args.force:  # start afresh: what earlier sweeps wrote here goes first
        run = _hold(args, Run(out, scenario, "sweep", True, seeds=seeds, folder=folder))
        sweep = Sweep(
            scenario, args.budgets, out, args.replications, seed, warn=_warn, uncertain=uncertain, confidence=confidence
        )
    else:  # resume: refuse another sweep's units before touching anything; keep the finished frontier until replaced
        sweep = Sweep(
            scenario, args.budgets, out, args.replications, seed, warn=_warn, uncertain=uncertain, confidence=confidence
        )
        run = _hold(args, Run(out, scenario, "sweep", False, seeds=seeds, folder=folder, keep=RESUMED))
    with spinner(f"planning {len(sweep.missing_plans())} budgets", args.quiet) as say:
        planned = sweep.run_plans(progress=say, processes=args.processes)
    todo = len(sweep.missing_simulations())
    with bar(todo, "simulating budgets × replications", args.quiet, unit="run") as b:

        def progress(done: int, total: int) -> None:
            b.update(1)

        simulated = sweep.run_simulations(processes=args.processes, scheduler=args.scheduler, progress=progress)
    sweep.write_frontier()
    run.finish(budgets=sweep.budgets, planned=planned, simulated=simulated, uncertain=uncertain)
    _say(
        args,
        f"{scenario.title}: frontier of {len(sweep.budgets)} budgets ({planned} planned and {simulated} replications simulated now, the rest reused) in {out}/",
    )
    return OK


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from commplan.progress import bar, spinner
    from commplan.sensitivity import RESUMED, Sensitivity, check_design, ranges_of

    scenario = _load(args.file)
    out = _out(args, scenario, f"sensitivity-{args.method}")
    refuse_inputs_inside(out, [("the scenario", _scenario_file(args.file)), ("the plan", args.plan)])
    seed = scenario.seed if args.seed is None else args.seed
    ranges = ranges_of(args.parameters)
    check_design(args.method, args.samples, ranges)  # before the output folder is made
    folder = RunFolder(out, "sensitivity", args.force, resume=True)
    args.folder = folder
    seeds = {"root": seed, "replications": args.replications}

    def analysis() -> Sensitivity:
        return Sensitivity(scenario, out, args.method, args.samples, args.replications, seed, ranges, warn=_warn)

    if args.force:  # start afresh
        run = _hold(args, Run(out, scenario, "sensitivity", True, seeds=seeds, folder=folder))
        sens = analysis()
    else:  # resume: refuse another analysis's units before touching anything
        sens = analysis()
        run = _hold(args, Run(out, scenario, "sensitivity", False, seeds=seeds, folder=folder, keep=RESUMED))
    with spinner(f"planning {scenario.name}", args.quiet or args.plan is not None) as say:
        result = sens.make_plan(args.plan, progress=say)
    if result is not None and not result.feasible:
        _solver_broke(result)
        _no_plan(result)
    todo = len(sens.missing_points())
    with bar(
        todo, f"simulating {len(sens.design)} points × {args.replications} replications", args.quiet, unit="point"
    ) as b:
        simulated = sens.run_points(args.processes, args.scheduler, progress=lambda done, total: _tick(b))
    facts = {
        "method": args.method,
        "samples": args.samples,
        "parameters": len(ranges),
        "points": len(sens.design),
        "replications per point": args.replications,
        "root seed": seed,
        "plan": str(args.plan) if args.plan else "cheapest plan",
    }
    sens.write(facts)
    run.finish(method=args.method, samples=args.samples, points=len(sens.design), simulated=simulated)
    _say(
        args,
        f"{scenario.title}: {args.method} sensitivity of {len(ranges)} parameters over {len(sens.design)} points "
        f"({simulated} simulated now, the rest reused) in {out}/",
    )
    return OK


def _tick(bar) -> None:
    bar.update(1)


def cmd_compare(args: argparse.Namespace) -> int:
    from results.compare import load_runs, write_comparison

    out = args.out if args.out is not None else Path("runs") / "compare"
    refuse_inputs_inside(out, [("the compared run", d) for d in args.dirs])
    runs = load_runs(args.dirs)  # every one a finished run, before the output folder is touched
    run = _hold(args, Run(out, None, "compare", args.force, compared=[str(d) for d in args.dirs]))
    written = write_comparison(runs, out)
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
    "sensitivity": cmd_sensitivity,
}


def _say(args: argparse.Namespace, text: str) -> None:
    """The command's one-line result: on standard output, or under --quiet (which keeps standard output
    empty for scripts) on standard error, so that the answer is never hidden."""
    print(text, file=sys.stderr if args.quiet else sys.stdout)


def _warn(text: str) -> None:
    """A warning the user should see even under --quiet (which only silences progress)."""
    print(f"commplan: warning: {text}", file=sys.stderr)


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
    libraries = _library_folders()
    for frame in reversed(frames):
        if _in_library(frame.filename, libraries):
            continue
        return None if str(Path(frame.filename).resolve()).startswith(OWN_PACKAGES) else frame
    return None


def _library_folders() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    folders = [paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]]
    try:
        folders += [*site.getsitepackages(), site.getusersitepackages()]
    except AttributeError:  # a site module without them (some embedded Pythons)
        pass
    return tuple(str(Path(f).resolve()) + os.sep for f in folders if f)


def _in_library(filename: str, libraries: tuple[str, ...]) -> bool:
    """Whether a traceback's file is Python's or an installed library's, never a researcher's extension.

    Compiled code (Cython's ``.pyx``, whose frames name a path relative to the library's
    own source tree), frozen and generated code (``<frozen …>``) count as libraries.
    """
    if filename.startswith("<") or not filename.endswith(".py"):
        return True
    path = Path(filename)
    if not path.is_absolute():
        return True  # a library compiled with a relative file name: not a file of the user's
    if {"site-packages", "dist-packages"} & set(path.parts):
        return True
    return str(path.resolve()).startswith(libraries)


def main(argv: list[str] | None = None) -> int:
    # Extension modules may live in the current folder; it comes after the installed
    # libraries, so that a numpy.py or mesa.py lying there is never run in their place.
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    parser = build_parser()
    args = parser.parse_args(argv)
    args.quiet = getattr(args, "quiet", False)
    args.folder = None
    try:
        return _run_command(args)
    finally:
        if args.folder is not None:
            args.folder.release()


#: Errors of the machine, not of commplan: a full disk, a read-only folder, no permission.
_MACHINE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG}


def _run_command(args: argparse.Namespace) -> int:
    try:
        with language(getattr(args, "lang", None)):
            return COMMANDS[args.command](args)
    except ScenarioError as e:
        print(e, file=sys.stderr)
        return USER_ERROR
    except InputError as e:
        print(f"commplan {args.command}: {e}", file=sys.stderr)
        return USER_ERROR
    except Infeasible as e:
        hint = (
            "\nTo plan the most this budget buys instead, run again with --mode max-attainment."
            if getattr(args, "mode", None) == "min-cost" and "budget" in str(e)
            else ""
        )
        print(f"commplan {args.command}: the targets cannot all be met.\n{e}{hint}", file=sys.stderr)
        return INFEASIBLE
    except SolverFailed as e:
        print(f"commplan {args.command}: {e}", file=sys.stderr)
        return INTERNAL
    except KeyboardInterrupt:
        print(f"commplan {args.command}: interrupted; the output folder is left unfinished", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (`commplan validate … | head`): nothing is wrong with
        # the input or with commplan; stop quietly, and keep Python from complaining at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except OSError as e:
        if e.errno in _MACHINE_ERRORS and (e.filename is not None or e.errno in (errno.ENOSPC, errno.EDQUOT)):
            where = e.filename if e.filename is not None else "an output"
            verb = "cannot write" if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS) else "cannot access"
            print(f"commplan {args.command}: {verb} {where}: {e.strerror or e}", file=sys.stderr)
            return USER_ERROR
        return _internal_error(args, e)
    except Exception as e:
        return _internal_error(args, e)


def _internal_error(args: argparse.Namespace, e: BaseException) -> int:
    """Log the traceback where it can be found and say so in one line: the user's code (1) or a bug (3)."""
    try:
        frame = _users_code(e)
        log = _write_log(args, "".join(traceback.format_exception(e)))
        if frame is not None:
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
    except Exception as failed:  # not even the log could be written: one line, never a traceback
        try:
            print(
                f"commplan {args.command}: internal error ({type(e).__name__}: {_one_line(e)}); "
                f"its details could not be logged ({type(failed).__name__}: {_one_line(failed)})",
                file=sys.stderr,
            )
        except Exception:
            pass
    return INTERNAL


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:500]


def _write_log(args: argparse.Namespace, text: str) -> Path:
    """The traceback in the run folder's ``commplan-error.log``, or else in a new file of the temporary folder.

    The temporary file has a name of its own (``tempfile.mkstemp``: created exclusively,
    never through a symbolic link someone planted there).
    """
    folder = getattr(args, "folder", None)
    if folder is not None:
        try:
            atomic_write_text(folder.out / ERROR_LOG, text)
            return folder.out / ERROR_LOG
        except InputError:
            pass  # the run folder cannot be written either (a full disk?): try the temporary folder
    fd, name = tempfile.mkstemp(prefix="commplan-error-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(name)


if __name__ == "__main__":
    sys.exit(main())
