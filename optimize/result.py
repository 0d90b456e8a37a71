"""What a solve reports: the plan, its cost, and every requirement's standing.

:class:`PlanResult` is what :func:`optimize.solve` and :func:`optimize.frontier` return and
what ``summary.json`` and ``plan.csv`` are written from. Everything a planner reads is
computed from the rounded decisions through the formulation's own formulas
(:func:`~optimize.data.stocks_from_decisions`, :func:`~optimize.data.cost_table`) and the
shared target definition (:meth:`Condition.holds`), so the files agree with each other and
with the simulation, whatever the solver's tolerances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from optimize.data import ProgramData
from scenarios.plan import CITY, PlanArrays, PlanData, cost_by_source, cost_table, planned_levels, stocks_from_decisions
from scenarios.plan_file import plan_table
from scenarios.schema import Scenario
from scenarios.targets import Requirement

if TYPE_CHECKING:
    from optimize.program import Outcome, Program, Solution


#: A requirement is binding when the plan has less than one unit (community, facility,
#: staff member) to spare, and the city would not meet it without the plan: relaxing it
#: by one unit could then change the plan. A requirement the city meets with no plan at
#: all is met by every plan (stocks only grow with what a plan adds, and every condition
#: asks for at least some stock), so relaxing it can never save anything: not binding.
BINDING_SLACK = 1.0 - 1e-6


def status_quo_levels(d: ProgramData) -> dict[Requirement, float]:
    """Each requirement's level if the plan does nothing (no space, facility or hire added)."""
    zero = np.zeros((d.n, d.years))
    plan = stocks_from_decisions(d, zero, {u: zero for u in d.facilities}, {s: zero for s in d.staff})
    return planned_levels(d, plan)


def money(v: float | None) -> float | None:
    """Costs are reported to the cent: enough for a budget, stable across platforms."""
    return None if v is None else round(float(v), 2)


def _with_plan(v: float | None) -> float:
    """A number that a result with a plan always has: each requirement's planned level and shortfall, the attainment."""
    assert v is not None
    return v


@dataclass
class RequirementResult:
    """One requirement: required vs planned, whether it binds, and what it costs at the margin."""

    requirement: Requirement
    planned: float | None
    binding: bool | None
    marginal_cost: float | None = None  # total cost saved by relaxing it one unit (re-solve)
    dual_lp: float | None = None  # the LP relaxation's dual: an approximation of the above
    marginal_cost_max: float | None = None  # the most relaxing could save (solver's bound)
    marginal_status: str | None = None  # exact, bounded, not computed: ..., not binding (see optimize.marginal)
    met_without_plan: bool | None = None  # the city meets it even if the plan does nothing

    @property
    def shortfall(self) -> float | None:
        if self.planned is None:
            return None
        return max(0.0, float(self.requirement.required) - self.planned)

    def to_dict(self) -> dict[str, Any]:
        r = self.requirement
        return {
            "target": r.target,
            "kind": r.kind,
            "year": r.year,
            "required": r.required,
            "planned": None if self.planned is None else round(float(self.planned), 6),
            "shortfall": None if self.shortfall is None else round(self.shortfall, 6),
            "binding": self.binding,
            "met_without_plan": self.met_without_plan,
            "marginal_cost": money(self.marginal_cost),
            "marginal_cost_max": money(self.marginal_cost_max),
            "marginal_status": self.marginal_status,
            "dual_lp": None if self.dual_lp is None else round(float(self.dual_lp), 4),
        }


@dataclass
class TargetCost:
    """One target's full cost, its proven range, and which it is."""

    target: str
    full_cost: float | None
    full_cost_min: float | None
    full_cost_max: float | None
    status: str
    cost_without: float | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "full_cost": money(self.full_cost),
            "full_cost_status": self.status,
            "full_cost_min": money(self.full_cost_min),
            "full_cost_max": money(self.full_cost_max),
            "total_cost_without": money(self.cost_without),
        }


@dataclass
class PlanResult:
    """The outcome of a solve: status, plan, costs, requirements, and an explanation when infeasible.

    Costs: ``cost_by_year`` is spending in each plan year (undiscounted, as budgets are
    cash); ``total_cost`` is what the objective minimised: their sum, discounted by
    ``(1+r)^-(t-1)`` when the scenario sets ``discount_rate = r`` (then
    ``total_cost_undiscounted`` is also reported).
    """

    scenario: Scenario
    mode: str
    solver: str
    status: str
    gap: float | None
    plan: PlanArrays | None = None
    projects: np.ndarray | None = None
    costs: np.ndarray | None = None  # [year, line]
    requirements: list[RequirementResult] = field(default_factory=list)
    explanation: str | None = None
    infeasibility: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    budget: float | None = None  # the total budget this result was solved under (frontier)
    target_costs: list[TargetCost] = field(default_factory=list)  # full cost of each target (optimize.fullcost)
    detail: str = ""

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_solution(
        cls, prog: Program, sol: Solution, mode: str, solver: str, out: Outcome, timings: dict[str, float]
    ) -> PlanResult:
        d = prog.data
        plan = prog.plan(sol)
        levels = planned_levels(d, plan)
        before = status_quo_levels(d)
        reqs = []
        for r in d.scenario.requirements:
            met = bool(before[r] >= r.required - 1e-6)
            reqs.append(
                RequirementResult(
                    r, levels[r], levels[r] - r.required < BINDING_SLACK and not met, met_without_plan=met
                )
            )
        total_row = prog.budget_rows.get("total")
        total_limit = total_row.limit if total_row is not None else d.scenario.budget.total
        return cls(
            d.scenario,
            mode,
            solver,
            out.status,
            out.gap,
            plan,
            sol.y,
            cost_table(d, plan, sol.y),
            reqs,
            timings=dict(timings),
            budget=total_limit,
            detail=out.detail,
        )

    @classmethod
    def without_plan(
        cls,
        scenario: Scenario,
        mode: str,
        solver: str,
        out: Outcome,
        info: dict | None,
        text: str,
        timings: dict[str, float],
    ) -> PlanResult:
        reqs = [RequirementResult(r, None, None) for r in scenario.requirements]
        return cls(
            scenario,
            mode,
            solver,
            out.status,
            out.gap,
            requirements=reqs,
            explanation=text,
            infeasibility=info,
            timings=dict(timings),
            budget=scenario.budget.total,
            detail=out.detail,
        )

    # ---------------------------------------------------------------- reading

    @property
    def feasible(self) -> bool:
        return self.plan is not None

    @property
    def data(self) -> ProgramData:
        return ProgramData.from_scenario(self.scenario)

    @property
    def cost_by_year(self) -> list[float]:
        return [] if self.costs is None else [float(v) for v in self.costs.sum(axis=1)]

    @property
    def cost_by_line(self) -> dict[str, float]:
        lines = PlanData.from_scenario(self.scenario).lines
        return (
            {}
            if self.costs is None
            else {line: float(v) for line, v in zip(lines, self.costs.sum(axis=0), strict=True)}
        )

    @property
    def cost_by_source(self) -> dict[str, np.ndarray]:
        """Who pays each year's cost (:func:`scenarios.plan.cost_by_source`): the city first."""
        if self.costs is None or self.plan is None:
            return {}
        if not self.scenario.payers:
            return {CITY: self.costs.sum(axis=1)}
        return cost_by_source(PlanData.from_scenario(self.scenario), self.plan, self.costs)

    @property
    def objective_by_year(self) -> np.ndarray | None:
        """What the optimiser minimised, by year: the city's own cost, or everyone's with minimise = "total"."""
        if self.costs is None:
            return None
        if self.scenario.budget.minimise == "total" or not self.scenario.payers:
            return self.costs.sum(axis=1)
        return self.cost_by_source[CITY]

    @property
    def total_cost_undiscounted(self) -> float | None:
        by_year = self.objective_by_year
        return None if by_year is None else float(by_year.sum())

    @property
    def total_cost(self) -> float | None:
        """The objective's cost: the sum of yearly costs, discounted when the scenario says so.

        With other payers (co-funders, staff paid by others) it is the city's own cost,
        unless ``[budget] minimise = "total"``; ``cost_by_year`` and ``cost_by_line`` stay
        everyone's, and ``cost_by_source`` says who pays what."""
        by_year = self.objective_by_year
        if by_year is None:
            return None
        r = self.scenario.costs.discount_rate
        return float(sum(c * (1.0 + r) ** -t for t, c in enumerate(by_year)))

    @property
    def attainment(self) -> float | None:
        """Mean share of each requirement the plan meets (1.0: every requirement in full)."""
        if not self.feasible:
            return None
        if not self.requirements:
            return 1.0
        return float(np.mean([min(1.0, _with_plan(rr.planned) / rr.requirement.required) for rr in self.requirements]))

    @property
    def requirements_met(self) -> int | None:
        if not self.feasible:
            return None
        return sum(1 for rr in self.requirements if _with_plan(rr.shortfall) < 1e-6)

    def status_words(self) -> str:
        if self.status == "optimal_within_gap":
            return f"optimal within a gap of {100 * (self.gap or 0):.3g} %"
        if self.status == "time_limit":
            gap = f", gap {100 * self.gap:.3g} %" if self.gap is not None else ""
            return f"stopped at the time limit{gap}" + (" with a plan" if self.feasible else ", no plan found")
        return self.status

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` dict (its keys: docs/planning.md, "What a solve reports")."""
        out: dict[str, Any] = {
            "status": self.status,
            "mode": self.mode,
            "solver": self.solver,
            "total_cost": money(self.total_cost),
            "cost_by_year": [money(v) for v in self.cost_by_year],
            "cost_by_line": {k: money(v) for k, v in self.cost_by_line.items()},
            "gap": None if self.gap is None else round(float(self.gap), 8),
            "discount_rate": self.scenario.costs.discount_rate,
            "requirements": [rr.to_dict() for rr in self.requirements],
        }
        if self.target_costs:
            out["targets"] = [tc.to_dict() for tc in self.target_costs]
        if self.costs is not None:  # the city alone when nobody else pays: the key is always there
            by_source = self.cost_by_source
            out["cost_by_source"] = {k: money(float(v.sum())) for k, v in by_source.items()}
            out["cost_by_source_by_year"] = {k: [money(float(x)) for x in v] for k, v in by_source.items()}
            out["minimise"] = self.scenario.budget.minimise
        if self.scenario.costs.discount_rate:
            out["total_cost_undiscounted"] = money(self.total_cost_undiscounted)
        if self.feasible:
            out["binding"] = [rr.requirement.label for rr in self.requirements if rr.binding]
            out["attainment"] = round(_with_plan(self.attainment), 6)
            out["requirements_met"] = self.requirements_met
        if self.budget is not None:
            out["budget_total"] = money(self.budget)
        if self.explanation is not None:
            out["message"] = self.explanation
        if self.infeasibility is not None:
            out["infeasibility"] = self.infeasibility
        return out

    def plan_rows(self) -> tuple[list[str], list[list[Any]]]:
        """``plan.csv``'s header and rows (see :mod:`scenarios.plan_file`)."""

        if self.plan is None:
            raise ValueError(f"no plan: the solve ended {self.status_words()}")
        return plan_table(self.scenario, self.plan)
