"""``commplan sweep``: plan and simulate for each budget; the frontier planners choose a budget from.

The work is budgets × replications. Each finished unit is written atomically to
``DIR/units/`` the moment it is done, so an interrupted sweep resumes where it stopped and
produces the same ``frontier.csv``: a unit's content depends only on the scenario, the
budget, the root seed and the replication number, never on which worker ran it or when.

Replication r of every budget uses the same random stream (common random numbers), so
differences between budgets are differences between plans, not luck.

``--uncertain N`` adds N futures: Latin-hypercube samples of the behaviour parameters over
their plausible ranges, drawn from the root seed, the same for every budget. Each budget's
plan is simulated in each future too (``future-FFFFF-rep-RRRRR`` units, whose check also
holds the future's parameter values), and the frontier gains each target's probability
pooled over the futures and in the worst one (docs/sensitivity.md).

Every unit carries its check: a plan's ``done.json`` the SHA-256 of its ``plan.csv`` and
``summary.json``; a replication's ``rep-NNNNN.json`` the SHA-256 and row count of its
``rep-NNNNN.csv``, its budget and replication, and the plan it simulated. A unit that fails
its check (truncated, edited, copied from another replication, emptied) is computed again,
with a warning naming it; it never reaches the frontier. A resumed sweep keeps the finished
``frontier.csv`` and manifest until their successors are written whole.

``confidence=P`` (``--confidence P``): each budget's plan is the confidence plan of that
budget (:func:`commplan.confidence.plan_with_confidence` in max-attainment mode: the most
reliability the budget buys), learned from in-sample replications on a seed stream of its
own, so the sweep's replications check it out of sample. The frontier then gains, per
budget, how many requirements reach P, the least probability and whether the loop reached
P in sample. P joins the sweep's identity: resuming with another P is refused.

Parallelism: local processes by default (all cores), or a Dask distributed cluster with
``scheduler=ADDRESS``. Dask tasks are submitted with ``pure=False`` and an explicit key per
unit: each replication keeps its own seed and no two units are merged as "the same call".
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

import optimize
from commplan.confidence import annotate, every_target_ceiling, plan_with_confidence
from commplan.parallel import NoDask as NoDask  # re-exported: it was defined here
from commplan.parallel import evaluate, process_pool
from commplan.rundir import UNIT_FILES, UNIT_NAME, FailedUnits, read_json, scenario_toml, sha256_text
from commplan.sensitivity import FUTURES, ranges_of, seed_of, with_parameters
from model.plan import plan_from_rows
from model.runner import ATTAINMENT_COLUMNS, attainment_rows, run_replication, simulate
from results.compare import csv_text as frontier_csv
from results.i18n import tr
from results.plan_output import write_plan
from results.plots import frontier_chart
from results.sensitivity import futures
from results.style import save
from results.sweep_report import shortfalls, write_sweep_report
from scenarios.files import atomic_write_text, csv_text, orphaned_temporaries, write_json
from scenarios.problems import InputError
from scenarios.schema import Budget, Scenario


class SweepMismatch(InputError):
    """DIR holds units of a different sweep (scenario, seed or solver); mixing them would be wrong."""


#: What a resumed sweep keeps of its folder until it replaces them (commplan.rundir.Run's ``keep``).
RESUMED = ("units", "sweep.json", "frontier.csv", "frontier.png", "shortfalls.csv", "sweep.html", "manifest.json")


def sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _to_stderr(text: str) -> None:
    print(f"commplan: warning: {text}", file=sys.stderr)


def budget_key(budget: float) -> str:
    """A budget's folder name: the same budget always finds the same units."""
    return f"budget-{budget:.0f}" if float(budget).is_integer() else f"budget-{budget!r}"


def with_budget(scenario: Scenario, budget: float) -> Scenario:
    """The scenario with ``budget`` as its total budget (per-year budgets kept)."""
    return replace(scenario, budget=Budget(scenario.budget.per_year, float(budget)))


@dataclass(frozen=True)
class SimUnit:
    """One replication of one budget's plan: under the scenario's parameters, or in ``future`` (``--uncertain``)."""

    budget: float
    replication: int
    future: int | None = None

    @property
    def stem(self) -> str:
        future = "" if self.future is None else f"future-{self.future:05d}-"
        return f"{budget_key(self.budget)}/{future}rep-{self.replication:05d}"

    @property
    def file(self) -> str:
        return f"{self.stem}.csv"

    @property
    def check_file(self) -> str:
        """Its check: checksum, rows, budget, replication, the plan simulated (and the future's parameters)."""
        return f"{self.stem}.json"


def simulate_unit(
    scenario: Scenario, plan_csv: str, seed: int, replication: int, values: dict[str, float] | None = None
) -> str:
    """One replication of one budget's plan (at parameter ``values``); returns its attainment rows as CSV text.

    Module-level and free of globals so that a process pool or a Dask worker can run it.
    Replication ``r`` draws the same random numbers in every future (common random numbers).
    """
    if values is not None:
        scenario = with_parameters(scenario, values)
    plan = plan_from_rows(csv.DictReader(io.StringIO(plan_csv)), scenario, "plan.csv")
    rep = run_replication(scenario, plan, seed, replication)
    return csv_text(ATTAINMENT_COLUMNS, attainment_rows([rep]))


class Sweep:
    """A sweep folder: which units exist, running the missing ones, and the frontier."""

    def __init__(
        self,
        scenario: Scenario,
        budgets: Iterable[float],
        out: Path,
        replications: int,
        seed: int,
        solver: str = "highs",
        warn: Callable[[str], None] | None = None,
        uncertain: int = 0,
        confidence: float | None = None,
        confidence_replications: int = 20,
    ):
        self.scenario, self.out = scenario, Path(out)
        self.confidence, self.confidence_replications = confidence, confidence_replications
        self.budgets = sorted({float(b) for b in budgets})
        self.replications, self.seed, self.solver = replications, seed, solver
        #: ``--uncertain N``: N Latin-hypercube futures of the behaviour parameters, the same for every budget.
        self.futures = futures(ranges_of(), uncertain, seed_of(seed, FUTURES)) if uncertain else []
        self.units = self.out / "units"
        self.warn = warn or _to_stderr
        self._plans_checked = self._simulations_checked = False
        self._failed = FailedUnits(self.units, self.warn)
        self._check_identity()

    def _check_identity(self) -> None:
        identity = {
            "scenario_sha256": sha256_text(scenario_toml(self.scenario)),
            "seed": self.seed,
            "solver": self.solver,
        }
        if self.confidence is not None:  # absent without it: earlier sweeps' folders keep their identity
            identity["confidence"] = self.confidence
        path = self.out / "sweep.json"
        if path.exists():
            found = json.loads(path.read_text(encoding="utf-8"))
            different = [k for k in (*identity, "confidence") if found.get(k) != identity.get(k)]
            if different:
                raise SweepMismatch(
                    f"{self.out} holds a sweep with a different {', '.join(different)}; "
                    "choose another --out, or add --force to start it afresh"
                )
        self.identity = identity

    # -- planning ------------------------------------------------------------------------
    def plan_dir(self, budget: float) -> Path:
        return self.units / budget_key(budget)

    def missing_plans(self) -> list[float]:
        if not self._plans_checked:
            self._check_plans()
        return [b for b in self.budgets if not (self.plan_dir(b) / "done.json").exists()]

    def _check_plans(self) -> None:
        """Plans whose files do not match their done.json are deleted, to be planned again."""
        self._plans_checked = True
        for b in self.budgets:
            folder = self.plan_dir(b)
            for tmp in orphaned_temporaries(folder, UNIT_NAME):
                tmp.unlink(missing_ok=True)
            done = folder / "done.json"
            if not done.exists():
                continue
            why = self._plan_fault(folder)
            if why is not None:
                self._failed(f"{budget_key(b)}/done.json", why)
                for name in UNIT_FILES:
                    (folder / name).unlink(missing_ok=True)

    @staticmethod
    def _plan_fault(folder: Path) -> str | None:
        info = read_json(folder / "done.json")
        files = info.get("files") if info is not None else None
        if info is None or not isinstance(files, dict):
            return "has no checksums (unreadable, or written by an older commplan)"
        needed = {"summary.json", "plan.csv"} if info.get("feasible") else {"summary.json"}
        if not needed <= set(files) or not set(files) <= {"summary.json", "plan.csv"}:
            return "lists the wrong files"
        for name, digest in files.items():
            if sha256_of(folder / name) != digest:
                return f"does not match {name} (missing, truncated or edited)"
        return None

    def run_plans(self, progress: Callable[[str], None] | None = None, processes: int | None = None) -> int:
        """Max-attainment plans for the budgets without one: one built model for all of them
        (with ``confidence``, one confidence loop per budget, its replications on ``processes``)."""
        if not (self.out / "sweep.json").exists():
            write_json(self.out / "sweep.json", self.identity)
        missing = self.missing_plans()
        if not missing:
            return 0
        if self.confidence is not None:
            for budget in missing:
                self._confidence_plan(budget, progress, processes)
            return len(missing)
        results = optimize.frontier(self.scenario, missing, solver=self.solver, progress=progress)
        for budget, result in zip(missing, results, strict=True):
            self._write_plan(budget, result)
        return len(missing)

    def _write_plan(self, budget: float, result: optimize.PlanResult, extra: dict[str, Any] | None = None) -> None:
        folder = self.plan_dir(budget)
        written = write_plan(result, with_budget(self.scenario, budget), folder, extra)
        files = {name: sha256_of(written[name]) for name in ("plan.csv", "summary.json") if name in written}
        write_json(folder / "done.json", {"status": result.status, "feasible": result.feasible, "files": files})

    def _confidence_plan(self, budget: float, progress: Callable[[str], None] | None, processes: int | None) -> None:
        """The budget's confidence plan, written the moment it is found (a resumed sweep keeps it)."""
        assert self.confidence is not None
        scenario = with_budget(self.scenario, budget)
        say = progress or (lambda _msg: None)
        workers = processes or os.cpu_count() or 1
        with process_pool(workers) if workers > 1 else nullcontext() as pool:
            cp = plan_with_confidence(
                scenario,
                self.confidence,
                mode="max-attainment",
                replications=self.confidence_replications,
                seed=self.seed,
                solver=self.solver,
                say=lambda msg: say(f"budget {budget:,.0f}: {msg}"),
                simulate_fn=functools.partial(simulate, executor=pool) if pool is not None else simulate,
            )
        cp.result.budget = budget
        self._write_plan(budget, cp.result, annotate({}, cp))

    # -- simulating ----------------------------------------------------------------------
    def missing_simulations(self) -> list[SimUnit]:
        if not self._simulations_checked:
            self._check_simulations()
        out = []
        for b in self.budgets:
            if not (self.plan_dir(b) / "plan.csv").exists():
                continue  # no plan at this budget: nothing to simulate
            out += [u for u in self._units(b) if not (self.units / u.file).exists()]
        return out

    def _units(self, budget: float) -> list[SimUnit]:
        """A budget's replications: under the scenario's parameters, then in each future."""
        uncertain = [SimUnit(budget, r, f) for f in range(len(self.futures)) for r in range(self.replications)]
        return [SimUnit(budget, r) for r in range(self.replications)] + uncertain

    def _values(self, unit: SimUnit) -> tuple[dict[str, float], ...]:
        """The extra argument of a future's unit: its parameter values."""
        return () if unit.future is None else (self.futures[unit.future],)

    def _check_simulations(self) -> None:
        """Replications that fail their check are deleted, to be simulated again."""
        if not self._plans_checked:
            self._check_plans()
        self._simulations_checked = True
        for b in self.budgets:
            plan_sha = sha256_of(self.plan_dir(b) / "plan.csv")
            for unit in self._units(b):
                csv_path, check = self.units / unit.file, self.units / unit.check_file
                if not csv_path.exists() and not check.exists():
                    continue
                why = self._simulation_fault(unit, plan_sha)
                if why is not None:
                    self._failed(unit.file, why)
                    csv_path.unlink(missing_ok=True)
                    check.unlink(missing_ok=True)

    def expected_rows(self) -> int:
        """Rows of one replication's unit: one per requirement (target, kind and year)."""
        return len(self.scenario.requirements)

    def _unit_check(self, unit: SimUnit, text: str, plan_sha: str | None) -> dict[str, Any]:
        check = {
            "budget": unit.budget,
            "replication": unit.replication,
            "rows": len(list(csv.reader(io.StringIO(text)))) - 1,
            "sha256": sha256_text(text),
            "plan_sha256": plan_sha,
        }
        if unit.future is not None:
            check.update(future=unit.future, values=self.futures[unit.future])
        return check

    def _simulation_fault(self, unit: SimUnit, plan_sha: str | None) -> str | None:
        info = read_json(self.units / unit.check_file)
        if info is None:
            return "has no check file (or an unreadable one)"
        if info.get("budget") != unit.budget or info.get("replication") != unit.replication:
            return f"is labelled budget {info.get('budget')}, replication {info.get('replication')}"
        if plan_sha is None or info.get("plan_sha256") != plan_sha:
            return "was simulated from another plan"
        if unit.future is not None and (
            info.get("future") != unit.future or info.get("values") != self.futures[unit.future]
        ):
            return "was simulated in another future (other parameter values)"
        if info.get("rows") != self.expected_rows():
            return f"has {info.get('rows')} rows, not the {self.expected_rows()} expected"
        try:
            data = (self.units / unit.file).read_bytes()
        except FileNotFoundError:
            return "is missing (its check file is there)"
        except OSError as e:
            return f"cannot be read ({e.strerror})"
        if hashlib.sha256(data).hexdigest() != info.get("sha256"):
            return "does not match its checksum (truncated or edited)"
        rows = list(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"))))
        if len(rows) != self.expected_rows() + 1 or any(row[:1] != [str(unit.replication)] for row in rows[1:]):
            return "holds rows of another replication, or too few"
        return None

    def run_simulations(
        self,
        processes: int | None = None,
        scheduler: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Run the missing replications; each unit is written the moment it finishes."""
        todo = self.missing_simulations()
        plans = {b: (self.plan_dir(b) / "plan.csv").read_text(encoding="utf-8") for b in {u.budget for u in todo}}
        plan_shas = {b: sha256_text(text) for b, text in plans.items()}
        done = 0

        def finished(unit: SimUnit, text: str) -> None:
            nonlocal done
            atomic_write_text(self.units / unit.file, text)
            write_json(self.units / unit.check_file, self._unit_check(unit, text, plan_shas[unit.budget]))
            done += 1
            if progress is not None:
                progress(done, len(todo))

        evaluate(
            simulate_unit,
            (self.scenario,),
            todo,
            lambda u: (plans[u.budget], self.seed, u.replication, *self._values(u)),
            finished,
            processes,
            scheduler,
            key=lambda u: u.file.replace("/", "-").removesuffix(".csv"),
        )
        return len(todo)

    # -- the frontier --------------------------------------------------------------------
    def frontier(self) -> pd.DataFrame:
        """One row per budget: planned cost and attainment, and the simulated probabilities."""
        rows = []
        targets = [t.name for t in self.scenario.targets]
        cap = every_target_ceiling(self.scenario)
        for b in self.budgets:
            folder = self.plan_dir(b)
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            reqs = summary.get("requirements", [])
            planned_met = sum(1 for r in reqs if r.get("planned") is not None and r["planned"] >= r["required"] - 1e-6)
            row: dict[str, Any] = {
                "budget": b,
                "status": summary.get("status"),
                "total_cost": summary.get("total_cost"),
                "requirements": len(reqs),
                "requirements_met_planned": planned_met,
                "planned_attainment": summary.get("attainment", planned_met / len(reqs) if reqs else 1.0),
            }
            files = [folder / f"rep-{r:05d}.csv" for r in range(self.replications)]
            att = None
            if all(f.exists() for f in files) and files:
                att = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
                per_rep = att.groupby("replication")["met"].all()
                row["probability_all_met"] = float(per_rep.mean())
                if cap is not None:  # what no budget lifts: the least ceiling of any requirement
                    row["probability_all_met_at_most"], row["capped_by"] = cap
                by_target = att.groupby(["target", "replication"])["met"].all().groupby(level="target").mean()
                for t in targets:
                    row[f"probability_met_{t}"] = float(by_target.get(t, float("nan")))
            if self.confidence is not None:
                row.update(self._confidence_columns(summary, att))
            row.update(self._across_futures(b, targets))
            rows.append(row)
        return pd.DataFrame(rows)

    def _confidence_columns(self, summary: dict[str, Any], att: pd.DataFrame | None) -> dict[str, Any]:
        """With ``confidence``: P, whether the loop reached it in sample, and out of sample how
        many requirements reach P and the least probability of any."""
        assert self.confidence is not None
        row: dict[str, Any] = {
            "confidence": self.confidence,
            "confidence_reached_in_sample": bool((summary.get("confidence_plan") or {}).get("reached_in_sample")),
        }
        if att is not None:
            per_req = att.groupby(["target", "kind", "year"])["met"].mean()
            row["requirements_reaching_confidence"] = int((per_req >= self.confidence - 1e-9).sum())
            row["least_probability_met"] = float(per_req.min())
        return row

    def _across_futures(self, budget: float, targets: list[str]) -> dict[str, float]:
        """``--uncertain``'s columns: each target's probability pooled over futures × replications, and in the worst future."""
        units = [u for u in self._units(budget) if u.future is not None]
        files = [self.units / u.file for u in units]
        if not units or not all(f.exists() for f in files):
            return {}
        att = pd.concat(
            [pd.read_csv(f).assign(future=u.future) for u, f in zip(units, files, strict=True)], ignore_index=True
        )
        runs = ["future", "replication"]
        row: dict[str, float] = {"uncertain_futures": len(self.futures)}
        row["uncertain_probability_all_met"] = float(att.groupby(runs)["met"].all().mean())
        per_run = att.groupby(["target", *runs])["met"].all()
        for t in targets:
            found = per_run.xs(t, level="target") if t in per_run.index.get_level_values("target") else None
            if found is None:
                row[f"uncertain_probability_met_{t}"] = row[f"uncertain_worst_probability_met_{t}"] = float("nan")
                continue
            row[f"uncertain_probability_met_{t}"] = float(found.mean())
            row[f"uncertain_worst_probability_met_{t}"] = float(found.groupby(level="future").mean().min())
        return row

    def write_frontier(self) -> list[Path]:
        """frontier.csv and frontier.png, then shortfalls.csv and sweep.html: what each budget leaves short."""
        table = self.frontier()
        atomic_write_text(self.out / "frontier.csv", frontier_csv(table))
        chart = save(
            frontier_chart(table, tr("{title}: the budget frontier", title=self.scenario.title)),
            self.out / "frontier.png",
        )
        return [self.out / "frontier.csv", chart, *self.write_report(table, chart)]

    def write_report(self, frontier: pd.DataFrame, chart: Path) -> list[Path]:
        budgets = []
        for b in self.budgets:
            folder = self.plan_dir(b)
            files = [folder / f"rep-{r:05d}.csv" for r in range(self.replications)]
            attainment = (
                pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
                if files and all(f.exists() for f in files)
                else None
            )
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            budgets.append({"budget": b, "summary": summary, "attainment": attainment})
        return write_sweep_report(self.out, self.scenario, frontier, shortfalls(self.scenario, budgets), chart)
