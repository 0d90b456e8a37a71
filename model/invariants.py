"""The invariants every model, extended or not, must keep — and a checker for tests.

``check_invariants(model_or_result)`` raises :class:`InvariantError` listing every broken
invariant (with month, community and column), or returns quietly:

* **served ≤ demand**: for every service, month and community, ``0 ≤ served ≤ demand``;
* **staff balance**: staff of a kind = previous month's + hires − exits (month 1 starts from
  the scenario's staff); for a live model, also the staff agents of each kind = the count;
* **households balance**: households = previous month's + moved in − moved out (month 1
  starts from the scenario's households); for a live model, also rows = counts;
* **no negative stocks or flows**: households, staff, hires, exits, organisations, spent ≥ 0;
  every recorded value is finite;
* **extension columns** (an extension's reporters): finite and ≥ 0 in every month and community.

Use it on any extended model in its tests::

    model = CommunityModel(scenario, rng=1, extensions=[MyExtension()])
    while model.running:
        model.step()
    check_invariants(model)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from model.model import CommunityModel
from model.runner import SimulationResult


class InvariantError(AssertionError):
    """One or more invariants do not hold; ``problems`` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} invariant(s) broken:\n  " + "\n  ".join(problems))


def invariant_violations(model_or_result: Any, scenario: Any = None) -> list[str]:
    """Every broken invariant as a message (empty when all hold); see :func:`check_invariants`."""
    if isinstance(model_or_result, CommunityModel):
        m = model_or_result
        problems = _table_violations(
            m.recorder.table(),
            m.recorder.columns,
            m.scenario_.community_ids,
            scenario or m.scenario_,
            "",
            extension_columns(m.recorder.columns, m.registry.reporters),
        )
        return problems + _model_violations(m)
    if isinstance(model_or_result, SimulationResult):
        r = model_or_result
        problems = []
        for rep in r.replications:
            problems += _table_violations(
                rep.timeseries,
                r.columns[3:],
                r.communities,
                scenario,
                f"replication {rep.index}, ",
                extension_columns(r.columns[3:], facilities=None if scenario is None else scenario.facilities),
            )
        return problems
    raise TypeError(
        f"check_invariants takes a CommunityModel or a SimulationResult, not {type(model_or_result).__name__}"
    )


def check_invariants(model_or_result: Any, scenario: Any = None) -> None:
    """Raise :class:`InvariantError` unless every invariant holds.

    Args:
        model_or_result: a :class:`~model.model.CommunityModel` (after any number of
            steps) or a :class:`~model.runner.SimulationResult`.
        scenario: for a result, the scenario it ran, so that month 1 is checked against
            the starting households and staff too (a model knows its own).
    """
    problems = invariant_violations(model_or_result, scenario)
    if problems:
        raise InvariantError(problems)


def extension_columns(columns: list[str] | tuple[str, ...], reporters: Any = None, facilities: Any = None) -> list[str]:
    """The columns extensions' reporters write: ``reporters``' names when known (a live
    model), else every column after the core's last (``space_m2``, ``has_<facility>``,
    ``satisfied``, ``posts_<staff kind>``, ``funds``, ``trained_<staff kind>``)."""
    if reporters is not None:
        return [c for c in columns if c in reporters]
    if "space_m2" not in columns:
        return []
    after = list(columns)[list(columns).index("space_m2") + 1 :]
    core = {f"has_{u}" for u in facilities} if facilities is not None else {c for c in after if c.startswith("has_")}
    core |= {"satisfied", "funds"} | {c for c in after if c.startswith(("posts_", "trained_"))}
    core |= {"committee", "developer_m2", "cobuilding"}  # the model's own optional columns
    return [c for c in after if c not in core]


def _where(mask: np.ndarray, communities: list[str], limit: int = 3) -> str:
    months, cs = np.nonzero(mask)
    shown = ", ".join(f"month {t + 1} {communities[i]}" for t, i in zip(months[:limit], cs[:limit], strict=True))
    more = len(months) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _table_violations(
    table: np.ndarray,
    columns: list[str] | tuple[str, ...],
    communities: list[str],
    scenario: Any,
    where: str,
    extension: list[str] | None = None,
) -> list[str]:
    if table.size == 0:
        return []
    col = {c: table[:, :, j] for j, c in enumerate(columns)}
    problems: list[str] = []

    def bad(mask: np.ndarray, message: str) -> None:
        if mask.any():
            problems.append(f"{where}{message}: {_where(mask, communities)}")

    bad(~np.isfinite(table).all(axis=2), "a value is not finite")
    for c in columns:
        if c.startswith("served_"):
            s = c[len("served_") :]
            demand, served = col.get(f"demand_{s}"), col[c]
            if demand is None:
                problems.append(f"{where}{c} has no demand_{s} column")
                continue
            bad(served > demand + 1e-9, f"served > demand for {s}")
            bad(served < -1e-9, f"served < 0 for {s}")
            bad(demand < -1e-9, f"demand < 0 for {s}")
    for c in columns:
        if c.split("_")[0] in ("staff", "hires", "exits") or c in (
            "households",
            "organisations",
            "spent",
            "volunteers",
        ):
            bad(col[c] < -1e-9, f"{c} < 0")
    for c in extension or ():
        bad(~np.isfinite(col[c]), f"extension column {c} is not finite")
        bad(col[c] < 0, f"extension column {c} < 0")
    kinds = [c[len("staff_") :] for c in columns if c.startswith("staff_")]
    for k in kinds:
        staff, hires, exits = col[f"staff_{k}"], col.get(f"hires_{k}"), col.get(f"exits_{k}")
        if hires is None or exits is None:
            problems.append(f"{where}staff_{k} lacks hires_{k} or exits_{k}")
            continue
        start = None if scenario is None else np.asarray(scenario.initial_stocks().staff[k], dtype=float)
        _balance(bad, staff, hires, exits, start, f"staff balance for {k} (staff = previous + hires − exits)")
    if all(c in col for c in ("households", "moved_in", "moved_out")):
        start = None if scenario is None else np.asarray(scenario.households(0), dtype=float).round()
        _balance(
            bad,
            col["households"],
            col["moved_in"],
            col["moved_out"],
            start,
            "households balance (households = previous + moved in − moved out)",
        )
    return problems


def _balance(bad, stock: np.ndarray, into: np.ndarray, out: np.ndarray, start: np.ndarray | None, message: str) -> None:
    before = stock[:-1] if start is None else np.vstack([start[None, :], stock[:-1]])
    now, into, out = (stock[1:], into[1:], out[1:]) if start is None else (stock, into, out)
    mask = np.abs(now - (before + into - out)) > 1e-6
    if start is None:
        mask = np.vstack([np.zeros((1, stock.shape[1]), dtype=bool), mask])
    bad(mask, message)


def _model_violations(m: Any) -> list[str]:
    problems = []
    kinds: dict[str, np.ndarray] = {k: np.zeros(m.n, dtype=np.int64) for k in m.staff_count}
    for a in m.staff:
        if a.kind not in kinds:
            problems.append(f"staff agent of undeclared kind {a.kind!r}")
            continue
        kinds[a.kind][a.community.index] += 1
    for k, counted in kinds.items():
        if not np.array_equal(counted, m.staff_count[k]):
            problems.append(
                f"staff agents of kind {k} ({counted.sum()}) differ from staff_count ({m.staff_count[k].sum()}): add staff with model.new_staff and remove them with StaffMember.leave"
            )
    h = m.households
    if len(h) != int(h.counts.sum()):
        problems.append(f"household rows ({len(h)}) differ from the counts per community ({int(h.counts.sum())})")
    lengths = {k: len(v) for k, v in getattr(h, "cols", {}).items() if len(v) != len(h)}
    if lengths:
        problems.append(f"household columns with the wrong number of rows: {lengths} (rows: {len(h)})")
    if np.any(m.served > m.demand + 1e-9):
        problems.append("this month's served > demand")
    return problems
