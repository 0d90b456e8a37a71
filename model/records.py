"""The monthly per-community record behind ``timeseries.csv`` (its columns: the README's "What a run writes").

Mesa's DataCollector keeps one value per reporter per step; the contract needs one row per
community per month, so this recorder stores one ``(communities × columns)`` array a month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.extensions import Registry

if TYPE_CHECKING:
    from model.model import CommunityModel


def columns(scenario, registry: Registry | None = None) -> list[str]:
    """Value columns after ``replication, month, community`` (contract first, extras after).

    Every service (the core's, then extensions') has ``demand_<s>`` and ``served_<s>``;
    extensions' reporters come last. ``registry`` defaults to the scenario's extensions.
    """
    return (registry or Registry.for_scenario(scenario)).columns(scenario)


class Recorder:
    """Collects one array per month; ``table()`` stacks them to ``(months, communities, columns)``."""

    def __init__(self, model: CommunityModel):
        self.columns = model.registry.columns(model.scenario_)
        self.months: list[np.ndarray] = []

    def collect(self, m: CommunityModel) -> None:
        h = m.households
        counts = h.counts.astype(float)
        mean = lambda x: np.divide(h.community_sum(x), counts, out=np.zeros(m.n), where=counts > 0)  # noqa: E731
        alive = np.bincount([o.community.index for o in m.organisations], minlength=m.n)
        parts = [counts[:, None], m.demand, m.served]
        parts += [mean(h.satisfaction)[:, None], mean(h.participating.astype(np.float64))[:, None]]
        parts += [h.community_sum(h.volunteer.astype(np.int64))[:, None], alive[:, None]]
        for flows in (m.staff_count, m.hires, m.exits):
            parts += [flows[k][:, None] for k in m.scenario_.staff]
        parts += [m.spent[:, None], m.moved_in[:, None], m.moved_out[:, None], m.space[:, None]]
        parts += [m.has[u][:, None] for u in m.scenario_.facilities]
        parts += [np.asarray(report(m), dtype=float).reshape(m.n, 1) for report in m.registry.reporters.values()]
        self.months.append(np.hstack([np.asarray(p, dtype=float) for p in parts]))

    def table(self) -> np.ndarray:
        return np.stack(self.months) if self.months else np.zeros((0, 0, len(self.columns)))
