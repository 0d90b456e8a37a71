"""Plausibility limits on everything a scenario, a communities CSV or a plan.csv may say.

A number beyond its limit is a typo (``1e308`` for ``1e3``), a unit mistake or an attack,
never a real city: each limit is far above any city the source plans describe, so a real
scenario never meets one, and together they keep every cost, stock and array the planner
and the simulation derive finite and of a size a computer holds. The loader and the plan
parser refuse a value beyond its limit with the limit and its reason;
``docs/scenario-format.md`` lists them all (generated from :data:`LIMITS`).

Why the money limits keep the planning program sound: a cost enters the program as the
coefficient of a decision, summed over at most :data:`YEARS` years (a running cost, or the
pay of a post kept filled) and multiplied by at most :data:`PAY_SHARE` (pay). With every
unit cost at most :data:`MONEY` the largest coefficient is ``50 × (10¹² + 10 × 10¹²)``
≈ 5.5 × 10¹⁴, below the 10¹⁵ beyond which HiGHS refuses a coefficient; and every total
(unit cost × quantity × communities × years, at most about 10²⁵) is far from the 10³⁰⁸
beyond which a float is infinite. tests/scenarios/test_inputs.py checks both, and solves a
scenario with every money value at its limit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """The most (or least) a number may be, what it bounds, and why a real city stays within."""

    value: float
    bounds: str  # what the limit applies to, in the scenario's words
    reason: str

    def __str__(self) -> str:
        return show_limit(self.value)


def show_limit(x: float) -> str:
    """A limit as a planner reads it: ``100,000``, ``1e+12``, ``0.5``."""
    if isinstance(x, int) or (float(x).is_integer() and abs(x) < 1e9):
        return f"{int(x):,}"
    return f"{x:g}"


# -------------------------------------------------------------------------------- sizes

COMMUNITIES = Limit(
    100_000,
    "communities in a scenario, by any route ([[communities]], communities_csv rows, [generate])",
    "more than any city has (Shanghai has about 6,000 residents' committees); every community is planned and simulated",
)
HOUSEHOLDS = Limit(
    100_000,
    "households of one community, today and in every plan year (growth included)",
    "five times the densest communities of the source plans (about 20,000 households, seed 004)",
)
CITY_HOUSEHOLDS = Limit(
    20_000_000,
    "households of the whole city, in any plan year",
    "more than the largest city (Chongqing, about 32 million people); each household is simulated "
    "(about 0.4 kB of memory each)",
)
GROWTH = Limit(
    1.0,
    "household_growth (yearly)",
    "households doubling every year is faster than any established community grows; a new estate "
    "filling up is better given as a community of its own",
)
HOUSEHOLD_SIZE = Limit(20, "mean persons per household", "real means are 2 to 5; 20 allows group quarters")
SPACE = Limit(
    1_000_000,
    "m² of one community: space today, a facility's space, max_space_added_m2, space_at_least, "
    "and m² added in one year in plan.csv",
    "a million m² of service space is a hundred times the largest community service centre",
)
SPACE_PER_100 = Limit(
    10_000,
    "space_per_100_households (m² per 100 households)",
    "100 m² of service space per household; the source plans ask 20 to 30 m² per 100 households",
)
STAFF = Limit(
    100_000,
    "staff of one kind in one community: staff today, staff_at_least, hires in one year in plan.csv",
    "one staff member per household of the largest community",
)
CITY_STAFF = Limit(
    1_000_000,
    "staff of one kind in the whole city: today, a city_staff target's at_least, and in any year of a plan.csv",
    "ten times the community workers of Shanghai's 6,000 communities; each staff member is simulated",
)
TRAINING_PLACES_PER_POST = Limit(
    3,
    "training places a community buys in one year in plan.csv (trained_<kind>), per staff member in post at "
    "the year's end, plus one",
    "a place for each post and for the replacements of its leavers (a --confidence plan buys these); three a "
    "post would replace every member twice in one year",
)
HOUSEHOLDS_PER_STAFF = Limit(
    1,
    "the least households per staff member (staff_per_households, households_per_staff)",
    "more than one staff member per household is not a ratio any plan sets; the source plans say "
    "one per 300 to 500 households",
)
PROJECTS = Limit(
    10_000_000,
    "projects city-wide in one year ([capacity] projects_per_year)",
    "a space project and one facility of each of 100 kinds in every community of the largest city",
)
CITY_SPACE = Limit(
    100_000_000_000,
    "m² added city-wide in one year ([capacity] space_m2_per_year)",
    "the largest space of one community in every community of the largest city",
)
KINDS = Limit(
    100,
    "facility kinds, and staff kinds, a scenario declares",
    "the source plans name five facility kinds and two staff kinds; each kind adds decisions for "
    "every community and year",
)
TARGETS = Limit(
    1_000,
    "targets in a scenario",
    "the source plans set about a dozen; each target adds constraints for every community and year",
)
LIST = Limit(100, "entries of a list of names (facilities, standard, extensions)", "as many as there may be kinds")
YEARS = Limit(50, "plan years (years)", "a plan beyond 50 years is not a plan")
START_YEAR = Limit(9999, "start_year (a calendar year, for labels)", "a four-digit year")
SEED = Limit(
    2**63 - 1, "seed", "the largest signed 64-bit whole number, so that every tool reading the seed back holds it"
)

# -------------------------------------------------------------------------------- money

MONEY = Limit(
    1e12,
    "every unit cost: average_wage, space per m², a project, a facility, a hire, a contract per month",
    "above any unit cost in any currency (a 2-million-yuan centre is about 3 × 10¹¹ Iranian rials), "
    "and it keeps the planning program's coefficients below the 10¹⁵ its solver accepts",
)
BUDGET = Limit(
    1e18,
    "budgets (per_year, total)",
    "a million times the largest unit cost; the solver reads 10²⁰ as no limit at all",
)
PAY_SHARE = Limit(10, "pay as a share of average_wage (base_pay_share, pay_share)", "ten times the average wage")

# -------------------------------------------------------------------------------- [simulation]

FACTOR = Limit(
    100,
    "[simulation] rates, multipliers and elasticities without a natural ceiling: demand_rate, "
    "vulnerable_demand_multiplier, migrant_demand_multiplier, one_stop_speedup, space_needs_per_m2, "
    "organisation_ask_effect, organisations_per_1000_households, exit_pay_elasticity, "
    "exit_workload_elasticity, workload_cap, construction_lag_sigma, "
    "cost_overrun_median, cost_overrun_sigma",
    "every default is 3 or less; within 100 the monthly draws of needs, exp(elasticity × …) and the "
    "organisations (one simulated agent each, at most one per 10 households) stay finite and small",
)
MONTH_HOURS = Limit(
    744, "hours: staff_service_hours, hours_per_need", "the hours of a 31-day month: no need takes longer"
)
LAG_MONTHS = Limit(600, "months: hiring_lag_months, construction_lag_months", "50 years, the longest plan")
ORGANISATION_SIZE = Limit(
    100_000,
    "organisation_capacity and facility_needs_per_month (needs a month), organisation_members_to_thrive (volunteers), "
    "candidates_per_10000_households (people a month)",
    "the households of the largest community",
)

# -------------------------------------------------------------------------------- text and files

NAME_LENGTH = Limit(
    64,
    "characters of a name: the scenario's, a community id, a kind, a target, id_prefix",
    "names become parts of file and column names (runs/<name>-<mode>/, meets_<name>); file names "
    "hold at most 255 bytes",
)
TEXT_LENGTH = Limit(
    200,
    "characters of a text: the title, an extension's module name, has, city_staff",
    "a title is one line at the top of a report and its charts",
)
NESTING = Limit(
    20,
    "depth of tables and lists nested in one another in the scenario file",
    "a scenario nests at most four deep (communities → a community → staff → a number)",
)
SCENARIO_BYTES = Limit(
    50_000_000,
    "size of a scenario file in bytes",
    "100,000 communities written inline take about 30 MB",
)
CSV_BYTES = Limit(
    200_000_000,
    "size of a communities_csv file in bytes",
    "100,000 communities with every column take about 15 MB",
)
PLAN_BYTES = Limit(
    2_000_000_000,
    "size of a plan.csv read by simulate --plan, in bytes",
    "a plan for 100,000 communities over 50 years with a dozen kinds takes about 1 GB",
)

#: Every limit, in the order the reference lists them.
LIMITS: tuple[Limit, ...] = (
    COMMUNITIES,
    HOUSEHOLDS,
    CITY_HOUSEHOLDS,
    GROWTH,
    HOUSEHOLD_SIZE,
    SPACE,
    SPACE_PER_100,
    STAFF,
    CITY_STAFF,
    TRAINING_PLACES_PER_POST,
    HOUSEHOLDS_PER_STAFF,
    PROJECTS,
    CITY_SPACE,
    KINDS,
    TARGETS,
    LIST,
    YEARS,
    START_YEAR,
    SEED,
    MONEY,
    BUDGET,
    PAY_SHARE,
    FACTOR,
    MONTH_HOURS,
    LAG_MONTHS,
    ORGANISATION_SIZE,
    NAME_LENGTH,
    TEXT_LENGTH,
    NESTING,
    SCENARIO_BYTES,
    CSV_BYTES,
    PLAN_BYTES,
)


def megabytes(limit: Limit) -> str:
    return f"{limit.value / 1e6:g} MB"
