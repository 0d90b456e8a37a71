"""Target conditions and requirements: the one definition the optimiser and the simulation share.

Every per-community condition in the contract is a conjunction of *atoms*, each linear in
one stock of the community: ``stock >= constant + per_household * H`` (a relative atom,
``of_staff > 0``, reads ``stock - of_staff * staff[item]``: people trained against the
staff in post). The optimiser turns
an atom into a constraint on its stock expression; the simulation evaluates the same atom
on the stocks it simulated. Because both read :meth:`Atom.bound`, "planned" and "achieved"
can never disagree about what a target means.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

StockKind = Literal["space", "has", "staff", "outcome", "funds", "trained"]

#: Outcomes a condition may read (``Atom("outcome", name)``): only the simulation knows them,
#: so the optimiser plans the rest of a condition and leaves these to the simulation.
OUTCOMES = {
    "satisfied": "share of the community's households satisfied (at the plan year's end)",
    "organisations": "organisations alive in the community (at the plan year's end)",
    "participation": "share of households taking part in community life in a month (the plan year's mean)",
    "served_share": "share of the plan year's needs of one service served in the community "
    "(read as served_share:<service>)",
    "cobuilding": "share of the community's organisations taking part in co-building: supported (incubated or "
    "contracted) or at half strength or more (at the plan year's end; 0 without organisations)",
}

#: Tolerance for comparing a simulated or solved stock with its bound. Solvers return
#: integers as 2.9999999; the simulation compares exact integers and floats.
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Atom:
    """``stock(kind, item) − of_staff·staff(item) >= constant + per_household * households`` for one community.

    Kinds: space (m²), has (0/1), staff (people), funds (yuan paid into the working fund
    in the year, not cumulative), trained (people of a staff kind trained in the year),
    outcome (simulated only).
    """

    kind: StockKind
    item: str | None  # facility kind for "has", staff kind for "staff"/"trained", outcome name, None for space/funds
    constant: float = 0.0
    per_household: float = 0.0
    measured: str = "year_end"  # staff: "annual_average" reads the year's mean people in post
    of_staff: float = 0.0  # relative atoms: this share of the item's staff (at the year's end) is subtracted
    #: a further constant per community (in the scenario's order), e.g. office_m2 / 0.15 for the
    #: office share: then ``households`` must be every community's (an array, or communities × years)
    by_community: tuple[float, ...] | None = None

    def bound(self, households, community: np.ndarray | None = None):
        """The level the stock must reach, for a scalar or an array of household counts
        (``community``: each row's position in the scenario, when rows are not the communities in order)."""
        base = self.constant + self.per_household * households
        if self.by_community is None:
            return base
        own = np.asarray(self.by_community, dtype=float)
        if community is not None:
            own = own[community]
        return base + (own[:, None] if np.ndim(households) == 2 else own)


@dataclass(frozen=True)
class Stocks:
    """What a set of communities holds at one moment, as columns (one entry per community)."""

    households: np.ndarray
    space: np.ndarray
    has: Mapping[str, np.ndarray]
    staff: Mapping[str, np.ndarray]
    outcomes: Mapping[str, np.ndarray] = field(default_factory=dict)  # simulated only (OUTCOMES)
    staff_average: Mapping[str, np.ndarray] | None = None  # the year's mean people in post (simulated)
    funds: np.ndarray | None = None  # yuan paid into each community's working fund in the year (None: none)
    trained: Mapping[str, np.ndarray] | None = None  # people trained in the year, by staff kind (None: none)
    community: np.ndarray | None = None  # each row's community position, when rows are not the city in order

    def level(self, atom: Atom) -> np.ndarray:
        if atom.of_staff:
            assert atom.item is not None  # a relative atom names its staff kind
            base = self.level(replace(atom, of_staff=0.0))
            return base - atom.of_staff * np.asarray(self.staff[atom.item], dtype=float)
        if atom.kind == "funds":
            return np.zeros(len(self.households)) if self.funds is None else np.asarray(self.funds, dtype=float)
        if atom.kind == "trained":
            assert atom.item is not None
            if self.trained is None or atom.item not in self.trained:
                return np.zeros(len(self.households))
            return np.asarray(self.trained[atom.item], dtype=float)
        if atom.kind == "space":
            return np.asarray(self.space, dtype=float)
        if atom.kind == "outcome":
            assert atom.item is not None
            return np.asarray(self.outcomes[atom.item], dtype=float)
        assert atom.item is not None  # only a space atom has no item
        if atom.kind == "staff" and atom.measured == "annual_average" and self.staff_average is not None:
            return np.asarray(self.staff_average[atom.item], dtype=float)
        source = self.has if atom.kind == "has" else self.staff
        return np.asarray(source[atom.item], dtype=float)


@dataclass(frozen=True)
class Condition:
    """A per-community condition: all of its atoms hold at once."""

    atoms: tuple[Atom, ...]
    text: str  # the condition in the planner's words, e.g. "space ≥ 200 m²"

    @property
    def simulated(self) -> bool:
        """Whether it reads an outcome only the simulation knows."""
        return any(a.kind == "outcome" for a in self.atoms)

    def planned(self) -> Condition | None:
        """The part a plan can buy (every atom but the outcomes); None when nothing is left."""
        atoms = tuple(a for a in self.atoms if a.kind != "outcome")
        if len(atoms) == len(self.atoms):
            return self
        return Condition(atoms, f"{self.text} — planned part") if atoms else None

    def holds(self, stocks: Stocks) -> np.ndarray:
        """Boolean array: which communities meet the condition."""
        ok = np.ones(len(stocks.households), dtype=bool)
        for atom in self.atoms:
            bound = atom.bound(np.asarray(stocks.households, dtype=float), stocks.community)
            ok &= stocks.level(atom) >= bound - TOLERANCE
        return ok


def communities_required(share: float, n_communities: int) -> int:
    """``ceil(share × n)``, robust to binary fractions (0.3 × 10 must be 3, not 4)."""
    if share <= 0:
        return 0
    return min(n_communities, math.ceil(share * n_communities - 1e-9))


RequirementKind = Literal["share", "keys_by", "count", "city_staff", "city_average"]

#: What one unit of each requirement kind is, in the planner's words: (one, many).
UNITS: dict[str, tuple[str, str]] = {
    "share": ("community", "communities"),
    "keys_by": ("key community", "key communities"),
    "count": ("facility", "facilities"),
    "city_staff": ("staff member", "staff"),
    "city_average": ("unit of the average", "units of the average"),
}

#: Community fields a ``city_average`` target's ``where`` may filter on (true or false).
WHERE_FIELDS = ("village_to_residence", "key")

#: What a ``city_average`` target may average besides a staff kind: outcomes the simulation judges.
AVERAGED_OUTCOMES = ("organisations", "satisfied", "participation")


def unit(kind: str, amount: float = 2) -> str:
    """``unit("count", 1)`` is "facility", ``unit("count", 3)`` "facilities"."""
    one, many = UNITS[kind]
    return one if amount == 1 else many


@dataclass(frozen=True)
class Requirement:
    """One target's requirement in one plan year, as the summary reports it."""

    target: str
    kind: RequirementKind
    year: int  # 1-based plan year
    required: float  # communities, facilities, staff, or a city_average's mean per covered community

    @property
    def label(self) -> str:
        return f"{self.target} ({self.kind}), year {self.year}"

    def met(self, achieved: float) -> bool:
        """Whether ``achieved`` meets it (levels are counts: a rounding error is not a shortfall)."""
        return achieved >= self.required - 1e-9


@dataclass(frozen=True)
class Target:
    """A named target: a condition (per community or city-wide) and its requirements by year.

    ``share``, ``count`` and ``at_least`` are tuples with one entry per plan year;
    ``keys_by`` is the first plan year from which every key community must meet it.
    """

    name: str
    condition: Condition | None  # None for a city-wide staff target
    share: tuple[float, ...] | None = None
    keys_by: int | None = None
    count: tuple[int, ...] | None = None
    has: str | None = None  # the facility kind, when the condition is "has"
    city_staff: str | None = None
    city_average: str | None = None  # a staff kind or one of AVERAGED_OUTCOMES
    #: city_average: which communities the mean covers (True: covered), in the scenario's order,
    #: from ``where`` (community field: true/false; None: every community)
    covers: tuple[bool, ...] | None = None
    where: Mapping[str, bool] | None = None
    at_least: tuple[float, ...] | None = None
    measured: str = "year_end"  # as written; the condition's staff atoms carry it too
    written: tuple[str, Any] = ("", None)  # the condition key and value as the file wrote them
    line: int | None = field(default=None, compare=False)

    @property
    def per_community(self) -> bool:
        return self.condition is not None

    @property
    def evaluated_by(self) -> str:
        """Who judges it: "plan" (the optimiser plans it and the simulation checks it),
        "simulation" (an outcome alone: only simulated), or "plan and simulation" (the
        optimiser plans the part it can buy, a necessary condition; the simulation the rest)."""
        if self.city_average in AVERAGED_OUTCOMES:
            return "simulation"
        if self.condition is None or not self.condition.simulated:
            return "plan"
        return "plan and simulation" if self.condition.planned() is not None else "simulation"

    def planned(self) -> Target | None:
        """This target as the optimiser plans it: without outcome conditions; None if nothing is left."""
        if self.city_average in AVERAGED_OUTCOMES:
            return None
        if self.condition is None or not self.condition.simulated:
            return self
        condition = self.condition.planned()
        return None if condition is None else replace(self, condition=condition)

    def requirements(self, n_communities: int, n_keys: int, years: int) -> list[Requirement]:
        """Every requirement this target places on the plan, year by year (zeros left out)."""
        out: list[Requirement] = []
        if self.share is not None:
            for t, p in enumerate(self.share, start=1):
                if k := communities_required(p, n_communities):
                    out.append(Requirement(self.name, "share", t, k))
        if self.keys_by is not None and n_keys:
            out += [Requirement(self.name, "keys_by", t, n_keys) for t in range(self.keys_by, years + 1)]
        if self.count is not None:
            out += [Requirement(self.name, "count", t, n) for t, n in enumerate(self.count, start=1) if n]
        if self.at_least is not None:
            kind: RequirementKind = "city_average" if self.city_average is not None else "city_staff"
            out += [Requirement(self.name, kind, t, n) for t, n in enumerate(self.at_least, start=1) if n]
        return out

    def achieved(
        self,
        kind: RequirementKind,
        stocks: Stocks,
        key: np.ndarray,
        opened: Mapping[str, float],
        holds: np.ndarray | None = None,
    ) -> float:
        """How much of this target's requirement of ``kind`` a city reaches in one plan year.

        share: communities meeting the condition; keys_by: key communities (``key`` is
        the mask) meeting it; count: facilities of the kind opened that year (``opened``
        by kind); city_staff: staff of the kind city-wide; city_average: the mean of its
        quantity over the communities it covers. The plan's planned level and
        the simulation's achieved level are both this. ``holds`` may pass the condition
        already evaluated on ``stocks``.
        """
        if kind in ("share", "keys_by"):
            assert self.condition is not None  # a share or keys_by target is per community
            ok = self.condition.holds(stocks) if holds is None else holds
            return float(ok.sum() if kind == "share" else ok[key].sum())
        if kind == "count":
            assert self.has is not None  # a count target counts facilities of one kind
            return float(opened[self.has])
        staff = stocks.staff
        if self.measured == "annual_average" and stocks.staff_average is not None:
            staff = stocks.staff_average
        if kind == "city_average":
            return self.average(stocks, staff)
        assert self.city_staff is not None  # a city_staff target names its staff kind
        return float(staff[self.city_staff].sum())

    def average(self, stocks: Stocks, staff: Mapping[str, np.ndarray]) -> float:
        """A city_average's mean over the communities it covers (0 when it covers none)."""
        assert self.city_average is not None and self.covers is not None  # built by the loader
        covers = np.asarray(self.covers, dtype=bool)
        if stocks.community is not None:
            covers = covers[stocks.community]
        if not covers.any():
            return 0.0
        if self.city_average in AVERAGED_OUTCOMES:
            values = np.asarray(stocks.outcomes[self.city_average], dtype=float)
        else:
            values = np.asarray(staff[self.city_average], dtype=float)
        return float(values[covers].mean())
