"""The agent-based simulation: what happens month by month when a city executes its plan.

``CommunityModel`` (model.py) is the Mesa model; ``agents.py`` holds every behaviour;
``simulate``/``write_simulation`` (runner.py) run replications and write the contract's
``timeseries.csv`` and ``attainment.csv``. Imports are lazy because ``scenarios.schema``
reads ``scenarios.parameters`` while the scenario package itself is still loading.
"""

from importlib import import_module

_EXPORTS = {
    "CommunityModel": "model.model",
    "PlanSchedule": "model.plan",
    "read_plan_csv": "model.plan",
    "SimulationResult": "model.runner",
    "simulate": "model.runner",
    "write_simulation": "model.runner",
    "Extension": "model.extensions",
    "Service": "model.extensions",
    "OrganisationKind": "model.extensions",
    "FacilityService": "model.extensions",
    "check_invariants": "model.invariants",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
