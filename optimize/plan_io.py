"""plan.csv and summary.json: writing a plan, and reading a plan back for the simulation.

Column names are the contract of ``docs/interfaces.md``: ``community, year,
space_added_m2, space_m2``, then ``open_<u>, has_<u>`` per facility kind, ``hire_<s>,
staff_<s>`` per staff kind, ``meets_<target>`` per per-community target. ``meets`` is
evaluated with :meth:`Condition.holds` (the definition the simulation uses too).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from commplan.io import write_csv, write_json
from optimize.data import PlanArrays, PlanData
from scenarios.schema import Scenario

if TYPE_CHECKING:
    from optimize.result import PlanResult


class PlanFileError(ValueError):
    """A plan.csv that does not fit the scenario; the message names the file, row and column."""


def plan_header(scenario: Scenario) -> list[str]:
    cols = ["community", "year", "space_added_m2", "space_m2"]
    for u in scenario.facilities:
        cols += [f"open_{u}", f"has_{u}"]
    for s in scenario.staff:
        cols += [f"hire_{s}", f"staff_{s}"]
    cols += [f"meets_{t.name}" for t in scenario.targets if t.per_community]
    return cols


def plan_table(scenario: Scenario, plan: PlanArrays) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of plan.csv: one row per community and plan year."""
    from optimize.result import stocks_in_year

    data = PlanData.from_scenario(scenario)
    targets = [t for t in scenario.targets if t.per_community]
    meets = {}
    for t in data.T:
        st = stocks_in_year(data, plan, t)
        meets[t] = [tg.condition.holds(st) for tg in targets]
    rows = []
    for i, cid in enumerate(plan.ids):
        for t in data.T:
            c = t - 1
            row: list[Any] = [cid, t, float(plan.space_added[i, c]), float(round(plan.space[i, c], 6))]
            for u in scenario.facilities:
                row += [int(plan.opened[u][i, c]), int(plan.has[u][i, c])]
            for s in scenario.staff:
                row += [int(plan.hires[s][i, c]), float(round(plan.staff[s][i, c], 6))]
            row += [int(m[i]) for m in meets[t]]
            rows.append(row)
    return plan_header(scenario), rows


def write_plan(result: PlanResult, scenario: Scenario, out_dir: str | Path) -> dict[str, Path]:
    """Write ``plan.csv`` (when there is a plan), ``summary.json`` and the two charts into ``out_dir``.

    Every file is written atomically (commplan.io). Returns the paths written, by name.
    """
    from results.plan_plots import plot_attainment, plot_cost_breakdown

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if result.feasible:
        header, rows = result.plan_rows()
        write_csv(out / "plan.csv", header, rows)
        written["plan.csv"] = out / "plan.csv"
    write_json(out / "summary.json", result.summary())
    written["summary.json"] = out / "summary.json"
    summary = result.summary()
    if result.feasible:
        written["cost_breakdown.png"] = plot_cost_breakdown(summary, result.costs, scenario, out / "cost_breakdown.png")
    written["attainment.png"] = plot_attainment(summary, scenario, out / "attainment.png")
    return written


def _number(path: Path, line: int, col: str, text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise PlanFileError(f"{path}: line {line}, column {col!r}: {text!r} is not a number") from None
    if not math.isfinite(v):
        raise PlanFileError(f"{path}: line {line}, column {col!r}: {text!r} is not a finite number")
    return v


def read_plan_csv(path: str | Path, scenario: Scenario) -> PlanArrays:
    """Parse a plan.csv back into arrays ``[community, year-1]`` for the simulation to execute.

    Checks that every contract column for the scenario's facility and staff kinds is
    present, that there is exactly one row per community and plan year and that the
    communities are the scenario's; ``meets_*`` columns are informative and not
    required. Raises :class:`PlanFileError` naming the file, line and column.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise PlanFileError(f"{path}: cannot read the plan ({err.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    needed = [c for c in plan_header(scenario) if not c.startswith("meets_")]
    missing = [c for c in needed if c not in header]
    if missing:
        raise PlanFileError(f"{path}: column {missing[0]!r} is missing" + (f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if len(missing) > 1 else "") + f"; the scenario {scenario.name!r} needs: {', '.join(needed)}")
    ids = scenario.community_ids
    index = {cid: i for i, cid in enumerate(ids)}
    Y = scenario.years
    n = len(ids)
    arr = {c: np.full((n, Y), np.nan) for c in needed[2:]}
    for line, row in enumerate(reader, start=2):
        cid = row["community"]
        if cid not in index:
            raise PlanFileError(f"{path}: line {line}, column 'community': {cid!r} is not a community of scenario {scenario.name!r}")
        year = _number(path, line, "year", row["year"])
        if not year.is_integer() or not 1 <= year <= Y:
            raise PlanFileError(f"{path}: line {line}, column 'year': {row['year']!r} is not a plan year 1..{Y}")
        i, c = index[cid], int(year) - 1
        if not np.isnan(arr["space_m2"][i, c]):
            raise PlanFileError(f"{path}: line {line}: a second row for community {cid!r}, year {int(year)}")
        for col in needed[2:]:
            v = _number(path, line, col, row[col] if row[col] is not None else "")
            if v < 0:
                raise PlanFileError(f"{path}: line {line}, column {col!r}: {v:g} is negative")
            arr[col][i, c] = v
    holes = np.argwhere(np.isnan(arr["space_m2"]))
    if len(holes):
        i, c = holes[0]
        raise PlanFileError(f"{path}: no row for community {ids[i]!r}, year {c + 1} ({len(holes)} community-years missing)")
    return PlanArrays(
        ids=tuple(ids),
        years=Y,
        space_added=arr["space_added_m2"],
        space=arr["space_m2"],
        opened={u: arr[f"open_{u}"] for u in scenario.facilities},
        has={u: arr[f"has_{u}"] for u in scenario.facilities},
        hires={s: arr[f"hire_{s}"] for s in scenario.staff},
        staff={s: arr[f"staff_{s}"] for s in scenario.staff},
    )


def write_summary(result: PlanResult, out_dir: str | Path) -> Path:
    p = Path(out_dir) / "summary.json"
    write_json(p, result.summary())
    return p
