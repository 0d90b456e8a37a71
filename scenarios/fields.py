"""The scenario file's keys: type, default, range and meaning, declared once.

The loader checks files against these declarations and ``docs/scenario-format.md`` is
generated from them (``python -m scenarios.reference``), so the reference cannot drift.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, is_dataclass
from dataclasses import fields as dc_fields
from typing import Any

from scenarios import limits as L
from scenarios.parameters import SimulationParameters

REQUIRED: Any = object()


@dataclass(frozen=True)
class Key:
    """One key of a table.

    ``kind`` is one of: ``str``, ``name`` (letters, digits, ``-``, ``_``), ``int``, ``float``,
    ``bool``, ``path``, ``names`` (list of strings), ``floats_by_year`` / ``ints_by_year``
    (a number for every year, or a list of one per plan year), ``int_map`` / ``float_map``
    (a table of numbers by staff or facility kind), ``bool_map`` (a table of true/false by name).
    """

    name: str
    kind: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the bound ``low`` itself is not allowed
    example: str | None = None  # a right value, shown when the value has the wrong type
    limit: L.Limit | None = None  # the documented plausibility limit that sets ``high``, with its reason

    def __post_init__(self) -> None:
        if self.limit is not None and self.high is None:
            object.__setattr__(self, "high", self.limit.value)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


SCENARIO = (
    Key("name", "name", REQUIRED, "short name, used in output folder names"),
    Key("title", "str", None, "one line a planner reads at the top of a report (default: the name)"),
    Key("years", "int", REQUIRED, "plan horizon in years; the simulation runs 12 × years months", 1, L.YEARS.value),
    Key("start_year", "int", 1, "calendar year of plan year 1, for labels", 1, limit=L.START_YEAR),
    Key("seed", "int", 0, "root of every random draw (generation and simulation)", 0, limit=L.SEED),
    Key(
        "extensions",
        "names",
        (),
        'simulation extensions by module name, e.g. ["extensions.parking"] (see docs/extending.md)',
        example='["extensions.parking"]',
    ),
    Key(
        "model",
        "str",
        None,
        'a CommunityModel subclass to simulate instead of the core model, as "package.module:Class"; '
        "its code runs like an extension's (see docs/extending.md)",
        example='"mypackage.models:TimeBankModel"',
    ),
)

COSTS = (
    Key(
        "average_wage",
        "float",
        REQUIRED,
        "local average urban wage per year; staff pay is a share of it",
        0,
        limit=L.MONEY,
    ),
    Key("space_build_per_m2", "float", REQUIRED, "capital cost of one m² of service space", 0, limit=L.MONEY),
    Key("space_running_per_m2", "float", REQUIRED, "running cost of one m² per year", 0, limit=L.MONEY),
    Key(
        "space_project_fixed",
        "float",
        REQUIRED,
        "fixed cost of any space project in one community in one year",
        0,
        limit=L.MONEY,
    ),
    Key("discount_rate", "float", 0.0, "yearly discount rate applied to costs (0 = undiscounted)", 0, 1),
)

FACILITY = (
    Key("build", "float", REQUIRED, "capital cost of opening one", 0, limit=L.MONEY),
    Key("running", "float", REQUIRED, "running cost per year once open", 0, limit=L.MONEY),
    Key("space_m2", "float", 0.0, "service space it occupies (the community must have the room)", 0, limit=L.SPACE),
)

STAFF = (
    Key("hire", "float", 0.0, "one-off cost of a hire", 0, limit=L.MONEY),
    Key("base_pay_share", "float", REQUIRED, "today's pay as a share of average_wage", 0, limit=L.PAY_SHARE),
    Key(
        "pay_share",
        "floats_by_year",
        None,
        "pay policy by plan year as a share of average_wage (default: base_pay_share)",
        0,
        limit=L.PAY_SHARE,
    ),
    Key("attrition", "float", 0.0, "expected yearly share leaving, a planning assumption", 0, 1, False),
    Key("training", "float", 0.0, "cost of training one person of this kind (a training place)", 0, limit=L.MONEY),
    Key(
        "funded_by",
        "str",
        None,
        "who pays this kind's hires and pay instead of the plan's budget, e.g. \"police bureau\" "
        "(reported apart in cost_by_source)",
        example='"police bureau"',
    ),
    Key(
        "hours_per_month",
        "float",
        174.0,
        "hours one person of this kind is present in the community a month, for staff_hours_at_least "
        "(default 174: full time, 21.75 days × 8 hours, China's statutory monthly working time)",
        0,
        744,
        True,
    ),
)

#: Cost lines a co-funder may share (``[[funding]] lines``).
FUNDED_LINES = ("space", "facilities", "hires", "pay", "funds", "training")
#: What ``[budget] minimise`` may say.
MINIMISE = ("city", "total")

FUNDING = (
    Key("source", "str", REQUIRED, 'who pays, e.g. "street offices" (any name but "city")', example='"street offices"'),
    Key("lines", "names", REQUIRED, f"cost lines it shares: some of {', '.join(FUNDED_LINES)}", example='["space"]'),
    Key("share", "float", REQUIRED, "share of those lines' cost it pays (0.2: 20 %)", 0, 1, True),
    Key("at_most", "floats_by_year", None, "most it pays in each plan year (default: no cap)", 0, limit=L.BUDGET),
)

BUDGET = (
    Key("per_year", "floats_by_year", None, "most the plan may spend in each year", 0, limit=L.BUDGET),
    Key("total", "float", None, "most the plan may spend over all years", 0, limit=L.BUDGET),
    Key(
        "max_share_per_year",
        "float",
        None,
        "no plan year may take more than this share of the plan's total spending (0.45: 45 %)",
        0,
        1,
        True,
    ),
    Key(
        "minimise",
        "str",
        "city",
        'what the optimiser minimises: "city" (the city\'s own cost, after co-funders and staff paid by others) '
        "or \"total\" (everyone's); budgets always bound the city's own cost",
    ),
)

CAPACITY = (
    Key(
        "projects_per_year",
        "ints_by_year",
        None,
        "projects the city can run in a year: a community's space addition in a year is one, each facility opened is one",
        0,
        limit=L.PROJECTS,
    ),
    Key(
        "hires_per_year",
        "int_map",
        {},
        "hires the labour market supplies in a year, city-wide, by staff kind (a kind not named: no limit)",
        0,
        limit=L.CITY_STAFF,
    ),
    Key(
        "hires_per_community_per_year",
        "int",
        None,
        "hires one community can take on in a year, all kinds together",
        0,
        limit=L.STAFF,
    ),
    Key(
        "space_m2_per_year",
        "floats_by_year",
        None,
        "service space the city can add in a year, all communities together (m²)",
        0,
        limit=L.CITY_SPACE,
    ),
)

COMMUNITY = (
    Key("id", "name", REQUIRED, "unique id, used in plan.csv"),
    Key("name", "str", None, "display name in any script, e.g. 幸福社区: charts and tables show it beside the id"),
    Key("households", "int", REQUIRED, "households today", 0, limit=L.HOUSEHOLDS),
    Key("space_m2", "float", 0.0, "office and service space today (m²)", 0, limit=L.SPACE),
    Key("key", "bool", False, "a key (pilot) community"),
    Key("facilities", "names", (), "facility kinds it already has"),
    Key("staff", "int_map", {}, "staff it already has, by kind", 0, limit=L.STAFF),
    Key("household_growth", "float", 0.0, "yearly growth of households (0.02 = 2 %)", -1, None, True, limit=L.GROWTH),
    Key(
        "max_space_added_m2", "float", None, "most space it can add in one year (default: unbounded)", 0, limit=L.SPACE
    ),
    Key("household_size", "float", 3.0, "mean persons per household", 1, limit=L.HOUSEHOLD_SIZE),
    Key("elderly_share", "float", 0.25, "share of households with a member aged 60 or over", 0, 1),
    Key("village_to_residence", "bool", False, "a former village (村改居): older residents, lower participation"),
    Key("lon", "float", None, "longitude in degrees (optional: communities are then drawn on a plain map)", -180, 180),
    Key("lat", "float", None, "latitude in degrees (optional, with lon)", -90, 90),
    Key(
        "office_m2",
        "float",
        None,
        "the office part of space_m2 (m²), at most space_m2; needed by office_share_at_most [seed 001]",
        0,
        limit=L.SPACE,
    ),
    Key(
        "new_development",
        "bool",
        False,
        "a new residential area still filling up: it forms its own residents' committee once occupancy "
        "reaches [simulation] committee_occupancy [seed 001]",
    ),
    Key(
        "dwellings",
        "int",
        None,
        "with new_development: homes when full, occupancy = households / dwellings "
        "(default: the households of the last plan year)",
        1,
        limit=L.HOUSEHOLDS,
    ),
)

GENERATE = (
    Key("communities", "int", REQUIRED, "number of communities", 1, limit=L.COMMUNITIES),
    Key("households_mean", "float", 1500.0, "households per community: normal mean …", 1, limit=L.HOUSEHOLDS),
    Key("households_sd", "float", 300.0, "… and standard deviation, clipped to the range below", 0, limit=L.HOUSEHOLDS),
    Key("households_min", "int", 500, "smallest community", 1, limit=L.HOUSEHOLDS),
    Key("households_max", "int", 20_000, "largest community", 1, limit=L.HOUSEHOLDS),
    Key("household_size_mean", "float", 3.0, "mean persons per household: normal mean …", 1, limit=L.HOUSEHOLD_SIZE),
    Key("household_size_sd", "float", 0.2, "… and standard deviation (clipped at 1)", 0, limit=L.HOUSEHOLD_SIZE),
    Key("elderly_share_mean", "float", 0.25, "share of elderly households: beta mean …", 0, 1, True),
    Key("elderly_share_sd", "float", 0.05, "… and standard deviation", 0, 1),
    Key("space_m2_median", "float", 150.0, "space today: log-normal median (m²) …", 0, limit=L.SPACE),
    Key("space_m2_sigma", "float", 0.5, "… and sigma of its logarithm", 0, 3),
    Key("keys", "int", 0, "number of key communities, chosen at random", 0, limit=L.COMMUNITIES),
    Key("facilities", "float_map", {}, "share of communities that already have each facility kind", 0, 1),
    Key(
        "households_per_staff",
        "float_map",
        {},
        "existing staff: one per this many households (rounded)",
        L.HOUSEHOLDS_PER_STAFF.value,
        limit=L.HOUSEHOLDS,
    ),
    Key("staff", "int_map", {}, "existing staff: this many per community, added to the above", 0, limit=L.STAFF),
    Key("village_to_residence_share", "float", 0.0, "share of communities that are former villages", 0, 1),
    Key("household_growth", "float", 0.0, "yearly household growth of every community", -1, None, True, limit=L.GROWTH),
    Key("id_prefix", "name", "c", "community ids are this prefix and a number"),
)

TARGET_NAME = Key("name", "name", REQUIRED, "unique name, used in reports and plan.csv's meets_<name> columns")

#: When a staff condition is read in the simulation (the plan's posts are the same all year).
MEASURED = ("year_end", "annual_average")
TARGET_OPTIONS = (
    Key(
        "where",
        "bool_map",
        None,
        "with city_average: the communities the mean covers, by community field (village_to_residence, key), "
        "e.g. { village_to_residence = false }; left out: every community",
    ),
    Key(
        "measured",
        "str",
        "year_end",
        "when a staff condition is read in the simulation: year_end (people in post in the year's last "
        "month) or annual_average (the year's mean, counting months a post stood empty)",
    ),
)

#: Per-community condition keys: exactly one per target (or ``city_staff``).
CONDITIONS = (
    Key("space_at_least", "float", REQUIRED, "space_m2 ≥ A", 0, limit=L.SPACE),
    Key(
        "space_per_100_households",
        "float",
        REQUIRED,
        "space ≥ k m² per 100 households",
        0,
        None,
        True,
        limit=L.SPACE_PER_100,
    ),
    Key("has", "str", REQUIRED, "the community has this facility kind"),
    Key(
        "staff_per_households",
        "float_map",
        REQUIRED,
        "one staff member of kind s per n households",
        L.HOUSEHOLDS_PER_STAFF.value,
        limit=L.HOUSEHOLDS,
    ),
    Key("staff_at_least", "float_map", REQUIRED, "at least m staff of kind s", 0, limit=L.STAFF),
    Key(
        "satisfied_at_least",
        "float",
        REQUIRED,
        "share of the community's households satisfied ≥ s at the year's end (simulated only)",
        0,
        1,
    ),
    Key(
        "organisations_at_least",
        "float",
        REQUIRED,
        "organisations alive in the community ≥ n at the year's end (simulated only)",
        0,
        limit=L.ORGANISATION_SIZE,
    ),
    Key(
        "participation_at_least",
        "float",
        REQUIRED,
        "share of households taking part in community life in a month ≥ p, the year's mean (simulated only)",
        0,
        1,
    ),
    Key(
        "funds_at_least",
        "float",
        REQUIRED,
        "yuan paid into the community's working fund in the year ≥ A (a plan decision with its own cost line)",
        0,
        None,
        True,
        limit=L.MONEY,
    ),
    Key(
        "trained_at_least",
        "float_map",
        REQUIRED,
        "people of kind s trained in the year ≥ p × that kind's staff in post at the year's end",
        0,
        1,
    ),
    Key(
        "served_share_at_least",
        "float_map",
        REQUIRED,
        "share of the year's needs of service s served in the community ≥ p, e.g. { mediation = 0.98 } "
        "(simulated only)",
        0,
        1,
    ),
    Key(
        "staff_hours_at_least",
        "float_map",
        REQUIRED,
        "hours a month staff of kind s are present in the community ≥ h (staff × hours_per_month)",
        0,
        744 * L.STAFF.value,
    ),
    Key(
        "cobuilding_at_least",
        "float",
        REQUIRED,
        "share of the community's organisations taking part in co-building (supported, or at half "
        "strength or more) ≥ p at the year's end (simulated only)",
        0,
        1,
    ),
    Key(
        "office_share_at_most",
        "float",
        REQUIRED,
        "office_m2 ≤ p × space_m2: the office part of the space at most this share [seed 001: 0.15]",
        0,
        1,
        True,
    ),
    Key("standard", "names", REQUIRED, "all the named targets' conditions at once"),
    Key("city_staff", "str", REQUIRED, "city-wide condition on the total stock of a staff kind (with at_least)"),
    Key(
        "city_average",
        "str",
        REQUIRED,
        "city-wide condition on the mean per community (with at_least, optionally where) of organisations, "
        "satisfied, participation (simulated) or a staff kind (planned) [seed 004]",
    ),
)

#: Requirement keys: one or more per target.
REQUIREMENTS = (
    Key("share", "floats_by_year", None, "share of communities meeting the condition, by year", 0, 1),
    Key("keys_by", "int", None, "every key community meets it from this plan year on", 1, limit=L.YEARS),
    Key(
        "count",
        "ints_by_year",
        None,
        "with has: facilities of that kind opened city-wide in each year",
        0,
        limit=L.COMMUNITIES,
    ),
    Key(
        "at_least",
        "floats_by_year",
        None,
        "with city_staff: city-wide stock, by year; with city_average: the mean per covered community, by year",
        0,
        limit=L.CITY_STAFF,
    ),
)

#: ``[[developer_space]]``: space developers owe a community (seed 004: 33 agreements, 8 delivered).
DEVELOPER_SPACE = (
    Key("community", "name", REQUIRED, "the id of the community the space is owed to"),
    Key("m2", "float", REQUIRED, "service space owed (m²)", 0, None, True, limit=L.SPACE),
    Key("due_year", "int", REQUIRED, "plan year the developer is due to hand it over", 1, limit=L.YEARS),
    Key(
        "delivery_probability",
        "float",
        8 / 33,
        "chance it is handed over when due (default 8/33 ≈ 0.24: seed 004's 8 of 33 agreements)",
        0,
        1,
    ),
    Key(
        "counted",
        "bool",
        False,
        "the deterministic plan counts on it from due_year (default: it does not; --confidence decides itself)",
    ),
)

TOP_LEVEL = (
    "scenario",
    "costs",
    "facilities",
    "staff",
    "budget",
    "capacity",
    "communities",
    "communities_csv",
    "generate",
    "targets",
    "funding",
    "simulation",
    "extension",
    "developer_space",
)


def simulation_keys() -> tuple[Key, ...]:
    """The ``[simulation]`` table's keys, taken from the model's parameter dataclass."""
    out = []
    for f in dc_fields(SimulationParameters):
        default = f.default_factory() if callable(f.default_factory) else f.default
        assert default is not MISSING  # every simulation parameter has a default
        if isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        elif isinstance(default, float):
            kind = "float"
        else:
            kind = "float_map"
        doc = f.metadata["doc"] + f" [{f.metadata['source']}]"
        out.append(
            Key(
                f.name,
                kind,
                dict(default) if kind == "float_map" else default,
                doc,
                f.metadata["low"],
                f.metadata["high"],
                limit=f.metadata.get("limit"),
            )
        )
    return tuple(out)


def extension_keys(declaration: type) -> tuple[Key, ...]:
    """The keys of an ``[extension.<name>]`` table, from the dataclass the extension names as
    its ``parameters``: each field's default sets its type (bool, int, float or string) and
    its metadata (``doc``, ``unit``, ``low``, ``high``, as ``model.extensions.parameter``
    writes it) the check. Raises TypeError for a field that cannot be a scenario key."""
    if not isinstance(declaration, type) or not is_dataclass(declaration):
        raise TypeError("parameters must be a dataclass (e.g. @dataclass(frozen=True) class Parameters: ...)")
    out = []
    for f in dc_fields(declaration):
        default = f.default
        if default is MISSING:
            raise TypeError(f"parameter {f.name!r} has no default: give every parameter a default value")
        if isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        elif isinstance(default, float):
            kind = "float"
        elif isinstance(default, str):
            kind = "str"
        else:
            raise TypeError(f"parameter {f.name!r} has default {default!r}: a parameter is a bool, int, float or str")
        meta = f.metadata
        unit = f" ({meta['unit']})" if meta.get("unit") else ""
        out.append(Key(f.name, kind, default, (meta.get("doc") or f.name) + unit, meta.get("low"), meta.get("high")))
    return tuple(out)
