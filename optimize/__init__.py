"""The planning optimiser: the canonical program of docs/planning-problem.md, built with PuLP.

Public API (what ``commplan plan``/``run``/``sweep`` call):

- :func:`solve` — min-cost or max-attainment plan of a scenario, with marginal costs and,
  when infeasible, an explanation in the planner's words;
- :func:`frontier` — max-attainment over a list of total budgets, one built model;
- :func:`write_plan` — plan.csv, summary.json and the two charts;
- :func:`read_plan_csv` — a plan.csv back into arrays, for the simulation;
- :class:`PlanResult`, :class:`PlanArrays`, :class:`PlanFileError`.
"""

from optimize.data import PlanArrays
from optimize.frontier import frontier
from optimize.plan_io import PlanFileError, read_plan_csv, write_plan
from optimize.program import MARGINALS, MODES, SOLVERS, Program, solve
from optimize.result import PlanResult, RequirementResult

__all__ = [
    "MARGINALS",
    "MODES",
    "SOLVERS",
    "PlanArrays",
    "PlanFileError",
    "PlanResult",
    "Program",
    "RequirementResult",
    "frontier",
    "read_plan_csv",
    "solve",
    "write_plan",
]
