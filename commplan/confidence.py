"""Plans that hold up: the cheapest plan whose every requirement is met with probability ≥ P.

The optimiser plans a world without turnover, lags or overruns; the simulation shows how
the real one falls short. This module closes the loop by *learning margins from the
simulation itself* (never a hand-set buffer) and re-planning until the plan holds:

1. Solve the cheapest plan of the scenario with the current margins (none at first).
2. Simulate it with **in-sample** seeds (a stream of their own, disjoint from the seeds
   that later check the plan) and estimate each requirement's probability of being met.
3. For each requirement below P (in sample, P plus half a standard error of the estimate,
   so that noise does not end the loop early), tighten what the plan is held to:
   - *a spare post*: a per-community staff condition is first planned one post above its
     bound in each community held to it (``spare_s``). A community falls short when a
     single post is empty at the year's end, and bounds of a few posts round up unevenly
     under a factor (1.1 × 3.55 posts is 4, no spare; 1.1 × 4.6 is 6), so one spare
     post is the cheaper first step: on tutorial it lifts workers-per-400 to 0.975 for
     1.25 M yuan, where a factor needs 1.35 (1.54 M) for the same;
   - *posts*: then a staff condition is planned at ``factor_s`` × its bound (+ the spare)
     for each staff kind it reads; a city-wide count starts here. The first step sets
     ``factor_s = 1 / (1 − v)`` from the simulated vacancy share ``v`` (the P-quantile
     over replications of posts left empty when the target is read: exits × hiring lag ×
     failed hires); later steps add ``FACTOR_STEP``;
   - *lead time*: a target with space or facility conditions is planned a year early (the
     requirement of year t is met on paper by year t − 1), since projects run late or are
     deferred;
   - *training places*: a ``trained_at_least`` condition is planned at ``q`` places a post
     (the optimiser may then buy ``q × staff + 1``), ``q`` learned from the replacements
     the simulation left untrained (:func:`places_needed`), then ``TRAIN_STEP`` a round;
   - *more communities*: a ``share`` requirement still short plans one community more;
   - *a longer lead*: a building requirement more communities cannot help (every
     community, or the keys) is planned a further year early each round, up to year 1.
4. Stop when every requirement reaches P in sample, or nothing is left to tighten; each
   requirement left short says why (:func:`ceiling`: what no money lifts; outcomes only
   the simulation judges; margins the capacity or budget refuse).

Rounds simulate half the replications (at least 8); a round short of nothing a margin can
still lift (every requirement short of P has a ceiling below P, is judged by the simulation
only, or has used up its levers) is extended to the full number (reusing the first half),
``EXTEND_STEP`` replications at a time, stopping as soon as a liftable requirement has failed
more replications than the full sample allows at the aim; only at the full number is the
plan accepted or the liftable requirements judged at the aim, so the
acceptance test is the same as with full rounds throughout. (Before, a scenario with any
requirement beyond reach — chifeng_2008 has eleven — never reached the full sample, and its
requirements were held to P on 10 replications, where 9 of 10 passes.) The simulation is
~85–97 % of a round's time.

**With a budget** (``mode="max-attainment"``: ``--mode max-attainment``, each budget of
``sweep``): the first plan is the budget's max-attainment plan, and the requirements it
meets on paper are the affordable ones. A margin is kept only in full and only while the
plan still meets every affordable requirement (tightened) on paper; one that would cost
any of them is set aside (the budget binds), and requirements not met on paper are not
tightened. With money to spare this is the min-cost confidence plan.

**The path.** The loop is a search, and its start decides where it ends: :func:`plan_at`
reaches P through the price curve's levels below it (:func:`chain`), as ``run``'s curve
does, so ``plan`` and ``run`` give the same plan at P, and a level costs less than a lower
one only where requirements beyond reach at it give way (below; with a budget the loop
starts from nothing, as at each budget of a sweep).

**What cannot reach P yields.** The loop still buys best effort for a requirement whose
ceiling lies below P (a lead, a longer lead), but when the capacity or budget then refuses a
margin another requirement needs, the lead held only for requirements beyond reach is given
up for it and set aside (:func:`_released`); a level where such a lead can give way tries
again what the levels below refused. Without this the order decided: on
chifeng_2008 the culture rooms' two-year lead, bought at the curve's level 0.5 (ceiling
0.71), held the year-1 projects that space-200 needed at P = 0.9.

**Termination.** Every margin is monotone and bounded — the spare post is set once, ``factor_s`` rises by at least
``FACTOR_STEP`` / 2 up to ``MAX_FACTOR`` (training places by ``TRAIN_STEP`` / 2 up to ``MAX_TRAIN_FACTOR``), a
target's lead grows a year at a time up to year 1, extra communities stop at the city's size — and an iteration that changes none of them ends the loop; so
the loop ends after finitely many steps (and at most ``max_iterations``). A lead given up
for capacity is set aside with it, never bought again: at most once per target.

**What is guaranteed.** Only what the report measures: the final plan is checked on
fresh replications (out of sample), and ``summary.json`` gives each requirement's
probability with a 90 % interval and says whether P was reached. A requirement whose
year-1 condition needs building that may finish late cannot reach a high P at any price;
the loop then says which.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimize
from model.plan import plan_from_result
from model.runner import SimulationResult, simulate
from optimize.check import PlanCheckError
from optimize.program import Outcome
from optimize.result import PlanResult, RequirementResult
from scenarios import limits as L
from scenarios.parameters import SimulationParameters
from scenarios.plan import PlanData, planned_levels
from scenarios.schema import Scenario, frozen_map
from scenarios.seeding import CONFIDENCE, seed_sequence
from scenarios.targets import Condition, Target, communities_required

FACTOR_STEP = 0.05
#: Training places per post added a round. Places are bought whole (⌈q × posts⌉), so a step of
#: 0.05 mostly bought none (⌈1.63 × 4⌉ = ⌈1.68 × 4⌉ = 7) and cost a round each: on chifeng_2008 the
#: price curve spent 9 of its 15 rounds creeping from 1.38 to 1.83. A quarter place per post is one
#: more place in a community of four posts, at 500 yuan a place.
TRAIN_STEP = 0.25
EXTEND_STEP = 2  # replications added at a time when a round is taken to the full sample
MAX_FACTOR = 2.0
MAX_TRAIN_FACTOR = L.TRAINING_PLACES_PER_POST.value  # training places per post: what a plan.csv may hold
LEVELS = (0.5, 0.8, 0.9, 0.95)  # the price-of-confidence curve
#: In-sample replications of a curve level above the chosen P: a screening, so that the curve
#: costs little beyond the plan (on chifeng_2008 at P = 0.9, level 0.95 judged in full was 59 %
#: of the curve's replications); ``plan --confidence`` at that level judges it in full.
SCREEN_REPLICATIONS = 10
STALL_ROUNDS = 3  # rounds of tightening that leave a requirement's in-sample probability where it was: it is left
Key = tuple[str, str, int]  # a requirement: target, kind, year


@dataclass
class Margins:
    """What the plan is held to beyond the scenario's targets (learned, never hand-set)."""

    post_factor: dict[str, float] = field(default_factory=dict)  # staff kind -> ≥ 1
    lead: set[str] = field(default_factory=set)  # targets planned a year early
    extra: dict[tuple[str, int], int] = field(default_factory=dict)  # (target, year) -> communities
    blocked: set[tuple[Any, ...]] = field(default_factory=set)  # changes that made the targets impossible
    lead_more: dict[str, int] = field(default_factory=dict)  # target -> years planned early beyond the first
    train_factor: dict[str, float] = field(default_factory=dict)  # staff kind -> training places per post, ≥ 1
    opened: dict[tuple[str, int], int] = field(default_factory=dict)  # (count target, year) -> facilities more
    spare: dict[str, int] = field(default_factory=dict)  # staff kind -> spare posts in each community held to it

    def copy(self) -> Margins:
        return Margins(
            dict(self.post_factor),
            set(self.lead),
            dict(self.extra),
            set(self.blocked),
            dict(self.lead_more),
            dict(self.train_factor),
            dict(self.opened),
            dict(self.spare),
        )

    def lead_years(self, target: str) -> int:
        """How many years early ``target`` is planned."""
        return (target in self.lead) + self.lead_more.get(target, 0)

    def changes_since(self, before: Margins) -> list[tuple[Any, ...]]:
        """What this round changed, one change at a time: posts first, then leads, then communities."""
        out: list[tuple[Any, ...]] = [
            ("spare", k, v) for k, v in sorted(self.spare.items()) if before.spare.get(k) != v
        ]
        out += [("factor", k, v) for k, v in sorted(self.post_factor.items()) if before.post_factor.get(k) != v]
        out += [("train", k, v) for k, v in sorted(self.train_factor.items()) if before.train_factor.get(k) != v]
        out += [("lead", t) for t in sorted(self.lead - before.lead)]
        out += [("lead_more", t, v) for t, v in sorted(self.lead_more.items()) if before.lead_more.get(t) != v]
        out += [("extra", k, v) for k, v in sorted(self.extra.items()) if before.extra.get(k) != v]
        out += [("opened", k, v) for k, v in sorted(self.opened.items()) if before.opened.get(k) != v]
        return out

    def with_change(self, change: tuple[Any, ...]) -> Margins:
        m = self.copy()
        if change[0] == "factor":
            m.post_factor[change[1]] = change[2]
        elif change[0] == "train":
            m.train_factor[change[1]] = change[2]
        elif change[0] == "lead":
            m.lead.add(change[1])
        elif change[0] == "lead_more":
            m.lead_more[change[1]] = change[2]
        elif change[0] == "opened":
            m.opened[change[1]] = change[2]
        elif change[0] == "spare":
            m.spare[change[1]] = change[2]
        else:
            m.extra[change[1]] = change[2]
        return m

    def shifted(self, done: int) -> Margins:
        """The margins of the years left after ``done`` (re-planning yearly keeps them)."""
        m = self.copy()
        m.extra = {(t, y - done): k for (t, y), k in self.extra.items() if y > done}
        m.opened = {(t, y - done): k for (t, y), k in self.opened.items() if y > done}
        return m

    def describe(self) -> dict[str, Any]:
        return {
            "post_factor": {k: round(v, 4) for k, v in sorted(self.post_factor.items())},
            "planned_a_year_early": sorted(self.lead),
            "extra_communities": {f"{t}, year {y}": k for (t, y), k in sorted(self.extra.items())},
            "planned_early_years": {t: self.lead_years(t) for t in sorted(self.lead | set(self.lead_more))},
            "training_places_per_post": {k: round(v, 4) for k, v in sorted(self.train_factor.items())},
            "extra_facilities_opened": {f"{t}, year {y}": k for (t, y), k in sorted(self.opened.items())},
            "spare_posts": dict(sorted(self.spare.items())),
        }


@dataclass
class ConfidencePlan:
    """The result: the plan (as solved for the original targets), its margins and the loop's record."""

    result: PlanResult
    margins: Margins
    confidence: float
    reached_in_sample: bool
    iterations: list[dict[str, Any]]
    unreachable: list[str]
    price: list[dict[str, Any]] = field(default_factory=list)  # the price-of-confidence curve, when computed
    attrition_set_aside: dict[str, float] = field(default_factory=dict)  # staff kind -> the file's attrition


def in_sample_seed(seed: int) -> int:
    """The in-sample root seed: its own SeedSequence stream, so the replications that check
    the plan (root ``seed``) never reuse the draws the planner learned from."""
    return int(seed_sequence(seed, CONFIDENCE).generate_state(1)[0])


def _staff_kinds(t: Target) -> set[str]:
    if t.city_staff is not None:
        return {t.city_staff}
    if t.city_average is not None:
        return {t.city_average} if t.evaluated_by == "plan" else set()
    if t.condition is None:
        return set()
    return {a.item for a in t.condition.atoms if a.kind == "staff" and a.item is not None}


def _condition_kinds(t: Target) -> set[str]:
    """The staff kinds a per-community condition of the target reads (not a city-wide count)."""
    return {a.item for a in (t.condition.atoms if t.condition else ()) if a.kind == "staff" and a.item}


def _builds(t: Target) -> bool:
    return t.condition is not None and any(a.kind in ("space", "has") for a in t.condition.atoms)


def counted_at(scenario: Scenario, confidence: float) -> Scenario:
    """The scenario with developers' space counted exactly where its delivery is as sure as
    the plan must be: ``delivery_probability >= confidence`` (a chance constraint on each
    delivery on its own), whatever the file's ``counted`` says."""
    if not scenario.developer_space:
        return scenario
    owed = tuple(
        dataclasses.replace(d, counted=d.delivery_probability >= confidence - 1e-12) for d in scenario.developer_space
    )
    return dataclasses.replace(scenario, developer_space=owed)


def without_attrition(scenario: Scenario) -> tuple[Scenario, dict[str, float]]:
    """The scenario with every ``[staff.<kind>] attrition`` at 0, and the values set aside.

    ``attrition`` is the planner's guess at yearly exits, a deterministic plan's only
    protection against them; a confidence plan learns its margins from the simulation's own
    exits (pay, workload, hiring lag), so keeping the guess as well would pay for the same
    exits twice."""
    kept = {k: s.attrition for k, s in scenario.staff.items() if s.attrition > 0}
    if not kept:
        return scenario, {}
    staff = frozen_map({k: dataclasses.replace(s, attrition=0.0) for k, s in scenario.staff.items()})
    return dataclasses.replace(scenario, staff=staff), kept


def tightened(scenario: Scenario, m: Margins) -> Scenario:
    """The scenario the optimiser plans under margins ``m`` (same target names)."""
    n, years = len(scenario.communities), scenario.years
    targets = []
    for t in scenario.targets:
        new = t
        if t.condition is not None and any(a.kind == "staff" for a in t.condition.atoms):
            atoms = tuple(
                dataclasses.replace(
                    a,
                    constant=a.constant * m.post_factor.get(a.item or "", 1.0) + m.spare.get(a.item or "", 0),
                    per_household=a.per_household * m.post_factor.get(a.item or "", 1.0),
                )
                if a.kind == "staff"
                else a
                for a in t.condition.atoms
            )
            new = dataclasses.replace(new, condition=Condition(atoms, t.condition.text))
        if t.condition is not None and any(a.kind == "trained" and a.item in m.train_factor for a in t.condition.atoms):
            atoms = tuple(
                dataclasses.replace(a, of_staff=a.of_staff * m.train_factor[a.item])
                if a.kind == "trained" and a.item in m.train_factor
                else a
                for a in new.condition.atoms  # type: ignore[union-attr]
            )
            new = dataclasses.replace(new, condition=Condition(atoms, t.condition.text))
        if (staff_kind := t.city_staff or t.city_average) is not None and t.at_least is not None:
            f = m.post_factor.get(staff_kind, 1.0)
            new = dataclasses.replace(new, at_least=tuple(x * f for x in t.at_least))
        if lead := m.lead_years(t.name):
            if new.share is not None:
                share = list(new.share)
                new = dataclasses.replace(new, share=tuple(max(share[k : k + lead + 1]) for k in range(years)))
            if new.keys_by is not None:
                new = dataclasses.replace(new, keys_by=max(1, new.keys_by - lead))
        if new.count is not None and any(tn == t.name for tn, _ in m.opened):
            new = dataclasses.replace(
                new, count=tuple(c + m.opened.get((t.name, y), 0) for y, c in enumerate(new.count, start=1))
            )
        if new.share is not None and any(tn == t.name for tn, _ in m.extra):
            share = list(new.share)
            for k in range(years):
                extra = m.extra.get((t.name, k + 1), 0)
                if extra:
                    share[k] = min(1.0, (communities_required(share[k], n) + extra) / n)
            new = dataclasses.replace(new, share=tuple(share))
        targets.append(new)
    return dataclasses.replace(scenario, targets=tuple(targets))


def vacancy(sim: SimulationResult, kind: str, quantile: float) -> float:
    """The ``quantile`` over replications of the share of posts of ``kind`` empty at year ends."""
    cols = sim.columns[3:]
    if f"posts_{kind}" not in cols:
        return 0.0
    j_post, j_staff = cols.index(f"posts_{kind}"), cols.index(f"staff_{kind}")
    shares = []
    for rep in sim.replications:
        ends = rep.timeseries[11::12]
        posts, staff = ends[:, :, j_post].sum(axis=1), ends[:, :, j_staff].sum(axis=1)
        shares += [max(0.0, 1 - s / p) for s, p in zip(staff, posts, strict=True) if p > 0]
    return float(np.quantile(shares, quantile)) if shares else 0.0


def open_in_time(p: SimulationParameters, months: int, projects: int = 1) -> float:
    """The probability that ``projects`` projects of one community, funded at the start of a
    plan year, have all opened ``months`` months later, as the model draws them: one
    construction lag for the community's projects of the year (log-normal, median
    ``construction_lag_months``, spread ``construction_lag_sigma``, whole months) and for
    each project on its own a year's deferral (``project_deferral_share``). A project funded
    in month 1 opens in month 1 + lag (+ 12 if deferred) and counts at the end of month
    ``months`` if it opened by then."""

    def lag_at_most(m: int) -> float:
        if m < 0:
            return 0.0
        if p.construction_lag_months <= 0:
            return 1.0
        if p.construction_lag_sigma <= 0:
            return float(round(p.construction_lag_months) <= m)
        z = math.log((m + 0.5) / p.construction_lag_months) / p.construction_lag_sigma
        return 0.5 * math.erfc(-z / math.sqrt(2))

    late, sure = lag_at_most(months - 1), lag_at_most(months - 13)  # in time undeferred / even if deferred
    return sure + (late - sure) * (1 - p.project_deferral_share) ** projects


@dataclass(frozen=True)
class Ceiling:
    """The most probability any plan can give a requirement that every community it counts
    must meet by building: each community lacking something builds it from the start of
    year 1 at the earliest, and all must have opened by the year's end."""

    probability: float
    communities: int  # communities that must build
    projects: int  # their projects (at least one per missing facility, one for space)
    months: int  # from the plan's start to the end of the requirement's year
    each: float  # the probability that one project opens in time
    keys: bool = False  # the communities are the key communities

    def text(self) -> str:
        who = "key communit" if self.keys else "communit"
        return (
            f"at most {self.probability:.2g} at any cost: {self.projects} project{'s' * (self.projects != 1)} in "
            f"{self.communities} {who}{'ies' if self.communities != 1 else 'y'} "
            f"must each open within {self.months} months of the plan's start, each does with probability "
            f"{self.each:.3f} (the model's construction lags and deferrals)"
        )


def ceiling(scenario: Scenario, name: str, kind: str, year: int) -> Ceiling | None:
    """The :class:`Ceiling` of a ``keys_by`` requirement, or of a ``share`` requirement of every
    community, whose condition needs building; None for any other (more communities can
    make up for late ones) or when extensions may change how projects run.

    Communities' projects are counted from what they lack at the start (a facility the
    condition names; space below its bound, developers' space due by then included): a
    lower bound on what they must build, so the ceiling is an upper bound."""
    t = scenario.target(name)
    if t.condition is None or not _builds(t) or scenario.extensions:
        return None
    n = len(scenario.communities)
    if kind == "keys_by":
        counted = np.array([c.key for c in scenario.communities])
    elif kind == "share" and t.share is not None and communities_required(t.share[year - 1], n) == n:
        counted = np.ones(n, dtype=bool)
    else:
        return None
    space = np.array([c.space_m2 for c in scenario.communities], dtype=float)
    index = {c.id: i for i, c in enumerate(scenario.communities)}
    for d in scenario.developer_space:
        if d.due_year <= year and d.community in index:
            space[index[d.community]] += d.m2
    households = scenario.households(year)
    projects = np.zeros(n, dtype=np.int64)
    for a in t.condition.atoms:
        if a.kind == "has":
            projects += np.array([a.item not in c.facilities for c in scenario.communities], dtype=np.int64)
    short_of_space = np.zeros(n, dtype=bool)
    for a in t.condition.atoms:
        if a.kind == "space":
            short_of_space |= space < np.asarray(a.bound(households), dtype=float) - 1e-6
    projects += short_of_space
    months = 12 * year
    builds = projects[counted & (projects > 0)]
    if not len(builds):
        return None
    prob = math.prod(open_in_time(scenario.simulation, months, int(k)) for k in builds)
    each = open_in_time(scenario.simulation, months)
    return Ceiling(prob, len(builds), int(builds.sum()), months, each, kind == "keys_by")


def every_target_ceiling(scenario: Scenario) -> tuple[float, str] | None:
    """The most probability any plan, at any budget, can give *every* target at once: the
    least :func:`ceiling` over the requirements (meeting all needs each), and that
    requirement's line; None when no requirement has a ceiling. chifeng_2008: 0.00068 (the
    standard's 26 key communities in year 1), so no budget lifts the probability of meeting
    every target above 0 there, whatever the plan."""
    found = [(c, r) for r in scenario.requirements if (c := ceiling(scenario, r.target, r.kind, r.year)) is not None]
    if not found:
        return None
    c, r = min(found, key=lambda cr: cr[0].probability)
    return c.probability, f"{r.target} ({r.kind}), year {r.year}: {c.text()}"


def _key(rr: RequirementResult) -> Key:
    return (rr.requirement.target, rr.requirement.kind, rr.requirement.year)


def _aim(confidence: float, replications: int) -> float:
    """P plus half a standard error of an estimate from ``replications``: an in-sample
    estimate that only just reaches P is as likely as not to fall short out of sample."""
    return min(1.0, confidence + 0.5 * math.sqrt(confidence * (1 - confidence) / replications))


def _as_original(result: PlanResult, scenario: Scenario, m: Margins) -> PlanResult:
    """The tightened solve reported against the scenario's own requirements."""
    original = scenario.planning()
    assert result.plan is not None
    levels = planned_levels(PlanData.from_scenario(original), result.plan)
    reqs = [
        RequirementResult(
            r,
            levels[r],
            None,
            marginal_status="not computed: a confidence plan (its margins are learned from the simulation)",
        )
        for r in original.requirements
    ]
    return dataclasses.replace(result, scenario=original, requirements=reqs)


def plan_with_confidence(
    scenario: Scenario,
    confidence: float,
    *,
    replications: int = 20,
    seed: int | None = None,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 1e-4,
    max_iterations: int = 12,
    simulate_fn: Callable[..., SimulationResult] = simulate,
    say: Callable[[str], None] = lambda _msg: None,
    start: Margins | None = None,
    mode: str = "min-cost",
    early_replications: int | None = None,
    cache: dict[str, SimulationResult] | None = None,
) -> ConfidencePlan:
    """The cheapest plan found whose requirements each reach ``confidence`` in sample (see the module).

    ``start``: margins to begin from (those of a lower level).
    ``mode="max-attainment"``: within the scenario's budget, the plan that buys the most
    reliability (see the module: "With a budget"). ``early_replications``: replications of
    the rounds before the last (default half of ``replications``, at least 8); a round
    short of nothing at that size is extended to ``replications`` before it is accepted.
    ``simulate_fn``: :func:`model.runner.simulate` or a function with its keywords (``first`` included).
    ``cache``: in-sample simulations by plan, shared between calls on the same scenario and
    seed (the levels of :func:`price_of_confidence`: each starts from the plan the level
    below ended with, already simulated).
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (not {confidence})")
    if mode not in ("min-cost", "max-attainment"):
        raise ValueError(f"mode must be min-cost or max-attainment (not {mode})")
    scenario = counted_at(scenario, confidence)
    scenario, set_aside = without_attrition(scenario)
    if set_aside:
        say(
            "the planning assumption attrition ("
            + ", ".join(f"{k} {a:g}" for k, a in set_aside.items())
            + ") is set aside: the margins learned from the simulation's exits take its place"
        )
    inner = in_sample_seed(scenario.seed if seed is None else seed)
    early = min(replications, early_replications or max(8, replications // 2))
    full_aim = _aim(confidence, replications)  # a ceiling below it is named as the reason
    m = (start or Margins()).copy()
    before = m.copy()  # the margins before the last round's tightening
    paper: set[Key] | None = None  # with a budget: the requirements the first plan meets on paper

    def solve(margins: Margins) -> PlanResult:
        try:
            return optimize.solve(
                tightened(scenario, margins),
                mode=mode,
                solver=solver,
                time_limit=time_limit,
                gap=gap,
                marginal_costs=False,
                # after the first plan the loop only asks whether the margins leave a plan; the
                # first, if infeasible, is the answer, and the planner reads why
                explain_infeasible=result is None,
            )
        except PlanCheckError as e:  # the solver's answer failed its self-check: treat these margins as unusable
            say(f"margins set aside: {str(e).splitlines()[0]}")
            failed = Outcome("error", None, None, 0.0, detail="self-check failed")
            return PlanResult.without_plan(
                tightened(scenario, margins).planning(), mode, solver, failed, None, str(e), {}
            )

    def ok(solved: PlanResult) -> bool:
        """Margins are kept only in full: at minimum cost, while a plan exists; with a budget,
        while the plan still meets, on paper and tightened, every requirement the first plan met."""
        if not solved.feasible:
            return False
        return paper is None or all(
            rr.shortfall is not None and rr.shortfall < 1e-6 for rr in solved.requirements if _key(rr) in paper
        )

    # by plan: a round whose plan did not change is not simulated again
    sims: dict[str, SimulationResult] = {} if cache is None else cache

    def sim_key(solved: PlanResult) -> str:
        """What the simulation of a plan depends on beyond the scenario the caller keeps."""
        return json.dumps([inner, [d.counted for d in scenario.developer_space], solved.plan_rows()], default=str)

    def ran(solved: PlanResult) -> int:
        """In-sample replications of the plan already simulated (by this level or one below)."""
        have = sims.get(sim_key(solved))
        return 0 if have is None else len(have.replications)

    def simulated(solved: PlanResult, n: int) -> SimulationResult:
        """``n`` in-sample replications of the plan; those already run are reused (replication r
        depends only on the seed and r), so extending 10 to 20 runs only 10 more."""
        plan = plan_from_result(solved, scenario)
        key = sim_key(solved)
        have = sims.get(key)
        done = 0 if have is None else len(have.replications)
        if done < n:
            more = simulate_fn(scenario, plan, replications=n, seed=inner, first=done)
            sims[key] = (
                more
                if have is None
                else dataclasses.replace(have, replications=[*have.replications, *more.replications])
            )
        found = sims[key]
        return dataclasses.replace(found, replications=found.replications[:n])

    capped: dict[Key, float | None] = {}

    def held_to(key: Key, aim: float) -> float:
        """The aim, or P itself for a requirement whose ceiling (what no money lifts) lies
        between them: no plan would pass it at the aim, and every margin bought for it
        would be wasted (tutorial at P = 0.95: the standard's keys in year 2, ceiling 0.971)."""
        return confidence if confidence <= cap(key) < aim else aim

    def cap(key: Key) -> float:
        """The requirement's ceiling (1 when none), computed once."""
        if key not in capped:
            c = ceiling(scenario, *key)
            capped[key] = None if c is None else c.probability
        found = capped[key]
        return 1.0 if found is None else found

    def out_of_reach(key: Key) -> bool | None:
        """Whether the requirement's ceiling lies below P; None when it has none."""
        cap(key)
        found = capped[key]
        return None if found is None else found < confidence

    def beyond_reach(key: Key, sim: SimulationResult) -> bool:
        """No margin lifts it to P: a ceiling below P, an outcome only the simulation judges,
        every lever it has already used up or refused by the capacity or budget, or (with a
        budget) not met even on paper."""
        return (
            cap(key) < confidence
            or (paper is not None and key not in paper)
            or _simulation_only(scenario.target(key[0]))
            or not _tighten(scenario, m.copy(), [key], sim, confidence, {})
        )

    seen: dict[Key, list[tuple[int, int, float]]] = {}  # (round, replications, p) of the rounds it was short

    def stalled(key: Key) -> bool:
        """Short in each of the last ``STALL_ROUNDS`` + 1 rounds (same sample size), tightened
        after each, and never above the first of them: its margins do not bite (the standard's
        keys read staff, but fail on a late one-stop centre: more posts every round move nothing)."""
        last = seen.get(key, [])[-(STALL_ROUNDS + 1) :]
        return (
            len(last) == STALL_ROUNDS + 1
            and all(b[0] == a[0] + 1 and b[1] == a[1] for a, b in zip(last, last[1:], strict=False))
            and max(p for _, _, p in last[1:]) <= last[0][2] + 1e-12
        )

    record: list[dict[str, Any]] = []
    result: PlanResult | None = None
    unreachable: list[str] = []
    short: list[Key] = []
    unpaid: list[str] = []
    sim: SimulationResult | None = None  # the last round's in-sample simulation
    gaps: dict[Key, float] = {}
    if start is not None and _released(scenario, m, ("start",), out_of_reach):
        # margins the capacity or budget refused below may fit here, where leads held only
        # for requirements now beyond reach give way: try them again (margins only grow
        # otherwise, so without such leads what was refused below stays refused)
        m.blocked = {
            b
            for b in m.blocked
            if b[0] in ("lead", "lead_more") and _lead_beyond_reach(scenario, b[1], b[0] == "lead_more", out_of_reach)
        }
        before = m.copy()
    for k in range(1, max_iterations + 1):
        say(f"confidence {confidence:g}: plan {k}")
        solved = solve(m)
        if not ok(solved):
            if result is None:  # the targets cannot be met even on paper: the deterministic answer stands
                return ConfidencePlan(solved, m, confidence, False, record, [], attrition_set_aside=set_aside)
            # the round's changes together are impossible (capacity, budget): keep those that fit, one at a time
            m, kept = _keep_feasible(
                before, m, solve, ok, lambda m, change: _released(scenario, m, change, out_of_reach)
            )
            if kept is None:  # every change was refused and is now set aside: the round's other levers, if any
                before = m.copy()
                assert sim is not None  # a plan was simulated before any round could tighten
                if _tighten(scenario, m, short, sim, confidence, gaps):
                    continue
                unreachable = [
                    _why_short(
                        scenario,
                        key,
                        confidence,
                        "every further margin makes the targets impossible (capacity or budget limits)",
                        m,
                        below=full_aim,
                    )
                    for key in short
                ]
                break
            solved = kept
        if mode == "max-attainment" and paper is None:
            paper = {_key(rr) for rr in solved.requirements if rr.shortfall is not None and rr.shortfall < 1e-6}
        result = solved
        n = early
        while True:
            sim = simulated(solved, n)
            probs = {(r["target"], r["kind"], r["year"]): r["probability_met"] for r in sim.requirements(scenario)}
            # a smaller sample is held to P itself (its half standard error would over-tighten:
            # at 10 replications and P = 0.9 only 10 of 10 would pass); the full sample to the aim
            aim = _aim(confidence, n) if n >= replications else confidence
            short = [key for key, p in probs.items() if p is not None and p < held_to(key, aim)]
            if n >= replications or not all(beyond_reach(key, sim) for key in short):
                break
            if n > early:  # extending: stop once a liftable requirement already fails the full sample
                aim = full_aim
                failed = [
                    key
                    for key, p in probs.items()
                    if p is not None
                    and _fails(p, n) > _allowed(held_to(key, aim), replications)
                    and not beyond_reach(key, sim)  # the dearer test last: it tries the margins
                ]
                if failed:
                    short = failed + short
                    break
            # short of nothing a margin can lift in a smaller sample: the full sample says whether
            # it holds at the aim (a plan is accepted, and the liftable judged, only at full size),
            # simulated a few replications at a time so that a plan failing it stops early
            n = min(replications, max(n + EXTEND_STEP, ran(solved)))  # what is already simulated is read whole
        record.append(
            {
                "iteration": k,
                "total_cost": solved.total_cost,
                "replications": n,
                "short_in_sample": len(short),
                "worst_in_sample": min((p for p in probs.values() if p is not None), default=None),
                "margins": m.describe(),
            }
        )
        if not short:
            return ConfidencePlan(
                _as_original(solved, scenario, m), m, confidence, True, record, [], attrition_set_aside=set_aside
            )
        if paper is not None:  # with a budget: what it does not buy even on paper cannot be made reliable
            unpaid = [
                f"{t} ({kind}), year {y}: not met even on paper within the budget"
                for t, kind, y in short
                if (t, kind, y) not in paper
            ]
            short = [key for key in short if key in paper]
        gaps = {key: aim - p for key, p in probs.items() if p is not None}
        for key in short:
            seen.setdefault(key, []).append((k, n, float(probs[key] or 0.0)))
        left = {key for key in short if stalled(key)}
        before = m.copy()
        tighten = [key for key in short if key not in left]
        changed = bool(tighten) and _tighten(scenario, m, tighten, sim, confidence, gaps)
        if not changed:
            unreachable = [
                _why_short(
                    scenario,
                    key,
                    confidence,
                    _stalled_words(float(probs[key] or 0.0)) if key in left else "nothing left to tighten",
                    m,
                    below=full_aim,
                )
                for key in short
            ]
            break
    else:  # out of rounds: what the last round left short, and why where known
        last = f"still short after {max_iterations} round{'s' * (max_iterations != 1)}"
        unreachable = [_why_short(scenario, key, confidence, last, m, below=full_aim) for key in short]
    assert result is not None  # the first iteration either returned or found a plan
    return ConfidencePlan(
        _as_original(result, scenario, m),
        m,
        confidence,
        False,
        record,
        unpaid + unreachable,
        attrition_set_aside=set_aside,
    )


def _stalled_words(p: float) -> str:
    return f"its margins stopped lifting it: {p:.2f} in sample, unchanged over the last {STALL_ROUNDS} rounds"


def _fails(p: float, n: int) -> int:
    """Replications of ``n`` in which a requirement met with frequency ``p`` failed."""
    return round((1 - p) * n)


def _allowed(aim: float, n: int) -> int:
    """The most failures of ``n`` replications that still leave a requirement at ``aim``."""
    return math.floor(n * (1 - aim) + 1e-9)


def _simulation_only(t: Target) -> bool:
    return t.evaluated_by == "simulation" or (t.condition is not None and t.condition.simulated)


def _why_short(
    scenario: Scenario,
    key: Key,
    confidence: float,
    otherwise: str,
    m: Margins | None = None,
    below: float | None = None,
) -> str:
    """Why a requirement the loop leaves short of P stays short: a ceiling no money lifts
    (:func:`ceiling`) below ``below`` (default P; the loop passes the in-sample aim), an
    outcome only the simulation judges, a margin that no longer fits the capacity or budget
    (blocked in ``m``), or ``otherwise``."""
    name, kind, year = key
    t = scenario.target(name)
    why = otherwise
    words = {
        "factor": "posts of {}",
        "spare": "a spare post of {}",
        "train": "training places of {}",
        "lead": "an earlier plan",
        "extra": "more communities",
        "opened": "more facilities opened",
    }
    words["lead_more"] = words["lead"]
    blocked = sorted(
        words[b[0]].format(b[1])
        for b in (m.blocked if m is not None else ())
        if b[1] in _staff_kinds(t) | _trained_kinds(t) or b[1] == name or b[1] == (name, year)
    )
    if (c := ceiling(scenario, name, kind, year)) is not None and c.probability < (below or confidence):
        why = c.text() + _early_building_set_aside(name, confidence, m)
    elif _simulation_only(t):
        why = "judged by the simulation only; the plan has no lever for it"
    elif kind == "count":
        late = "a count of facilities opened in the year, where one that runs late counts in the next"
        more = f"its further margins ({', '.join(dict.fromkeys(blocked))}) make the targets impossible"
        why = f"{late}; {more} (capacity or budget limits)" if blocked else f"{late}; {otherwise}"
    elif blocked:
        margins = ", ".join(dict.fromkeys(blocked))
        why = f"its further margins ({margins}) make the targets impossible (capacity or budget limits)"
    return f"{name} ({kind}), year {year}: {why}"


def _early_building_set_aside(name: str, confidence: float, m: Margins | None) -> str:
    """Why a requirement beyond reach may fall far below its ceiling: the plan no longer builds
    it early (chifeng_2008 at P = 0.9: the culture rooms, ceiling 0.71, met with 0 once their
    lead gave way to space-200), or "" when it does."""
    if m is None or not any(b[0] in ("lead", "lead_more") and b[1] == name for b in m.blocked):
        return ""
    early = "early" if name not in m.lead else "a further year early"
    return f"; building it {early} was set aside: the capacity and budget go first to what can reach {confidence:g}"


def _keep_feasible(
    before: Margins,
    wanted: Margins,
    solve: Callable[[Margins], PlanResult],
    ok: Callable[[PlanResult], bool] = lambda r: r.feasible,
    release: Callable[[Margins, tuple[Any, ...]], list[Margins]] = lambda _m, _c: [],
) -> tuple[Margins, PlanResult | None]:
    """From ``before``, apply the changes ``wanted`` made one at a time, keeping each that
    leaves a plan possible (``ok``: with a budget, one that still affords what it met) and
    blocking the others; the margins reached and their solve.

    A change that does not fit is tried again on each of ``release(m, change)``: the margins
    giving up, least first, what they hold only for requirements beyond reach (see
    :func:`_released`), so that capacity and budget go first to what can still reach P."""
    m, kept = before.copy(), None
    m.blocked |= wanted.blocked
    for change in wanted.changes_since(before):
        found = None
        for base in (m, *release(m, change)):
            for step in _smaller(change, base):
                trial = base.with_change(step)
                result = solve(trial)
                if ok(result):
                    found = trial, result
                    break
            if found is not None:
                m, kept = found
                break
        else:
            m.blocked.add(change[:2])
    return m, kept


def _released(
    scenario: Scenario, m: Margins, change: tuple[Any, ...], out_of_reach: Callable[[Key], bool | None]
) -> list[Margins]:
    """``m`` giving up the early building it holds only for requirements beyond reach (a
    ceiling below P), least first: without such longer leads, then without such leads at all;
    what is given up is set aside. Empty when ``m`` holds none, or when ``change`` is itself
    such a margin. ``out_of_reach(key)``: True for a ceiling below P, False for one at or
    above it, None for no ceiling.

    Which requirements a lead serves: :func:`_lead_beyond_reach`. Best effort for
    what cannot reach P must not take the capacity or budget a reachable requirement needs:
    on chifeng_2008 the culture rooms' two-year lead, bought at P = 0.5 (ceiling 0.71), took
    the year-1 projects space-200 needed at P = 0.9, which then held with 0.175 out of sample.
    """

    def beyond(target: str, lead_more: bool) -> bool:
        return _lead_beyond_reach(scenario, target, lead_more, out_of_reach)

    if change[0] in ("lead", "lead_more") and beyond(change[1], change[0] == "lead_more"):
        return []
    shorter = m.copy()
    for t in sorted(m.lead_more):
        if beyond(t, True) or (t in m.lead and beyond(t, False)):
            del shorter.lead_more[t]
            shorter.blocked.add(("lead_more", t))
    none = shorter.copy()
    for t in sorted(m.lead):
        if beyond(t, False):
            none.lead.discard(t)
            none.blocked |= {("lead", t), ("lead_more", t)}
    out = [shorter] if shorter.lead_more != m.lead_more else []
    return out + ([none] if none.lead != m.lead else [])


def _lead_beyond_reach(
    scenario: Scenario, target: str, lead_more: bool, out_of_reach: Callable[[Key], bool | None]
) -> bool:
    """Whether ``target``'s lead (``lead_more``: its longer lead) serves only requirements
    beyond reach: a lead serves the target's later years and its keys; a longer lead (bought
    only where more communities cannot help) the requirements that have a ceiling."""
    served = [
        k
        for r in scenario.requirements
        if (k := (r.target, r.kind, r.year))[0] == target
        and (out_of_reach(k) is not None if lead_more else k[1] == "keys_by" or (k[1] == "share" and k[2] > 1))
    ]
    return bool(served) and all(out_of_reach(k) for k in served)


def _smaller(change: tuple[Any, ...], m: Margins) -> list[tuple[Any, ...]]:
    """A change, then smaller ones to try when it does not fit: a budget or a capacity that
    cannot take the whole margin may still take part of it. Posts and training places: half
    the step when at least half a step. Extra communities and facilities (whole numbers):
    the excess halved, rounding up, down to one (3 → 2 → 1, 8 → 4 → 2 → 1)."""
    kind = change[0]
    if kind in ("factor", "train"):
        now = (m.post_factor if kind == "factor" else m.train_factor).get(change[1], 1.0)
        half = now + (change[2] - now) / 2
        unit = FACTOR_STEP if kind == "factor" else TRAIN_STEP
        return [change, (kind, change[1], half)] if half - now >= unit / 2 else [change]
    if kind in ("extra", "opened"):
        now = (m.extra if kind == "extra" else m.opened).get(change[1], 0)
        steps, excess = [], change[2] - now
        while excess >= 1:
            steps.append((kind, change[1], now + excess))
            excess = 0 if excess == 1 else math.ceil(excess / 2)
        return steps or [change]
    return [change]


def _tighten(
    scenario: Scenario,
    m: Margins,
    short: list[tuple[str, str, int]],
    sim: SimulationResult,
    confidence: float,
    gaps: dict[tuple[str, str, int], float],
) -> bool:
    """Tighten the margins for the requirements short of ``confidence`` (by ``gaps``, in
    probability); whether anything changed."""
    changed = False
    n = len(scenario.communities)
    fresh: set[Any] = set()  # targets, staff kinds and ("train", kind) tightened in this round: one step each
    for name, kind, year in short:
        t = scenario.target(name)
        moved = False
        for s in sorted(_staff_kinds(t)):
            now = m.post_factor.get(s, 1.0)
            if s in fresh:
                moved = True
                continue
            if s in _condition_kinds(t) and s not in m.spare and ("spare", s) not in m.blocked:
                m.spare[s] = 1  # first a spare post in each community held to the condition
                fresh.add(s)
                moved = True
                continue
            if now >= MAX_FACTOR or ("factor", s) in m.blocked:
                continue
            learned = 1.0 / max(1e-9, 1.0 - vacancy(sim, s, confidence))
            step = FACTOR_STEP * (2 if gaps.get((name, kind, year), 0.0) > 0.2 else 1)  # far short: a double step
            m.post_factor[s] = min(MAX_FACTOR, max(now + step, learned if s not in m.post_factor else 0.0))
            fresh.add(s)
            moved = True
        for s in sorted(_trained_kinds(t)):
            now = m.train_factor.get(s, 1.0)
            if ("train", s) in fresh:
                moved = True
                continue
            if now >= MAX_TRAIN_FACTOR or ("train", s) in m.blocked:
                continue
            learned = places_needed(sim, s, confidence) + TRAIN_STEP
            step = TRAIN_STEP * (2 if gaps.get((name, kind, year), 0.0) > 0.2 else 1)
            m.train_factor[s] = min(MAX_TRAIN_FACTOR, max(now + step, learned if s not in m.train_factor else 0.0))
            fresh.add(("train", s))
            moved = True
        leads = t.share is not None or t.keys_by is not None  # a count of facilities opened in a year has no lead
        if (
            _builds(t)
            and leads
            and year > 1
            and ("lead", name) not in m.blocked
            and (name not in m.lead or name in fresh)
        ):
            m.lead.add(name)
            fresh.add(name)
            moved = True
        if not moved and kind == "share" and t.share is not None:
            required = communities_required(t.share[year - 1], n) + m.extra.get((name, year), 0)
            if required < n and ("extra", (name, year)) not in m.blocked:
                step = _short_by(sim, (name, kind, year), confidence, communities_required(t.share[year - 1], n))
                m.extra[name, year] = m.extra.get((name, year), 0) + min(n - required, max(1, step))
                moved = True
        if not moved and kind == "count" and t.count is not None and ("opened", (name, year)) not in m.blocked:
            # facilities opened in the year: plan more of them, for those that open late
            step = _short_by(sim, (name, kind, year), confidence, t.count[year - 1])
            m.opened[name, year] = m.opened.get((name, year), 0) + max(1, step)
            moved = True
        if not moved and _builds(t) and kind in ("share", "keys_by") and ("lead_more", name) not in m.blocked:
            # more communities cannot help (every community, or the keys): build a year earlier still
            if name in fresh:
                moved = True
            elif name in m.lead and m.lead_years(name) < _latest_lead(t, kind, year):
                m.lead_more[name] = m.lead_more.get(name, 0) + 1
                fresh.add(name)
                moved = True
        changed |= moved
    return changed


def _latest_lead(t: Target, kind: str, year: int) -> int:
    """The most years early a requirement of ``year`` can be planned: to year 1 (for the
    keys, their year comes first)."""
    return (t.keys_by or 1) - 1 if kind == "keys_by" else year - 1


def _trained_kinds(t: Target) -> set[str]:
    if t.condition is None:
        return set()
    return {a.item for a in t.condition.atoms if a.kind == "trained" and a.item is not None}


def places_needed(sim: SimulationResult, kind: str, quantile: float) -> float:
    """The training places per post a plan needed, learned from its simulation: the
    ``quantile`` over replications and years of the largest, over the communities that
    trained anyone that year (those given places), of ``(posts + u − 1) / posts``, ``u``
    the holders of ``kind``'s posts not trained that year at its end (replacements hired
    after the places were used). Places are bought whole, ``⌈q × posts⌉``, so any ``q``
    above this gives every such community ``u`` more places; 1 when nobody was left out.
    A share of all communities must hold in the worst of them."""
    cols = sim.columns[3:]
    if f"trained_{kind}" not in cols or f"posts_{kind}" not in cols:
        return 1.0
    j_post, j_staff, j_trained = (cols.index(f"{c}_{kind}") for c in ("posts", "staff", "trained"))
    worst = []
    for rep in sim.replications:
        for y, end in enumerate(rep.timeseries[11::12]):
            posts, staff, trained = end[:, j_post], end[:, j_staff], end[:, j_trained]
            left_out = np.maximum(0.0, staff - trained)
            has = (posts > 0) & (left_out > 0) & (rep.timeseries[12 * y : 12 * y + 12, :, j_trained].max(axis=0) > 0)
            worst.append(float(np.max((posts[has] + left_out[has] - 1) / posts[has], initial=1.0)))
    return float(np.quantile(worst, quantile)) if worst else 1.0


def _short_by(sim: SimulationResult, key: Key, confidence: float, required: int) -> int:
    """How many units (communities of a share, facilities of a count) a requirement falls
    short by in the replications' worst 1 − P: one round's step, instead of one unit a round."""
    name, kind, year = key
    achieved = [a[4] for rep in sim.replications for a in rep.attainment if a[:3] == (year, name, kind)]
    if not achieved:
        return 1
    return math.ceil(required - float(np.quantile(achieved, 1 - confidence)) - 1e-9)


def chain(
    scenario: Scenario, levels: Iterable[float], screen_above: float | None = None, **kw: Any
) -> Iterator[tuple[float, ConfidencePlan]]:
    """Each of ``levels``, lowest first, with its plan: each loop starts from the margins the
    level below ended with (margins grow with P, but for leads that give way to what can
    reach it: see the module) and shares its simulations; a level
    whose targets cannot be met even on paper ends the chain. Levels above ``screen_above``
    are screened: every round on :data:`SCREEN_REPLICATIONS` replications (where the caller
    asks for more), so they never change a level at or below it."""
    start: Margins | None = None
    shared: dict[str, SimulationResult] = {}
    for p in sorted(set(levels)):
        level_kw = kw
        if _screened(p, screen_above, kw):
            level_kw = {**kw, "replications": SCREEN_REPLICATIONS, "early_replications": SCREEN_REPLICATIONS}
        cp = plan_with_confidence(scenario, p, start=start, cache=shared, **level_kw)
        yield p, cp
        if not cp.result.feasible:
            return
        start = cp.margins


def _screened(p: float, screen_above: float | None, kw: dict[str, Any]) -> bool:
    """Whether :func:`chain` judges level ``p`` on :data:`SCREEN_REPLICATIONS` replications."""
    return screen_above is not None and p > screen_above and SCREEN_REPLICATIONS < kw.get("replications", 20)


def levels_to(confidence: float) -> list[float]:
    """The levels :func:`plan_at` passes through to reach ``confidence``: the curve's below it, and it."""
    return [*(p for p in LEVELS if p < confidence), confidence]


def plan_at(scenario: Scenario, confidence: float, **kw: Any) -> ConfidencePlan:
    """The plan at ``confidence`` as the price curve finds it, through the curve's levels
    below it: ``plan --confidence P`` and ``run --confidence P`` give the same plan, and a
    level's plan costs less than a lower level's only where requirements beyond reach at it
    gave up their early building. Each loop is a search whose path matters: each run on its
    own, tutorial's P = 0.95 plan cost less than its P = 0.9 plan.

    With a budget (``mode="max-attainment"``) there is no curve to agree with: the loop
    starts from nothing, as it does at each budget of ``sweep --confidence``."""
    if kw.get("mode", "min-cost") != "min-cost":
        return plan_with_confidence(scenario, confidence, **kw)
    plans = dict(chain(scenario, levels_to(confidence), **kw))
    return plans[confidence] if confidence in plans else plans[max(plans)]


def price_of_confidence(
    scenario: Scenario, chosen: float, levels: tuple[float, ...] = LEVELS, **kw: Any
) -> tuple[ConfidencePlan, list[dict[str, Any]]]:
    """The plan at ``chosen``, and the total cost at the deterministic level and each of
    ``levels`` (with ``chosen``): one :func:`chain`, so the curve costs little more than its top.

    Each row names the targets that drive the premium (those the level's margins tighten) and
    the requirements no plan brings to the level (``beyond_reach``): a level where more of them
    are beyond reach can cost less than the one below, since their early building gives way
    to what can still reach it (chifeng_2008: 0.5 costs more than 0.8). Levels above ``chosen``
    are screened (:func:`chain`), and their rows say on how many replications (``screened``).
    """
    plans = dict(chain(scenario, [*levels, chosen], screen_above=chosen, **kw))
    rows: list[dict[str, Any]] = []
    for p, cp in plans.items():
        if not cp.result.feasible:
            break
        if not rows:
            first = cp.iterations[0]["total_cost"] if cp.iterations else cp.result.total_cost
            rows.append({"confidence": None, "total_cost": first, "drivers": []})
        rows.append(
            {
                "confidence": p,
                "total_cost": cp.result.total_cost,
                "reached_in_sample": cp.reached_in_sample,
                "drivers": drivers(scenario, cp.margins),
                "beyond_reach": beyond_reach_at(scenario, p),
                "screened": SCREEN_REPLICATIONS if _screened(p, chosen, kw) else None,
            }
        )
    base = rows[0]["total_cost"] if rows else None
    for r in rows:
        r["premium"] = None if not base else r["total_cost"] / base - 1
    return plans[chosen] if chosen in plans else plans[max(plans)], rows


def beyond_reach_at(scenario: Scenario, confidence: float) -> list[dict[str, Any]]:
    """The requirements whose :func:`ceiling` lies below ``confidence``: no plan brings them to it."""
    return [
        {"target": r.target, "kind": r.kind, "year": r.year}
        for r in scenario.requirements
        if (c := ceiling(scenario, r.target, r.kind, r.year)) is not None and c.probability < confidence
    ]


def drivers(scenario: Scenario, m: Margins) -> list[str]:
    """The targets a set of margins tightens, in the scenario's order."""
    kinds = {s for s, f in m.post_factor.items() if f > 1} | {s for s, k in m.spare.items() if k > 0}
    out = []
    for t in scenario.targets:
        if t.name in m.lead or any(name == t.name for name, _ in [*m.extra, *m.opened]) or _staff_kinds(t) & kinds:
            out.append(t.name)
    return out


def annotate(summary: dict[str, Any], plan: ConfidencePlan | None) -> dict[str, Any]:
    """summary.json's ``confidence`` (null when deterministic) and the loop's record."""
    out = dict(summary)
    out["confidence"] = None if plan is None else plan.confidence
    if plan is not None:
        out["confidence_plan"] = {
            "reached_in_sample": plan.reached_in_sample,
            "price": plan.price,
            "margins": plan.margins.describe(),
            "iterations": plan.iterations,
            "unreachable": plan.unreachable,
            "attrition_set_aside": plan.attrition_set_aside,
        }
    return out
