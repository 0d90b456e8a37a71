"""The planning optimiser: the canonical program of docs/planning.md, built with PuLP.

Public API (what ``commplan plan``/``run``/``sweep`` call):

- :func:`solve` — min-cost or max-attainment plan of a scenario, with marginal costs and,
  when infeasible, an explanation in the planner's words;
- :func:`frontier` — max-attainment over a list of total budgets, one built model;
- :class:`PlanResult` (its ``plan`` is a :class:`~scenarios.plan.PlanArrays`), :class:`Program`.

Writing a result is :func:`results.plan_output.write_plan`'s job; reading ``plan.csv``
back is :func:`scenarios.plan_file.read_plan_csv`'s.
"""

from optimize.frontier import frontier
from optimize.program import MARGINALS, MODES, SOLVERS, Program, solve
from optimize.result import PlanResult, RequirementResult

__all__ = [
    "MARGINALS",
    "MODES",
    "SOLVERS",
    "PlanResult",
    "Program",
    "RequirementResult",
    "frontier",
    "solve",
]
