"""The validated, immutable scenario object that every other part of commplan reads.

The loader (:mod:`scenarios.loader`) is the only code that builds these; everything else
(optimiser, simulation, reports) receives a :class:`Scenario` and never sees raw TOML.
"""

from __future__ import annotations

import copyreg
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from dataclasses import fields as dc_fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from scenarios.parameters import SimulationParameters
from scenarios.targets import Requirement, Stocks, Target

#: Facility kinds the source plans name; a scenario may declare others.
KNOWN_FACILITIES = ("one_stop", "elderly_centre", "children_home", "health_station", "culture_room")
#: Staff kinds the source plans name; a scenario may declare others.
KNOWN_STAFF = ("community_worker", "social_worker")


def frozen_map(d: Mapping) -> Mapping:
    """A read-only mapping: a loaded scenario cannot be changed by the code that reads it."""
    return MappingProxyType(dict(d))


def _rebuild_frozen_map(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


# Scenarios cross to worker processes (replications, sweeps, Dask): teach pickle the read-only maps.
copyreg.pickle(MappingProxyType, lambda m: (_rebuild_frozen_map, (dict(m),)))


@dataclass(frozen=True)
class Costs:
    """Unit costs in the scenario's currency. The source plans give none: all are assumptions."""

    average_wage: float
    space_build_per_m2: float
    space_running_per_m2: float
    space_project_fixed: float
    discount_rate: float = 0.0


@dataclass(frozen=True)
class FacilityKind:
    name: str
    build: float
    running: float
    space_m2: float = 0.0


@dataclass(frozen=True)
class StaffKind:
    name: str
    hire: float
    base_pay_share: float
    pay_share: tuple[float, ...]  # one entry per plan year
    attrition: float = 0.0
    training: float = 0.0  # cost of training one person (the plan's training places)
    funded_by: str | None = None  # another payer of this kind's hires and pay (None: the plan's budget)
    hours_per_month: float = 174.0  # hours one person is present in the community a month

    def pay(self, year: int, average_wage: float) -> float:
        """Yearly pay of one staff member in plan year ``year`` (0 = today)."""
        share = self.base_pay_share if year == 0 else self.pay_share[year - 1]
        return share * average_wage


@dataclass(frozen=True)
class Budget:
    per_year: tuple[float, ...] | None = None
    total: float | None = None
    max_share_per_year: float | None = None  # no plan year takes more than this share of the total
    minimise: str = "city"  # "city": the city's own cost (after co-funding); "total": everyone's


@dataclass(frozen=True)
class Funding:
    """A co-funder (``[[funding]]``): pays ``share`` of the named cost lines, at most ``at_most`` a year."""

    source: str
    lines: tuple[str, ...]
    share: float
    at_most: tuple[float, ...] | None = None  # one per plan year; None: no cap


@dataclass(frozen=True)
class Capacity:
    """What the city can absorb in one year (``[capacity]``); ``None`` or a missing kind: no limit.

    A plan that spends all its money in the last year is cheapest on paper and impossible
    in practice: a city has so many builders, so many people to hire, and so much room it
    can fit out in a year. These limits are what a planning office would check by hand.
    """

    projects_per_year: tuple[int, ...] | None = None  # city-wide; a space addition or a facility opened is one project
    hires_per_year: Mapping[str, int] = field(default_factory=lambda: frozen_map({}))  # by staff kind, city-wide
    hires_per_community_per_year: int | None = None  # any kind, one community
    space_m2_per_year: tuple[float, ...] | None = None  # city-wide

    @property
    def any(self) -> bool:
        return (
            self.projects_per_year is not None
            or bool(self.hires_per_year)
            or self.hires_per_community_per_year is not None
            or self.space_m2_per_year is not None
        )


@dataclass(frozen=True)
class Community:
    id: str
    households: int
    space_m2: float = 0.0
    key: bool = False
    facilities: frozenset[str] = frozenset()
    staff: Mapping[str, int] = field(default_factory=lambda: frozen_map({}))
    household_growth: float = 0.0  # yearly share; households in plan year t = H·(1+g)^t
    max_space_added_m2: float | None = None  # most space the community can add in one year
    household_size: float = 3.0  # mean persons per household
    elderly_share: float = 0.25  # share of households with a member aged 60+
    village_to_residence: bool = False  # a former village: older residents, lower participation
    name: str | None = None  # display name, any script; the id stays ASCII (plan.csv, scripts)
    lon: float | None = None  # optional coordinates, for the map of communities
    lat: float | None = None
    office_m2: float | None = None  # the office part of space_m2 (office_share_at_most reads it)
    new_development: bool = False  # a new residential area: forms a residents' committee at committee_occupancy
    dwellings: int | None = None  # homes of a new development when full (default: households in the last plan year)

    @property
    def label(self) -> str:
        """How charts and tables name the community: its display name, else its id."""
        return self.name or self.id

    def households_in(self, year: int) -> int:
        """Households in plan year ``year`` (0 = today), whole: the optimiser plans for the
        same households the simulation houses, so a ratio target means the same to both."""
        return int(np.rint(self.households * (1.0 + self.household_growth) ** year))


#: Seed 004: of 33 agreements developers signed to hand over service space, 8 were delivered.
DEVELOPER_DELIVERY = 8 / 33


@dataclass(frozen=True)
class DeveloperSpace:
    """Service space a developer owes a community (``[[developer_space]]``), due in a plan year.

    Delivered or not in the simulation (one draw at ``delivery_probability``); the plan
    counts on it only when ``counted`` (a ``--confidence`` plan decides that itself).
    """

    community: str
    m2: float
    due_year: int
    delivery_probability: float = DEVELOPER_DELIVERY
    counted: bool = False
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Scenario:
    """A city, its costs, its targets and its simulation parameters, checked and resolved."""

    name: str
    title: str
    years: int
    start_year: int
    seed: int
    costs: Costs
    facilities: Mapping[str, FacilityKind]
    staff: Mapping[str, StaffKind]
    budget: Budget
    communities: tuple[Community, ...]
    targets: tuple[Target, ...]
    simulation: SimulationParameters
    source: Path | None = field(default=None, compare=False)
    extensions: tuple[str, ...] = ()
    model: str | None = None  # "package.module:Class", a CommunityModel subclass to simulate
    capacity: Capacity = field(default_factory=Capacity)
    #: ``[extension.<name>]`` tables by the name written in ``extensions``: checked and with
    #: defaults when loaded with the extensions' declarations, as written otherwise.
    extension_parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: frozen_map({}))
    funding: tuple[Funding, ...] = ()
    developer_space: tuple[DeveloperSpace, ...] = ()

    @property
    def uses_funds(self) -> bool:
        """Whether a target asks for working funds: only then are funds planned, costed and written."""
        return any(a.kind == "funds" for t in self.targets if t.condition is not None for a in t.condition.atoms)

    @property
    def uses_training(self) -> bool:
        """Whether training is planned: a trained_at_least target or a staff kind with a training cost."""
        return any(k.training > 0 for k in self.staff.values()) or any(
            a.kind == "trained" for t in self.targets if t.condition is not None for a in t.condition.atoms
        )

    @property
    def trained_kinds(self) -> tuple[str, ...]:
        """Staff kinds whose training is planned: named by a trained_at_least target, or with a training cost."""
        named = {
            a.item for t in self.targets if t.condition is not None for a in t.condition.atoms if a.kind == "trained"
        }
        return tuple(k for k, kind in self.staff.items() if k in named or kind.training > 0)

    @property
    def payers(self) -> tuple[str, ...]:
        """Who pays besides the city: staff kinds' funded_by, then the co-funders, in file order."""
        out = [k.funded_by for k in self.staff.values() if k.funded_by]
        out += [f.source for f in self.funding]
        return tuple(dict.fromkeys(out))

    @property
    def community_ids(self) -> list[str]:
        return [c.id for c in self.communities]

    @property
    def keys(self) -> list[str]:
        return [c.id for c in self.communities if c.key]

    def target(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        raise KeyError(name)

    def households(self, year: int = 0) -> np.ndarray:
        """Households per community in plan year ``year`` (0 = today)."""
        return np.array([c.households_in(year) for c in self.communities], dtype=float)

    def initial_stocks(self) -> Stocks:
        """What every community holds before the plan starts."""
        return Stocks(
            households=self.households(0),
            space=np.array([c.space_m2 for c in self.communities], dtype=float),
            has={u: np.array([u in c.facilities for c in self.communities]) for u in self.facilities},
            staff={s: np.array([c.staff.get(s, 0) for c in self.communities], dtype=float) for s in self.staff},
        )

    @cached_property
    def requirements(self) -> tuple[Requirement, ...]:
        """Every (target, year) requirement, in the order the targets are written."""
        n, k = len(self.communities), len(self.keys)
        return tuple(r for t in self.targets for r in t.requirements(n, k, self.years))

    def developer_m2(self, counted_only: bool = True) -> np.ndarray:
        """``[i, t-1]``: developers' space a community holds by plan year t if it is delivered when
        due; ``counted_only`` keeps the entries the plan counts on (the plan's stock of space)."""
        out = np.zeros((len(self.communities), self.years))
        index = {c.id: i for i, c in enumerate(self.communities)}
        for d in self.developer_space:
            if d.counted or not counted_only:
                out[index[d.community], d.due_year - 1 :] += d.m2
        return out

    def planning(self) -> Scenario:
        """The scenario as the optimiser sees it: conditions on outcomes (satisfaction,
        organisations, participation) left to the simulation, targets of outcomes alone left out."""
        if not any(t.evaluated_by != "plan" for t in self.targets):
            return self
        targets = tuple(p for t in self.targets if (p := t.planned()) is not None)
        return replace(self, targets=targets)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a TOML-ready dict with every default resolved (see ``scenario.toml``)."""
        return scenario_to_dict(self)


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """Every key explicit, communities inline: the file reproduces the run on its own."""
    sim = {}
    for f in dc_fields(s.simulation):
        v = getattr(s.simulation, f.name)
        sim[f.name] = dict(v) if not isinstance(v, (int, float)) else v
    out: dict[str, Any] = {
        "scenario": {"name": s.name, "title": s.title, "years": s.years, "start_year": s.start_year, "seed": s.seed}
        | ({"extensions": list(s.extensions)} if s.extensions else {})
        | ({"model": s.model} if s.model else {}),
        "costs": {f.name: getattr(s.costs, f.name) for f in dc_fields(s.costs)},
        "facilities": {
            u: {"build": f.build, "running": f.running, "space_m2": f.space_m2} for u, f in s.facilities.items()
        },
        "staff": {
            k: {
                "hire": f.hire,
                "base_pay_share": f.base_pay_share,
                "pay_share": list(f.pay_share),
                "attrition": f.attrition,
            }
            | ({"training": f.training} if f.training else {})
            | ({"funded_by": f.funded_by} if f.funded_by else {})
            | ({"hours_per_month": f.hours_per_month} if f.hours_per_month != 174.0 else {})
            for k, f in s.staff.items()
        },
    }
    budget: dict[str, Any] = {}
    if s.budget.per_year is not None:
        budget["per_year"] = list(s.budget.per_year)
    if s.budget.total is not None:
        budget["total"] = s.budget.total
    if s.budget.max_share_per_year is not None:
        budget["max_share_per_year"] = s.budget.max_share_per_year
    if s.budget.minimise != "city":
        budget["minimise"] = s.budget.minimise
    if budget:
        out["budget"] = budget
    if s.funding:
        out["funding"] = [
            {"source": f.source, "lines": list(f.lines), "share": f.share}
            | ({"at_most": list(f.at_most)} if f.at_most is not None else {})
            for f in s.funding
        ]
    cap = s.capacity
    capacity: dict[str, Any] = {}
    if cap.projects_per_year is not None:
        capacity["projects_per_year"] = list(cap.projects_per_year)
    if cap.hires_per_year:
        capacity["hires_per_year"] = dict(cap.hires_per_year)
    if cap.hires_per_community_per_year is not None:
        capacity["hires_per_community_per_year"] = cap.hires_per_community_per_year
    if cap.space_m2_per_year is not None:
        capacity["space_m2_per_year"] = list(cap.space_m2_per_year)
    if capacity:
        out["capacity"] = capacity
    rows = []
    for c in s.communities:
        row = {
            "id": c.id,
            "households": c.households,
            "space_m2": c.space_m2,
            "key": c.key,
            "facilities": sorted(c.facilities),
            "staff": dict(c.staff),
            "household_growth": c.household_growth,
            "household_size": c.household_size,
            "elderly_share": c.elderly_share,
            "village_to_residence": c.village_to_residence,
        }
        if c.max_space_added_m2 is not None:
            row["max_space_added_m2"] = c.max_space_added_m2
        for optional in ("name", "lon", "lat", "office_m2", "dwellings"):
            if getattr(c, optional) is not None:
                row[optional] = getattr(c, optional)
        if c.new_development:
            row["new_development"] = True
        rows.append(row)
    out["communities"] = rows
    if s.developer_space:
        out["developer_space"] = [
            {
                "community": d.community,
                "m2": d.m2,
                "due_year": d.due_year,
                "delivery_probability": d.delivery_probability,
                "counted": d.counted,
            }
            for d in s.developer_space
        ]
    out["targets"] = [_target_to_dict(t) for t in s.targets]
    out["simulation"] = sim
    if s.extension_parameters:
        out["extension"] = {name: dict(values) for name, values in s.extension_parameters.items()}
    return out


def _target_to_dict(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.name}
    key, value = t.written
    out[key] = list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value
    for k in ("share", "count", "at_least"):
        if getattr(t, k) is not None:
            out[k] = list(getattr(t, k))
    if t.keys_by is not None:
        out["keys_by"] = t.keys_by
    if t.measured != "year_end":
        out["measured"] = t.measured
    if t.where:
        out["where"] = dict(t.where)
    return out
