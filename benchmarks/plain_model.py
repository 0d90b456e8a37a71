"""The same household rules with one Mesa agent per household: the benchmark's yardstick.

:class:`PlainCommunityModel` differs from :class:`~model.model.CommunityModel` only in how
households are held: each is a :class:`HouseholdAgent` with its own ``step``-style methods,
as a Mesa user would first write it. It measures what vectorising buys
(``benchmarks/simulate_scale.py``); no test relies on it, so it lives with the benchmark.
"""

from __future__ import annotations

import numpy as np
from mesa import Agent

from model.agents import ELIGIBLE, FLAGS, Households
from model.model import CommunityModel
from scenarios.parameters import SERVICES


class HouseholdAgent(Agent):
    """One household: flags, needs, satisfaction and whether it takes part this month."""

    def __init__(self, model, row: dict):
        super().__init__(model)
        for k, v in row.items():
            setattr(self, k, v.item() if hasattr(v, "item") else v)
        self.needs = [0] * len(SERVICES)

    @property
    def vulnerable(self) -> bool:
        return self.elderly_alone or self.disabled or self.low_income

    @property
    def group(self) -> int:
        return 2 * self.community + self.vulnerable

    def rates(self) -> list[float]:
        p, size_mean = self.model.p, self.model.households.size_mean[self.community]
        out = []
        for s in SERVICES:
            r = p.demand_rate[s]
            if s in ELIGIBLE and not getattr(self, ELIGIBLE[s]):
                r = 0.0
            if self.vulnerable:
                r *= p.vulnerable_demand_multiplier[s]
            if self.migrant:
                r *= p.migrant_demand_multiplier[s]
            if s == "health":
                r *= self.size / size_mean
            out.append(r)
        return out

    def draw_needs(self) -> None:
        self.needs = self.rng.poisson(self.rates()).tolist()

    def receive(self, share: np.ndarray) -> None:
        needed = sum(self.needs)
        if needed:
            row = share[self.group]
            met = sum(n * row[j] for j, n in enumerate(self.needs))
            m = self.model.p.satisfaction_memory
            self.satisfaction = m * self.satisfaction + (1 - m) * met / needed

    def perceived(self, community_mean: float) -> float:
        w = self.model.p.satisfaction_peer_weight
        return (1 - w) * self.satisfaction + w * community_mean

    def take_part(self, factor: float) -> None:
        p = self.model.p
        prob = min(
            max((p.participation_base + p.participation_satisfaction_effect * self.satisfaction) * factor, 0.0), 1.0
        )
        u = self.random.random()
        self.participating = u < prob
        self.volunteer = u < prob * p.volunteer_share_of_participants


class AgentHouseholds:
    """The :class:`~model.agents.Households` interface over one agent per household."""

    def __init__(self, model: PlainCommunityModel):
        self.model = model
        table = Households(model.scenario_.communities, model.p, model.rng, model.registry)  # same initial draws
        self.size_mean, self.n_communities = table.size_mean, table.n_communities
        for i in range(len(table)):
            HouseholdAgent(model, {k: v[i] for k, v in table.cols.items()})
        self._table = table

    @property
    def agents(self):
        return self.model.agents_by_type[HouseholdAgent]

    def __len__(self) -> int:
        return len(self.agents)

    def column(self, name: str) -> np.ndarray:
        return np.array([getattr(a, name) for a in self.agents])

    def __getattr__(self, name: str) -> np.ndarray:
        if name in FLAGS or name in ("community", "size", "satisfaction", "participating", "volunteer"):
            return self.column(name)
        raise AttributeError(name)

    @property
    def counts(self) -> np.ndarray:
        return np.bincount(self.column("community"), minlength=self.n_communities)

    def community_sum(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.column("community"), weights=np.asarray(x, dtype=float), minlength=self.n_communities)

    def satisfied(self) -> np.ndarray:
        mean = self.community_sum(self.column("satisfaction")) / np.maximum(self.counts, 1)
        return np.array([a.perceived(mean[a.community]) >= a.expectation for a in self.agents])

    def draw_needs(self, rng) -> np.ndarray:
        self.agents.do("draw_needs")
        demand = np.zeros((2 * self.n_communities, len(SERVICES)))
        for a in self.agents:
            demand[a.group] += a.needs
        return demand

    def receive(self, share: np.ndarray) -> None:
        self.agents.do("receive", share)

    def take_part(self, factor: np.ndarray, rng) -> None:
        for a in self.agents:
            a.take_part(factor[a.community])

    def new_year(self, target: np.ndarray, rng):
        """Yearly rules on the agents' columns, then agents rebuilt (rare: once a year)."""
        t = self._table
        for k in t.cols:
            t.cols[k] = self.column(k)
        moved = t.new_year(target, rng)
        for a in list(self.agents):
            a.remove()
        for i in range(len(t)):
            HouseholdAgent(self.model, {k: v[i] for k, v in t.cols.items()})
        return moved


class PlainCommunityModel(CommunityModel):
    """:class:`CommunityModel` with one Mesa agent per household."""

    def make_households(self):
        return AgentHouseholds(self)
