"""The agent-based simulation: what happens month by month when a city executes its plan.

``CommunityModel`` (model.py) is the Mesa model; ``agents.py`` holds every behaviour;
``simulate``/``write_simulation`` (runner.py) run replications and write the contract's
``timeseries.csv`` and ``attainment.csv``.
"""

from model.model import CommunityModel
from model.plan import PlanSchedule, read_plan_csv
from model.runner import SimulationResult, simulate, write_simulation

__all__ = ["CommunityModel", "PlanSchedule", "SimulationResult", "read_plan_csv", "simulate", "write_simulation"]
