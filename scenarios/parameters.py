"""Behaviour parameters of the simulation: typed, defaulted, ranged and sourced in one place.

Every field is a key of a scenario's ``[simulation]`` table. Each declares its meaning, its
unit, its source (a citation, "calibrated" when :mod:`model.calibration` fits it to
published figures, or "assumption" where no source gives a number), and its *plausible
range*: the values a researcher could defend. The ranges are what ``commplan sensitivity``
and ``sweep --uncertain`` sample; for a map (one value per service) the range is a factor
applied to every entry. ``low``/``high`` are different: the validator's hard bounds.

The scenario reference (``docs/scenario-format.md``) and the ODD description
(``docs/odd.md``) are generated from these fields, so neither can drift from the code.
Calibrated defaults are read from ``scenarios/calibration.json``, which
``python -m model.calibration`` writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from scenarios import limits as L

#: The service types every community offers (the simulation document's minimum list).
SERVICES = ("admin", "elderly_care", "child_care", "health", "employment", "mediation", "culture")

#: Fitted values of the calibrated parameters (written by ``python -m model.calibration``).
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
CALIBRATED: dict[str, float] = (
    json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))["fitted"] if CALIBRATION_FILE.exists() else {}
)

#: Citations the parameter sources refer to (full references in docs/odd.md).
TURNOVER_SOURCE = (
    "calibrated to annual turnover of 20 % (published 15–25 %) at pay 0.8 of the local average wage "
    "(Zeng, Li & He 2020; Shenzhen Social Work Association: 17.6 %, 18.1 %, 19.8 % in 2011–13)"
)
SATISFIED_SOURCE = (
    "calibrated to surveyed shares satisfied of 87–98.5 % (Jinan street survey 2022; provincial "
    "statistics bureau survey of residents' committees: 98.5 %)"
)


#: The world the optimiser plans for: nobody leaves, nothing is late, deferred or dearer
#: than funded, every post finds a candidate. ``params.with_values(PERFECT_EXECUTION)``;
#: the simulation must then deliver the plan's stocks exactly (tests/model/test_plan_execution.py).
PERFECT_EXECUTION: dict[str, float] = {
    "exit_hazard": 0.0,
    "hiring_lag_months": 0,
    "construction_lag_months": 0.0,
    "project_deferral_share": 0.0,
    "cost_overrun_median": 0.0,
    "cost_overrun_sigma": 0.0,
    "candidates_per_10000_households": 100_000.0,
}


def _param(
    default: Any,
    doc: str,
    unit: str,
    plausible: tuple[float, float] | None,
    source: str = "assumption",
    low: float | None = 0.0,
    high: float | None = None,
    limit: L.Limit | None = None,
    name: str | None = None,
):
    """A parameter. ``plausible`` is its defensible range (a factor on every entry for a map);
    ``limit`` is the documented plausibility limit that sets the validator's ``high``
    (scenarios/limits.py). ``name`` marks a calibrated parameter: its default is the fitted
    value in ``calibration.json`` when that file holds one."""
    if limit is not None:
        high = limit.value
    if name is not None and name in CALIBRATED:
        default = type(default)(CALIBRATED[name])
    metadata = {
        "doc": doc,
        "unit": unit,
        "plausible": plausible,
        "source": source,
        "low": low,
        "high": high,
        "limit": limit,
        "calibrated": name is not None,
    }
    if isinstance(default, dict):
        value = MappingProxyType(default)
        return field(default_factory=lambda: value, metadata=metadata)
    return field(default=default, metadata=metadata)


def _per_service(**values: float) -> dict[str, float]:
    return {s: float(values.get(s, 0.0)) for s in SERVICES}


SHARE = "share (0–1)"
PER_MONTH = "probability a month"
PER_YEAR = "share a year"
FACTOR_UNIT = "factor"


@dataclass(frozen=True)
class SimulationParameters:
    """Rates and responses of residents, organisations and staff (one month = one step)."""

    # --- households ---------------------------------------------------------------------
    child_share: float = _param(
        0.30, "share of households with a child under 14", SHARE, (0.2, 0.4), "China 2020 census (about 0.3)", high=1
    )
    elderly_alone_share: float = _param(
        0.25,
        "share of elderly households where the elderly person lives alone",
        SHARE,
        (0.15, 0.35),
        "seed 000 names them; share assumed",
        high=1,
    )
    disabled_share: float = _param(
        0.05,
        "share of households with a disabled member",
        SHARE,
        (0.03, 0.08),
        "assumption (China has ~6 % disabled)",
        high=1,
    )
    low_income_share: float = _param(
        0.04, "share of households on minimum living allowance (dibao)", SHARE, (0.02, 0.06), high=1
    )
    unemployed_share: float = _param(
        0.05, "share of households with an unemployed or laid-off member", SHARE, (0.03, 0.08), high=1
    )
    migrant_share: float = _param(0.15, "share of migrant households", SHARE, (0.05, 0.30), high=1)

    # --- needs --------------------------------------------------------------------------
    demand_rate: Mapping[str, float] = _param(
        _per_service(
            admin=0.10, elderly_care=0.30, child_care=0.10, health=0.05, employment=0.30, mediation=0.01, culture=0.05
        ),
        "monthly needs per eligible household by service (Poisson mean); eligibility follows the flags",
        "needs a month",
        (0.5, 2.0),
        limit=L.FACTOR,
    )
    hours_per_need: Mapping[str, float] = _param(
        _per_service(
            admin=0.5, elderly_care=2.0, child_care=1.5, health=1.0, employment=1.5, mediation=3.0, culture=1.0
        ),
        "staff hours one need takes",
        "hours",
        (0.5, 2.0),
        limit=L.MONTH_HOURS,
    )
    staff_service_hours: float = _param(
        110.0,
        "hours a month a staff member spends serving residents",
        "hours a month",
        (80.0, 140.0),
        "assumption (a 174-hour month less administration and meetings)",
        limit=L.MONTH_HOURS,
    )
    no_facility_service_factor: float = _param(
        0.3,
        "throughput of a service whose facility (e.g. elderly centre) the community lacks",
        FACTOR_UNIT,
        (0.1, 0.6),
        high=1,
    )
    one_stop_speedup: float = _param(
        1.5,
        "throughput multiplier of administrative affairs with a one-stop centre",
        FACTOR_UNIT,
        (1.2, 2.0),
        low=1,
        limit=L.FACTOR,
    )
    vulnerable_demand_multiplier: Mapping[str, float] = _param(
        _per_service(
            admin=1.5, elderly_care=1.5, child_care=1.0, health=2.0, employment=1.0, mediation=1.0, culture=1.0
        ),
        "needs multiplier for vulnerable households (elderly alone, disabled or low income) by service",
        FACTOR_UNIT,
        (0.8, 1.25),
        "seed 004 (special services for vulnerable groups); sizes assumed",
        limit=L.FACTOR,
    )
    migrant_demand_multiplier: Mapping[str, float] = _param(
        _per_service(
            admin=2.0, elderly_care=1.0, child_care=1.0, health=1.0, employment=1.5, mediation=1.0, culture=1.0
        ),
        "needs multiplier for migrant households by service (registration, job search)",
        FACTOR_UNIT,
        (0.8, 1.25),
        limit=L.FACTOR,
    )

    # --- what space and facilities buy --------------------------------------------------
    space_needs_per_m2: Mapping[str, float] = _param(
        _per_service(elderly_care=0.08, child_care=0.06, health=0.02, employment=0.02, mediation=0.01, culture=0.10),
        "needs a month one m² of service space hosts without staff hours, by service: one room, many "
        "uses (day-care and children's rooms, consultation and mediation rooms, activity halls)",
        "needs a month per m²",
        (0.5, 2.0),
        "seeds 001 and 003 (one room, many uses); rates assumed",
        limit=L.FACTOR,
    )
    facility_needs_per_month: Mapping[str, float] = _param(
        _per_service(elderly_care=60.0, child_care=30.0, health=80.0, culture=40.0),
        "needs a month a service's own facility (elderly centre, children's home, health station, "
        "culture room) serves by itself, beside the staff it makes fully productive",
        "needs a month",
        (0.5, 2.0),
        "seeds 000, 004 (day-care places); rates assumed",
        limit=L.ORGANISATION_SIZE,
    )

    # --- satisfaction and participation -------------------------------------------------
    initial_satisfaction: float = _param(
        0.6, "experienced service (0–1) of every household at the start", SHARE, (0.4, 0.8), high=1
    )
    satisfaction_memory: float = _param(
        0.8, "weight of last month's experienced service in this month's", SHARE, (0.6, 0.95), high=1
    )
    satisfaction_expectation: float = _param(
        0.33,
        "mean of the households' expectations: a household is satisfied when the service it "
        "perceives reaches its own expectation",
        SHARE,
        (0.2, 0.5),
        SATISFIED_SOURCE,
        high=1,
        name="satisfaction_expectation",
    )
    satisfaction_expectation_sd: float = _param(
        0.15,
        "spread (standard deviation) of expectations across households",
        SHARE,
        (0.08, 0.25),
        high=1,
    )
    satisfaction_peer_weight: float = _param(
        0.3,
        "weight of the community's mean experience in what a household perceives (neighbours talk)",
        SHARE,
        (0.0, 0.6),
        high=1,
    )
    participation_base: float = _param(
        0.05, "monthly probability a household takes part in community life", PER_MONTH, (0.02, 0.10), high=1
    )
    participation_satisfaction_effect: float = _param(
        0.10,
        "extra monthly participation probability per unit of experienced service",
        PER_MONTH,
        (0.05, 0.20),
        high=1,
    )
    village_to_residence_participation: float = _param(
        0.5,
        "participation multiplier in village-to-residence communities",
        FACTOR_UNIT,
        (0.3, 0.8),
        "seed 004 (low participation)",
        high=1,
    )
    volunteer_share_of_participants: float = _param(
        0.2, "share of participating households that volunteer", SHARE, (0.1, 0.3), high=1
    )
    organisation_ask_effect: float = _param(
        0.05,
        "relative rise in participation per organisation alive per 1,000 households (organisations ask residents)",
        FACTOR_UNIT,
        (0.01, 0.10),
        limit=L.FACTOR,
    )

    # --- organisations ------------------------------------------------------------------
    organisations_per_1000_households: float = _param(
        3.0,
        "organisations alive at the start per 1,000 households",
        "per 1,000 households",
        (1.5, 6.0),
        "seed 004 (about 4 per community before the plan); rate assumed",
        limit=L.FACTOR,
    )
    organisation_capacity: float = _param(
        20.0, "needs an organisation serves a month", "needs a month", (10.0, 40.0), limit=L.ORGANISATION_SIZE
    )
    organisation_dissolve_hazard: float = _param(
        0.01, "monthly probability an organisation without support dissolves", PER_MONTH, (0.005, 0.03), high=1
    )
    organisation_birth_per_volunteer: float = _param(
        0.002, "monthly probability a volunteer founds an organisation", PER_MONTH, (0.001, 0.004), high=1
    )
    organisation_members_to_thrive: float = _param(
        5.0,
        "volunteers per organisation at which it works at full strength without support",
        "volunteers",
        (3.0, 10.0),
        limit=L.ORGANISATION_SIZE,
    )
    organisation_incubated_share: float = _param(
        0.2,
        "share of organisations receiving incubation support (redrawn yearly)",
        SHARE,
        (0.1, 0.3),
        "seed 004 (incubation base); share assumed",
        high=1,
    )
    organisation_purchase_share: float = _param(
        0.1,
        "share of organisations holding a government purchase-of-service contract (redrawn yearly)",
        SHARE,
        (0.05, 0.2),
        "seed 001, 003; share assumed",
        high=1,
    )
    organisation_contract_per_month: float = _param(
        2000.0,
        "money a purchase-of-service contract pays a month (counted as spent)",
        "currency a month",
        (1000.0, 4000.0),
        limit=L.MONEY,
    )
    organisation_support_hazard_factor: float = _param(
        0.2,
        "multiplier of the dissolve hazard for an organisation with incubation support or a contract",
        FACTOR_UNIT,
        (0.1, 0.5),
        high=1,
    )
    funds_per_organisation_supported: float = _param(
        5000.0,
        "working funds a year (funds_at_least) per organisation without incubation or a contract at which the "
        "funds support it as incubation does (its dissolve hazard × organisation_support_hazard_factor); less "
        "supports it in proportion. Without working funds in the plan it has no effect",
        "currency a year",
        (2000.0, 10000.0),
        low=0.0,
        limit=L.MONEY,
    )

    # --- staff --------------------------------------------------------------------------
    exit_hazard: float = _param(
        0.012,
        "monthly probability a staff member leaves when paid the local average wage at normal workload",
        PER_MONTH,
        (0.006, 0.012),  # about 15–25 % a year at pay 0.8: the published range the fit aims in
        TURNOVER_SOURCE,
        high=1,
        name="exit_hazard",
    )
    exit_pay_elasticity: float = _param(
        1.25,
        "how steeply leaving rises as pay falls below the average wage (hazard × exp(k·(1 − pay share))); "
        "the elasticity of leaving to pay is −k × pay share",
        FACTOR_UNIT,
        (0.5, 2.5),
        "a separation elasticity of about −1 at pay 0.8 (Vadean & Saloniki 2023, Innovation in Aging 7(2): "
        "a 10 % rise cuts care workers' separations by about 3 points from about 30 %)",
        limit=L.FACTOR,
    )
    exit_workload_elasticity: float = _param(
        0.5, "how steeply leaving rises with workload above capacity", FACTOR_UNIT, (0.0, 1.0), limit=L.FACTOR
    )
    initial_skill: float = _param(0.7, "skill of today's staff (share of full throughput)", SHARE, (0.5, 0.9), high=1)
    new_hire_skill: float = _param(0.5, "skill of a new hire", SHARE, (0.3, 0.7), high=1)
    skill_learning_rate: float = _param(
        0.02, "monthly share of the remaining skill gap closed by experience", PER_MONTH, (0.01, 0.05), high=1
    )
    training_rate: float = _param(
        1 / 12,
        "monthly probability a staff member is trained (annual rotation)",
        PER_MONTH,
        (1 / 24, 1 / 6),
        "seed 000 (all staff trained yearly)",
        high=1,
    )
    training_skill_gain: float = _param(
        0.2, "share of the remaining skill gap one training closes", SHARE, (0.1, 0.3), high=1
    )
    certified_share: float = _param(
        0.5,
        "share of social workers who are certified (start at full skill)",
        SHARE,
        (0.3, 0.7),
        "seed 004 (74 certified); share assumed",
        high=1,
    )
    workload_cap: float = _param(
        2.0,
        "workload (demand hours / staff hours) beyond which leaving rises no further",
        FACTOR_UNIT,
        (1.5, 3.0),
        low=1,
        limit=L.FACTOR,
    )
    hiring_lag_months: int = _param(
        2, "months from a vacancy or planned hire to the person starting", "months", (1, 4), limit=L.LAG_MONTHS
    )
    candidates_per_10000_households: float = _param(
        15.0,
        "people a month, per staff kind and per 10,000 households of the city, who would take a post: "
        "hires beyond them fail and the post is searched again",
        "people a month",
        (5.0, 40.0),
        "seed 004 (posts left vacant for want of candidates); rate assumed",
        limit=L.ORGANISATION_SIZE,
    )

    # --- execution risk -----------------------------------------------------------------
    construction_lag_months: float = _param(
        4.0,
        "median months a funded building project runs late (log-normal; 0: on time)",
        "months",
        (2.0, 8.0),
        "assumption; schedule overruns are heavy-tailed (Flyvbjerg 2014)",
        limit=L.LAG_MONTHS,
    )
    construction_lag_sigma: float = _param(
        0.8,
        "spread of the log of construction lags: the tail of very late projects",
        "log-months",
        (0.4, 1.2),
        "assumption; heavy-tailed overruns (Flyvbjerg 2014)",
        limit=L.FACTOR,
    )
    cost_overrun_median: float = _param(
        0.10,
        "median share by which a building project costs more than funded (log-normal multiplier)",
        SHARE,
        (0.0, 0.3),
        "assumption; mean building cost overruns of about 20–60 % (Flyvbjerg, Holm & Buhl 2002)",
        limit=L.FACTOR,
    )
    cost_overrun_sigma: float = _param(
        0.25,
        "spread of the log of cost multipliers (0: every project costs its median)",
        "log-factor",
        (0.1, 0.5),
        "assumption; heavy-tailed overruns (Flyvbjerg 2014)",
        limit=L.FACTOR,
    )
    project_deferral_share: float = _param(
        0.10,
        "share of funded building projects that do not start in their year (started a year later; "
        "the year's money stays unspent)",
        SHARE,
        (0.0, 0.3),
        "seed 004 (budget sufficient but under-used); share assumed",
        high=1,
    )

    # --- population, yearly -------------------------------------------------------------
    move_out_rate: float = _param(
        0.05, "yearly share of households moving out (replaced by newcomers)", PER_YEAR, (0.02, 0.10), high=1
    )
    ageing_rate: float = _param(
        0.01, "yearly share of households that become elderly households", PER_YEAR, (0.005, 0.02), high=1
    )
    elderly_death_rate: float = _param(
        0.04,
        "yearly share of elderly households that end (the home passes to newcomers)",
        PER_YEAR,
        (0.02, 0.06),
        high=1,
    )
    birth_rate: float = _param(
        0.03, "yearly share of households without a child that gain one", PER_YEAR, (0.01, 0.05), high=1
    )
    child_ageing_rate: float = _param(
        0.07, "yearly share of households whose youngest child turns 14", PER_YEAR, (0.05, 0.09), high=1
    )
    committee_occupancy: float = _param(
        0.5,
        "occupancy at which a new development forms its own residents' committee",
        SHARE,
        (0.3, 0.7),
        "seed 001",
        high=1,
    )

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One record per parameter: name, default, meaning, unit, plausible range, source."""
        out = []
        for f in fields(cls):
            default = f.default_factory() if callable(f.default_factory) else f.default
            out.append({"name": f.name, "default": default, **f.metadata})
        return out

    @classmethod
    def uncertain(cls) -> dict[str, tuple[float, float]]:
        """Every parameter's plausible range, by name (a factor on every entry for a map).

        What sensitivity and uncertainty analyses sample; :meth:`with_values` applies a sample.
        """
        return {f.name: f.metadata["plausible"] for f in fields(cls) if f.metadata["plausible"] is not None}

    def with_values(self, values: Mapping[str, float]) -> SimulationParameters:
        """These parameters with ``values`` set: a map's value scales every entry, an integer is rounded."""
        types = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, x in values.items():
            if name not in types:
                raise KeyError(f"no simulation parameter named {name!r}")
            now = getattr(self, name)
            if isinstance(now, Mapping):
                changes[name] = MappingProxyType({k: v * float(x) for k, v in now.items()})
            elif isinstance(now, bool):
                changes[name] = bool(x)
            elif isinstance(now, int):
                changes[name] = round(float(x))
            else:
                changes[name] = float(x)
        return replace(self, **changes)
