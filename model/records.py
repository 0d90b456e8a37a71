"""The monthly per-community record behind ``timeseries.csv`` (its columns: the README's "What a run writes").

Mesa's DataCollector keeps one value per reporter per step; the contract needs one row per
community per month, so this recorder stores one ``(communities × columns)`` array a month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.extensions import ExtensionError, Registry, defined_at, optional_columns

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
        parts += [mean(h.satisfied().astype(np.float64))[:, None]]
        parts += [m.posts[k][:, None] for k in m.scenario_.staff]
        if m.scenario_.uses_funds:  # yuan a year paid in this plan year
            parts.append(np.zeros((m.n, 1)) if m.plan.funds is None else m.plan.funds[:, m.year - 1][:, None])
        parts += [m.trained_count[k][:, None] for k in m.scenario_.trained_kinds]
        parts += [m.optional_column(name)[:, None] for name in optional_columns(m.scenario_)]
        parts += [reported(m, column, report)[:, None] for column, report in m.registry.reporters.items()]
        self.months.append(np.hstack([np.asarray(p, dtype=float) for p in parts]))

    def table(self) -> np.ndarray:
        return np.stack(self.months) if self.months else np.zeros((0, 0, len(self.columns)))


def reported(m: CommunityModel, column: str, reporter) -> np.ndarray:
    """An extension's reporter's values this month: one finite number ≥ 0 per community, or
    an :class:`~model.extensions.ExtensionError` naming the extension, column and function."""
    ext = m.registry.reporter_of.get(column)
    where = defined_at(reporter)
    who = f"extension {ext.name if ext is not None else '?'}: reporter {column!r}" + (f" ({where})" if where else "")
    value = reporter(m)
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ExtensionError(
            f"{who} must return one number per community ({m.n}); it returned {type(value).__name__} {value!r:.80}"
        ) from None
    if out.shape not in ((m.n,), (m.n, 1)):
        raise ExtensionError(
            f"{who} must return one number per community, {m.n} in all (an array of shape ({m.n},)); "
            f"it returned shape {out.shape} in month {m.month}"
        )
    out = out.reshape(m.n)
    bad = ~np.isfinite(out) | (out < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ExtensionError(
            f"{who} returned {float(out[i])!r} for community {m.scenario_.community_ids[i]} in month {m.month} "
            f"({int(bad.sum())} value(s) negative or not finite); a timeseries.csv column holds counts, "
            "amounts or shares: finite and ≥ 0"
        )
    return out
