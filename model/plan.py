"""A plan as the simulation executes it: what is funded in each community and plan year.

The optimiser writes ``plan.csv`` (its columns: :mod:`scenarios.plan_file`); the simulation reads it,
with the one plan parser (:func:`scenarios.plan_file.parse_plan_rows`), into a
:class:`PlanSchedule` of arrays indexed ``[community, plan year − 1]``. The pay
policy is the scenario's (``[staff.<kind>] pay_share``), because pay is a policy the plan
adopts, not a quantity it buys per community. No plan means the status quo: nothing
built, nobody hired beyond today's posts, today's pay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.plan import PlanArrays
from scenarios.plan_file import parse_plan_rows
from scenarios.plan_file import read_plan_csv as read_arrays
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
    funds: np.ndarray | None = None  # yuan paid into each working fund in each plan year (None: the status quo)
    trained: Mapping[str, np.ndarray] = field(default_factory=dict)  # training places by kind

    @classmethod
    def status_quo(cls, scenario: Scenario) -> PlanSchedule:
        """Nothing built or hired; today's posts kept filled at today's pay."""
        return cls.from_arrays(
            scenario, pay_share={s: [k.base_pay_share] * scenario.years for s, k in scenario.staff.items()}
        )

    @classmethod
    def from_arrays(
        cls,
        scenario: Scenario,
        space_added: Any = None,
        opened: Mapping[str, Any] | None = None,
        hires: Mapping[str, Any] | None = None,
        staff: Mapping[str, Any] | None = None,
        pay_share: Mapping[str, Any] | None = None,
        funds: Any = None,
        trained: Mapping[str, Any] | None = None,
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
        for name, given, known in (
            ("opened", opened, scenario.facilities),
            ("hires", hires, scenario.staff),
            ("staff", staff, scenario.staff),
            ("pay_share", pay_share, scenario.staff),
        ):
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
            funds=grid(funds) if funds is not None or scenario.uses_funds else None,
            trained={s: grid((trained or {}).get(s)) for s in scenario.trained_kinds},
        )


def read_plan_csv(path: str | Path, scenario: Scenario) -> PlanSchedule:
    """Read the contract's ``plan.csv`` with the one plan parser (:func:`scenarios.plan_file.read_plan_csv`).

    Raises :class:`scenarios.plan_file.PlanFileError`, a :class:`ScenarioError` listing every
    problem with the file, line and column.
    """

    return schedule_from_arrays(read_arrays(path, scenario), scenario)


def plan_from_rows(rows: Iterable[Mapping[str, Any]], scenario: Scenario, source: str = "plan") -> PlanSchedule:
    """A plan from rows with plan.csv's columns (a ``csv.DictReader`` or dicts), checked as strictly as a file.

    Delegates to :func:`scenarios.plan_file.parse_plan_rows`; raises its ``PlanFileError``
    (a :class:`ScenarioError`).
    """

    return schedule_from_arrays(parse_plan_rows(rows, scenario, source), scenario)


def schedule_from_arrays(plan: Any, scenario: Scenario) -> PlanSchedule:
    """The :class:`PlanSchedule` of an :class:`scenarios.plan.PlanArrays` (the optimiser's or a parsed plan.csv's).

    The simulation executes the decisions (space added, openings, hires) and keeps the
    planned staff stocks filled; pay is the scenario's policy.
    """
    if tuple(plan.ids) != tuple(scenario.community_ids) or plan.years != scenario.years:
        raise ValueError(
            f"the plan is for {len(plan.ids)} communities over {plan.years} years, not scenario {scenario.name}'s {len(scenario.communities)} over {scenario.years}"
        )
    return PlanSchedule.from_arrays(
        scenario,
        plan.space_added,
        plan.opened,
        plan.hires,
        plan.staff,
        funds=getattr(plan, "funds", None),
        trained=getattr(plan, "trained", None),
    )


def plan_from_result(result: Any, scenario: Scenario) -> PlanSchedule:
    """The plan inside an optimiser result, taken from its arrays without a round trip through text.

    Accepts ``result.plan`` as a :class:`PlanSchedule` or as :class:`scenarios.plan.PlanArrays`
    (what ``optimize.PlanResult`` holds); otherwise rows with plan.csv's columns as
    ``result.plan_rows()`` / ``result.rows`` (a list of dicts, or ``(header, rows)``), parsed
    strictly by :func:`plan_from_rows`.
    """
    plan = getattr(result, "plan", None)
    if isinstance(plan, PlanSchedule):
        return plan

    if isinstance(plan, PlanArrays):
        return schedule_from_arrays(plan, scenario)
    rows = result.plan_rows() if callable(getattr(result, "plan_rows", None)) else getattr(result, "rows", None)
    if isinstance(rows, tuple) and len(rows) == 2:  # (header, list of rows)
        header, body = rows
        rows = [dict(zip(header, r, strict=True)) for r in body]
    if rows is None:
        raise TypeError(
            "the optimiser result offers neither .plan (PlanSchedule or PlanArrays) nor plan.csv rows (.plan_rows() or .rows)"
        )
    return plan_from_rows(rows, scenario, "optimiser plan")
