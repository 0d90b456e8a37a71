"""The community model: one step is one month of a city executing its plan.

Build the world in ``__init__``; ``step`` reads like the month: needs → service →
satisfaction → participation → staff → organisations, with the year's events at its
start and the targets evaluated at its end.

Extensions (:mod:`model.extensions`) join through the scenario's ``extensions`` list, the
``extensions`` argument or a subclass's ``extensions`` attribute; every method of the
month below is also a documented place for a subclass to override.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from mesa import Model
from mesa.agent import AgentSet

from model.agents import (
    Community,
    Households,
    Organisation,
    StaffMember,
)
from model.extensions import Extension, ExtensionError, Registry, checked, resolve_extensions, scenario_parameters
from model.plan import PlanSchedule
from model.records import Recorder
from model.streams import extension_stream, own_stream
from scenarios.schema import Scenario
from scenarios.seeding import DEVELOPER_SPACE
from scenarios.targets import Stocks


class CommunityModel(Model):
    """A city's communities, their residents, organisations and staff, month by month.

    Args:
        scenario: the validated scenario (communities, costs, targets, ``[simulation]``).
        plan: what is funded each year; ``None`` is the status quo.
        rng: seed or generator for every random draw (Mesa's ``rng``).
        households_class: the household table (subclass :class:`Households` to add rules).
        extensions: extensions to apply besides the scenario's ``extensions`` and the class's
            own: module names, :class:`~model.extensions.Extension` subclasses or instances.

    Attributes an extension reads and writes (arrays have one row per community ``i``, in
    the scenario's order): ``space``, ``has[kind]``, ``staff_count[kind]``, ``posts[kind]``,
    ``hires[kind]``, ``exits[kind]``, ``spent``, ``demand`` and ``served`` (communities ×
    services, column ``registry.index[service]``), ``households`` (the columnar table),
    ``communities`` (agents), ``staff`` and ``organisations`` (agent sets), ``registry``.
    """

    #: Extensions every model of this class applies (a subclass sets it; see model.extensions).
    extensions: tuple[str | Extension | type, ...] = ()

    def __init__(
        self, scenario: Scenario, plan: PlanSchedule | None = None, rng=None, households_class=Households, extensions=()
    ):
        super().__init__(rng=rng)
        self.registry = Registry(resolve_extensions((*scenario.extensions, *type(self).extensions, *extensions)))
        self.registry.check_staff_kinds(scenario.staff)
        self.registry.parameters = scenario_parameters(scenario, self.registry.extensions)
        self.services = self.registry.service_names
        self._extensions = self.registry.extensions
        # each extension's own random stream: its draws never shift the core's (common random numbers)
        self.extension_rngs = {e.name: extension_stream(self.rng, e.name) for e in self._extensions}
        self.scenario_ = scenario  # Model.scenario is Mesa's own experiment object
        self.p = scenario.simulation
        self.plan = plan if plan is not None else PlanSchedule.status_quo(scenario)
        self.years = scenario.years
        self.n = len(scenario.communities)
        n = self.n

        # community stocks as columns, so targets are evaluated on whole arrays
        initial = scenario.initial_stocks()
        self.space = initial.space.astype(float).copy()
        self.has = {u: initial.has[u].astype(bool).copy() for u in scenario.facilities}
        self.staff_count = {s: np.zeros(n, dtype=np.int64) for s in scenario.staff}
        self.posts = {s: initial.staff[s].astype(np.int64).copy() for s in scenario.staff}
        self.households_class = households_class
        self.households = self.make_households()
        self.start_households = self.households.counts.copy()

        # month-by-month flows, reset at the start of each month
        self.hires = {s: np.zeros(n, dtype=np.int64) for s in scenario.staff}
        self.exits = {s: np.zeros(n, dtype=np.int64) for s in scenario.staff}
        self.spent = np.zeros(n)
        self.moved_in = np.zeros(n, dtype=np.int64)
        self.moved_out = np.zeros(n, dtype=np.int64)
        self.opened_this_year = dict.fromkeys(scenario.facilities, 0)
        self.participation_months = np.zeros(n)
        self.staff_months = {s: np.zeros(n) for s in scenario.staff}
        self.vacancies: dict[int, dict[str, np.ndarray]] = {}  # start month -> hires arriving
        self.open_vacancies = {s: np.zeros(n, dtype=np.int64) for s in scenario.staff}
        self.volunteers_per_organisation = np.zeros(n)
        self.exit_risk = {s: np.zeros(n) for s in scenario.staff}
        #: this month's learning and training rates per staff kind, set only when an extension changes them
        self.learning_rate: dict[str, np.ndarray] = {}
        self.training_rate: dict[str, np.ndarray] = {}
        #: training places left this plan year, and staff in post trained in it, by trained kind
        self.training_places = {s: np.zeros(n, dtype=np.int64) for s in scenario.trained_kinds}
        self.trained_count = {s: np.zeros(n, dtype=np.int64) for s in scenario.trained_kinds}
        #: share of full support the working funds give each unsupported organisation (None: no funds planned)
        self.funds_share: np.ndarray | None = None
        self.workload = np.zeros(n)
        self.demand = np.zeros((n, len(self.services)))
        self.served = np.zeros((n, len(self.services)))
        self._hours_per_need = np.array([s.hours(self.p) for s in self.registry.services])
        self._space_needs_per_m2 = np.array([self.p.space_needs_per_m2.get(s, 0.0) for s in self.services])
        self.demand_year = np.zeros((n, len(self.services)))  # needs and needs served, summed over the plan year
        self.served_year = np.zeros((n, len(self.services)))
        # developers' space: each entry handed over or not, drawn once from a stream of its own
        # (the core's draws stay as they were); the space arrives at the start of its due year
        owed = scenario.developer_space
        draws = own_stream(self.rng, DEVELOPER_SPACE).random(len(owed))
        self.developer_delivered = tuple(bool(u < d.delivery_probability) for u, d in zip(draws, owed, strict=True))
        self.developer_m2 = np.zeros(n)  # developers' space handed over so far

        self.communities = [Community(self, i, c) for i, c in enumerate(scenario.communities)]
        for c, spec in zip(self.communities, scenario.communities, strict=True):
            for s, k in spec.staff.items():
                certified = s == "social_worker"
                for _ in range(int(k)):
                    self.new_staff(
                        c, s, self.p.initial_skill, certified and self.random.random() < self.p.certified_share
                    )
        kinds, mix = list(self.registry.start_mix), np.array(list(self.registry.start_mix.values()))
        per_community = self.rng.poisson(self.p.organisations_per_1000_households * self.households.counts / 1000)
        for c, k in zip(self.communities, per_community, strict=True):
            for kind in self.rng.choice(len(kinds), size=int(k), p=mix / mix.sum()):
                self.new_organisation(c, kinds[kind])

        self.attainment: list[tuple] = []  # (year, target, kind, required, achieved, met)
        self.recorder = Recorder(self)
        for ext in self._extensions:
            ext.setup(self)

    def make_households(self):
        """The household population (override to hold households differently)."""
        return self.households_class(
            self.scenario_.communities, self.p, self.rng, registry=self.registry, extension_rngs=self.extension_rngs
        )

    def extension_params(self, extension: Extension | str) -> Any:
        """The parameters of ``extension`` (an instance or its name) in this model: its
        ``parameters`` dataclass with the scenario's ``[extension.<module>]`` values."""
        return self.registry.params(extension)

    def extension_rng(self, extension: Extension | str) -> np.random.Generator:
        """The random stream of ``extension`` (an instance or its ``name``) in this model.

        Extensions, their agents and their hooks draw from it rather than from ``rng`` or
        ``random``, so the core's draws are the same with and without them.
        """
        name = extension if isinstance(extension, str) else extension.name
        try:
            return self.extension_rngs[name]
        except KeyError:
            raise ExtensionError(
                f"no extension named {name!r} in this model (its extensions: {', '.join(self.extension_rngs) or 'none'})"
            ) from None

    def new_staff(self, community: Community, kind: str, skill: float, certified: bool = False) -> StaffMember:
        """A staff member of ``kind`` starts work (the kind's agent class; counted in ``staff_count``)."""
        return self.registry.staff_class(kind)(self, community, kind, skill, certified)

    def new_organisation(self, community: Community, kind: str) -> Organisation:
        """An organisation of ``kind`` is founded (the kind's agent class)."""
        return self.registry.organisation_class(kind)(self, community, kind)

    # -- agent sets ----------------------------------------------------------------------
    def _of(self, cls):
        """Every agent of ``cls`` or a subclass, as one AgentSet."""
        sets = [s for t, s in self.agents_by_type.items() if issubclass(t, cls) and len(s)]
        if len(sets) == 1:
            return sets[0]
        return AgentSet([a for s in sets for a in s], random=self.random)

    @property
    def staff(self):
        return self._of(StaffMember)

    @property
    def organisations(self):
        return self._of(Organisation)

    @property
    def month(self) -> int:
        """The month being simulated (1, 2, …): Mesa's clock, ``model.time``, one unit a month."""
        return int(self.time)

    @property
    def year(self) -> int:
        """Plan year of the current month (1-based)."""
        return (self.month - 1) // 12 + 1

    # -- the month -----------------------------------------------------------------------
    def step(self) -> None:
        self.start_month()
        if self.month % 12 == 1:
            self.start_year()
        self.build()
        demand = self.households.draw_needs(self.rng)
        share = self.serve(demand)
        self.demand_year += self.demand
        self.served_year += self.served
        self.households.receive(share)
        self.households.take_part(self.participation_factor(), self.rng)
        self.participation_months += self.households.community_sum(self.households.participating.astype(np.float64))
        self.staff_turnover()
        self.recruit()
        self.train()
        for s in self.scenario_.staff:
            self.staff_months[s] += self.staff_count[s]  # people in post at the month's end
        self.organise()
        self.pay()
        for ext in self._extensions:
            ext.end_month(self)
        self.recorder.collect(self)
        if self.month % 12 == 0:
            self.evaluate_targets()
        if self.month >= 12 * self.years:
            self.running = False

    # -- the year ------------------------------------------------------------------------
    def start_year(self) -> None:
        """Ageing, moves and new developments; then the plan's year: projects, posts, support."""
        t = self.year
        target = np.rint(self.scenario_.households(t)).astype(np.int64)
        self.moved_in, self.moved_out = self.households.new_year(target, self.rng)
        for c in self.communities:
            c.check_development(int(self.start_households[c.index]))
        self.hand_over(t)
        lag = self.construction_lags()
        for c in self.communities:
            opened = [u for u in self.scenario_.facilities if self.plan.opened[u][c.index, t - 1] > 0]
            c.fund(self.plan.space_added[c.index, t - 1], opened, int(lag[c.index]), self.project_risk)
        for s in self.scenario_.staff:
            # posts: the fewest whole staff that reach the planned stock (4.5 planned is 5 posts)
            self.posts[s] = np.ceil(self.plan.staff[s][:, t - 1] - 1e-6).astype(np.int64)
        for s in self.training_places:
            self.training_places[s] = np.rint(self.plan.trained[s][:, t - 1]).astype(np.int64)
            self.trained_count[s] = np.zeros(self.n, dtype=np.int64)  # a new year: nobody trained in it yet
        self.opened_this_year = dict.fromkeys(self.scenario_.facilities, 0)
        self.participation_months = np.zeros(self.n)  # households taking part, summed over the year's months
        self.demand_year = np.zeros_like(self.demand_year)
        self.served_year = np.zeros_like(self.served_year)
        self.staff_months = {s: np.zeros(self.n) for s in self.scenario_.staff}  # people in post, summed
        self.organisations.do("draw_support")
        for ext in self._extensions:
            ext.start_year(self)

    def hand_over(self, year: int) -> None:
        """Developers' space due this plan year arrives if its entry was drawn delivered (free to the city)."""
        index = {c.id: i for i, c in enumerate(self.scenario_.communities)}
        for d, delivered in zip(self.scenario_.developer_space, self.developer_delivered, strict=True):
            if delivered and d.due_year == year:
                i = index[d.community]
                self.space[i] += d.m2
                self.developer_m2[i] += d.m2

    def construction_lags(self) -> np.ndarray:
        """Months each community's projects of the year run late: log-normal, so most are a
        few months late and a few very late (schedule overruns are heavy-tailed)."""
        p = self.p
        if p.construction_lag_months <= 0:
            return np.zeros(self.n, dtype=np.int64)
        z = self.rng.standard_normal(self.n)
        return np.rint(p.construction_lag_months * np.exp(p.construction_lag_sigma * z)).astype(np.int64)

    def project_risk(self) -> tuple[float, bool]:
        """One funded project's cost factor (log-normal around ``1 + cost_overrun_median``) and
        whether it is deferred a year (``project_deferral_share``: budget left unspent)."""
        p = self.p
        factor = (1.0 + p.cost_overrun_median) * float(np.exp(p.cost_overrun_sigma * self.rng.standard_normal()))
        return factor, bool(self.rng.random() < p.project_deferral_share)

    def start_month(self) -> None:
        for s in self.scenario_.staff:
            self.hires[s][:] = 0
            self.exits[s][:] = 0
        self.spent = np.zeros(self.n)
        if self.month % 12 != 1:
            self.moved_in = np.zeros(self.n, dtype=np.int64)
            self.moved_out = np.zeros(self.n, dtype=np.int64)

    def build(self) -> None:
        """Projects due this month open (construction lag)."""
        self._of(Community).do("build")

    # -- service -------------------------------------------------------------------------
    def capacity(self) -> tuple[np.ndarray, np.ndarray]:
        """Staff hours per community and the throughput of one hour per service (needs/hour).

        A service staff do not serve (``hours_per_need`` 0 or ``None``) has throughput 0.
        """
        hours = np.zeros(self.n)
        staff = self.staff
        if len(staff):
            idx = np.fromiter((a.community.index for a in staff), dtype=np.int64, count=len(staff))
            if self.registry.staff_classes:  # a staff class may define its own hours
                hours = np.bincount(
                    idx, weights=np.fromiter((a.hours for a in staff), dtype=float, count=len(staff)), minlength=self.n
                )
            else:
                skill = np.fromiter((a.skill for a in staff), dtype=float, count=len(staff))
                hours = np.bincount(idx, weights=skill * self.p.staff_service_hours, minlength=self.n)
        per_need = self._hours_per_need
        throughput = np.tile(np.divide(1.0, per_need, out=np.zeros_like(per_need), where=per_need > 0), (self.n, 1))
        for f in self.registry.facilities:
            if f.required and f.kind in self.has:
                throughput[:, self.registry.index[f.service]] *= np.where(
                    self.has[f.kind], 1.0, self.p.no_facility_service_factor
                )
        if "one_stop" in self.has:
            throughput[:, self.registry.index["admin"]] *= np.where(self.has["one_stop"], self.p.one_stop_speedup, 1.0)
        return hours, throughput

    def organisation_capacity(self) -> np.ndarray:
        """Needs a month served without staff hours, by service: organisations, activity
        space (culture), facilities with a capacity of their own, and extensions' ``capacity``."""
        n, k = self.n, len(self.services)
        index = self.registry.index
        plain = Organisation.service_capacity
        rows, kinds, caps, cells, values = [], [], [], [], []
        for o in self.organisations:
            if type(o).service_capacity is plain:
                rows.append(o.community.index)
                kinds.append(o.kind)
                caps.append(o.capacity)
            else:
                for s, x in o.service_capacity().items():
                    cells.append(o.community.index * k + index[s])
                    values.append(x)
        cap: np.ndarray = np.zeros(n * k)  # flat, then reshaped to (community, service)
        if rows:
            # each organisation's capacity split evenly over its kind's services, summed in agent order
            per_kind = {
                name: [index[s] for s in kind.services] for name, kind in self.registry.organisation_kinds.items()
            }
            served = [per_kind[kind] for kind in kinds]
            count = np.fromiter((len(x) for x in served), dtype=np.int64, count=len(served))
            flat = np.repeat(np.asarray(rows, dtype=np.int64) * k, count) + np.fromiter(
                (j for x in served for j in x), dtype=np.int64, count=int(count.sum())
            )
            cap = np.bincount(flat, weights=np.repeat(np.asarray(caps) / count, count), minlength=n * k)
        if cells:
            cap += np.bincount(cells, weights=values, minlength=n * k)
        cap = cap.reshape(n, k)
        cap += self.space[:, None] * self._space_needs_per_m2[None, :]
        for f in self.registry.facilities:
            if f.kind not in self.has:
                continue
            own = f.capacity or (self.p.facility_needs_per_month.get(f.service, 0.0) if f.required else 0.0)
            if own:
                cap[:, index[f.service]] += own * self.has[f.kind]
        for ext in self._extensions:
            ext.capacity(self, cap)
        return cap

    def serve(self, demand: np.ndarray) -> np.ndarray:
        """Share of each group's needs served; scarce capacity goes to vulnerable households first.

        ``demand`` has rows ``2 i`` (others) and ``2 i + 1`` (vulnerable). Staff hours are
        spread over services in proportion to the hours their needs take.
        """
        other, vulnerable = demand[0::2], demand[1::2]
        total = other + vulnerable
        hours, throughput = self.capacity()
        per_need = self._hours_per_need
        need_hours = total * per_need
        wanted = need_hours.sum(axis=1)
        spread = np.divide(hours, wanted, out=np.zeros(self.n), where=wanted > 0)[:, None] * need_hours
        cap = np.floor(spread * throughput + self.organisation_capacity() + 1e-9)
        served_v = np.minimum(vulnerable, cap)
        served_o = np.minimum(other, cap - served_v)
        for ext in self.registry.overriding("allocate"):
            served_v, served_o = _checked_allocation(
                ext, ext.allocate(self, (vulnerable, other), cap, (served_v, served_o)), vulnerable, other, cap
            )
        self.demand, self.served = total, served_v + served_o
        self.workload = np.divide(wanted, hours, out=np.full(self.n, np.inf), where=hours > 0)
        share = np.ones_like(demand, dtype=float)
        share[0::2] = np.divide(served_o, other, out=np.ones_like(cap), where=other > 0)
        share[1::2] = np.divide(served_v, vulnerable, out=np.ones_like(cap), where=vulnerable > 0)
        return share

    def participation_factor(self) -> np.ndarray:
        """Per community: village-to-residence residents take part less; organisations ask."""
        v2r = np.array([c.village_to_residence for c in self.communities])
        alive = np.bincount([o.community.index for o in self.organisations], minlength=self.n)
        per_1000 = np.divide(
            alive * 1000.0, self.households.counts, out=np.zeros(self.n), where=self.households.counts > 0
        )
        return np.where(v2r, self.p.village_to_residence_participation, 1.0) * (
            1 + self.p.organisation_ask_effect * per_1000
        )

    # -- staff ---------------------------------------------------------------------------
    def staff_turnover(self) -> None:
        """Staff learn, are trained and may leave, at a risk their class sets (:meth:`StaffMember.exit_risk`)."""
        for s in self.scenario_.staff:
            risk = self.registry.staff_class(s).exit_risk(self, s)
            for ext in self._extensions:
                risk = _checked_risk(ext, s, ext.exit_risk(self, s, risk), self.n)
            self.exit_risk[s] = risk
            for hook, default, rates in (
                ("learning_rate", self.p.skill_learning_rate, self.learning_rate),
                ("training_rate", self.p.training_rate, self.training_rate),
            ):
                hooks = self.registry.overriding(hook)
                if hooks:
                    rate = np.full(self.n, float(default))
                    for ext in hooks:
                        rate = checked(ext, hook, getattr(ext, hook)(self, s, rate), (self.n,), 0.0, 1.0, what=repr(s))
                    rates[s] = rate
        self.staff.shuffle_do("step")

    def recruit(self) -> None:
        """Open vacancies up to the planned posts; hires whose lag has passed start work."""
        lag = int(self.p.hiring_lag_months)
        for s in self.scenario_.staff:
            gap = np.maximum(self.posts[s] - self.staff_count[s] - self.open_vacancies[s], 0)
            if gap.any():
                self.vacancies.setdefault(
                    self.month + lag, {k: np.zeros(self.n, dtype=np.int64) for k in self.scenario_.staff}
                )[s] += gap
                self.open_vacancies[s] += gap
        arriving = self.vacancies.pop(self.month, None)
        if arriving is None:
            return
        for s, count in arriving.items():
            self.open_vacancies[s] -= count
            wanted = np.minimum(count, np.maximum(self.posts[s] - self.staff_count[s], 0))
            start = self.candidates(
                s, wanted
            )  # cancelled if no longer needed; failed when the city has too few candidates
            for ext in self.registry.overriding("hires"):
                start = checked(ext, "hires", ext.hires(self, s, wanted, start), (self.n,), 0, wanted, True, repr(s))
            for i in np.flatnonzero(start):
                for _ in range(int(start[i])):
                    self.new_staff(self.communities[i], s, self.p.new_hire_skill)
            self.hires[s] += start
            self.spent += start * self.scenario_.staff[s].hire

    def train(self) -> None:
        """The plan's training places: each month staff in post not yet trained this plan year
        take the places left, newest first (new hires need it most, and places are used as
        soon as there is someone to train). Training closes ``training_skill_gain`` of the
        skill gap and costs the kind's ``training``. No draw: scenarios without training
        places simulate exactly as before."""
        if not any(v.any() for v in self.training_places.values()):
            return
        t = self.year
        for s, places in self.training_places.items():
            if not places.any():
                continue
            cost = self.scenario_.staff[s].training
            waiting = sorted(
                (a for a in self.staff if a.kind == s and places[a.community.index] > 0 and a.trained_year != t),
                key=lambda a: -a.unique_id,
            )
            for a in waiting:
                i = a.community.index
                if places[i] <= 0:
                    continue
                a.skill += self.p.training_skill_gain * (1.0 - a.skill)
                a.trained_year = t
                places[i] -= 1
                self.trained_count[s][i] += 1
                self.spent[i] += cost

    def candidates(self, kind: str, wanted: np.ndarray) -> np.ndarray:
        """How many of the ``wanted`` hires per community find someone this month.

        The city's pool of people who would take a post of ``kind`` is Poisson with mean
        ``candidates_per_10000_households`` × households / 10,000; when fewer come forward
        than are wanted, which posts stay empty is random, and those are searched again.
        """
        total = int(wanted.sum())
        if total == 0:
            return wanted
        pool = int(self.rng.poisson(self.p.candidates_per_10000_households * self.households.counts.sum() / 10_000))
        if pool >= total:
            return wanted
        return self.rng.multivariate_hypergeometric(wanted, pool)

    def pay_share(self, s: str) -> float:
        return float(self.plan.pay_share[s][self.year - 1])

    def pay(self) -> None:
        """Monthly pay of staff and running costs of space and open facilities."""
        costs = self.scenario_.costs
        for s in self.scenario_.staff:
            self.spent += self.staff_count[s] * self.pay_share(s) * costs.average_wage / 12
        self.spent += self.space * costs.space_running_per_m2 / 12
        for u, kind in self.scenario_.facilities.items():
            self.spent += self.has[u] * kind.running / 12
        if self.plan.funds is not None:
            self.spent += self.plan.funds[:, self.year - 1] / 12  # working funds, paid in monthly

    def spend(self, i: int, amount: float) -> None:
        self.spent[i] += amount

    # -- organisations -------------------------------------------------------------------
    def organise(self) -> None:
        """Volunteers join organisations and found new ones; organisations grow or dissolve."""
        volunteers = np.rint(self.households.community_sum(self.households.volunteer.astype(np.int64))).astype(np.int64)
        alive = np.bincount([o.community.index for o in self.organisations], minlength=self.n)
        self.volunteers_per_organisation = volunteers / np.maximum(alive, 1)
        if self.plan.funds is not None:
            # the year's working funds, shared by the organisations that have no other support
            alone = np.bincount(
                [o.community.index for o in self.organisations if not o.supported], minlength=self.n
            ).astype(float)
            per = self.p.funds_per_organisation_supported
            want = alone * per
            funds = self.plan.funds[:, self.year - 1]
            self.funds_share = np.minimum(1.0, np.divide(funds, want, out=np.ones(self.n), where=want > 0))
        self.organisations.shuffle_do("step")
        founded = self.rng.binomial(volunteers, self.p.organisation_birth_per_volunteer)
        for ext in self.registry.overriding("founding"):
            founded = checked(ext, "founding", ext.founding(self, founded), (self.n,), 0, None, whole=True)
        kinds = self.registry.founded_by_volunteers
        for i in np.flatnonzero(founded):
            for _ in range(int(founded[i])):
                self.new_organisation(self.communities[i], kinds[int(self.rng.integers(len(kinds)))])

    # -- targets -------------------------------------------------------------------------
    def stocks(self) -> Stocks:
        """What every community holds now, in the form the targets are defined on."""
        return Stocks(
            households=self.households.counts.astype(float),
            space=self.space.copy(),
            has={u: v.copy() for u, v in self.has.items()},
            staff={s: v.astype(float) for s, v in self.staff_count.items()},
        )

    def committed_stocks(self) -> Stocks:
        """What the city has now, counting projects already funded but still being built.

        A project under construction is paid for and will open: re-planning must not buy it twice.
        """
        now = self.stocks()
        for c in self.communities:
            for p in c.pending:
                if p.facility is None:
                    now.space[c.index] += p.space_m2
                else:
                    now.has[p.facility][c.index] = True
        return now

    def outcomes(self) -> dict[str, np.ndarray]:
        """Per community, the outcomes targets may read (scenarios.targets.OUTCOMES): share of
        households satisfied and organisations alive now, the year's mean monthly participation,
        each service's share of the year's needs served (``served_share:<service>``; 1 with
        no needs) and the share of organisations taking part in co-building."""
        h = self.households
        counts = np.maximum(h.counts, 1).astype(float)
        months = (self.month - 1) % 12 + 1
        out = {
            "satisfied": h.community_sum(h.satisfied().astype(np.float64)) / counts,
            "organisations": np.bincount([o.community.index for o in self.organisations], minlength=self.n).astype(
                float
            ),
            "participation": self.participation_months / (months * counts),
            "cobuilding": self.cobuilding(),
        }
        share = np.divide(
            self.served_year, self.demand_year, out=np.ones_like(self.served_year), where=self.demand_year > 0
        )
        for j, s in enumerate(self.services):
            out[f"served_share:{s}"] = share[:, j]
        return out

    def cobuilding(self) -> np.ndarray:
        """Share of each community's organisations taking part in co-building now (0 with none).

        An organisation takes part when it is supported (incubated or on a purchase-of-service
        contract: the city co-builds with it) or at half its strength or more (volunteers
        enough to run activities without support); a dormant one does not.
        """
        alive = np.zeros(self.n)
        taking_part = np.zeros(self.n)
        for o in self.organisations:
            i = o.community.index
            alive[i] += 1
            taking_part[i] += o.supported or o.strength >= 0.5
        return np.divide(taking_part, alive, out=np.zeros(self.n), where=alive > 0)

    def optional_column(self, name: str) -> np.ndarray:
        """This month's value of a column only some scenarios record (model.extensions.optional_columns)."""
        if name == "committee":
            return np.array([c.committee_formed is not None for c in self.communities], dtype=float)
        if name == "developer_m2":
            return self.developer_m2
        return self.cobuilding()

    def evaluate_targets(self) -> None:
        """Which requirements of this plan year the simulated city meets (the optimiser's definitions)."""
        t = self.year
        months = (self.month - 1) % 12 + 1
        stocks = dataclasses.replace(
            self.stocks(),
            outcomes=self.outcomes(),
            staff_average={s: v / months for s, v in self.staff_months.items()},
            funds=None if self.plan.funds is None else self.plan.funds[:, t - 1].copy(),
            trained={s: v.astype(float) for s, v in self.trained_count.items()} or None,
        )
        key = np.array([c.key for c in self.scenario_.communities], dtype=bool)
        for r in self.scenario_.requirements:
            if r.year != t:
                continue
            achieved = self.scenario_.target(r.target).achieved(r.kind, stocks, key, self.opened_this_year)
            self.attainment.append((t, r.target, r.kind, float(r.required), achieved, r.met(achieved)))


def _checked_risk(ext: Extension, kind: str, risk: Any, n: int) -> np.ndarray:
    """An extension's exit risk, refused unless it is one probability per community."""
    out = np.asarray(risk, dtype=float)
    if out.shape != (n,) or not np.all((out >= 0.0) & (out <= 1.0)):
        raise ExtensionError(
            f"extension {ext.name}: exit_risk for {kind!r} must return one probability (0 to 1) per "
            f"community, {n} in all; it returned shape {out.shape} with values from "
            f"{out.min() if out.size else 'none'} to {out.max() if out.size else 'none'}"
        )
    return out


def _checked_allocation(
    ext: Extension, got: Any, vulnerable: np.ndarray, other: np.ndarray, cap: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """An extension's (vulnerable, other) needs served: each within its demand, together within capacity."""
    if not (isinstance(got, tuple) and len(got) == 2):
        got = (np.full(0, np.nan), np.full(0, np.nan))  # refused below with what was expected
    v = checked(ext, "allocate", got[0], vulnerable.shape, 0.0, vulnerable, what="vulnerable households")
    o = checked(ext, "allocate", got[1], other.shape, 0.0, other, what="other households")
    checked(ext, "allocate", v + o, cap.shape, 0.0, cap + 1e-9, what="all households (served ≤ capacity)")
    return v, o
