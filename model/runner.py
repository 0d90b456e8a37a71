"""Replications: run the model N times from one seed and write the contract's tables.

Replication ``r`` draws from ``seed_sequence(seed, SIMULATE, r)``, so its result depends
only on the seed and ``r`` — never on how many processes share the work — and the same
seed gives byte-identical ``timeseries.csv`` on any machine.

Extensions run here too: the scenario's ``extensions`` list, or ``model_class`` (a
:class:`CommunityModel` subclass defined in an importable module) and ``extensions``
(module names, or picklable :class:`~model.extensions.Extension` instances) passed to
:func:`simulate`. Worker processes import them by module name.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.extensions import ExtensionError
from model.model import CommunityModel
from model.plan import PlanSchedule
from model.records import columns
from scenarios.files import atomic_file, atomic_write_text, csv_text, write_csv_rows
from scenarios.schema import Scenario
from scenarios.seeding import SIMULATE, seed_sequence

ATTAINMENT_COLUMNS = ["replication", "year", "target", "required", "achieved", "met", "kind"]


@dataclass(frozen=True)
class Replication:
    """One run: ``timeseries[month − 1, community, column]`` and its attainment rows."""

    index: int
    timeseries: np.ndarray
    attainment: list[tuple]  # (year, target, kind, required, achieved, met)
    columns: tuple[str, ...] | None = None  # the value columns, when the model says


@dataclass(frozen=True)
class SimulationResult:
    seed: int
    columns: list[str]
    communities: list[str]
    replications: list[Replication]

    def requirements(self, scenario: Scenario) -> list[dict[str, Any]]:
        """Per requirement: mean achieved and the share of replications meeting it."""
        out = []
        for r in scenario.requirements:
            rows = [
                a
                for rep in self.replications
                for a in rep.attainment
                if (a[0], a[1], a[2]) == (r.year, r.target, r.kind)
            ]
            achieved = [a[4] for a in rows]
            out.append(
                {
                    "target": r.target,
                    "kind": r.kind,
                    "year": r.year,
                    "required": r.required,
                    "achieved_mean": float(np.mean(achieved)) if achieved else None,
                    "probability_met": float(np.mean([a[5] for a in rows])) if rows else None,
                }
            )
        return out


def model_class_of(scenario: Scenario) -> type[CommunityModel]:
    """The model a scenario names (``[scenario] model = "package.module:Class"``), else the core's."""
    if not scenario.model:
        return CommunityModel
    module_name, _, name = scenario.model.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as e:
        raise ExtensionError(f"[scenario] model = {scenario.model!r}: cannot import {module_name!r} ({e})") from None
    found = getattr(module, name, None)
    if not (isinstance(found, type) and issubclass(found, CommunityModel)):
        raise ExtensionError(
            f"[scenario] model = {scenario.model!r}: {module_name} has no subclass of CommunityModel named {name!r}"
        )
    return found


def run_replication(
    scenario: Scenario,
    plan: PlanSchedule | None,
    seed: int,
    index: int,
    progress: Callable[[], None] | None = None,
    model_class: type[CommunityModel] | None = None,
    extensions: Sequence[Any] = (),
) -> Replication:
    """One replication, start to end of the plan horizon (``model_class``: default the scenario's)."""
    kw = {"extensions": tuple(extensions)} if extensions else {}
    model_class = model_class or model_class_of(scenario)
    model = model_class(scenario, plan, rng=np.random.default_rng(seed_sequence(seed, SIMULATE, index)), **kw)
    while model.running:
        model.step()
        if progress is not None:
            progress()
    return Replication(index, model.recorder.table(), model.attainment, tuple(model.recorder.columns))


def _run(args: tuple) -> Replication:
    scenario, plan, seed, index, model_class, extensions = args
    return run_replication(scenario, plan, seed, index, None, model_class, extensions)


def _worker_processes(processes: int) -> ProcessPoolExecutor:
    """Fresh workers from a fork server: forking a caller that runs threads can deadlock."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("forkserver"))


def simulate(
    scenario: Scenario,
    plan: PlanSchedule | None = None,
    replications: int = 1,
    seed: int | None = None,
    processes: int = 1,
    progress: Callable[[int, int], None] | None = None,
    model_class: type[CommunityModel] | None = None,
    extensions: Sequence[Any] = (),
    executor: Executor | None = None,
    first: int = 0,
) -> SimulationResult:
    """Run ``replications`` independent replications of the plan (status quo if ``None``).

    ``first``: run only replications ``first`` to ``replications − 1`` (to extend a sample
    already run: replication r depends only on the seed and r).

    ``progress(done, total)`` is called as months × replications complete (per month in
    this process, per replication elsewhere). ``model_class`` and ``extensions`` extend
    the model beyond the scenario's own ``extensions`` (see :mod:`model.extensions`).
    Replications run in this process, or on ``executor`` (any
    :class:`concurrent.futures.Executor`; the command line passes its own), or on
    ``processes`` worker processes started for this call.
    """
    seed = scenario.seed if seed is None else seed
    months = 12 * scenario.years
    total = months * (replications - first)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    reps: list[Replication] = []
    if executor is None and (processes <= 1 or replications - first <= 1):
        for r in range(first, replications):
            reps.append(run_replication(scenario, plan, seed, r, tick, model_class, extensions))
    else:
        with nullcontext(executor) if executor is not None else _worker_processes(processes) as pool:
            futures = [
                pool.submit(_run, (scenario, plan, seed, r, model_class, tuple(extensions)))
                for r in range(first, replications)
            ]
            for f in futures:
                reps.append(f.result())
                tick(months)
    cols = list(reps[0].columns) if reps and reps[0].columns else columns(scenario)
    return SimulationResult(seed, ["replication", "month", "community", *cols], scenario.community_ids, reps)


def timeseries_rows(result: SimulationResult) -> Iterator[list]:
    for rep in result.replications:
        for m, month in enumerate(rep.timeseries, start=1):
            for community, values in zip(result.communities, month.tolist(), strict=True):
                yield [rep.index, m, community, *values]


def timeseries_text(result: SimulationResult) -> str:
    return csv_text(result.columns, timeseries_rows(result))


def attainment_rows(replications: Sequence[Replication]) -> Iterator[list]:
    """attainment.csv's rows (ATTAINMENT_COLUMNS) for these replications."""
    for rep in replications:
        for year, target, kind, required, achieved, met in rep.attainment:
            yield [rep.index, year, target, required, achieved, met, kind]


def attainment_text(result: SimulationResult) -> str:
    return csv_text(ATTAINMENT_COLUMNS, attainment_rows(result.replications))


def write_simulation(result: SimulationResult, scenario: Scenario, out_dir: str | Path) -> list[dict[str, Any]]:
    """Write ``timeseries.csv`` and ``attainment.csv``; return per-requirement results.

    ``results.summary.with_simulation`` merges the returned records into summary.json.
    """
    out = Path(out_dir)
    with atomic_file(out / "timeseries.csv") as f:  # streamed: a city's table need not fit in one string
        write_csv_rows(f, result.columns, timeseries_rows(result))
    atomic_write_text(out / "attainment.csv", attainment_text(result))
    return result.requirements(scenario)
