"""A synthetic city drawn from documented distributions (the ``[generate]`` table).

Households per community: normal(households_mean, households_sd) rounded and clipped to
[households_min, households_max]. Mean household size: normal, clipped at 1. Elderly
share: beta with the given mean and standard deviation. Space today: log-normal with the
given median and sigma. Key communities, existing facilities and former villages: drawn
at random in the given numbers and shares. Existing staff: households / households_per_staff,
rounded, plus a fixed count per community.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scenarios.seeding import GENERATE, rng


def _beta(g: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    var = min(sd**2, mean * (1 - mean) * 0.999)
    if var <= 0:
        return np.full(n, mean)
    k = mean * (1 - mean) / var - 1
    return g.beta(mean * k, (1 - mean) * k, n)


def generate_communities(p: dict[str, Any], seed: int) -> list[dict[str, Any]]:
    """Rows with the same keys as ``[[communities]]``; the same seed gives the same city."""
    g = rng(seed, GENERATE)
    n = p["communities"]
    households = np.clip(
        np.rint(g.normal(p["households_mean"], p["households_sd"], n)), p["households_min"], p["households_max"]
    )
    size = np.clip(g.normal(p["household_size_mean"], p["household_size_sd"], n), 1.0, None)
    elderly = _beta(g, p["elderly_share_mean"], p["elderly_share_sd"], n)
    space = np.rint(p["space_m2_median"] * np.exp(g.normal(0.0, p["space_m2_sigma"], n)))
    keys = np.zeros(n, dtype=bool)
    keys[g.choice(n, size=p["keys"], replace=False)] = True
    has = {u: g.random(n) < share for u, share in sorted(p["facilities"].items())}
    villages = g.random(n) < p["village_to_residence_share"]
    staff_kinds = sorted(set(p["households_per_staff"]) | set(p["staff"]))
    width = len(str(n))
    rows = []
    for i in range(n):
        staff = {
            s: int(round(households[i] / p["households_per_staff"][s])) if s in p["households_per_staff"] else 0
            for s in staff_kinds
        }
        for s, extra in p["staff"].items():
            staff[s] += extra
        rows.append(
            {
                "id": f"{p['id_prefix']}{i + 1:0{width}d}",
                "households": int(households[i]),
                "space_m2": float(space[i]),
                "key": bool(keys[i]),
                "facilities": tuple(u for u in has if has[u][i]),
                "staff": staff,
                "household_growth": p["household_growth"],
                "max_space_added_m2": None,
                "household_size": round(float(size[i]), 3),
                "elderly_share": round(float(elderly[i]), 4),
                "village_to_residence": bool(villages[i]),
            }
        )
    return rows
