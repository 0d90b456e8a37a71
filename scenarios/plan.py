"""A plan and its accounting, on numbers: the scenario's data as arrays, a plan's decisions
and stocks, what each requirement reaches, and what the plan costs by year and line.

The symbols follow ``docs/planning.md`` ("Data"), so the optimiser (which builds rows on
them), the plan file, the simulation and the tests all read the same numbers. Indices:
``i`` community (position in ``scenario.communities``), ``t`` plan year ``1..Y`` (arrays
indexed ``[i, t]`` hold year 0 = today in column 0; plan arrays ``[i, t-1]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

import numpy as np

from scenarios.schema import Scenario
from scenarios.targets import Requirement, Stocks


@dataclass(frozen=True)
class PlanData:
    """Arrays of the canonical formulation's data for one scenario."""

    scenario: Scenario
    ids: tuple[str, ...]
    years: int
    facilities: tuple[str, ...]
    staff: tuple[str, ...]
    H: np.ndarray  # [i, t] households, t = 0..Y
    space0: np.ndarray  # [i]
    has0: dict[str, np.ndarray]  # u -> [i] 0/1
    staff0: dict[str, np.ndarray]  # s -> [i]
    key: np.ndarray  # [i] bool
    max_m2_given: np.ndarray  # [i] the scenario's cap on space added per year (nan: none)
    c_m2: float
    o_m2: float
    c_proj: float
    c_u: dict[str, float]
    o_u: dict[str, float]
    need_m2: dict[str, float]
    c_hire: dict[str, float]
    pay: dict[str, np.ndarray]  # s -> [t] yearly pay, t = 0..Y
    attr: dict[str, float]
    discount_rate: float
    c_train: dict[str, float]  # s -> cost of training one person
    funded_by: dict[str, str | None]  # s -> who pays its hires and pay (None: the city)

    @classmethod
    def from_scenario(cls, s: Scenario) -> Self:
        Y = s.years
        comms = s.communities
        H = np.array([[c.households_in(t) for t in range(Y + 1)] for c in comms], dtype=float).reshape(
            len(comms), Y + 1
        )
        return cls(
            scenario=s,
            ids=tuple(c.id for c in comms),
            years=Y,
            facilities=tuple(s.facilities),
            staff=tuple(s.staff),
            H=H,
            space0=np.array([c.space_m2 for c in comms], dtype=float),
            has0={u: np.array([u in c.facilities for c in comms], dtype=float) for u in s.facilities},
            staff0={k: np.array([c.staff.get(k, 0) for c in comms], dtype=float) for k in s.staff},
            key=np.array([c.key for c in comms], dtype=bool),
            max_m2_given=np.array(
                [np.nan if c.max_space_added_m2 is None else c.max_space_added_m2 for c in comms], dtype=float
            ),
            c_m2=s.costs.space_build_per_m2,
            o_m2=s.costs.space_running_per_m2,
            c_proj=s.costs.space_project_fixed,
            c_u={u: f.build for u, f in s.facilities.items()},
            o_u={u: f.running for u, f in s.facilities.items()},
            need_m2={u: f.space_m2 for u, f in s.facilities.items()},
            c_hire={k: st.hire for k, st in s.staff.items()},
            pay={k: np.array([st.pay(t, s.costs.average_wage) for t in range(Y + 1)]) for k, st in s.staff.items()},
            attr={k: st.attrition for k, st in s.staff.items()},
            discount_rate=s.costs.discount_rate,
            c_train={k: st.training for k, st in s.staff.items()},
            funded_by={k: st.funded_by for k, st in s.staff.items()},
        )

    @property
    def lines(self) -> tuple[str, ...]:
        """The scenario's cost lines: :data:`LINES`, then funds and training where the scenario plans them."""
        return (
            LINES
            + (("funds",) if self.scenario.uses_funds else ())
            + (("training",) if self.scenario.uses_training else ())
        )

    @property
    def trained_kinds(self) -> tuple[str, ...]:
        return self.scenario.trained_kinds

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def dev(self) -> np.ndarray:
        """``[i, t-1]``: developers' space the plan counts on by year t (``counted`` entries;
        a constant of the space stock that costs the plan nothing)."""
        return self.scenario.developer_m2()

    @property
    def T(self) -> range:
        """Plan years 1..Y."""
        return range(1, self.years + 1)

    def discount(self, t: int) -> float:
        """Weight of year t's cost in the objective: ``(1+r)^-(t-1)`` (1 when r = 0)."""
        return (1.0 + self.discount_rate) ** -(t - 1)

    def unavoidable_cost(self, t: int) -> float:
        """What year t costs the city if the plan does nothing: the pay policy applied to today's staff
        (of the kinds the city pays: ``funded_by`` kinds are another payer's)."""
        return float(
            sum(
                ((self.pay[s][t] * (1 - self.attr[s]) ** t) - self.pay[s][0]) * self.staff0[s].sum()
                for s in self.staff
                if self.funded_by[s] is None
            )
        )


@dataclass
class PlanArrays:
    """A plan as arrays ``[i, t-1]`` over communities and plan years (what plan.csv holds)."""

    ids: tuple[str, ...]
    years: int
    space_added: np.ndarray
    space: np.ndarray
    opened: dict[str, np.ndarray]
    has: dict[str, np.ndarray]
    hires: dict[str, np.ndarray]
    staff: dict[str, np.ndarray]
    funds: np.ndarray | None = None  # yuan paid into each working fund in each year (None: none planned)
    trained: dict[str, np.ndarray] = field(default_factory=dict)  # people trained in the year, by kind

    def funds_or_zero(self) -> np.ndarray:
        return np.zeros((len(self.ids), self.years)) if self.funds is None else self.funds

    def trained_or_zero(self, s: str) -> np.ndarray:
        return self.trained[s] if s in self.trained else np.zeros((len(self.ids), self.years))


def stocks_from_decisions(
    data: PlanData,
    x: np.ndarray,
    b: dict[str, np.ndarray],
    h: dict[str, np.ndarray],
    funds: np.ndarray | None = None,
    trained: dict[str, np.ndarray] | None = None,
) -> PlanArrays:
    """The stock recursion of the formulation, evaluated on numbers (decisions ``[i, t-1]``).

    Funds and training are flows of their year, not stocks: they pass through."""
    space = data.space0[:, None] + data.dev + np.cumsum(x, axis=1)
    has = {u: data.has0[u][:, None] + np.cumsum(b[u], axis=1) for u in data.facilities}
    staff = {}
    for s in data.staff:
        a = data.attr[s]
        level = data.staff0[s].copy()
        cols = []
        for t in range(data.years):
            level = (1 - a) * level + h[s][:, t]
            cols.append(level)
        staff[s] = np.column_stack(cols) if cols else np.zeros((data.n, 0))
    return PlanArrays(data.ids, data.years, x, space, b, has, h, staff, funds, dict(trained or {}))


#: The cost lines every scenario has; funds and training follow where a scenario plans them (PlanData.lines).
LINES = ("space", "facilities", "hires", "pay")
#: The payer of everything no one else pays.
CITY = "city"


def cost_table(data: PlanData, plan: PlanArrays, y: np.ndarray | None = None) -> np.ndarray:
    """``cost[t, line]`` of the formulation's cost formula, evaluated on a plan.

    ``y`` (space projects) defaults to "a project wherever space was added". Lines:
    space (build, project, running of added m²), facilities (build, running of new ones),
    hires, pay (the pay policy and extra staff over today's wage bill).
    """
    Y = data.years
    if y is None:
        y = (plan.space_added > 1e-9).astype(float)
    out = np.zeros((Y, len(data.lines)))
    for t in range(1, Y + 1):
        c = t - 1
        out[c, 0] = (
            data.c_m2 * plan.space_added[:, c].sum()
            + data.c_proj * y[:, c].sum()
            + data.o_m2 * (plan.space[:, c] - data.space0 - data.dev[:, c]).sum()
        )
        out[c, 1] = sum(
            data.c_u[u] * plan.opened[u][:, c].sum() + data.o_u[u] * (plan.has[u][:, c] - data.has0[u]).sum()
            for u in data.facilities
        )
        out[c, 2] = sum(data.c_hire[s] * plan.hires[s][:, c].sum() for s in data.staff)
        out[c, 3] = sum(
            data.pay[s][t] * plan.staff[s][:, c].sum() - data.pay[s][0] * data.staff0[s].sum() for s in data.staff
        )
        if "funds" in data.lines:
            out[c, data.lines.index("funds")] = plan.funds_or_zero()[:, c].sum()
        if "training" in data.lines:
            out[c, data.lines.index("training")] = sum(
                data.c_train[s] * plan.trained_or_zero(s)[:, c].sum() for s in data.staff
            )
    return out


def paid_by_others(data: PlanData, plan: PlanArrays) -> dict[str, dict[str, np.ndarray]]:
    """``[staff.<kind>] funded_by``: each payer's part of the hires and pay lines, ``{payer: {line: [t-1]}}``."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for s, payer in data.funded_by.items():
        if payer is None:
            continue
        part = out.setdefault(payer, {"hires": np.zeros(data.years), "pay": np.zeros(data.years)})
        for t in data.T:
            c = t - 1
            part["hires"][c] += data.c_hire[s] * plan.hires[s][:, c].sum()
            part["pay"][c] += data.pay[s][t] * plan.staff[s][:, c].sum() - data.pay[s][0] * data.staff0[s].sum()
    return out


def cost_by_source(data: PlanData, plan: PlanArrays, costs: np.ndarray) -> dict[str, np.ndarray]:
    """Who pays each year's cost, ``{payer: [t-1]}``: the city first, then the others in file order.

    Staff paid by others (``funded_by``) pay their kinds' hires and pay. A co-funder
    (``[[funding]]``) pays ``share`` of what is left of its lines after that, capped by
    ``at_most`` in each year: ``min(share × lines, at_most)``. The city pays the rest.
    The optimiser's contribution variables reach exactly this at its optimum (it
    maximises them when minimising the city's cost); the report reads it from here.
    """
    lines = data.lines
    total = costs.sum(axis=1)
    others = paid_by_others(data, plan)
    out: dict[str, np.ndarray] = {CITY: total.copy()}
    for payer, part in others.items():
        out[payer] = part["hires"] + part["pay"]
    for f in data.scenario.funding:
        base = np.zeros(data.years)
        for line in f.lines:
            if line not in lines:
                continue
            base += costs[:, lines.index(line)]
            for part in others.values():
                base -= part.get(line, 0.0)
        pays = f.share * base
        if f.at_most is not None:
            pays = np.minimum(pays, np.asarray(f.at_most, dtype=float))
        out[f.source] = out.get(f.source, np.zeros(data.years)) + pays
    for payer, pays in out.items():
        if payer != CITY:
            out[CITY] -= pays
    return out


def stocks_in_year(data: PlanData, plan: PlanArrays, t: int) -> Stocks:
    """The :class:`Stocks` of every community in plan year ``t`` under ``plan``."""
    c = t - 1
    return Stocks(
        households=data.H[:, t],
        space=plan.space[:, c],
        has={u: plan.has[u][:, c] for u in data.facilities},
        staff={s: plan.staff[s][:, c] for s in data.staff},
        funds=None if plan.funds is None else plan.funds[:, c],
        trained={s: v[:, c] for s, v in plan.trained.items()} or None,
    )


def planned_levels(data: PlanData, plan: PlanArrays) -> dict[Requirement, float]:
    """What the plan achieves against each requirement, by the shared definitions."""
    s = data.scenario
    out: dict[Requirement, float] = {}
    holds: dict[tuple[str, int], np.ndarray] = {}
    for r in s.requirements:
        tg = s.target(r.target)
        stocks = stocks_in_year(data, plan, r.year)
        opened = {u: plan.opened[u][:, r.year - 1].sum() for u in data.facilities}
        ok = None
        if tg.condition is not None:
            if (r.target, r.year) not in holds:
                holds[r.target, r.year] = tg.condition.holds(stocks)
            ok = holds[r.target, r.year]
        out[r] = tg.achieved(r.kind, stocks, data.key, opened, ok)
    return out


def city_cost_by_year(data: PlanData, plan: PlanArrays, costs: np.ndarray) -> np.ndarray:
    """The city's own cost by year (what budgets bound): everyone's when no one else pays."""
    if not data.scenario.payers:
        return costs.sum(axis=1)
    return cost_by_source(data, plan, costs)[CITY]
