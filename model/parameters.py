"""Behaviour parameters of the simulation: typed and defaulted in one place.

Every field is a key of a scenario's ``[simulation]`` table. Each carries a one-line
meaning and its source: a seed document, or "assumption" where the plans give no number
(they give none for most behaviour). The scenario reference in ``docs/scenario-format.md``
is generated from these fields, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Mapping

#: The service types every community offers (the simulation document's minimum list).
SERVICES = ("admin", "elderly_care", "child_care", "health", "employment", "mediation", "culture")


def _param(default: Any, doc: str, source: str = "assumption", low: float | None = 0.0, high: float | None = None):
    if isinstance(default, dict):
        value = MappingProxyType(default)
        return field(default_factory=lambda: value, metadata={"doc": doc, "source": source, "low": low, "high": high})
    return field(default=default, metadata={"doc": doc, "source": source, "low": low, "high": high})


@dataclass(frozen=True)
class SimulationParameters:
    """Rates and responses of residents, organisations and staff (one month = one step)."""

    # --- households ---------------------------------------------------------------------
    child_share: float = _param(0.30, "share of households with a child under 14", high=1)
    elderly_alone_share: float = _param(
        0.25, "share of elderly households where the elderly person lives alone", "seed 000 names them; share assumed", high=1
    )
    disabled_share: float = _param(0.05, "share of households with a disabled member", high=1)
    low_income_share: float = _param(0.04, "share of households on minimum living allowance (dibao)", high=1)
    unemployed_share: float = _param(0.05, "share of households with an unemployed or laid-off member", high=1)
    migrant_share: float = _param(0.15, "share of migrant households", high=1)

    # --- needs --------------------------------------------------------------------------
    demand_rate: Mapping[str, float] = _param(
        {
            "admin": 0.15,
            "elderly_care": 0.60,
            "child_care": 0.20,
            "health": 0.10,
            "employment": 0.40,
            "mediation": 0.02,
            "culture": 0.10,
        },
        "monthly needs per eligible household by service (Poisson mean); eligibility follows the flags",
    )
    hours_per_need: Mapping[str, float] = _param(
        {
            "admin": 0.5,
            "elderly_care": 2.0,
            "child_care": 1.5,
            "health": 1.0,
            "employment": 1.5,
            "mediation": 3.0,
            "culture": 1.0,
        },
        "staff hours one need takes",
    )
    staff_service_hours: float = _param(110.0, "hours a month a staff member spends serving residents")
    no_facility_service_factor: float = _param(
        0.3, "throughput of a service whose facility (e.g. elderly centre) the community lacks", high=1
    )
    one_stop_speedup: float = _param(1.5, "throughput multiplier of administrative affairs with a one-stop centre", low=1)

    # --- satisfaction and participation -------------------------------------------------
    initial_satisfaction: float = _param(0.6, "satisfaction of every household at the start (0–1)", high=1)
    satisfaction_memory: float = _param(0.8, "weight of last month's satisfaction in this month's", high=1)
    participation_base: float = _param(0.05, "monthly probability a household takes part in community life", high=1)
    participation_satisfaction_effect: float = _param(
        0.10, "extra monthly participation probability per unit of satisfaction", high=1
    )
    village_to_residence_participation: float = _param(
        0.5, "participation multiplier in village-to-residence communities", "seed 004 (low participation)", high=1
    )
    volunteer_share_of_participants: float = _param(0.2, "share of participating households that volunteer", high=1)

    # --- organisations ------------------------------------------------------------------
    organisations_per_1000_households: float = _param(3.0, "organisations alive at the start per 1,000 households")
    organisation_capacity: float = _param(20.0, "needs an organisation serves a month")
    organisation_dissolve_hazard: float = _param(
        0.01, "monthly probability an organisation without support dissolves", high=1
    )
    organisation_birth_per_volunteer: float = _param(0.002, "monthly probability a volunteer founds an organisation", high=1)

    # --- staff --------------------------------------------------------------------------
    exit_hazard: float = _param(0.01, "monthly probability a staff member leaves when paid the average wage", high=1)
    exit_pay_elasticity: float = _param(
        3.0, "how steeply leaving rises as pay falls below the average wage (hazard × exp(k·(1 − pay share)))"
    )
    exit_workload_elasticity: float = _param(1.0, "how steeply leaving rises with workload above capacity")
    hiring_lag_months: int = _param(2, "months from a vacancy or planned hire to the person starting")
    construction_lag_months: float = _param(4.0, "mean months a funded building project runs late")

    # --- population, yearly -------------------------------------------------------------
    move_out_rate: float = _param(0.05, "yearly share of households moving out (replaced by newcomers)", high=1)
    ageing_rate: float = _param(0.01, "yearly share of households that become elderly households", high=1)
    committee_occupancy: float = _param(
        0.5, "occupancy at which a new development forms its own residents' committee", "seed 001", high=1
    )

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One record per parameter: name, type, default, meaning, source (for docs and errors)."""
        out = []
        for f in fields(cls):
            default = f.default_factory() if callable(f.default_factory) else f.default
            out.append({"name": f.name, "default": default, **f.metadata})
        return out
