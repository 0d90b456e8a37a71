"""Behaviour parameters of the simulation: typed and defaulted in one place.

Every field is a key of a scenario's ``[simulation]`` table. Each carries a one-line
meaning and its source: a seed document, or "assumption" where the plans give no number
(they give none for most behaviour). The scenario reference in ``docs/scenario-format.md``
is generated from these fields, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from scenarios import limits as L

#: The service types every community offers (the simulation document's minimum list).
SERVICES = ("admin", "elderly_care", "child_care", "health", "employment", "mediation", "culture")


def _param(
    default: Any,
    doc: str,
    source: str = "assumption",
    low: float | None = 0.0,
    high: float | None = None,
    limit: L.Limit | None = None,
):
    """A parameter; ``limit`` is the documented plausibility limit that sets ``high`` (scenarios/limits.py)."""
    if limit is not None:
        high = limit.value
    metadata = {"doc": doc, "source": source, "low": low, "high": high, "limit": limit}
    if isinstance(default, dict):
        value = MappingProxyType(default)
        return field(default_factory=lambda: value, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class SimulationParameters:
    """Rates and responses of residents, organisations and staff (one month = one step)."""

    # --- households ---------------------------------------------------------------------
    child_share: float = _param(0.30, "share of households with a child under 14", high=1)
    elderly_alone_share: float = _param(
        0.25,
        "share of elderly households where the elderly person lives alone",
        "seed 000 names them; share assumed",
        high=1,
    )
    disabled_share: float = _param(0.05, "share of households with a disabled member", high=1)
    low_income_share: float = _param(0.04, "share of households on minimum living allowance (dibao)", high=1)
    unemployed_share: float = _param(0.05, "share of households with an unemployed or laid-off member", high=1)
    migrant_share: float = _param(0.15, "share of migrant households", high=1)

    # --- needs --------------------------------------------------------------------------
    demand_rate: Mapping[str, float] = _param(
        {
            "admin": 0.10,
            "elderly_care": 0.30,
            "child_care": 0.10,
            "health": 0.05,
            "employment": 0.30,
            "mediation": 0.01,
            "culture": 0.05,
        },
        "monthly needs per eligible household by service (Poisson mean); eligibility follows the flags",
        limit=L.FACTOR,
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
        limit=L.MONTH_HOURS,
    )
    staff_service_hours: float = _param(
        110.0, "hours a month a staff member spends serving residents", limit=L.MONTH_HOURS
    )
    no_facility_service_factor: float = _param(
        0.3, "throughput of a service whose facility (e.g. elderly centre) the community lacks", high=1
    )
    one_stop_speedup: float = _param(
        1.5,
        "throughput multiplier of administrative affairs with a one-stop centre",
        low=1,
        limit=L.FACTOR,
    )
    vulnerable_demand_multiplier: Mapping[str, float] = _param(
        {
            "admin": 1.5,
            "elderly_care": 1.5,
            "child_care": 1.0,
            "health": 2.0,
            "employment": 1.0,
            "mediation": 1.0,
            "culture": 1.0,
        },
        "needs multiplier for vulnerable households (elderly alone, disabled or low income) by service",
        "seed 004 (special services for vulnerable groups); sizes assumed",
        limit=L.FACTOR,
    )
    migrant_demand_multiplier: Mapping[str, float] = _param(
        {
            "admin": 2.0,
            "elderly_care": 1.0,
            "child_care": 1.0,
            "health": 1.0,
            "employment": 1.5,
            "mediation": 1.0,
            "culture": 1.0,
        },
        "needs multiplier for migrant households by service (registration, job search)",
        limit=L.FACTOR,
    )
    culture_needs_per_m2: float = _param(
        0.2,
        "culture & sport needs a month that one m² of activity space hosts without staff",
        "seed 003 (one room, many uses); rate assumed",
        limit=L.FACTOR,
    )

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
    organisation_ask_effect: float = _param(
        0.05,
        "relative rise in participation per organisation alive per 1,000 households (organisations ask residents)",
        limit=L.FACTOR,
    )

    # --- organisations ------------------------------------------------------------------
    organisations_per_1000_households: float = _param(
        3.0, "organisations alive at the start per 1,000 households", limit=L.FACTOR
    )
    organisation_capacity: float = _param(20.0, "needs an organisation serves a month", limit=L.ORGANISATION_SIZE)
    organisation_dissolve_hazard: float = _param(
        0.01, "monthly probability an organisation without support dissolves", high=1
    )
    organisation_birth_per_volunteer: float = _param(
        0.002, "monthly probability a volunteer founds an organisation", high=1
    )
    organisation_members_to_thrive: float = _param(
        5.0,
        "volunteers per organisation at which it works at full strength without support",
        limit=L.ORGANISATION_SIZE,
    )
    organisation_incubated_share: float = _param(
        0.2,
        "share of organisations receiving incubation support (redrawn yearly)",
        "seed 004 (incubation base); share assumed",
        high=1,
    )
    organisation_purchase_share: float = _param(
        0.1,
        "share of organisations holding a government purchase-of-service contract (redrawn yearly)",
        "seed 001, 003; share assumed",
        high=1,
    )
    organisation_contract_per_month: float = _param(
        2000.0,
        "money a purchase-of-service contract pays a month (counted as spent)",
        limit=L.MONEY,
    )
    organisation_support_hazard_factor: float = _param(
        0.2, "multiplier of the dissolve hazard for an organisation with incubation support or a contract", high=1
    )

    # --- staff --------------------------------------------------------------------------
    exit_hazard: float = _param(0.01, "monthly probability a staff member leaves when paid the average wage", high=1)
    exit_pay_elasticity: float = _param(
        3.0,
        "how steeply leaving rises as pay falls below the average wage (hazard × exp(k·(1 − pay share)))",
        limit=L.FACTOR,
    )
    exit_workload_elasticity: float = _param(
        0.5, "how steeply leaving rises with workload above capacity", limit=L.FACTOR
    )
    initial_skill: float = _param(0.7, "skill of today's staff (share of full throughput)", high=1)
    new_hire_skill: float = _param(0.5, "skill of a new hire", high=1)
    skill_learning_rate: float = _param(0.02, "monthly share of the remaining skill gap closed by experience", high=1)
    training_rate: float = _param(
        1 / 12,
        "monthly probability a staff member is trained (annual rotation)",
        "seed 000 (all staff trained yearly)",
        high=1,
    )
    training_skill_gain: float = _param(0.2, "share of the remaining skill gap one training closes", high=1)
    certified_share: float = _param(
        0.5,
        "share of social workers who are certified (start at full skill)",
        "seed 004 (74 certified); share assumed",
        high=1,
    )
    workload_cap: float = _param(
        2.0,
        "workload (demand hours / staff hours) beyond which leaving rises no further",
        low=1,
        limit=L.FACTOR,
    )
    hiring_lag_months: int = _param(
        2, "months from a vacancy or planned hire to the person starting", limit=L.LAG_MONTHS
    )
    construction_lag_months: float = _param(4.0, "mean months a funded building project runs late", limit=L.LAG_MONTHS)

    # --- population, yearly -------------------------------------------------------------
    move_out_rate: float = _param(0.05, "yearly share of households moving out (replaced by newcomers)", high=1)
    ageing_rate: float = _param(0.01, "yearly share of households that become elderly households", high=1)
    elderly_death_rate: float = _param(
        0.04, "yearly share of elderly households that end (the home passes to newcomers)", high=1
    )
    birth_rate: float = _param(0.03, "yearly share of households without a child that gain one", high=1)
    child_ageing_rate: float = _param(0.07, "yearly share of households whose youngest child turns 14", high=1)
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
