"""The main job, in one place: plan → simulate → publish, into a run folder.

The command line parses options into :class:`SolveOptions` and :class:`SimulationOptions`
and calls these functions; a script can call them too. Each step writes its files
atomically as it finishes, so a run folder holds whole files only.
"""

from __future__ import annotations

import dataclasses
import functools
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import optimize
from commplan.parallel import process_pool
from commplan.progress import bar, spinner
from model.plan import PlanSchedule, plan_from_result
from optimize import PlanResult
from results.plan_output import write_plan
from results.publish import publish, write_tables
from results.runs import load_run
from results.summary import complete_requirements, with_analysis, with_intervals, with_simulation
from scenarios.files import write_csv, write_json
from scenarios.schema import Scenario

if TYPE_CHECKING:  # the simulation (and Mesa) is imported only by the jobs that simulate: `plan` does not
    from commplan.confidence import ConfidencePlan, Margins
    from model.runner import SimulationResult


@dataclass(frozen=True)
class SolveOptions:
    """How to solve the planning program (``commplan plan --help`` says what each does)."""

    mode: str = "min-cost"
    solver: str = "highs"
    time_limit: float | None = None
    gap: float = 1e-4
    marginal_costs: str = "resolve"  # resolve, dual or none
    marginal_time_limit: float | None = None
    confidence: float | None = None  # plan so each requirement is met with this probability (commplan.confidence)
    confidence_replications: int = 20  # in-sample replications per step of the confidence loop
    price_curve: bool = False  # also the cost at the deterministic level and at 0.5, 0.8, 0.9, 0.95 (run does)
    processes: int | None = 1  # re-solves (marginal and full costs) at a time; None: every core on a large city


@dataclass(frozen=True)
class SimulationOptions:
    """How to simulate a plan: replications from one root seed, on how many processes."""

    replications: int = 20
    seed: int | None = None  # None: the scenario's
    processes: int = 1
    replan: str = "none"  # none or yearly

    def root_seed(self, scenario: Scenario) -> int:
        return scenario.seed if self.seed is None else self.seed


def solve(scenario: Scenario, options: SolveOptions, quiet: bool = False) -> PlanResult:
    """The plan, its cost and what each target costs (marginal costs as the options say)."""
    marginal_by_choice: dict[str, bool | str] = {"resolve": True, "dual": "dual", "none": False}
    marginal = marginal_by_choice[options.marginal_costs]
    with spinner(f"planning {scenario.name}", quiet) as say:
        return optimize.solve(
            scenario,
            mode=options.mode,
            solver=options.solver,
            time_limit=options.time_limit,
            gap=options.gap,
            marginal_costs=marginal,
            marginal_time_limit=options.marginal_time_limit,
            progress=say,
            processes=options.processes,
        )


def solve_with_confidence(
    scenario: Scenario, options: SolveOptions, quiet: bool = False, seed: int | None = None, processes: int = 1
) -> tuple[PlanResult, ConfidencePlan | None]:
    """The deterministic plan, or with ``options.confidence`` the plan that holds with that
    probability (its in-sample replications on ``processes`` worker processes)."""
    if options.confidence is None:
        return solve(scenario, options, quiet), None
    from commplan.confidence import plan_at, price_of_confidence
    from model.runner import simulate

    with spinner(f"planning {scenario.name} with confidence {options.confidence:g}", quiet) as say:
        with process_pool(processes) if processes > 1 else nullcontext() as pool:
            kw: dict[str, Any] = dict(
                mode=options.mode,
                replications=options.confidence_replications,
                seed=seed,
                solver=options.solver,
                time_limit=options.time_limit,
                gap=options.gap,
                say=say,
                simulate_fn=functools.partial(simulate, executor=pool) if pool is not None else simulate,
            )
            if options.price_curve:
                cp, curve = price_of_confidence(scenario, options.confidence, **kw)
                cp.price = curve
            else:
                cp = plan_at(scenario, options.confidence, **kw)
    return cp.result, cp


def _annotate(summary: dict[str, Any], cp: ConfidencePlan | None) -> dict[str, Any]:
    """summary.json's ``confidence`` (null when deterministic) and, for a confidence plan, its loop."""
    if cp is None:
        return {**summary, "confidence": None}
    from commplan.confidence import annotate

    return annotate(summary, cp)


def plan(
    scenario: Scenario, options: SolveOptions, out: Path, quiet: bool = False, seed: int | None = None
) -> PlanResult:
    """Solve and write ``plan.csv`` (when there is a plan), ``summary.json`` and the plan charts."""
    result, cp = solve_with_confidence(scenario, options, quiet, seed)
    write_plan(result, scenario, out, _annotate({}, cp))
    if (out / "scenario.toml").exists():  # a run folder: the plan community by community, and in Excel
        write_tables(load_run(out, timeseries=False, finished=False))
    return result


def simulate_plan(
    scenario: Scenario, plan: PlanSchedule | None, options: SimulationOptions, quiet: bool = False
) -> SimulationResult:
    """Replications of a fixed plan (the status quo when ``plan`` is None), on local processes."""
    from model.runner import simulate

    months = 12 * scenario.years
    seed = options.root_seed(scenario)
    with bar(months * options.replications, f"simulating {scenario.name}", quiet, unit="month") as b:

        def progress(done: int, total: int) -> None:
            b.total = total
            b.update(done - b.n)

        if options.processes <= 1 or options.replications <= 1:
            return simulate(scenario, plan, replications=options.replications, seed=seed, progress=progress)
        with process_pool(options.processes) as pool:
            return simulate(
                scenario, plan, replications=options.replications, seed=seed, progress=progress, executor=pool
            )


def simulate_replanning(
    scenario: Scenario,
    plan: PlanSchedule,
    result: PlanResult,
    options: SimulationOptions,
    solver: str,
    out: Path,
    quiet: bool = False,
    margins: Margins | None = None,
) -> SimulationResult:
    """Replications that re-solve the remaining years at each year's end (keeping a
    confidence plan's ``margins``); writes ``replans.csv``."""
    from commplan.replan import simulate_adaptive

    with bar(
        12 * scenario.years * options.replications,
        f"simulating {scenario.name}, re-planning yearly",
        quiet,
        unit="month",
    ) as b:

        def progress(done: int, total: int) -> None:
            b.update(done - b.n)

        sim, replans = simulate_adaptive(
            scenario,
            plan,
            result.summary()["cost_by_year"],
            options.replications,
            options.root_seed(scenario),
            options.processes,
            solver,
            progress,
            margins,
        )
    write_csv(
        out / "replans.csv",
        ["replication", "year", "status", "remaining_cost"],
        [[r.replication, r.year, r.status, r.remaining_cost] for r in replans],
    )
    return sim


def record_simulation(summary: dict, sim: SimulationResult, scenario: Scenario, out: Path) -> None:
    """Write ``timeseries.csv`` and ``attainment.csv``, then ``summary.json`` with what was
    achieved and each probability's 90 % interval."""
    from model.runner import write_simulation

    achieved = write_simulation(sim, scenario, out)
    merged = with_simulation(complete_requirements(summary, scenario), achieved)
    write_json(out / "summary.json", with_analysis(with_intervals(merged, len(sim.replications)), scenario, out))


def draw(out: Path, quiet: bool = False) -> None:
    """The charts and ``report.html`` of what the folder holds."""
    with spinner("drawing charts and the report", quiet):
        publish(out)


def run(
    scenario: Scenario,
    solve_options: SolveOptions,
    sim_options: SimulationOptions,
    out: Path,
    quiet: bool = False,
) -> PlanResult:
    """Plan, simulate the plan (re-planning yearly if asked), write everything, draw the report.

    Returns the plan's result; when the solve found no plan, only the plan's files are
    written and the caller says why (its status and explanation).
    """
    if solve_options.confidence is not None and solve_options.mode == "min-cost":
        solve_options = dataclasses.replace(solve_options, price_curve=True)
    result, cp = solve_with_confidence(
        scenario, solve_options, quiet, sim_options.root_seed(scenario), sim_options.processes
    )
    write_plan(result, scenario, out, _annotate({}, cp))
    if not result.feasible:
        return result
    schedule = plan_from_result(result, scenario)
    if sim_options.replan == "yearly":
        margins = None if cp is None else cp.margins
        sim = simulate_replanning(scenario, schedule, result, sim_options, solve_options.solver, out, quiet, margins)
    else:
        sim = simulate_plan(scenario, schedule, sim_options, quiet)
    record_simulation(_annotate(result.summary(), cp), sim, scenario, out)
    draw(out, quiet)
    return result
