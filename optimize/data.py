"""The planning program's own data: what the optimiser derives from the scenario's arrays.

:class:`~scenarios.plan.PlanData` holds the formulation's data (``docs/planning.md``,
"Data"); :class:`ProgramData` adds what only the program needs: the big-M bounds on
space and which condition rows are redundant.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from scenarios.plan import PlanData
from scenarios.targets import TOLERANCE, Atom


class ProgramData(PlanData):
    """PlanData plus the bounds and shortcuts the program builder uses."""

    @cached_property
    def max_m2(self) -> np.ndarray:
        """The finite ``max_m2[i]`` of ``x <= max_m2 * y``.

        Space beyond the most any target or facility could ask of a community is never
        worth building (it only costs), so the bound is the largest space level a space
        atom requires in any year, or the room every facility kind together occupies,
        less the space the community already has; capped by the scenario's own
        ``max_space_added_m2`` where given. This keeps the big-M tight without 1e6.
        """
        need = np.full(self.n, sum(self.need_m2.values()), dtype=float)
        for atom in self.space_atoms:
            need = np.maximum(need, atom.bound(self.H[:, 1:]).max(axis=1))
        derived = np.maximum(0.0, need - self.space0)
        return np.where(np.isnan(self.max_m2_given), derived, np.minimum(derived, np.nan_to_num(self.max_m2_given)))

    @cached_property
    def space_atoms(self) -> list[Atom]:
        out: list[Atom] = []
        for tg in self.scenario.targets:
            if tg.condition is not None:
                out += [a for a in tg.condition.atoms if a.kind == "space" and a not in out]
        return out

    def stock0_meets_forever(self, atom: Atom, t: int) -> np.ndarray:
        """Communities whose starting stock already meets ``atom`` in year t and cannot lose it.

        Space and facilities never fall, and staff does not fall without attrition, so the
        atom's big-M row would be redundant for them; the builder leaves it out.
        """
        if atom.kind in ("funds", "trained"):
            return np.zeros(self.n, dtype=bool)  # flows of the year: the plan pays them every year
        if atom.kind == "space":
            level = self.space0 + self.dev[:, t - 1]  # counted developers' space only grows
        elif atom.kind == "has":
            assert atom.item is not None  # only a space atom has no item
            level = self.has0[atom.item]
        else:
            assert atom.item is not None
            if self.attr[atom.item] > 0:
                return np.zeros(self.n, dtype=bool)
            level = self.staff0[atom.item]
        return level >= atom.bound(self.H[:, t]) - TOLERANCE

    def staff_cap(self, s: str) -> np.ndarray:
        """:meth:`staff_most` with room for whole hires against attrition: ``(U + 1)/(1 − a)^Y``."""
        a = self.attr[s]
        most = self.staff_most(s)
        return most if a == 0 else (most + 1.0) / (1.0 - a) ** self.years

    def staff_most(self, s: str) -> np.ndarray:
        """``U[i]``: the most staff of kind s a least-cost plan ever holds in community i.

        Staff only cost, so no plan needs more than today's, the most any per-community
        atom asks in any year, or today's plus the whole of a city-wide target. It is the
        big-M of a relative (trained) atom, and a bound on the staff of trained kinds.
        """
        most = self.staff0[s].copy()
        for tg in self.scenario.targets:
            if tg.condition is not None:
                for a in tg.condition.atoms:
                    if a.kind == "staff" and a.item == s:
                        most = np.maximum(most, np.ceil(a.bound(self.H[:, 1:]).max(axis=1) - TOLERANCE))
            if tg.city_staff == s and tg.at_least is not None:
                most = np.maximum(most, self.staff0[s] + max(tg.at_least))
            if tg.city_average == s and tg.at_least is not None and tg.covers is not None:
                most = np.maximum(most, self.staff0[s] + np.ceil(max(tg.at_least) * sum(tg.covers) - TOLERANCE))
        return most
