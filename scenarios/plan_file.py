"""plan.csv, the plan's file: its columns, its rows, and the one parser that reads it back.

Column names are the contract (the README's "What a run writes"): ``community, year,
space_added_m2, space_m2``, then ``open_<u>, has_<u>`` per facility kind, ``hire_<s>,
staff_<s>`` per staff kind, ``meets_<target>`` per per-community target. ``meets`` is
evaluated with :meth:`Condition.holds` (the definition the simulation uses too).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from scenarios import limits as L
from scenarios.plan import PlanArrays, PlanData, stocks_from_decisions, stocks_in_year
from scenarios.problems import MISSING, Problem, ScenarioError, Unreadable, did_you_mean, open_regular
from scenarios.schema import Scenario


class PlanFileError(ScenarioError, ValueError):
    """A plan.csv that does not fit the scenario: every problem, each with file, line, column and fix.

    A :class:`~scenarios.problems.ScenarioError` (``.problems``; ``str()`` is the planner's
    report), so ``commplan`` reports it like a bad scenario file (exit 1).
    """


def plan_header(scenario: Scenario) -> list[str]:
    cols = ["community", "year", "space_added_m2", "space_m2"]
    for u in scenario.facilities:
        cols += [f"open_{u}", f"has_{u}"]
    for s in scenario.staff:
        cols += [f"hire_{s}", f"staff_{s}"]
    cols += _flow_columns(scenario)
    cols += [f"meets_{t.name}" for t in scenario.targets if t.per_community]
    return cols


def _flow_columns(scenario: Scenario) -> list[str]:
    """``funds`` and ``trained_<s>``: the year's working funds and people trained, where the scenario plans them."""
    cols = ["funds"] if scenario.uses_funds else []
    return cols + [f"trained_{s}" for s in PlanData.from_scenario(scenario).trained_kinds]


def plan_table(scenario: Scenario, plan: PlanArrays) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of plan.csv: one row per community and plan year."""
    data = PlanData.from_scenario(scenario)
    conditions = [t.condition for t in scenario.targets if t.condition is not None]
    meets = {}
    for t in data.T:
        st = stocks_in_year(data, plan, t)
        meets[t] = [condition.holds(st) for condition in conditions]
    rows = []
    for i, cid in enumerate(plan.ids):
        for t in data.T:
            c = t - 1
            row: list[Any] = [cid, t, float(plan.space_added[i, c]), float(round(plan.space[i, c], 6))]
            for u in scenario.facilities:
                row += [int(plan.opened[u][i, c]), int(plan.has[u][i, c])]
            for s in scenario.staff:
                row += [int(plan.hires[s][i, c]), float(round(plan.staff[s][i, c], 6))]
            if scenario.uses_funds:
                row.append(float(round(plan.funds_or_zero()[i, c], 6)))
            row += [int(plan.trained_or_zero(s)[i, c]) for s in data.trained_kinds]
            row += [int(m[i]) for m in meets[t]]
            rows.append(row)
    return plan_header(scenario), rows


KIND_PREFIXES = ("open_", "has_", "hire_", "staff_", "trained_")


def required_columns(scenario: Scenario) -> list[str]:
    """The columns a plan must have: who, when, and the decisions (space, openings, hires)."""
    return (
        ["community", "year", "space_added_m2"]
        + [f"open_{u}" for u in scenario.facilities]
        + [f"hire_{s}" for s in scenario.staff]
        + _flow_columns(scenario)
    )


def _numbered(rows: Iterable[Mapping[str, Any]]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Rows with the file line each ends on (a csv.DictReader knows it; otherwise row k is line k + 1)."""
    if isinstance(rows, csv.DictReader):
        for row in rows:
            yield rows.line_num, row
    else:
        yield from enumerate(rows, start=2)


def _header_of(rows: Iterable[Mapping[str, Any]], first: Mapping[str, Any] | None) -> list[str]:
    if isinstance(rows, csv.DictReader):
        return [c for c in (rows.fieldnames or []) if c is not None]
    return [] if first is None else [str(c) for c in first if c is not None]


def _extra_cells(row: Mapping[Any, Any]) -> Any:
    """The cells beyond the header's columns: csv.DictReader puts them under the key None."""
    return row.get(None)


def parse_plan_rows(rows: Iterable[Mapping[str, Any]], scenario: Scenario, source: str = "plan") -> PlanArrays:
    """The one parser of plan.csv's rows (a ``csv.DictReader``, or dicts from the optimiser).

    Strict, because the simulation executes what it reads: a plan must have the columns
    of :func:`required_columns`, exactly one row per community of the scenario and plan
    year (``1..Y``, or calendar years ``start_year..``), ``open_*`` and ``has_*`` of 0 or
    1, whole non-negative ``hire_*`` and non-negative ``space_added_m2`` within the
    plausibility limits (:mod:`scenarios.limits`), and non-negative numbers for space and
    staff stocks (``staff_*`` may be fractional: the planning attrition). The stock columns
    ``space_m2``, ``has_*`` and ``staff_*`` are derived from the decisions when a plan
    leaves them out, and must agree with them when given (a plan that says one thing in
    its decisions and another in its stocks is refused, not half executed); a facility
    opened where one already is, or held and then gone, is a contradiction too.
    ``meets_*`` and unknown columns are informative and ignored, but a
    ``open_/has_/hire_/staff_`` column of a kind the scenario does not declare is a mistake.

    Raises one :class:`PlanFileError` listing every problem, each with ``source``, line,
    column and what to write instead.
    """
    problems: list[Problem] = []

    def problem(line: int | None, column: str, value: Any, message: str) -> None:
        problems.append(Problem(source, line, column, value, message))

    numbered = _numbered(rows)
    first = next(numbered, None)
    header = _header_of(rows, None if first is None else first[1])
    ids = scenario.community_ids
    index = {cid: i for i, cid in enumerate(ids)}
    n, Y, y0 = len(ids), scenario.years, scenario.start_year
    needed = required_columns(scenario)
    contract = [c for c in plan_header(scenario) if not c.startswith("meets_")]
    if not header:
        problem(
            None,
            "",
            MISSING,
            f"the plan is empty: it needs a header row with the columns {', '.join(contract)}, then one row per community and plan year",
        )
        raise PlanFileError(problems)
    widest = 4 + 4 * int(L.KINDS.value) + int(L.TARGETS.value) + 100  # the contract's, meets_*, and some notes
    if len(header) > widest:
        problem(1, "", MISSING, f"the header has {len(header):,} columns; a plan has at most {widest:,}")
        raise PlanFileError(problems)
    seen_cols: set[str] = set()
    for col in header:
        if col in seen_cols:
            problem(1, col, MISSING, "appears twice in the header; keep one column of each name")
        seen_cols.add(col)
    kinds = {
        "open_": scenario.facilities,
        "has_": scenario.facilities,
        "hire_": scenario.staff,
        "staff_": scenario.staff,
        "trained_": PlanData.from_scenario(scenario).trained_kinds,
    }
    for col in header:
        for prefix in KIND_PREFIXES:
            if col.startswith(prefix) and col[len(prefix) :] not in kinds[prefix]:
                what = (
                    "facility" if prefix in ("open_", "has_") else "trained staff" if prefix == "trained_" else "staff"
                )
                problem(
                    1,
                    col,
                    MISSING,
                    f'"{col[len(prefix) :]}" is not a {what} kind of scenario {scenario.name}; {did_you_mean(col, [prefix + k for k in kinds[prefix]])}',
                )
                break
    missing = [c for c in needed if c not in seen_cols]
    if missing:
        spare = [c for c in header if c not in contract]
        hints = [
            f"{c} ({did_you_mean(c, spare)})" if spare and did_you_mean(c, spare).startswith("did") else c
            for c in missing
        ]
        problem(
            1,
            ", ".join(hints),
            MISSING,
            f"missing from the header; a plan for scenario {scenario.name} needs the columns {', '.join(needed)} (and may give {', '.join(c for c in contract if c not in needed)})",
        )
    if problems:
        raise PlanFileError(problems)

    value_cols = [c for c in contract[2:] if c in seen_cols]
    arr = {c: np.zeros((n, Y)) for c in value_cols}
    at: dict[tuple[int, int], int] = {}  # (community, year) -> the line that gave it
    explained: set[tuple[int, int]] = set()  # community-years a misspelt community's row stands for

    def year_of(text: Any) -> int | None:
        try:
            y = float(text)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(y) or not y.is_integer():
            return None
        y = int(y)
        t = y - 1 if 1 <= y <= Y else y - y0
        return t if 0 <= t < Y else None

    def rule(col: str) -> tuple[bool, str, float | None]:
        """(whole, the fix, the most it may be) for a value column."""
        if col.startswith("open_"):
            return True, f"must be 0 or 1: whether the community opens a {col[5:]} that year", 1
        if col.startswith("hire_"):
            return (
                True,
                f"must be a whole number 0 or more, at most {L.STAFF}: how many {col[5:]} staff the community "
                f"hires that year ({L.STAFF.reason})",
                L.STAFF.value,
            )
        if col.startswith("has_"):
            return True, f"must be 0 or 1: whether the community has a {col[4:]} at the end of that year", 1
        if col.startswith("staff_"):
            return (
                False,
                f"must be a number 0 or more: the {col[6:]} staff at the end of that year (may be fractional)",
                None,
            )
        if col.startswith("trained_"):
            return (
                True,
                f"must be a whole number 0 or more, at most the {col[8:]} staff in post that year: people trained",
                L.STAFF.value,
            )
        if col == "funds":
            return (
                False,
                f"must be yuan 0 or more, at most {L.MONEY}: paid into the working fund that year",
                L.MONEY.value,
            )
        if col == "space_added_m2":
            return (
                False,
                f"must be a number of m² (0 or more), at most {L.SPACE} in one year ({L.SPACE.reason})",
                L.SPACE.value,
            )
        return False, "must be a number of m² (0 or more)", None

    rules = {c: rule(c) for c in value_cols}
    for line, row in ([first] if first is not None else []) + list(numbered):
        if _extra_cells(row):
            problem(
                line,
                "",
                MISSING,
                f"has more cells than the header's {len(header)} columns; remove the extra cells or add their column names",
            )
        cid = row.get("community")
        cid = cid.strip() if isinstance(cid, str) else cid
        t = year_of(row.get("year"))
        if row.get("year") is None or str(row.get("year")).strip() == "" or t is None:
            problem(
                line,
                "year",
                row.get("year") if row.get("year") is not None else MISSING,
                f"must be a plan year 1–{Y} (or a calendar year {y0}–{y0 + Y - 1})",
            )
        if cid not in index:
            if cid in (None, ""):
                problem(line, "community", MISSING, "is empty; write the id of one of the scenario's communities")
            else:
                hint = did_you_mean(str(cid), index)
                problem(line, "community", cid, f"not a community of {scenario.name}; {hint}")
                close = difflib.get_close_matches(str(cid), list(index), n=1, cutoff=0.6)
                if close and t is not None:
                    explained.add((index[close[0]], t))
            continue
        if t is None:
            continue
        i = index[cid]
        if (i, t) in at:
            problem(
                line,
                "year",
                row.get("year"),
                f"a second row for community {cid}, year {t + 1} (the first is line {at[i, t]}); keep one row per community and plan year",
            )
            continue
        at[i, t] = line
        for col in value_cols:
            text = row.get(col)
            whole, fix, most = rules[col]
            if text is None or (isinstance(text, str) and text.strip() == ""):
                problem(line, col, MISSING, "is empty; " + fix)
                continue
            try:
                v = float(text)
            except (TypeError, ValueError):
                problem(line, col, text, fix)
                continue
            bad = not math.isfinite(v) or v < 0 or (whole and not v.is_integer()) or (most is not None and v > most)
            if bad:
                problem(line, col, text, fix)
                continue
            arr[col][i, t] = v
    if first is None:
        problem(
            None,
            "",
            MISSING,
            f"the plan has no rows: it needs one row per community and plan year ({n} × {Y} = {n * Y} rows)",
        )
    else:
        for i, cid in enumerate(ids):
            absent = [t + 1 for t in range(Y) if (i, t) not in at and (i, t) not in explained]
            if not absent:
                continue
            if len(absent) == Y and not any((i, t) in at for t in range(Y)):
                what = f"has no rows at all (years {', '.join(map(str, absent))}): the plan would leave it untouched"
            else:
                what = f"has no row for year{'s' if len(absent) > 1 else ''} {', '.join(map(str, absent))}"
            problem(
                None, "community", cid, f"{what}; add one row for each plan year 1–{Y} (zeros where nothing is planned)"
            )
    if problems:
        raise PlanFileError(problems)

    data = PlanData.from_scenario(scenario)
    x = arr["space_added_m2"]
    opened = {u: arr[f"open_{u}"] for u in scenario.facilities}
    hires = {s: arr[f"hire_{s}"] for s in scenario.staff}
    funds = arr["funds"] if "funds" in arr else None
    trained = {s: arr[f"trained_{s}"] for s in data.trained_kinds}
    derived = stocks_from_decisions(data, x, opened, hires, funds, trained)
    problems += _contradictions(scenario, data, arr, derived, at, source)
    if problems:
        raise PlanFileError(problems)
    return PlanArrays(
        ids=tuple(ids),
        years=Y,
        space_added=x,
        space=arr.get("space_m2", derived.space),
        opened=opened,
        has={u: arr.get(f"has_{u}", derived.has[u]) for u in scenario.facilities},
        hires=hires,
        staff={s: arr.get(f"staff_{s}", derived.staff[s]) for s in scenario.staff},
        funds=funds,
        trained=trained,
    )


#: Stocks given in plan.csv agree with the decisions' within this much (the file rounds to 6 decimals).
STOCK_TOLERANCE = 1e-5


def _contradictions(
    scenario: Scenario,
    data: PlanData,
    arr: dict[str, np.ndarray],
    derived: PlanArrays,
    at: dict[tuple[int, int], int],
    source: str,
) -> list[Problem]:
    """Where the plan contradicts itself: a facility opened where one already is, a facility
    held and then gone, a stock column that the decisions do not give. Each names its lines."""
    out: list[Problem] = []
    ids, Y = scenario.community_ids, scenario.years

    def report(i: int, t: int, col: str, value: Any, message: str) -> None:
        out.append(Problem(source, at[i, t], col, value, message))

    def shown(x: float) -> str:
        return f"{x:.6g}"

    def since(held: int, i: int) -> str:
        return "the scenario lists it today" if held < 0 else f"opened in year {held + 1}, line {at[i, held]}"

    for u in scenario.facilities:
        opened = arr[f"open_{u}"]
        first: dict[int, int] = {}  # community -> the year index its facility u came: -1 today
        for i in range(len(ids)):
            if data.has0[u][i]:
                first[i] = -1
            for t in range(Y):
                if opened[i, t]:
                    if i in first:
                        report(
                            i, t, f"open_{u}", "1", f"opens a {u} where one already is ({since(first[i], i)}); write 0"
                        )
                    else:
                        first[i] = t
        if f"has_{u}" not in arr:
            continue
        has = arr[f"has_{u}"]
        for i in range(len(ids)):
            fell = [t for t in range(1, Y) if has[i, t - 1] == 1 and has[i, t] == 0]
            for t in fell:
                report(
                    i,
                    t,
                    f"has_{u}",
                    "0",
                    f"the community has a {u} in year {t} (line {at[i, t - 1]}) and none in year {t + 1}: a plan "
                    "closes no facility; write 1, or do not open it",
                )
            if fell:
                continue
            for t in range(Y):
                want = 1.0 if i in first and first[i] <= t else 0.0
                if has[i, t] != want:
                    why = (
                        f"it has one ({since(first[i], i)})"
                        if want
                        else f"none is there today or opened by year {t + 1}"
                    )
                    report(
                        i,
                        t,
                        f"has_{u}",
                        shown(has[i, t]),
                        f"disagrees with the openings: {why}; write {want:.0f} or leave the column out",
                    )
                    break
    stock_cols = [("space_m2", derived.space, "space today plus the m² added up to this year")]
    stock_cols += [
        (
            f"staff_{s}",
            derived.staff[s],
            f"today's {s} staff plus the hires up to this year, less attrition of {data.attr[s]:g} a year",
        )
        for s in scenario.staff
    ]
    for col, expected, how in stock_cols:
        if col not in arr:
            continue
        given = arr[col]
        off = ~np.isclose(given, expected, rtol=1e-9, atol=STOCK_TOLERANCE)
        for row in np.flatnonzero(off.any(axis=1)):
            k, year = int(row), int(np.argmax(off[row]))
            report(
                k,
                year,
                col,
                shown(given[k, year]),
                f"disagrees with the decisions, which give {shown(expected[k, year])} ({how}); "
                f"write {shown(expected[k, year])} or leave the column out",
            )
    q = L.TRAINING_PLACES_PER_POST.value
    for s, done in derived.trained.items():
        most = q * derived.staff[s] + 1  # places for the posts and for the replacements of leavers
        for i, t in zip(*np.nonzero(done > most + STOCK_TOLERANCE), strict=True):
            report(
                int(i),
                int(t),
                f"trained_{s}",
                shown(done[i, t]),
                f"more training places than {L.TRAINING_PLACES_PER_POST} a post and one more for the "
                f"{shown(derived.staff[s][i, t])} {s} staff in post that year; write at most "
                f"{int(np.floor(most[i, t] + STOCK_TOLERANCE))} ({L.TRAINING_PLACES_PER_POST.reason})",
            )
    for s in scenario.staff:
        city = derived.staff[s].sum(axis=0)
        if city.max(initial=0.0) > L.CITY_STAFF.value:
            t = int(np.argmax(city > L.CITY_STAFF.value))
            i = int(np.argmax(derived.staff[s][:, t]))
            report(
                i,
                t,
                f"hire_{s}",
                MISSING,
                f"the hires bring the city's {s} staff to {city[t]:,.0f} in year {t + 1}; at most {L.CITY_STAFF} "
                f"({L.CITY_STAFF.reason})",
            )
    return out


def read_plan_csv(path: str | Path, scenario: Scenario) -> PlanArrays:
    """Read a plan.csv into arrays ``[community, year-1]``: :func:`parse_plan_rows` on the file.

    The file must be a regular file (not a pipe or a device) below the size limit.
    Raises :class:`PlanFileError` (a :class:`~scenarios.problems.ScenarioError`) listing
    every problem with the file, line and column.
    """
    path = Path(path)
    reader: csv.DictReader | None = None

    def refuse(message: str, line: int | None = None) -> PlanFileError:
        return PlanFileError([Problem(str(path), line, "", MISSING, message)])

    try:
        with open_regular(path, L.PLAN_BYTES) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            return parse_plan_rows(reader, scenario, str(path))
    except FileNotFoundError:
        raise refuse("cannot read the plan: no such file") from None
    except Unreadable as err:
        raise refuse(f"cannot read the plan: it {err}") from None
    except OSError as err:
        raise refuse(f"cannot read the plan: {err.strerror or err}") from None
    except csv.Error as err:
        raise refuse(f"cannot be read as CSV: {err}; save it as CSV", reader.line_num if reader else None) from None
    except UnicodeDecodeError as err:
        raise PlanFileError(
            [
                Problem(
                    str(path),
                    None,
                    "",
                    MISSING,
                    f"is not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8 CSV",
                )
            ]
        ) from None
