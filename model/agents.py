"""Who acts in the model: households (columnar), communities, organisations and staff.

Households are far too many to be Python objects (a city has up to millions), so they are
one row each in the columnar :class:`Households` table and every rule is a numpy
expression over all rows at once. Communities, organisations and staff are few (thousands)
and are Mesa agents that researchers can subclass.

Extending a household behaviour is a new column and a new rule. For example, to let
households with a disabled member take part less::

    class MyHouseholds(Households):
        def participation_probability(self, factor):
            return super().participation_probability(factor) * np.where(self.disabled, 0.5, 1.0)

and pass ``households_class=MyHouseholds`` to :class:`~model.model.CommunityModel`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from model.errors import ExtensionError, checked, defined_at
from model.streams import extension_stream
from scenarios.parameters import SimulationParameters

if TYPE_CHECKING:
    from model.extensions import Registry
    from model.model import CommunityModel

#: Which households can need a service at all (the others need it at rate 0).
ELIGIBLE = {"elderly_care": "elderly", "child_care": "child", "employment": "unemployed"}
#: The facility a service needs; without it the service runs at ``no_facility_service_factor``.
#: Applied only when the scenario declares that facility kind (otherwise it is not modelled).
FACILITY_FOR = {
    "elderly_care": "elderly_centre",
    "child_care": "children_home",
    "health": "health_station",
    "culture": "culture_room",
}
#: Organisation kinds (seed digest) and the services their capacity goes to.
ORGANISATION_SERVICES = {
    "social_organisation": ("elderly_care", "child_care", "employment", "culture"),
    "volunteer_team": ("elderly_care", "mediation", "culture"),
    "resident_unit": ("child_care", "culture"),
    "property_manager": ("admin", "mediation"),
    "party_organisation": ("mediation", "culture"),
    "residents_committee": ("admin", "mediation"),
}
#: The mix of organisation kinds alive at the start (assumption) and founded by volunteers.
ORGANISATION_MIX = {
    "social_organisation": 0.3,
    "volunteer_team": 0.3,
    "resident_unit": 0.15,
    "property_manager": 0.15,
    "party_organisation": 0.1,
}
FOUNDED_BY_VOLUNTEERS = ("volunteer_team", "social_organisation")

FLAGS = ("child", "elderly", "elderly_alone", "disabled", "low_income", "unemployed", "migrant", "village_to_residence")


class Households:
    """Every household as one row of numpy columns, kept sorted by (community, vulnerable).

    Sorting lets monthly totals per community and priority class be one ``np.add.reduceat``
    instead of a Python loop; the order is restored once a year after moves and ageing.
    Group ``2 i`` holds community ``i``'s other households, group ``2 i + 1`` its vulnerable
    ones (elderly alone, disabled or low income), who are served first.
    """

    def __init__(
        self,
        communities,
        params: SimulationParameters,
        rng: np.random.Generator,
        registry: Registry,
        extension_rngs: Mapping[str, np.random.Generator] | None = None,
    ):
        self.registry = registry  # services and extensions (their columns and rules)
        #: each extension's own stream, by name (its hooks draw from it, never from the core's ``rng``)
        self.extension_rngs = (
            dict(extension_rngs)
            if extension_rngs is not None
            else {e.name: extension_stream(rng, e.name) for e in registry.extensions}
        )
        self.p = params
        self.n_communities = len(communities)
        self.size_mean = np.array([c.household_size for c in communities], dtype=float)
        self.elderly_share = np.array([c.elderly_share for c in communities], dtype=float)
        self.v2r_community = np.array([c.village_to_residence for c in communities], dtype=bool)
        counts = np.array([c.households for c in communities], dtype=np.int64)
        self.cols: dict[str, np.ndarray] = self.newcomers(np.repeat(np.arange(self.n_communities), counts), rng)
        self.needs = np.zeros((0, len(registry.services)), dtype=np.int64)
        self.regroup()

    # -- columns -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return len(self.cols["community"])

    def newcomers(self, community: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Fresh households for the given communities, drawn from each community's profile.

        Extensions' :meth:`~model.extensions.Extension.household_columns` add their columns
        after the core's (a subclass may override this method and extend the dict too).
        """
        p, n = self.p, len(community)
        elderly = rng.random(n) < self.elderly_share[community]
        alone = elderly & (rng.random(n) < p.elderly_alone_share)
        # persons: 1 when living alone, else 2 + Poisson so the community mean is household_size
        alone_share = self.elderly_share[community] * p.elderly_alone_share
        extra = np.maximum(self.size_mean[community] - 1 - (1 - alone_share), 0) / np.maximum(1 - alone_share, 1e-9)
        size = np.where(alone, 1, 2 + rng.poisson(extra)).astype(np.int16)
        cols = {
            "community": community.astype(np.int32),
            "size": size,
            "child": (~alone) & (rng.random(n) < p.child_share),
            "elderly": elderly,
            "elderly_alone": alone,
            "disabled": rng.random(n) < p.disabled_share,
            "low_income": rng.random(n) < p.low_income_share,
            "unemployed": (~alone) & (rng.random(n) < p.unemployed_share),
            "migrant": rng.random(n) < p.migrant_share,
            "village_to_residence": self.v2r_community[community].copy(),
            "satisfaction": np.full(n, p.initial_satisfaction),
            "expectation": rng.normal(p.satisfaction_expectation, p.satisfaction_expectation_sd, n),
            "participating": np.zeros(n, dtype=bool),
            "volunteer": np.zeros(n, dtype=bool),
        }
        for ext in self.registry.extensions:
            for name, column in ext.household_columns(self, cols, self.extension_rngs[ext.name]).items():
                if name in cols:
                    raise ValueError(f"extension {ext.name}: household column {name!r} already exists")
                if len(column) != n:
                    raise ValueError(f"extension {ext.name}: household column {name!r} has {len(column)} rows, not {n}")
                cols[name] = np.asarray(column)
        return cols

    @property
    def vulnerable(self) -> np.ndarray:
        return self.cols["elderly_alone"] | self.cols["disabled"] | self.cols["low_income"]

    def regroup(self) -> None:
        """Sort rows by group and recompute what only changes yearly (rates, group bounds)."""
        group = 2 * self.cols["community"].astype(np.int64) + self.vulnerable
        order = np.argsort(group, kind="stable")
        self.cols = {k: v[order] for k, v in self.cols.items()}
        self.group_counts = np.bincount(group, minlength=2 * self.n_communities)
        self.counts = self.group_counts[0::2] + self.group_counts[1::2]
        starts = np.cumsum(self.group_counts) - self.group_counts
        self._nonempty = self.group_counts > 0
        self._starts = starts[self._nonempty]
        self.rates = self.need_rates()

    def group_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum of rows of ``x`` per group (``2 × communities`` rows); empty groups give 0."""
        out = np.zeros((2 * self.n_communities, *x.shape[1:]), dtype=x.dtype)
        if len(x):
            out[self._nonempty] = np.add.reduceat(x, self._starts, axis=0)
        return out

    def community_sum(self, x: np.ndarray) -> np.ndarray:
        g = self.group_sum(x)
        return g[0::2] + g[1::2]

    # -- monthly rules -------------------------------------------------------------------
    def need_rates(self) -> np.ndarray:
        """Poisson mean of each household's monthly needs by service, from its flags.

        Recomputed yearly (after moves and ageing); extensions' ``need_rates`` hooks then
        adjust the matrix in place.
        """
        p, c = self.p, self.cols
        vulnerable, migrant = self.vulnerable, c["migrant"]
        rates = np.empty((len(self), len(self.registry.services)))
        for j, s in enumerate(self.registry.services):
            r = np.full(len(self), s.rate(p))
            if s.eligible is not None:
                r *= c[s.eligible]
            r *= np.where(vulnerable, s.vulnerable(p), 1.0)
            r *= np.where(migrant, s.migrant(p), 1.0)
            if s.per_person:  # health needs come from persons, not households
                r *= c["size"] / self.size_mean[c["community"]]
            rates[:, j] = r
        for ext in self.registry.extensions:
            ext.need_rates(self, rates)
        return rates

    def draw_needs(self, rng: np.random.Generator) -> np.ndarray:
        """Draw this month's needs; return them per group and service."""
        self.needs = rng.poisson(self.rates)
        for ext in self.registry.overriding("needs"):
            self.needs = checked(ext, "needs", ext.needs(self, self.needs), self.needs.shape, whole=True)
        return self.group_sum(self.needs)

    def receive(self, share: np.ndarray) -> None:
        """Experienced service (the ``satisfaction`` column) moves toward the share of this
        month's needs that were met; :meth:`satisfied` compares it with expectations.

        ``share[g, s]`` is the share of group ``g``'s needs for service ``s`` that were served;
        households without needs this month keep their satisfaction.
        """
        got = np.repeat(share, self.group_counts, axis=0)
        needed = self.needs.sum(axis=1)
        met = np.einsum("ij,ij->i", self.needs, got)
        had = needed > 0
        m = self.p.satisfaction_memory
        sat = self.cols["satisfaction"]
        hooks = self.registry.overriding("satisfaction")
        if hooks:
            sat = sat.copy()
        sat[had] = m * sat[had] + (1 - m) * (met[had] / needed[had])
        if hooks:
            share = np.full(len(self), np.nan)
            share[had] = met[had] / needed[had]
            for ext in hooks:
                sat = checked(ext, "satisfaction", ext.satisfaction(self, share, sat), sat.shape, 0.0, 1.0)
            self.cols["satisfaction"] = sat

    def perceived(self) -> np.ndarray:
        """The service each household perceives: its own experience, pulled toward its
        community's mean (neighbours talk; ``satisfaction_peer_weight``)."""
        sat = self.cols["satisfaction"]
        counts = np.maximum(self.counts, 1)
        mean = self.community_sum(sat) / counts
        w = self.p.satisfaction_peer_weight
        return (1 - w) * sat + w * mean[self.cols["community"]]

    def satisfied(self) -> np.ndarray:
        """Whether each household would tell a survey it is satisfied: its perceived service
        reaches its own expectation (a latent score against a threshold, as surveys measure)."""
        out = self.perceived() >= self.cols["expectation"]
        for ext in self.registry.overriding("satisfied"):
            out = checked(ext, "satisfied", ext.satisfied(self, out), out.shape, 0, 1, whole=True).astype(bool)
        return out

    def participation_probability(self, factor: np.ndarray) -> np.ndarray:
        """Monthly probability of taking part: more when satisfied; ``factor`` per community."""
        p = self.p
        base = p.participation_base + p.participation_satisfaction_effect * self.cols["satisfaction"]
        prob = np.clip(base * factor[self.cols["community"]], 0.0, 1.0)
        for ext in self.registry.extensions:
            prob = np.clip(ext.participation(self, prob), 0.0, 1.0)
        return prob

    def take_part(self, factor: np.ndarray, rng: np.random.Generator) -> None:
        """Decide who takes part this month and, among them, who volunteers (one draw)."""
        prob = self.participation_probability(factor)
        u = rng.random(len(self))
        self.cols["participating"] = u < prob
        volunteering = prob * self.p.volunteer_share_of_participants
        for ext in self.registry.overriding("volunteering"):
            volunteering = checked(ext, "volunteering", ext.volunteering(self, volunteering), prob.shape, 0.0, 1.0)
            volunteering = np.minimum(volunteering, prob)  # volunteers are drawn among participants
        self.cols["volunteer"] = u < volunteering

    # -- yearly rules --------------------------------------------------------------------
    def new_year(self, target: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Ageing, births, deaths, moves and developments; returns (moved in, moved out) per community.

        ``target`` is each community's household count for the new year (growth from new
        developments, or decline). A death or a move hands the home to a newcomer household.
        """
        p, c, n = self.p, self.cols, len(self)
        c["elderly"] |= rng.random(n) < p.ageing_rate
        c["elderly_alone"] |= c["elderly"] & (c["size"] == 1)
        c["child"] = np.where(
            c["child"], rng.random(n) >= p.child_ageing_rate, ~c["elderly_alone"] & (rng.random(n) < p.birth_rate)
        )
        leaves = (rng.random(n) < p.move_out_rate) | (c["elderly"] & (rng.random(n) < p.elderly_death_rate))
        replaced = np.flatnonzero(leaves)
        fresh = self.newcomers(c["community"][replaced], rng)
        for k, v in fresh.items():
            c[k][replaced] = v
        out = np.bincount(c["community"][replaced], minlength=self.n_communities)
        into = out.copy()
        now = np.bincount(c["community"], minlength=self.n_communities)
        change = np.asarray(target, dtype=np.int64) - now
        if (change < 0).any():  # communities shrinking: random households leave for good
            drop = [
                rng.choice(np.flatnonzero(c["community"] == i), -d, replace=False)
                for i, d in enumerate(change)
                if d < 0
            ]
            keep = np.ones(n, dtype=bool)
            keep[np.concatenate(drop)] = False
            self.cols = c = {k: v[keep] for k, v in c.items()}
            out += np.maximum(-change, 0)
        if (change > 0).any():  # new developments filling up
            arriving = np.repeat(np.arange(self.n_communities), np.maximum(change, 0))
            fresh = self.newcomers(arriving, rng)
            self.cols = {k: np.concatenate([c[k], fresh[k]]) for k in c}
            into += np.maximum(change, 0)
        for ext in self.registry.extensions:
            ext.household_year(self, self.extension_rngs[ext.name])
        self.regroup()
        return into, out


#: Draws one project's (cost factor, deferred a year?) — see CommunityModel.project_risk.
ProjectRisk = Callable[[], tuple[float, bool]]


@dataclass
class Project:
    """A funded building project: space (m²) or a facility, opening at ``due`` (a month)."""

    due: int
    space_m2: float = 0.0
    facility: str | None = None
    cost_factor: float = 1.0  # what it costs against what was funded (overruns)


class Community(Agent):
    """A community: its space, facilities and the building projects the plan funds.

    Space and facilities live in the model's columns (``model.space``, ``model.has``) so that
    targets are evaluated on whole arrays; the agent is where building happens.
    """

    def __init__(self, model: CommunityModel, index: int, spec):
        super().__init__(model)
        self.index = index
        self.id = spec.id
        self.key = spec.key
        self.village_to_residence = spec.village_to_residence
        self.facilities: dict[str, int] = dict.fromkeys(spec.facilities, 0)  # kind -> month opened
        self.pending: list[Project] = []
        #: a new development's homes when full (0: not a new development, it has its committee)
        self.development_capacity = (spec.dwellings or spec.households_in(model.years)) if spec.new_development else 0
        self.committee_formed: int | None = None  # the month its residents' committee formed

    @property
    def space_m2(self) -> float:
        return float(self.model.space[self.index])

    @property
    def households(self) -> int:
        return int(self.model.households.counts[self.index])

    def fund(self, space_m2: float, facilities: list[str], lag: int, risk: ProjectRisk | None = None) -> None:
        """Start the year's funded projects; they open ``lag`` months late.

        ``risk`` draws each project's cost overrun and whether it is deferred a year
        (:meth:`CommunityModel.project_risk`); without it every project costs what was funded.
        """
        due = self.model.month + lag
        wanted: list[Project] = []
        if space_m2 > 0:
            wanted.append(Project(due, space_m2=space_m2))
        wanted += [Project(due, facility=u) for u in facilities if u not in self.facilities]
        for p in wanted:
            if risk is not None:
                p.cost_factor, deferred = risk()
                p.due += 12 * deferred
            for ext in self.model.registry.overriding("project"):
                ext.project(self.model, self, p)
                _check_project(ext, p, self.model.month)
            self.pending.append(p)

    def build(self) -> None:
        """Open every project that is due; building is paid on delivery."""
        if not self.pending:
            return
        m, costs = self.model, self.model.scenario_.costs
        due = [p for p in self.pending if p.due <= m.month]
        self.pending = [p for p in self.pending if p.due > m.month]
        for p in due:
            if p.facility is None:
                m.space[self.index] += p.space_m2
                m.spend(self.index, p.cost_factor * (p.space_m2 * costs.space_build_per_m2 + costs.space_project_fixed))
            elif p.facility not in self.facilities:
                self.facilities[p.facility] = m.month
                m.has[p.facility][self.index] = True
                m.opened_this_year[p.facility] += 1
                m.spend(self.index, p.cost_factor * m.scenario_.facilities[p.facility].build)

    def check_development(self, start_households: int) -> None:
        """A new development (``new_development``) forms its own residents' committee once its
        occupancy, households / dwellings, reaches ``committee_occupancy`` (checked each year's start)."""
        if self.committee_formed is not None or self.development_capacity <= 0:
            return
        occupancy = self.households / self.development_capacity
        if occupancy >= self.model.p.committee_occupancy - 1e-9:
            self.committee_formed = self.model.month
            self.model.new_organisation(self, "residents_committee")


def _check_project(ext, project: Project, month: int) -> None:
    """A project an extension's ``project`` hook changed: due this month or later, a cost factor ≥ 0."""
    factor = project.cost_factor
    if not (
        isinstance(project.due, (int, np.integer)) and project.due >= month and np.isfinite(factor) and factor >= 0
    ):
        raise ExtensionError(
            f"extension {ext.name} ({defined_at(type(ext).project)}): project must leave a project due in a whole "
            f"month ≥ {month} (this month) with a finite cost_factor ≥ 0; it left due={project.due!r}, "
            f"cost_factor={factor!r}"
        )


class Organisation(Agent):
    """A community organisation: offers service capacity while it has volunteers or support."""

    def __init__(self, model: CommunityModel, community: Community, kind: str):
        super().__init__(model)
        self.community = community
        self.kind = kind
        self.members = 0.0
        self.strength = 0.5
        self.incubated = False
        self.contracted = False
        self.draw_support()

    @property
    def supported(self) -> bool:
        return self.incubated or self.contracted

    @property
    def capacity(self) -> float:
        """Needs a month this organisation serves."""
        return self.model.p.organisation_capacity * self.strength

    @property
    def services(self) -> tuple[str, ...]:
        """The services its capacity goes to (its kind's declaration)."""
        return self.model.registry.organisation_kinds[self.kind].services

    def service_capacity(self) -> dict[str, float]:
        """Needs a month it serves, by service: ``capacity`` split evenly over ``services``.

        Override in a subclass to serve services differently (e.g. a property manager's
        parking spaces); the model adds the values to the community's capacity each month.
        """
        services = self.services
        return {s: self.capacity / len(services) for s in services}

    def draw_support(self) -> None:
        """Incubation support and purchase-of-service contracts, granted for a year."""
        p = self.model.p
        self.incubated = self.random.random() < p.organisation_incubated_share
        self.contracted = self.random.random() < p.organisation_purchase_share

    def step(self) -> None:
        """Grow with volunteers and support; without them weaken and maybe dissolve."""
        p, m = self.model.p, self.model
        self.members = m.volunteers_per_organisation[self.community.index]
        self.strength = min(1.0, 0.5 * self.supported + self.members / p.organisation_members_to_thrive)
        for ext in m.registry.overriding("organisation_strength"):
            got = ext.organisation_strength(m, self, self.strength)
            self.strength = float(checked(ext, "organisation_strength", got, (), 0.0, 1.0, what=repr(self.kind)))
        if self.contracted:
            m.spend(self.community.index, p.organisation_contract_per_month)
        hazard = p.organisation_dissolve_hazard * (p.organisation_support_hazard_factor if self.supported else 1.0)
        if m.funds_share is not None and not self.supported:
            # working funds support it in proportion (model.organise shares them out)
            hazard *= 1.0 - (1.0 - p.organisation_support_hazard_factor) * m.funds_share[self.community.index]
        risk = hazard * (1.0 - 0.5 * self.strength)
        for ext in m.registry.overriding("dissolve_risk"):
            risk = float(
                checked(ext, "dissolve_risk", ext.dissolve_risk(m, self, risk), (), 0.0, 1.0, what=repr(self.kind))
            )
        if self.random.random() < risk:
            self.remove()


class StaffMember(Agent):
    """A paid staff member: serves residents, learns, is trained, and may leave.

    Why staff leave lives here and nowhere else: :meth:`exit_risk` sets the month's risk
    for a staff kind in every community, :meth:`leaves` draws one member's decision.
    Override either in a subclass (an extension's ``staff_classes``) to change the rule.
    """

    def __init__(self, model: CommunityModel, community: Community, kind: str, skill: float, certified: bool = False):
        super().__init__(model)
        self.community = community
        self.kind = kind
        self.skill = 1.0 if certified else skill
        self.certified = certified
        self.trained_year = 0  # the plan year of its last planned training (0: none)
        model.staff_count[kind][community.index] += 1

    @property
    def hours(self) -> float:
        """Effective service hours a month: hours worked × skill."""
        return self.model.p.staff_service_hours * self.skill

    @classmethod
    def exit_risk(cls, model: CommunityModel, kind: str) -> np.ndarray:
        """Monthly probability that a member of ``kind`` leaves, per community: higher when
        pay is below the average wage and when the workload is high.

        Called once a month per staff kind, before any member steps; the model keeps the
        result in ``model.exit_risk[kind]``, where :meth:`leaves` reads it.
        """
        p = model.p
        over = np.clip(model.workload, 1.0, p.workload_cap) - 1.0
        h = (
            p.exit_hazard
            * math.exp(p.exit_pay_elasticity * (1.0 - model.pay_share(kind)))
            * np.exp(p.exit_workload_elasticity * over)
        )
        return np.minimum(h, 1.0)

    def step(self) -> None:
        """Learn from the month's work, maybe be trained, maybe leave."""
        self.learn()
        if self.leaves():
            self.leave()

    def learn(self) -> None:
        """Skill grows with the month's work, and more in a month of training."""
        m, p = self.model, self.model.p
        learning, training = m.learning_rate.get(self.kind), m.training_rate.get(self.kind)  # set by hooks only
        self.skill += (p.skill_learning_rate if learning is None else learning[self.community.index]) * (
            1.0 - self.skill
        )
        if self.random.random() < (p.training_rate if training is None else training[self.community.index]):
            self.skill += p.training_skill_gain * (1.0 - self.skill)

    def leaves(self) -> bool:
        """Whether this member decides to leave this month (one draw at the month's risk)."""
        return self.random.random() < self.model.exit_risk[self.kind][self.community.index]

    def leave(self) -> None:
        """Leave the job: counted in ``exits`` and ``staff_count`` (never end a staff member otherwise)."""
        m, i = self.model, self.community.index
        m.staff_count[self.kind][i] -= 1
        m.exits[self.kind][i] += 1
        if self.trained_year and self.trained_year == m.year and self.kind in m.trained_count:
            m.trained_count[self.kind][i] -= 1
        self.remove()
