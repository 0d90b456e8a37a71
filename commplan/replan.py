"""Adaptive planning (``commplan run --replan yearly``): re-solve the remaining years each year.

With ``--confidence P`` every re-solve keeps the margins the confidence loop learned
(spare posts, posts × factor, training places, leads, extra communities and facilities of the years left): the confidence level is
kept, not re-learned each year, which would cost a confidence loop per replication and
year. When the margins no longer fit the budget left, the plain re-solve is used.

A fixed plan is executed whatever happens; a planner who re-plans every year starts from
what the city actually has (staff after turnover, facilities actually open, space actually
built) and buys what is still missing for the years left. Comparing the two tells a
planner how much yearly correction is worth.

The re-solve needs no special optimiser: the remaining years are themselves a scenario
(:func:`remaining_scenario`), with today's state as its starting point, the pay policy
and targets of the years left, and the budget not yet spent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

import optimize
from commplan.confidence import Margins, tightened, without_attrition
from commplan.parallel import process_pool
from model.plan import PlanSchedule, plan_from_result
from model.records import columns
from model.runner import Replication, SimulationResult, model_class_of
from scenarios.schema import Budget, Scenario, frozen_map
from scenarios.seeding import SIMULATE, seed_sequence
from scenarios.targets import Stocks


def _tail(values: tuple | None, done: int) -> tuple | None:
    return None if values is None else tuple(values[done:])


def remaining_scenario(
    scenario: Scenario, done: int, state: Stocks, spent: float, plan_total: float | None = None
) -> Scenario:
    """The plan's last ``years − done`` years as a scenario starting from ``state``.

    ``spent`` is what the years done have cost; it comes off the total budget. The
    ``[capacity]`` limits of the years left stay as they are. ``max_share_per_year`` is a
    share of the whole plan's total, which a re-solve of the years left cannot see (with
    one year left it would forbid spending anything): it becomes the yearly cap it set
    on the adopted plan, ``share × plan_total`` (the first plan's total cost).
    """
    communities = tuple(
        replace(
            c,
            households=int(round(state.households[i])),
            space_m2=float(state.space[i]),
            facilities=frozenset(u for u in scenario.facilities if state.has[u][i]),
            staff=frozen_map({s: int(round(state.staff[s][i])) for s in scenario.staff}),
        )
        for i, c in enumerate(scenario.communities)
    )
    staff = {
        s: replace(k, base_pay_share=k.pay_share[done - 1], pay_share=k.pay_share[done:])
        for s, k in scenario.staff.items()
    }
    targets = tuple(
        replace(
            t,
            share=_tail(t.share, done),
            count=_tail(t.count, done),
            at_least=_tail(t.at_least, done),
            keys_by=None if t.keys_by is None else max(1, t.keys_by - done),
        )
        for t in scenario.targets
    )
    budget = _remaining_budget(scenario, done, state, spent, plan_total)
    cap = scenario.capacity
    capacity = replace(
        cap, projects_per_year=_tail(cap.projects_per_year, done), space_m2_per_year=_tail(cap.space_m2_per_year, done)
    )
    funding = tuple(replace(f, at_most=_tail(f.at_most, done)) for f in scenario.funding)
    # developers' space due in the years done is in ``state`` if it came; the rest moves with the calendar
    owed = tuple(replace(d, due_year=d.due_year - done) for d in scenario.developer_space if d.due_year > done)
    return replace(
        scenario,
        funding=funding,
        developer_space=owed,
        capacity=capacity,
        years=scenario.years - done,
        start_year=scenario.start_year + done,
        communities=communities,
        staff=frozen_map(staff),
        targets=targets,
        budget=budget,
    )


def committed_yearly_cost(scenario: Scenario, done: int, state: Stocks) -> float:
    """What every remaining year costs, in the plan's accounting, for what ``state`` already holds.

    The plan's yearly cost counts running costs of space and facilities added since the
    start, and the wage bill over today's; the remaining scenario starts from ``state``, so
    it counts neither for what the years done put in place. That part is the same in every
    remaining year, whatever is decided: it comes off each remaining budget.
    """
    start, c, wage = scenario.initial_stocks(), scenario.costs, scenario.costs.average_wage
    running = c.space_running_per_m2 * float(np.sum(state.space - start.space))
    running += sum(
        f.running * float(np.sum(state.has[u].astype(float) - start.has[u])) for u, f in scenario.facilities.items()
    )
    pay = sum(
        wage
        * (k.pay_share[done - 1] * float(np.sum(state.staff[s])) - k.base_pay_share * float(np.sum(start.staff[s])))
        for s, k in scenario.staff.items()
    )
    return running + pay


def _remaining_budget(
    scenario: Scenario, done: int, state: Stocks, spent: float, plan_total: float | None = None
) -> Budget:
    """The budgets left, in the remaining scenario's accounting (see committed_yearly_cost)."""
    b = scenario.budget
    share_cap = None if b.max_share_per_year is None or plan_total is None else b.max_share_per_year * plan_total
    if b.per_year is None and b.total is None and share_cap is None:
        return Budget(minimise=b.minimise)
    committed = committed_yearly_cost(scenario, done, state)
    caps = list(b.per_year[done:]) if b.per_year is not None else None
    if share_cap is not None:
        caps = [min(x, share_cap) for x in caps] if caps is not None else [share_cap] * (scenario.years - done)
    per_year = None if caps is None else tuple(max(0.0, x - committed) for x in caps)
    total = None if b.total is None else max(0.0, b.total - spent - committed * (scenario.years - done))
    return Budget(per_year, total, minimise=b.minimise)


def _merge(scenario: Scenario, executed: PlanSchedule, new: PlanSchedule, done: int) -> PlanSchedule:
    """Years ≤ done from the plan executed so far, the rest from the re-solved plan."""

    def join(old: np.ndarray, fresh: np.ndarray) -> np.ndarray:
        return np.concatenate([old[..., :done], fresh], axis=-1)

    return PlanSchedule.from_arrays(
        scenario,
        space_added=join(executed.space_added, new.space_added),
        opened={u: join(executed.opened[u], new.opened[u]) for u in scenario.facilities},
        hires={s: join(executed.hires[s], new.hires[s]) for s in scenario.staff},
        staff={s: join(executed.staff[s], new.staff[s]) for s in scenario.staff},
        pay_share={s: join(executed.pay_share[s], new.pay_share[s]) for s in scenario.staff},
        funds=None if executed.funds is None or new.funds is None else join(executed.funds, new.funds),
        trained={s: join(executed.trained[s], new.trained[s]) for s in executed.trained if s in new.trained},
    )


@dataclass(frozen=True)
class Replan:
    replication: int
    year: int  # the plan year the re-solve starts from
    status: str
    remaining_cost: float | None


def run_adaptive_replication(
    scenario: Scenario,
    first: PlanSchedule,
    first_cost_by_year: list[float],
    seed: int,
    index: int,
    solver: str = "highs",
    tick: Callable[[], None] | None = None,
    margins: Margins | None = None,
) -> tuple[Replication, list[Replan]]:
    """One replication that re-solves the remaining years at the end of every plan year."""
    model = model_class_of(scenario)(scenario, first, rng=np.random.default_rng(seed_sequence(seed, SIMULATE, index)))
    spent_by_year = list(first_cost_by_year)
    replans: list[Replan] = []
    while model.running:
        model.step()
        if tick is not None:
            tick()
        done = model.month // 12
        if model.month % 12 == 0 and model.running:
            rest = remaining_scenario(
                scenario, done, model.committed_stocks(), float(sum(spent_by_year[:done])), sum(first_cost_by_year)
            )
            result = optimize.solve(
                rest if margins is None else tightened(without_attrition(rest)[0], margins.shifted(done)),
                solver=solver,
                marginal_costs=False,
            )
            if not result.feasible and margins is not None:  # the margins no longer fit: the plain re-solve
                result = optimize.solve(rest, solver=solver, marginal_costs=False)
            if not result.feasible:  # the state fell too far behind: buy the most the money allows
                result = optimize.solve(rest, mode="max-attainment", solver=solver, marginal_costs=False)
            replans.append(Replan(index, done + 1, result.status, result.total_cost if result.feasible else None))
            if result.feasible:
                model.plan = _merge(scenario, model.plan, plan_from_result(result, rest), done)
                spent_by_year = spent_by_year[:done] + list(result.summary()["cost_by_year"])
    return Replication(index, model.recorder.table(), model.attainment), replans


def _adaptive(args: tuple) -> tuple[Replication, list[Replan]]:
    return run_adaptive_replication(*args)


def simulate_adaptive(
    scenario: Scenario,
    first: PlanSchedule,
    first_cost_by_year: list[float],
    replications: int,
    seed: int,
    processes: int = 1,
    solver: str = "highs",
    progress: Callable[[int, int], None] | None = None,
    margins: Margins | None = None,
) -> tuple[SimulationResult, list[Replan]]:
    """Every replication re-plans yearly; results depend on the seed alone, not on processes."""
    months = 12 * scenario.years
    total, done = months * replications, 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    jobs = [(scenario, first, first_cost_by_year, seed, r, solver, None, margins) for r in range(replications)]
    if processes <= 1 or replications <= 1:
        outcomes = [run_adaptive_replication(*job[:6], tick=tick, margins=margins) for job in jobs]
    else:
        outcomes = []
        with process_pool(processes) as pool:
            for outcome in pool.map(_adaptive, jobs):
                outcomes.append(outcome)
                tick(months)
    reps = [rep for rep, _ in outcomes]
    replans = [r for _, rs in outcomes for r in rs]
    return SimulationResult(
        seed, ["replication", "month", "community", *columns(scenario)], scenario.community_ids, reps
    ), replans
