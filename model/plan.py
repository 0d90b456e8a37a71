"""A plan as the simulation executes it: what is funded in each community and plan year.

The optimiser writes ``plan.csv`` (see ``docs/interfaces.md``); the simulation reads it
into a :class:`PlanSchedule` of arrays indexed ``[community, plan year − 1]``. The pay
policy is the scenario's (``[staff.<kind>] pay_share``), because pay is a policy the plan
adopts, not a quantity it buys per community. No plan means the status quo: nothing
built, nobody hired beyond today's posts, today's pay.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.problems import MISSING, Problem, ScenarioError
from scenarios.schema import Scenario


@dataclass(frozen=True)
class PlanSchedule:
    """Per community × plan year: m² funded, facilities opened, hires, posts to keep filled.

    ``staff[s][i, t]`` is the planned stock at the end of plan year ``t + 1``; rounded, it is
    the number of posts the simulation keeps filled (vacancies from exits are refilled after the hiring
    lag). ``pay_share[s][t]`` is pay as a share of the average wage in plan year ``t + 1``.
    """

    space_added: np.ndarray
    opened: Mapping[str, np.ndarray]
    hires: Mapping[str, np.ndarray]
    staff: Mapping[str, np.ndarray]
    pay_share: Mapping[str, np.ndarray]

    @classmethod
    def status_quo(cls, scenario: Scenario) -> PlanSchedule:
        """Nothing built or hired; today's posts kept filled at today's pay."""
        return cls.from_arrays(scenario, pay_share={s: [k.base_pay_share] * scenario.years for s, k in scenario.staff.items()})

    @classmethod
    def from_arrays(
        cls,
        scenario: Scenario,
        space_added: Any = None,
        opened: Mapping[str, Any] | None = None,
        hires: Mapping[str, Any] | None = None,
        staff: Mapping[str, Any] | None = None,
        pay_share: Mapping[str, Any] | None = None,
    ) -> PlanSchedule:
        """A plan from whatever arrays are given; the rest is zero, stocks follow from hires.

        Omitted ``staff`` stocks are today's staff plus cumulative planned hires; omitted pay
        is the scenario's pay policy.
        """
        n, years = len(scenario.communities), scenario.years
        shape = (n, years)

        def grid(x: Any) -> np.ndarray:
            a = np.zeros(shape) if x is None else np.broadcast_to(np.asarray(x, dtype=float), shape).copy()
            a.setflags(write=False)
            return a

        opened, hires, staff, pay_share = opened or {}, hires or {}, staff or {}, pay_share or {}
        for name, given, known in (("opened", opened, scenario.facilities), ("hires", hires, scenario.staff), ("staff", staff, scenario.staff), ("pay_share", pay_share, scenario.staff)):
            unknown = set(given) - set(known)
            if unknown:
                raise ValueError(f"{name}: {sorted(unknown)} not declared in scenario {scenario.name}")
        initial = scenario.initial_stocks()
        hire_grids = {s: grid(hires.get(s)) for s in scenario.staff}
        stocks = {}
        for s in scenario.staff:
            if s in staff:
                stocks[s] = grid(staff[s])
            else:
                stocks[s] = grid(initial.staff[s][:, None] + np.cumsum(hire_grids[s], axis=1))
        pays = {}
        for s, kind in scenario.staff.items():
            p = np.broadcast_to(np.asarray(pay_share.get(s, kind.pay_share), dtype=float), (years,)).copy()
            p.setflags(write=False)
            pays[s] = p
        return cls(
            space_added=grid(space_added),
            opened={u: grid(opened.get(u)) for u in scenario.facilities},
            hires=hire_grids,
            staff=stocks,
            pay_share=pays,
        )


def read_plan_csv(path: str | Path, scenario: Scenario) -> PlanSchedule:
    """Parse the contract's ``plan.csv``; every bad cell is reported with its line and column."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise ScenarioError([Problem(str(path), None, "", MISSING, f"cannot read the plan: {e.strerror}")]) from None
    return plan_from_rows(rows, scenario, str(path))


def plan_from_rows(rows: Iterable[Mapping[str, Any]], scenario: Scenario, source: str = "plan") -> PlanSchedule:
    """A plan from rows with plan.csv's columns (from a file or straight from the optimiser)."""
    rows = list(rows)
    problems: list[Problem] = []
    index = {c: i for i, c in enumerate(scenario.community_ids)}
    n, years = len(index), scenario.years
    header = list(rows[0]) if rows else []
    wanted = ["community", "year", "space_added_m2"] + [f"open_{u}" for u in scenario.facilities] + [f"hire_{s}" for s in scenario.staff]
    missing = [c for c in wanted if c not in header]
    if not rows:
        problems.append(Problem(source, None, "", MISSING, "the plan has no rows"))
    elif missing:
        problems.append(Problem(source, 1, ", ".join(missing), MISSING, "column(s) missing from the header"))
    if problems:
        raise ScenarioError(problems)
    has_stock = {s: f"staff_{s}" in header for s in scenario.staff}
    space = np.zeros((n, years))
    opened = {u: np.zeros((n, years)) for u in scenario.facilities}
    hires = {s: np.zeros((n, years)) for s in scenario.staff}
    stock = {s: np.full((n, years), np.nan) for s in scenario.staff}

    def number(row: Mapping, column: str, line: int, whole: bool = False) -> float | None:
        value = row.get(column)
        try:
            x = float(value)
        except (TypeError, ValueError):
            problems.append(Problem(source, line, column, value, "must be a number"))
            return None
        if not math.isfinite(x) or x < 0 or (whole and not x.is_integer()):
            problems.append(Problem(source, line, column, value, "must be a non-negative " + ("whole number" if whole else "number")))
            return None
        return x

    for line, row in enumerate(rows, start=2):
        community = row.get("community")
        i = index.get(community)
        if i is None:
            from scenarios.problems import did_you_mean

            problems.append(Problem(source, line, "community", community, f"not a community of {scenario.name}; {did_you_mean(community, index)}"))
            continue
        y = number(row, "year", line, whole=True)
        if y is None:
            continue
        t = int(y) - 1 if 1 <= y <= years else int(y) - scenario.start_year
        if not 0 <= t < years:
            problems.append(Problem(source, line, "year", row.get("year"), f"must be a plan year 1–{years} (or {scenario.start_year}–{scenario.start_year + years - 1})"))
            continue
        if (x := number(row, "space_added_m2", line)) is not None:
            space[i, t] = x
        for u in scenario.facilities:
            if (x := number(row, f"open_{u}", line, whole=True)) is not None:
                opened[u][i, t] = x
        for s in scenario.staff:
            if (x := number(row, f"hire_{s}", line, whole=True)) is not None:
                hires[s][i, t] = x
            if has_stock[s] and (x := number(row, f"staff_{s}", line)) is not None:  # fractional under attrition
                stock[s][i, t] = x
    if problems:
        raise ScenarioError(problems)
    initial = scenario.initial_stocks()
    staff = {}
    for s in scenario.staff:
        from_hires = initial.staff[s][:, None] + np.cumsum(hires[s], axis=1)
        staff[s] = np.where(np.isnan(stock[s]), from_hires, stock[s])
    return PlanSchedule.from_arrays(scenario, space, opened, hires, staff)


def plan_from_result(result: Any, scenario: Scenario) -> PlanSchedule:
    """The plan inside an optimiser result: its ``plan`` (a PlanSchedule) or its plan.csv rows.

    Accepts ``result.plan`` as a :class:`PlanSchedule`, or rows with plan.csv's columns as
    ``result.plan_rows()`` / ``result.rows``: a list of dicts, or ``(header, rows)``.
    """
    plan = getattr(result, "plan", None)
    if isinstance(plan, PlanSchedule):
        return plan
    rows = result.plan_rows() if callable(getattr(result, "plan_rows", None)) else getattr(result, "rows", None)
    if isinstance(rows, tuple) and len(rows) == 2:  # (header, list of rows), as optimize.PlanResult gives
        header, body = rows
        rows = [dict(zip(header, r, strict=True)) for r in body]
    if rows is None:
        raise TypeError("the optimiser result offers neither .plan (PlanSchedule) nor plan.csv rows (.plan_rows() or .rows)")
    return plan_from_rows(rows, scenario, "optimiser plan")
