"""``commplan sensitivity``: how a fixed plan's outcomes depend on the behaviour parameters.

The plan is the cheapest one (as ``run`` plans it) or a given ``plan.csv``; it is simulated
at every point of a Morris or Sobol' design over the parameters' plausible ranges
(:mod:`results.sensitivity` builds the design and computes the indices).

Work is split as ``sweep`` splits it (:func:`commplan.parallel.evaluate`): one unit per
design point, holding its replications, written atomically to ``DIR/units/points/`` with a
check file (SHA-256, rows, the point's parameter values, the plan simulated) the moment it
finishes. An interrupted run resumes where it stopped and writes byte-identical outputs: a
unit depends only on the scenario, the plan, the root seed and the point.

Common random numbers: replication ``r`` of every point draws from the same stream
(``seed_sequence(seed, SIMULATE, r)``, the one ``simulate`` and ``sweep`` use), so two
points differ by their parameters, not by luck. The design and the indices' bootstrap
draw from streams of their own under the same seed (``scenarios.seeding.PARAMETERS``).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import optimize
from commplan.parallel import evaluate
from commplan.rundir import UNIT_NAME, FailedUnits, read_json, scenario_toml, sha256_text
from model.plan import plan_from_rows
from model.runner import run_replication
from results.plan_output import write_plan
from results.sensitivity import METHODS, indices, outcomes, output_names, points, write_sensitivity
from scenarios.files import atomic_write_text, csv_text, orphaned_temporaries, write_json
from scenarios.parameters import SimulationParameters
from scenarios.problems import InputError
from scenarios.schema import Scenario
from scenarios.seeding import PARAMETERS, seed_sequence

#: What a resumed sensitivity run keeps of its folder until it replaces them (Run's ``keep``).
RESUMED = (
    "units",
    "sensitivity.json",
    "plan.csv",
    "summary.json",
    "sensitivity.csv",
    "samples.csv",
    "sensitivity.png",
    "report.html",
    "manifest.json",
)
#: Streams under ``PARAMETERS``: the design, the indices' bootstrap (and ``sweep --uncertain``'s futures).
DESIGN, BOOTSTRAP, FUTURES = 0, 1, 2


class BadDesign(InputError):
    """The method, sample count or parameters asked for cannot make a design."""


class SensitivityMismatch(InputError):
    """DIR holds units of a different analysis; mixing them would be wrong."""


def seed_of(seed: int, stream: int) -> int:
    """A seed for SALib (which takes an integer), drawn from the run's one seed."""
    return int(seed_sequence(seed, PARAMETERS, stream).generate_state(1, dtype=np.uint64)[0])


def ranges_of(names: Sequence[str] | None = None) -> dict[str, tuple[float, float]]:
    """The plausible ranges of ``names`` (every uncertain parameter when None), as declared."""
    declared = SimulationParameters.uncertain()
    if names is None:
        return dict(declared)
    unknown = [n for n in names if n not in declared]
    if unknown:
        hints = [f"{n!r}" + _did_you_mean(n, declared) for n in unknown]
        raise BadDesign(
            f"--parameters: {', '.join(hints)} is not a simulation parameter with a plausible range "
            f"(there are {len(declared)}: see docs/scenario-format.md's [simulation] table)"
        )
    return {n: declared[n] for n in dict.fromkeys(names)}


def _did_you_mean(name: str, names: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(names), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_design(method: str, samples: int, ranges: Mapping[str, tuple[float, float]]) -> None:
    """Refuse a design SALib cannot make, or should not: a clear message naming the option and the fix."""
    if method not in METHODS:
        raise BadDesign(f"--method {method!r}: choose one of {', '.join(METHODS)}")
    if samples < 1:
        raise BadDesign(f"--samples {samples}: must be at least 1")
    if not ranges:
        raise BadDesign("--parameters: name at least one parameter")
    if method == "sobol" and samples & (samples - 1):
        below = 1 << (samples.bit_length() - 1)
        raise BadDesign(
            f"--samples {samples}: Sobol' sampling needs a power of two (its sequence is balanced only then); "
            f"use {below} or {below * 2}"
        )


def with_parameters(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """The scenario with a design point's parameter values applied."""
    return replace(scenario, simulation=scenario.simulation.with_values(values))


def simulate_point(scenario: Scenario, plan_csv: str, seed: int, values: dict[str, float], replications: int) -> str:
    """One design point: ``replications`` replications of the plan, their outcomes as CSV text.

    Module-level and free of globals so that a process pool or a Dask worker can run it.
    """
    at = with_parameters(scenario, values)
    plan = plan_from_rows(csv.DictReader(io.StringIO(plan_csv)), at, "plan.csv")
    rows, header = [], None
    for r in range(replications):
        rep = run_replication(at, plan, seed, r)
        columns = list(rep.columns or ())
        header = header or ["replication", *output_names(at, columns)]
        rows.append([r, *outcomes(rep, at, columns)])
    return csv_text(header or ["replication"], rows)


class Sensitivity:
    """A sensitivity folder: the plan, the design's points done and to do, and the indices."""

    def __init__(
        self,
        scenario: Scenario,
        out: Path,
        method: str,
        samples: int,
        replications: int,
        seed: int,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        warn: Callable[[str], None] | None = None,
    ):
        self.scenario, self.out, self.method, self.samples = scenario, Path(out), method, samples
        self.replications, self.seed = replications, seed
        self.ranges = dict(ranges) if ranges is not None else ranges_of()
        check_design(method, samples, self.ranges)
        self.units = self.out / "units"
        self.warn = warn or (lambda text: None)
        self.design = points(method, self.ranges, samples, seed_of(seed, DESIGN))
        self._failed = FailedUnits(self.units, self.warn)
        self._check_identity()

    @property
    def names(self) -> list[str]:
        return list(self.ranges)

    def values(self, point: int) -> dict[str, float]:
        return dict(zip(self.names, map(float, self.design[point]), strict=True))

    def _check_identity(self) -> None:
        identity = {
            "scenario_sha256": sha256_text(scenario_toml(self.scenario)),
            "seed": self.seed,
            "method": self.method,
            "samples": self.samples,
            "replications": self.replications,
            "parameters": {n: list(r) for n, r in self.ranges.items()},
        }
        found = read_json(self.out / "sensitivity.json")
        if found is not None:
            different = [k for k in identity if found.get(k) != json.loads(json.dumps(identity[k]))]
            if different:
                raise SensitivityMismatch(
                    f"{self.out} holds a sensitivity analysis with a different {', '.join(different)}; "
                    "choose another --out, or add --force to start it afresh"
                )
        self.identity = identity

    # -- the plan ------------------------------------------------------------------------
    @property
    def plan_dir(self) -> Path:
        return self.units / "plan"

    def plan_csv(self) -> str | None:
        """The plan simulated at every point, when it is on disk whole (its done.json matches)."""
        done = read_json(self.plan_dir / "done.json")
        if done is None:
            return None
        try:
            text = (self.plan_dir / "plan.csv").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return text if sha256_text(text) == done.get("plan_sha256") else None

    def make_plan(self, given: Path | None, solver: str = "highs", progress: Callable[[str], None] | None = None):
        """The plan: ``given`` (a plan.csv), else the one on disk, else the cheapest (returns the solve when one ran)."""
        if not (self.out / "sensitivity.json").exists():
            write_json(self.out / "sensitivity.json", self.identity)
        for tmp in orphaned_temporaries(self.plan_dir, UNIT_NAME):
            tmp.unlink(missing_ok=True)
        result = None
        if given is not None:
            text = given.read_text(encoding="utf-8")
            plan_from_rows(csv.DictReader(io.StringIO(text)), self.scenario, str(given))  # checked before use
            atomic_write_text(self.plan_dir / "plan.csv", text)
        elif self.plan_csv() is None or (read_json(self.plan_dir / "done.json") or {}).get("given"):
            if self.plan_csv() is None and (self.plan_dir / "done.json").exists():
                self._failed("plan/done.json", "does not match plan.csv (missing, truncated or edited)")
            result = optimize.solve(
                self.scenario, mode="min-cost", solver=solver, marginal_costs=False, progress=progress
            )
            if not result.feasible:
                return result
            write_plan(result, self.scenario, self.plan_dir)
        text = (self.plan_dir / "plan.csv").read_text(encoding="utf-8")
        write_json(
            self.plan_dir / "done.json", {"plan_sha256": sha256_text(text), "given": str(given) if given else None}
        )
        atomic_write_text(self.out / "plan.csv", text)
        summary = self.plan_dir / "summary.json"
        if given is None and summary.exists():
            atomic_write_text(self.out / "summary.json", summary.read_text(encoding="utf-8"))
        return result

    # -- the points ----------------------------------------------------------------------
    def point_file(self, point: int) -> Path:
        return self.units / "points" / f"point-{point:06d}.csv"

    def missing_points(self) -> list[int]:
        """Points without a unit that passes its check (failed ones are deleted, with a warning)."""
        plan_sha = sha256_text(self.plan_csv() or "")
        for tmp in orphaned_temporaries(self.units / "points", UNIT_NAME):
            tmp.unlink(missing_ok=True)
        todo = []
        for i in range(len(self.design)):
            path, check = self.point_file(i), self.point_file(i).with_suffix(".json")
            if not path.exists() and not check.exists():
                todo.append(i)
                continue
            why = self._point_fault(i, plan_sha)
            if why is not None:
                self._failed(f"points/{path.name}", why)
                path.unlink(missing_ok=True)
                check.unlink(missing_ok=True)
                todo.append(i)
        return todo

    def _point_fault(self, point: int, plan_sha: str) -> str | None:
        info = read_json(self.point_file(point).with_suffix(".json"))
        if info is None:
            return "has no check file (or an unreadable one)"
        if info.get("point") != point or info.get("values") != [float(x) for x in self.design[point]]:
            return "was simulated at other parameter values"
        if info.get("plan_sha256") != plan_sha:
            return "was simulated from another plan"
        try:
            data = self.point_file(point).read_bytes()
        except OSError:
            return "is missing (its check file is there)"
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return "does not match its checksum (truncated or edited)"
        rows = list(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))))[1:]
        if [r[:1] for r in rows] != [[str(r)] for r in range(self.replications)]:
            return f"does not hold replications 0–{self.replications - 1}"
        return None

    def run_points(
        self,
        processes: int | None = None,
        scheduler: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Simulate the missing points; each unit is written the moment it finishes."""
        plan = self.plan_csv()
        if plan is None:
            raise RuntimeError("run_points before make_plan")
        todo = self.missing_points()
        plan_sha, done = sha256_text(plan), 0

        def finished(point: int, text: str) -> None:
            nonlocal done
            atomic_write_text(self.point_file(point), text)
            check = {
                "point": point,
                "values": [float(x) for x in self.design[point]],
                "rows": self.replications,
                "sha256": sha256_text(text),
                "plan_sha256": plan_sha,
            }
            write_json(self.point_file(point).with_suffix(".json"), check)
            done += 1
            if progress is not None:
                progress(done, len(todo))

        evaluate(
            simulate_point,
            (self.scenario, plan),
            todo,
            lambda i: (self.seed, self.values(i), self.replications),
            finished,
            processes,
            scheduler,
            key=lambda i: f"point-{i:06d}",
        )
        return len(todo)

    # -- the analysis --------------------------------------------------------------------
    def outcomes(self) -> pd.DataFrame:
        """One row per point: the mean of each outcome over its replications."""
        means = [pd.read_csv(self.point_file(i)).drop(columns="replication").mean() for i in range(len(self.design))]
        return pd.DataFrame(means).reset_index(drop=True)

    def write(self, facts: Mapping[str, object]) -> list[Path]:
        """sensitivity.csv, samples.csv, sensitivity.png and report.html, from the finished points."""
        y = self.outcomes()
        table = indices(self.method, self.ranges, self.design, y, seed_of(self.seed, BOOTSTRAP))
        design = pd.concat(
            [pd.DataFrame({"point": range(len(self.design))}), pd.DataFrame(self.design, columns=self.names), y],
            axis=1,
        )
        return write_sensitivity(self.out, self.scenario, self.method, table, design, facts)

    @property
    def cost(self) -> int:
        """Simulations the design needs: points × replications."""
        return len(self.design) * self.replications
