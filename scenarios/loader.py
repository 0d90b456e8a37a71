"""Read a scenario file, report every problem in it at once, and build the immutable Scenario.

``load(path)`` either returns a :class:`~scenarios.schema.Scenario` or raises
:class:`~scenarios.problems.ScenarioError` listing every problem with its line. No other
exception escapes for bad input: a planner never sees a traceback.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from scenarios import fields as F
from scenarios import limits as L
from scenarios.fields import REQUIRED, Key
from scenarios.generate import generate_communities
from scenarios.modules import why_missing
from scenarios.parameters import SERVICES, SimulationParameters
from scenarios.problems import (
    MISSING,
    LineIndex,
    Problem,
    ScenarioError,
    Unreadable,
    did_you_mean,
    display_path,
    open_regular,
    read_limited,
    relative,
)
from scenarios.schema import (
    KNOWN_FACILITIES,
    KNOWN_STAFF,
    Budget,
    Capacity,
    Community,
    Costs,
    DeveloperSpace,
    FacilityKind,
    Funding,
    Scenario,
    StaffKind,
    frozen_map,
)
from scenarios.target_kinds import build_target, standard_cycle
from scenarios.targets import AVERAGED_OUTCOMES, WHERE_FIELDS
from scenarios.values import NAME, Invalid, convert, csv_value, is_number

BUNDLED = Path(__file__).parent


def bundled_scenarios() -> dict[str, Path]:
    """The scenarios shipped with commplan, by name (``tutorial``, ``county_city`` …)."""
    return {p.stem: p for p in sorted(BUNDLED.glob("*.toml"))}


def resolve_path(path: str | Path) -> Path:
    """A file path, or the name of a bundled scenario."""
    p = Path(path)
    if not p.exists() and str(path) in bundled_scenarios():
        return bundled_scenarios()[str(path)]
    return p


#: What the named extension declares as services; raises ValueError when it cannot load.
ServicesOf = Callable[[str], Sequence[str]]
#: The dataclass the named extension declares as its parameters (None: it declares none).
ParametersOf = Callable[[str], "type | None"]


def load(
    path: str | Path, services_of: ServicesOf | None = None, parameters_of: ParametersOf | None = None
) -> Scenario:
    """Load and check one scenario file (or bundled scenario name).

    ``services_of`` lets the caller (which may run extension code) check ``[simulation]``
    keys for the services extensions declare, and ``parameters_of`` the ``[extension.<name>]``
    tables against the parameters they declare; without them such keys are left for the
    model to check when it loads the extensions, and no extension code runs here.
    """
    p = resolve_path(path)
    shown = relative(p)

    def unreadable(message: str) -> ScenarioError:
        return ScenarioError([Problem(shown, None, "", MISSING, message)])

    try:
        with open_regular(p, L.SCENARIO_BYTES) as f:
            data = read_limited(f, L.SCENARIO_BYTES)
    except FileNotFoundError:
        names = ", ".join(bundled_scenarios())
        raise unreadable(f"no such file (bundled scenarios: {names})") from None
    except Unreadable as e:
        raise unreadable(str(e)) from None
    except OSError as e:
        raise unreadable(f"cannot be read: {e.strerror or e}") from None
    try:
        # universal newlines, as a text file is read; a byte-order mark (Notepad, Excel) is dropped
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
    except UnicodeDecodeError as e:
        raise unreadable(f"is not UTF-8 text ({e.reason} at byte {e.start:,}); save it as UTF-8") from None
    return loads(text, source=p, services_of=services_of, parameters_of=parameters_of)


def loads(
    text: str,
    source: Path | str | None = None,
    services_of: ServicesOf | None = None,
    parameters_of: ParametersOf | None = None,
) -> Scenario:
    """Load and check a scenario from its TOML text; ``source`` names it and anchors relative paths."""
    source = Path(source) if source is not None else None
    shown = relative(source) if source is not None else "<scenario>"
    text = text.removeprefix("\ufeff")  # a byte-order mark is not part of the TOML

    def refuse(line: int | None, message: str) -> ScenarioError:
        return ScenarioError([Problem(shown, line, "", MISSING, message)])

    if (too_big := _beyond_caps(text)) is not None:
        raise refuse(*too_big)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"^(.*?)\s*\(at line (\d+), column \d+\)$", str(e))
        message, line = (found.group(1), int(found.group(2))) if found else (str(e), None)
        raise refuse(line, f"not valid TOML: {message}") from None
    except RecursionError:
        raise refuse(_deep_line(text), _too_deep()) from None
    except ValueError as e:  # Python's own limits, e.g. an integer of more than 4,300 digits
        found = re.search(r"^([^;]*)", str(e))
        raise refuse(None, f"not valid TOML: {found.group(1).strip() if found else e}") from None
    lines = LineIndex(text)
    if (deep := _too_deep_path(data)) is not None:
        raise refuse(_deep_line(text) or lines.line(deep), _too_deep())
    return _Reader(data, lines, shown, source, services_of, parameters_of).scenario()


#: Before parsing: the headers of tables and arrays of tables, and the households of communities.
_HEADER = re.compile(r"^[ \t]*\[(\[?)[ \t]*([A-Za-z0-9_.\-\" ]+?)[ \t]*\]", re.MULTILINE)
_HOUSEHOLDS = re.compile(r"\bhouseholds[ \t]*=")
#: More tables than any scenario can hold: every community, target and kind its own, and the rest.
_MOST_TABLES = int(L.COMMUNITIES.value + L.TARGETS.value + 2 * L.KINDS.value + 20)


def _beyond_caps(text: str) -> tuple[int, str] | None:
    """The line and the message where the file holds more communities, or tables, than a
    scenario may, found before parsing it (a million communities take half a minute and a
    gigabyte to parse).

    Every community has a ``households = …``, written in a ``[[communities]]`` table or
    inline, so counting those bounds the communities from above without parsing.
    """
    cap = int(L.COMMUNITIES.value)
    for k, found in enumerate(_HOUSEHOLDS.finditer(text)):
        if k == cap:
            return text.count("\n", 0, found.start()) + 1, _too_many_communities()
    communities = 0
    for k, found in enumerate(_HEADER.finditer(text)):
        communities += found.group(1) == "[" and found.group(2) == "communities"
        if communities > cap:
            return text.count("\n", 0, found.start()) + 1, _too_many_communities()
        if k == _MOST_TABLES:
            return (
                text.count("\n", 0, found.start()) + 1,
                f"more than {_MOST_TABLES:,} tables: more than a scenario at every limit holds "
                f"({L.COMMUNITIES} communities, {L.TARGETS} targets, {L.KINDS} kinds of facilities and of staff)",
            )
    return None


def _too_many_communities() -> str:
    return (
        f"more than {L.COMMUNITIES} communities; at most {L.COMMUNITIES} ({L.COMMUNITIES.reason}). "
        "Split the city into districts, one scenario each"
    )


def _too_deep() -> str:
    return (
        f"tables and lists nested more than {L.NESTING} deep; {L.NESTING.reason}. "
        "Look for a run of unclosed [ or { brackets"
    )


def _too_deep_path(data: dict) -> tuple | None:
    """The path of a value nested deeper than the limit (dotted keys nest without brackets), or None."""
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if len(path) > L.NESTING.value:
            return path
        if isinstance(node, dict):
            stack += [((*path, k), v) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [((*path, i), v) for i, v in enumerate(node)]
    return None


_TOKEN = re.compile(r"\"\"\"|\'\'\'|[\"\'#\[\]{}\n]")
_STRING_BODY = {'"': re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*'), "'": re.compile(r"[^'\n]*")}
_CLOSE = {'"""': re.compile(r'(?<!\\)(?:\\\\)*"""'), "'''": re.compile("'''")}


def _deep_line(text: str) -> int | None:
    """The line where brackets outside strings and comments first nest deeper than the limit."""
    depth, line, i, n = 0, 1, 0, len(text)
    while (found := _TOKEN.search(text, i)) is not None:
        token, i = found.group(), found.end()
        if token == "\n":
            line += 1
        elif token == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif token in _CLOSE:  # a multi-line string
            close = _CLOSE[token].search(text, i)
            end = n if close is None else close.end()
            line += text.count("\n", i, end)
            i = end
        elif token in "\"'":  # a one-line string (a basic one has escapes)
            j = _STRING_BODY[token].match(text, i).end()  # type: ignore[union-attr]  # matches, if only ""
            i = j + 1 if j < n and text[j] == token else j
        elif token in "[{":
            depth += 1
            if depth > L.NESTING.value:
                return line
        else:
            depth = max(0, depth - 1)
    return None


# --------------------------------------------------------------------------------------
# reading the whole file


class _Reader:
    """Walks the parsed TOML once, collecting problems rather than stopping at the first."""

    def __init__(
        self,
        data: dict,
        lines: LineIndex,
        shown: str,
        source: Path | None,
        services_of: ServicesOf | None = None,
        parameters_of: ParametersOf | None = None,
    ):
        self.data, self.lines, self.file, self.source = data, lines, shown, source
        self.services_of = services_of
        self.parameters_of = parameters_of
        self.problems: list[Problem] = []
        self.years: int | None = None

    # -- reporting ---------------------------------------------------------------------
    def problem(self, path: tuple, value: Any, message: str, file: str | None = None, line: int | None = None) -> None:
        shown_path = display_path(path, self.data) if path else ""
        self.problems.append(Problem(file or self.file, line or self.lines.line(path), shown_path, value, message))

    def table(self, path: tuple, value: Any, keys: tuple[Key, ...], extra: tuple[str, ...] = ()) -> dict[str, Any]:
        """Check a table against its keys; return the valid values (defaults filled in)."""
        if not isinstance(value, dict):
            self.problem(path, value, "must be a table")
            return {}
        allowed = {k.name for k in keys} | set(extra)
        for name in value:
            if name not in allowed:
                hint = did_you_mean(name, allowed)
                if name in F.TOP_LEVEL and path:
                    hint = f"{name} belongs at the top of the file: top-level keys go before the first [table] header"
                self.problem((*path, name), MISSING, f"unknown key; {hint}")
        out: dict[str, Any] = {}
        for key in keys:
            if key.name not in value:
                if key.required:
                    self.problem(path, MISSING, f"{key.name} is required: add {key.name} = … ({key.doc})")
                else:
                    out[key.name] = key.default
                continue
            try:
                out[key.name] = convert(key, value[key.name], self.years)
            except Invalid as e:
                self.problem((*path, key.name), value[key.name], e.message)
        return out

    # -- sections ----------------------------------------------------------------------
    def scenario(self) -> Scenario:
        d = self.data
        for name in d:
            if name not in F.TOP_LEVEL:
                self.problem((name,), MISSING, f"unknown table; {did_you_mean(name, F.TOP_LEVEL)}")
        meta = self.table(("scenario",), d.get("scenario", {}), F.SCENARIO) if "scenario" in d else {}
        if "scenario" not in d:
            self.problem((), MISSING, "the [scenario] table is required (name, years …)", line=1)
        self.years = meta.get("years")
        costs = self.table(("costs",), d.get("costs", {}), F.COSTS)
        if "costs" not in d:
            self.problem((), MISSING, "the [costs] table is required (average_wage, space_build_per_m2 …)", line=1)
        facilities = self.kinds("facilities", F.FACILITY, KNOWN_FACILITIES)
        staff = self.kinds("staff", F.STAFF, KNOWN_STAFF)
        budget = self.table(("budget",), d["budget"], F.BUDGET) if "budget" in d else {}
        self.check_share(budget)
        capacity = self.capacity(staff)
        communities = self.communities(meta, facilities, staff)
        targets = self.targets(facilities, staff, communities)
        funding = self.funding(staff, budget)
        developer_space = self.developer_space(communities)
        simulation = self.table(("simulation",), d.get("simulation", {}), F.simulation_keys())
        extra_services = self.extension_services(meta.get("extensions") or ())
        self.check_simulation(simulation, extra_services)
        self.check_served_services(targets, extra_services)
        self.check_model(meta.get("model"))
        parameters = self.extension_tables(meta.get("extensions") or ())
        if self.problems:
            raise ScenarioError(self.problems)
        scenario = self.build(meta, costs, facilities, staff, budget, communities, targets, simulation, capacity)
        if funding:
            scenario = replace(scenario, funding=tuple(Funding(**f) for f in funding))
        if developer_space:
            scenario = replace(scenario, developer_space=tuple(developer_space))
        return replace(scenario, extension_parameters=frozen_map(parameters)) if parameters else scenario

    def funding(self, staff: dict, budget: dict) -> list[dict]:
        """``[[funding]]`` co-funders, staff kinds' ``funded_by``, and ``[budget] minimise``, checked."""
        if budget.get("minimise") not in F.MINIMISE and "minimise" in budget:
            self.problem(
                ("budget", "minimise"), budget["minimise"], f"must be one of: {', '.join(map(repr, F.MINIMISE))}"
            )
        for s, table in staff.items():
            payer = table.get("funded_by")
            if payer is not None and (not payer.strip() or payer.strip().lower() == "city"):
                self.problem(
                    ("staff", s, "funded_by"),
                    payer,
                    'names who pays instead of the city, e.g. "police bureau"; leave it out when the city pays',
                )
        items = self.data.get("funding", [])
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            self.problem(("funding",), MISSING, "must be written as [[funding]] tables (source, lines, share)")
            return []
        out = []
        shared: dict[str, float] = {}
        for i, item in enumerate(items):
            path = ("funding", i)
            f = self.table(path, item, F.FUNDING)
            source = f.get("source")
            if isinstance(source, str) and (not source.strip() or source.strip().lower() == "city"):
                self.problem(
                    (*path, "source"),
                    source,
                    'names a co-funder other than the city (the city pays the rest), e.g. "street offices"',
                )
            lines = f.get("lines")
            if lines is not None:
                if not lines:
                    self.problem(
                        (*path, "lines"), item.get("lines"), f"names no cost line; some of {', '.join(F.FUNDED_LINES)}"
                    )
                for line in lines:
                    if line not in F.FUNDED_LINES:
                        self.problem((*path, "lines"), line, f"not a cost line; {did_you_mean(line, F.FUNDED_LINES)}")
                    elif f.get("share") is not None:
                        shared[line] = shared.get(line, 0.0) + f["share"]
                        if shared[line] > 1 + 1e-9:
                            self.problem(
                                (*path, "share"),
                                item.get("share"),
                                f"the co-funders' shares of the {line} line add up to {shared[line]:g}, more than "
                                "the whole line; lower the shares so that they add up to 1 at most",
                            )
            if all(k in f for k in ("source", "lines", "share")):
                out.append(f)
        return out

    def developer_space(self, communities: list[dict]) -> list[DeveloperSpace]:
        """``[[developer_space]]``: each names a community of the city and a plan year."""
        if "developer_space" not in self.data:
            return []
        items = self.data["developer_space"]
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            self.problem(("developer_space",), MISSING, "must be written as [[developer_space]] tables")
            return []
        if len(items) > L.COMMUNITIES.value:
            self.problem(
                ("developer_space", int(L.COMMUNITIES.value)),
                MISSING,
                f"{len(items):,} entries; at most {L.COMMUNITIES} (one a community on average is plenty)",
            )
            return []
        ids = [c["id"] for c in communities if isinstance(c.get("id"), str)]
        out = []
        for i, item in enumerate(items):
            path = ("developer_space", i)
            d = self.table(path, item, F.DEVELOPER_SPACE)
            ok = len(d) == len(F.DEVELOPER_SPACE)
            if d.get("community") is not None and ids and d["community"] not in ids:
                self.problem(
                    (*path, "community"),
                    d["community"],
                    f"no community has this id; {did_you_mean(d['community'], ids)}",
                )
                ok = False
            if d.get("due_year") is not None and self.years is not None and d["due_year"] > self.years:
                self.problem((*path, "due_year"), d["due_year"], f"must be a plan year, 1 to {self.years}")
                ok = False
            if ok:
                out.append(DeveloperSpace(**d, line=self.lines.line(path)))
        return out

    def check_served_services(self, targets: list[dict], extra: tuple[str, ...] | None) -> None:
        """served_share_at_least names services the simulation has (the core's, or an extension's)."""
        if extra is None:
            return  # extensions not loaded here: the model checks their services when it runs
        known = (*SERVICES, *extra)
        for t in targets:
            value = t.get("served_share_at_least")
            if t["_kind"] != "served_share_at_least" or not isinstance(value, dict):
                continue
            if not value:
                self.problem(
                    (*t["_path"], "served_share_at_least"), value, "names no service, e.g. { mediation = 0.98 }"
                )
            for service in value:
                if service not in known:
                    hint = did_you_mean(service, known)
                    if not hint.startswith("did you mean"):
                        hint += "; a service from an extension needs the extension named in [scenario] extensions"
                    self.problem((*t["_path"], "served_share_at_least"), service, f"not a service type; {hint}")

    def check_share(self, budget: dict) -> None:
        """A yearly share so small that the plan years together cannot hold the total is a typo."""
        share = budget.get("max_share_per_year")
        if share is None or not self.years or share * self.years >= 1 - 1e-9:
            return
        least = 1 / self.years
        self.problem(
            ("budget", "max_share_per_year"),
            share,
            f"{self.years} plan years of at most {share:g} each hold only {share * self.years:.0%} of the total; "
            f"raise it to at least {least:.4g} (1 / years), or remove it",
        )

    def capacity(self, staff: dict) -> dict[str, Any]:
        """``[capacity]``: the keys, and hires_per_year naming declared staff kinds only."""
        if "capacity" not in self.data:
            return {}
        cap = self.table(("capacity",), self.data["capacity"], F.CAPACITY)
        for s in cap.get("hires_per_year") or {}:
            if s not in staff:
                self.problem(("capacity", "hires_per_year"), s, _unknown_kind(s, staff, KNOWN_STAFF, "staff"))
        return cap

    def kinds(self, section: str, keys: tuple[Key, ...], known: tuple[str, ...]) -> dict[str, dict]:
        value = self.data.get(section, {})
        if not isinstance(value, dict):
            self.problem((section,), value, f"must hold one table per kind, e.g. [{section}.{known[0]}]")
            return {}
        if len(value) > L.KINDS.value:
            self.problem((section,), MISSING, f"declares {len(value):,} kinds; at most {L.KINDS} ({L.KINDS.reason})")
            return {}
        out = {}
        for name, table in value.items():
            if len(name) > L.NAME_LENGTH.value:
                self.problem(
                    (section, name),
                    MISSING,
                    f"a kind's name has {len(name):,} characters; at most {L.NAME_LENGTH} ({L.NAME_LENGTH.reason})",
                )
            elif not NAME.match(name):
                self.problem((section, name), MISSING, "a kind's name may hold only letters, digits, '-' and '_'")
            out[name] = self.table((section, name), table, keys)
        return out

    def communities(self, meta: dict, facilities: dict, staff: dict) -> list[dict]:
        d = self.data
        given = [k for k in ("communities", "communities_csv", "generate") if k in d]
        if len(given) != 1:
            where = " and ".join(given) if given else "none of them"
            self.problem(
                (given[-1],) if given else (),
                MISSING,
                f"give exactly one of [[communities]], communities_csv or [generate] (found {where})",
                line=None if given else 1,
            )
            return []
        if "generate" in d:
            params = self.table(("generate",), d["generate"], F.GENERATE)
            self.check_generate(params, facilities, staff)
            if self.problems:
                return []
            rows = [
                dict(row, _path=("generate",), _file=None, _line=None)
                for row in generate_communities(params, meta.get("seed", 0))
            ]
            self.check_generated(rows)
            self.check_households(rows)
            self.check_city_staff(rows)
            return rows
        if "communities_csv" in d:
            rows = self.csv_rows(d["communities_csv"])
        else:
            items = d["communities"]
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                self.problem(("communities",), MISSING, "must be written as [[communities]] tables")
                return []
            if len(items) > L.COMMUNITIES.value:
                self.problem(("communities", int(L.COMMUNITIES.value)), MISSING, _too_many_communities())
                return []
            rows = [
                dict(
                    self.table(("communities", i), item, F.COMMUNITY), _path=("communities", i), _file=None, _line=None
                )
                for i, item in enumerate(items)
            ]
        self.check_communities(rows, facilities, staff)
        self.check_households(rows)
        self.check_city_staff(rows)
        return rows

    def csv_records(self, name: Any) -> tuple[str, list[str], list[tuple[int, list[str]]]] | None:
        """The CSV's shown name, header and rows with their lines, or None after reporting why not.

        The file must be a regular file below the size limit, in UTF-8 (a byte-order mark,
        as Excel's "CSV UTF-8" writes, is allowed). Nothing of a file whose header names
        none of the expected columns is shown: it is not a communities table, and may be
        anything (a scenario names this path, and scenarios are passed around).
        """
        if not isinstance(name, str) or not name.strip():
            self.problem(("communities_csv",), name, 'must be the path of a CSV file, e.g. "communities.csv"')
            return None
        base = self.source.parent if self.source else Path.cwd()
        path = base / name
        shown = relative(path)
        try:
            with open_regular(path, L.CSV_BYTES) as f:
                data = read_limited(f, L.CSV_BYTES)
            text = data.decode("utf-8-sig")
        except FileNotFoundError:
            self.problem(("communities_csv",), name, f"no such file ({path})")
            return None
        except Unreadable as e:
            self.problem(("communities_csv",), name, str(e))
            return None
        except OSError as e:
            self.problem(("communities_csv",), name, f"cannot be read: {e.strerror or e}")
            return None
        except UnicodeDecodeError as e:
            self.problem(
                ("communities_csv",),
                name,
                f"is not UTF-8 text ({e.reason} at byte {e.start:,}); save it as CSV UTF-8",
            )
            return None
        reader = csv.reader(io.StringIO(text, newline=""))
        records: list[tuple[int, list[str]]] = []
        cap = int(L.COMMUNITIES.value)
        try:
            header = next(reader, [])
            if not _looks_like_communities(header):
                what = "is empty" if not any(c.strip() for c in header) else "is not a communities table"
                self.problem(
                    ("communities_csv",),
                    name,
                    f"{what}: its first line must name the columns, among them id and households "
                    f"(expected: {', '.join(_csv_columns())}); the file's content is not shown",
                )
                return None
            for cells in reader:
                if not cells:
                    continue  # a blank line
                if len(records) == cap:
                    self.problems.append(Problem(shown, reader.line_num, "", MISSING, _too_many_communities()))
                    return None
                records.append((reader.line_num, cells))
        except csv.Error as e:
            self.problems.append(
                Problem(shown, reader.line_num, "", MISSING, f"cannot be read as CSV: {e}; save it as CSV")
            )
            return None
        return shown, header, records

    def csv_rows(self, name: Any) -> list[dict]:
        found = self.csv_records(name)
        if found is None:
            return []
        shown, header, records = found
        columns = {k.name for k in F.COMMUNITY} - {"staff"}
        kinds = {k.name: k.kind for k in F.COMMUNITY}
        most = len(columns) + int(L.KINDS.value)  # every column, and one staff_<kind> per kind
        if len(header) > most:
            self.problems.append(
                Problem(
                    shown,
                    1,
                    "",
                    MISSING,
                    f"the header has {len(header):,} columns; a communities table has at most {most:,} "
                    f"({', '.join(_csv_columns())}, one staff_<kind> per staff kind)",
                )
            )
            return []
        seen: set[str] = set()
        for col in header:
            if col in seen:
                self.problems.append(
                    Problem(shown, 1, col, MISSING, "appears twice in the header; keep one column of each name")
                )
            seen.add(col)
            if col not in columns and not col.startswith("staff_"):
                self.problems.append(
                    Problem(shown, 1, col, MISSING, f"unknown column; {did_you_mean(col, columns | {'staff_<kind>'})}")
                )
        rows = []
        for line, cells in records:
            if len(cells) != len(header):
                more = len(cells) > len(header)
                self.problems.append(
                    Problem(
                        shown,
                        line,
                        f"row {line}",
                        MISSING,
                        f"has {len(cells)} cells but the header has {len(header)} columns; "
                        + (
                            "remove the extra cells, or quote a value that holds a comma"
                            if more
                            else "give every column a cell, left empty where the default applies"
                        ),
                    )
                )
                continue
            raw: dict[str, Any] = {}
            staff: dict[str, Any] = {}
            for col, text in zip(header, cells, strict=True):
                if text.strip() == "":
                    continue
                value = csv_value(text.strip(), kinds.get(col, "int"))
                if col.startswith("staff_"):
                    staff[col[len("staff_") :]] = value
                elif col == "facilities":
                    raw[col] = [x.strip() for x in text.replace(",", ";").split(";") if x.strip()]
                elif col in columns:
                    raw[col] = value
            if staff:
                raw["staff"] = staff
            before = len(self.problems)
            row = self.table(("communities_csv",), raw, F.COMMUNITY)
            for k in range(before, len(self.problems)):
                p = self.problems[k]
                self.problems[k] = Problem(
                    shown, line, p.field.replace("communities_csv", f"row {line}"), p.value, p.message
                )
            rows.append(dict(row, _path=("communities_csv",), _file=shown, _line=line))
        return rows

    # -- cross-checks ------------------------------------------------------------------
    def row_problem(self, row: dict, field: str, value: Any, message: str) -> None:
        if row["_file"]:
            self.problems.append(Problem(row["_file"], row["_line"], f"row {row['_line']}.{field}", value, message))
        else:
            self.problem((*row["_path"], field), value, message)

    def check_communities(self, rows: list[dict], facilities: dict, staff: dict) -> None:
        seen: set[str] = set()
        for row in rows:
            cid = row.get("id")
            if cid is not None:
                if cid in seen:
                    self.row_problem(row, "id", cid, "another community has this id; ids must be unique")
                seen.add(cid)
            for u in row.get("facilities", ()):
                if u not in facilities:
                    self.row_problem(row, "facilities", u, _unknown_kind(u, facilities, KNOWN_FACILITIES, "facilities"))
            for s in row.get("staff", {}):
                if s not in staff:
                    self.row_problem(row, "staff", s, _unknown_kind(s, staff, KNOWN_STAFF, "staff"))
            office, space = row.get("office_m2"), row.get("space_m2")
            if isinstance(office, (int, float)) and isinstance(space, (int, float)) and office > space:
                self.row_problem(
                    row,
                    "office_m2",
                    office,
                    f"is more than the community's space_m2 ({space:g}): office_m2 is the office part of space_m2",
                )
            if row.get("dwellings") is not None and row.get("new_development") is not True:
                self.row_problem(
                    row,
                    "dwellings",
                    row["dwellings"],
                    "goes only with new_development = true: add it, or remove dwellings",
                )
        if not rows and not self.problems:
            self.problem(("communities",), MISSING, "the city has no communities")

    def check_households(self, rows: list[dict]) -> None:
        """Households in every plan year, growth included, within the limits per community and city-wide."""
        usable = [r for r in rows if is_number(r.get("households")) and is_number(r.get("household_growth"))]
        if not usable or self.years is None:
            return
        years = np.arange(self.years + 1)
        h = np.array([float(r["households"]) for r in usable])
        g = np.array([float(r["household_growth"]) for r in usable])
        grown = h[:, None] * (1.0 + g[:, None]) ** years[None, :]  # finite: h ≤ 1e5, 1 + g ≤ 2, years ≤ 50
        cap = L.HOUSEHOLDS.value
        over = np.flatnonzero(grown.max(axis=1) > cap)
        if usable[0]["_path"] == ("generate",):
            over = over[:1]  # one growth for every drawn community: said once
        for k in over:
            row, t = usable[k], int(np.argmax(grown[k] > cap))
            self.row_problem(
                row,
                "household_growth",
                row["household_growth"],
                f"grows the community's {row['households']:,} households to {grown[k, t]:,.0f} by plan year {t}; "
                f"a community holds at most {L.HOUSEHOLDS} households ({L.HOUSEHOLDS.reason})",
            )
        city = np.rint(grown).sum(axis=0)
        if city.max() > L.CITY_HOUSEHOLDS.value:
            t = int(np.argmax(city > L.CITY_HOUSEHOLDS.value))
            self.problem(
                (usable[0]["_path"][0],),
                MISSING,
                f"the city holds {city[t]:,.0f} households in plan year {t}; at most {L.CITY_HOUSEHOLDS} "
                f"({L.CITY_HOUSEHOLDS.reason})",
            )

    def check_city_staff(self, rows: list[dict]) -> None:
        """Staff of each kind today, summed over the city, within the limit (each is simulated)."""
        totals: dict[str, int] = {}
        for row in rows:
            for kind, n in (row.get("staff") or {}).items():
                if is_number(n):
                    totals[kind] = totals.get(kind, 0) + int(n)
        for kind, total in totals.items():
            if total > L.CITY_STAFF.value:
                self.problem(
                    (rows[0]["_path"][0],),
                    MISSING,
                    f"the city has {total:,} {kind} staff today; at most {L.CITY_STAFF} of a kind "
                    f"({L.CITY_STAFF.reason})",
                )

    def check_generated(self, rows: list[dict]) -> None:
        """What [generate] drew stays within the limits a written community must keep."""
        space = max((r["space_m2"] for r in rows), default=0.0)
        if space > L.SPACE.value:
            self.problem(
                ("generate", "space_m2_sigma"),
                MISSING,
                f"draws a community with {space:,.0f} m² of space; at most {L.SPACE} ({L.SPACE.reason}): "
                "lower space_m2_median or space_m2_sigma",
            )
        staff = max((n for r in rows for n in r["staff"].values()), default=0)
        if staff > L.STAFF.value:
            self.problem(
                ("generate", "staff"),
                MISSING,
                f"gives a community {staff:,} staff of one kind; at most {L.STAFF} ({L.STAFF.reason}): "
                "raise households_per_staff or lower staff",
            )

    def check_generate(self, g: dict, facilities: dict, staff: dict) -> None:
        if "households_min" in g and "households_max" in g and g["households_min"] > g["households_max"]:
            self.problem(("generate", "households_max"), g["households_max"], "must be ≥ households_min")
        if "keys" in g and "communities" in g and g["keys"] > g["communities"]:
            self.problem(("generate", "keys"), g["keys"], f"must be ≤ communities ({g['communities']})")
        for u in g.get("facilities", {}):
            if u not in facilities:
                self.problem(
                    ("generate", "facilities"), u, _unknown_kind(u, facilities, KNOWN_FACILITIES, "facilities")
                )
        for s in list(g.get("households_per_staff", {})) + list(g.get("staff", {})):
            if s not in staff:
                self.problem(("generate",), s, _unknown_kind(s, staff, KNOWN_STAFF, "staff"))

    def extension_services(self, names: tuple[str, ...]) -> tuple[str, ...] | None:
        """Services the named extensions declare, or None when their code is not to run here.

        Without ``services_of`` each named module is only looked for on the import path,
        which runs none of its code.
        """
        if self.services_of is None:
            for name in names:
                missing = why_missing(name.partition(":")[0])
                if missing is not None:
                    self.problem(("scenario", "extensions"), name, missing)
            return None if names else ()
        services: list[str] = []
        for name in names:
            try:
                services += list(self.services_of(name))
            except ValueError as e:
                self.problem(("scenario", "extensions"), name, str(e))
        return tuple(services)

    def extension_tables(self, names: tuple[str, ...]) -> dict[str, Any]:
        """``[extension.<name>]`` tables by the name written in ``extensions``, checked.

        A table is named as in ``extensions`` (``[extension."extensions.parking"]``; the
        unquoted dotted form nests the same way) or by its last part (``[extension.parking]``).
        With ``parameters_of`` each is checked against the parameters its extension declares,
        defaults filled in; without it (``commplan validate``: no extension code runs) only
        that it belongs to a named extension, the model checking the values when it runs.
        """
        given = self.data.get("extension", {})
        if not isinstance(given, dict):
            self.problem(("extension",), given, "must hold one table per extension, e.g. [extension.parking]")
            return {}
        short: dict[str, list[str]] = {}
        for name in names:
            short.setdefault(name.partition(":")[0].rpartition(".")[2], []).append(name)
        tables: dict[str, tuple[tuple, Any]] = {}
        pending: list[tuple[tuple, str, Any]] = [(("extension", k), k, v) for k, v in given.items()]
        while pending:
            path, label, value = pending.pop(0)
            match = label if label in names else (short[label][0] if len(short.get(label, ())) == 1 else None)
            if match is None and isinstance(value, dict) and any(n.startswith(label + ".") for n in names):
                pending += [((*path, k), f"{label}.{k}", v) for k, v in value.items()]
                continue
            if match is None:
                hint = did_you_mean(label, list(names) + list(short))
                self.problem(
                    path,
                    MISSING,
                    f"no extension {label!r} in [scenario] extensions ({', '.join(names) or 'none'}); {hint} "
                    "(add the extension to extensions, or fix or remove the table)",
                )
            elif match in tables:
                self.problem(path, MISSING, f"a second table for extension {match!r}: give its parameters once")
            else:
                tables[match] = (path, value)
        out: dict[str, Any] = {}
        for name in names:
            path, value = tables.get(name, (("extension", name), None))
            if self.parameters_of is None:
                if isinstance(value, dict):
                    out[name] = frozen_map(value)
                elif value is not None:
                    self.problem(path, value, "must be a table of the extension's parameters")
                continue
            try:
                declaration = self.parameters_of(name)
                keys = F.extension_keys(declaration) if declaration is not None else ()
            except (TypeError, ValueError) as e:
                self.problem(("scenario", "extensions"), name, str(e))
                continue
            if value is not None and declaration is None and value:
                self.problem(
                    path,
                    MISSING,
                    f"extension {name!r} declares no parameters: remove the table, or declare them "
                    "(Extension.parameters, see docs/extending.md)",
                )
                continue
            if keys:
                out[name] = frozen_map(self.table(path, {} if value is None else value, keys))
        return out

    def check_model(self, reference: str | None) -> None:
        """A named model class is ``module:Class`` of a module that exists (looked up, not run)."""
        if reference is None:
            return
        module, _, cls = reference.partition(":")
        if not module or not cls.isidentifier():
            self.problem(
                ("scenario", "model"), reference, 'must be "package.module:Class", e.g. "mymodels:TimeBankModel"'
            )
            return
        missing = why_missing(module)
        if missing is not None:
            self.problem(("scenario", "model"), reference, missing.replace("extension module", "model module"))

    def check_simulation(self, sim: dict, extra_services: tuple[str, ...] | None = ()) -> None:
        """Per-service values name known services; ``None``: extensions not loaded, they may add some."""
        if extra_services is None:
            return
        known = (*SERVICES, *extra_services)
        for name, value in sim.items():
            if isinstance(value, dict):
                for service in value:
                    if service not in known:
                        hint = did_you_mean(service, known)
                        if not hint.startswith("did you mean"):
                            hint += "; a service from an extension needs the extension named in [scenario] extensions"
                        self.problem(("simulation", name), service, f"not a service type; {hint}")

    def targets(self, facilities: dict, staff: dict, communities: list[dict]) -> list[dict]:
        items = self.data.get("targets", [])
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            self.problem(("targets",), MISSING, "must be written as [[targets]] tables")
            return []
        if len(items) > L.TARGETS.value:
            self.problem(
                ("targets", int(L.TARGETS.value)),
                MISSING,
                f"{len(items):,} targets; at most {L.TARGETS} ({L.TARGETS.reason})",
            )
            return []
        condition_names = [k.name for k in F.CONDITIONS]
        requirement_names = [k.name for k in F.REQUIREMENTS]
        out = []
        names_seen: set[str] = set()
        for i, item in enumerate(items):
            path = ("targets", i)
            conditions = [k for k in F.CONDITIONS if k.name in item]
            given = {k.name: item[k.name] for k in conditions}
            keys = (
                F.TARGET_NAME,
                *[Key(k.name, k.kind, REQUIRED, k.doc, k.low, k.high, k.low_open) for k in conditions],
                *F.REQUIREMENTS,
                *F.TARGET_OPTIONS,
            )
            t = self.table(path, item, keys)
            name = t.get("name")
            if name is not None:
                if name in names_seen:
                    self.problem((*path, "name"), name, "another target has this name; names must be unique")
                names_seen.add(name)
            if len(conditions) != 1:
                found = ", ".join(k.name for k in conditions) or "none"
                self.problem(
                    path,
                    MISSING,
                    f"needs exactly one condition key, one of {', '.join(condition_names)} (found {found})",
                )
            requirements = [k for k in requirement_names if k in item]
            if not requirements:
                self.problem(path, MISSING, f"needs a requirement: one or more of {', '.join(requirement_names)}")
            kind = conditions[0].name if len(conditions) == 1 else None
            if t.get("count") is not None and kind != "has":
                self.problem((*path, "count"), item["count"], 'count goes only with has = "<facility>"')
            city_wide = kind in ("city_staff", "city_average")
            if ("at_least" in item) != city_wide:  # in the file: a bad at_least is reported on its own
                bad = "at_least" if "at_least" in item else kind
                self.problem(
                    (*path, bad),
                    item[bad],
                    f"{'city_staff or city_average' if bad == 'at_least' else bad} and at_least go together, "
                    "and with no other requirement",
                )
            if "measured" in item:
                if t.get("measured") not in F.MEASURED:
                    self.problem((*path, "measured"), item["measured"], f"must be one of: {', '.join(F.MEASURED)}")
                elif kind not in (
                    "staff_per_households",
                    "staff_at_least",
                    "staff_hours_at_least",
                    "city_staff",
                    "standard",
                ) and not (kind == "city_average" and given["city_average"] not in AVERAGED_OUTCOMES):
                    self.problem(
                        (*path, "measured"),
                        item["measured"],
                        "goes only with a staff condition (staff_per_households, staff_at_least, city_staff, "
                        "city_average of a staff kind, or a standard that has one)",
                    )
            if city_wide:
                for other in ("share", "keys_by", "count"):
                    if t.get(other) is not None:
                        self.problem((*path, other), item[other], "a city-wide target takes only at_least")
            if t.get("keys_by") is not None:
                if self.years is not None and t["keys_by"] > self.years:
                    self.problem((*path, "keys_by"), item["keys_by"], f"must be a plan year, 1 to {self.years}")
                if communities and not any(c.get("key") for c in communities):
                    self.problem(
                        (*path, "keys_by"),
                        item["keys_by"],
                        "no community is a key community: mark them key = true, or remove keys_by",
                    )
            if kind in ("has",) and isinstance(given["has"], str) and given["has"] not in facilities:
                self.problem(
                    (*path, "has"),
                    given["has"],
                    _unknown_kind(given["has"], facilities, KNOWN_FACILITIES, "facilities"),
                )
            if kind == "city_staff" and isinstance(given["city_staff"], str) and given["city_staff"] not in staff:
                self.problem(
                    (*path, "city_staff"),
                    given["city_staff"],
                    _unknown_kind(given["city_staff"], staff, KNOWN_STAFF, "staff"),
                )
            if "where" in item and kind != "city_average":
                self.problem((*path, "where"), item["where"], "goes only with city_average")
            elif isinstance(t.get("where"), dict):
                for field_name in t["where"]:
                    if field_name not in WHERE_FIELDS:
                        self.problem(
                            (*path, "where"),
                            field_name,
                            f"not a community field a city_average can filter on; one of {', '.join(WHERE_FIELDS)}",
                        )
                if (
                    communities
                    and set(t["where"]) <= set(WHERE_FIELDS)
                    and not any(_covered(c, t["where"]) for c in communities)
                ):
                    self.problem(
                        (*path, "where"),
                        item["where"],
                        "covers no community: no community has these values; loosen or remove where",
                    )
            if kind == "city_average" and isinstance(given["city_average"], str):
                q = given["city_average"]
                if q not in AVERAGED_OUTCOMES and q not in staff:
                    hint = did_you_mean(q, (*AVERAGED_OUTCOMES, *staff))
                    self.problem(
                        (*path, "city_average"),
                        q,
                        f"not a quantity a city_average can average: one of {', '.join(AVERAGED_OUTCOMES)} "
                        f"or a declared staff kind; {hint}",
                    )
            if kind == "office_share_at_most":
                lacking = [c.get("id") for c in communities if c.get("office_m2") is None]
                if lacking:
                    self.problem(
                        (*path, kind),
                        item[kind],
                        f"needs every community's office_m2 (the office part of space_m2); {len(lacking)} have none, "
                        f"e.g. {', '.join(str(x) for x in lacking[:3])}: add office_m2 to each "
                        "(a [[communities]] key or a communities_csv column)",
                    )
            if kind in ("staff_per_households", "staff_at_least", "trained_at_least", "staff_hours_at_least") and (
                isinstance(t.get(kind), dict)
            ):
                if not t[kind]:
                    self.problem((*path, kind), item[kind], "names no staff kind")
                for s in t[kind]:
                    if s not in staff:
                        self.problem((*path, kind), s, _unknown_kind(s, staff, KNOWN_STAFF, "staff"))
            hours = {k: f.get("hours_per_month", 174.0) for k, f in staff.items()}
            out.append(dict(t, _kind=kind, _path=path, _line=self.lines.line(path), _hours=hours))
        by_name = {t["name"]: t for t in out if t.get("name")}
        for t in out:
            if t["_kind"] == "standard" and isinstance(t.get("standard"), tuple):
                for ref in t["standard"]:
                    if ref not in by_name:
                        self.problem(
                            (*t["_path"], "standard"), ref, f"no target has this name; {did_you_mean(ref, by_name)}"
                        )
                    elif by_name[ref]["_kind"] in ("city_staff", "city_average"):
                        self.problem(
                            (*t["_path"], "standard"),
                            ref,
                            "is a city-wide target; a standard combines per-community conditions",
                        )
                if t.get("name") and standard_cycle(t["name"], by_name):
                    self.problem(
                        (*t["_path"], "standard"), t["standard"], "refers back to itself through other standards"
                    )
        return out

    # -- building ----------------------------------------------------------------------
    def build(self, meta, costs, facilities, staff, budget, rows, targets, simulation, capacity) -> Scenario:
        years = meta["years"]
        facility_kinds = {u: FacilityKind(u, **f) for u, f in facilities.items()}
        staff_kinds = {}
        for s, f in staff.items():
            pay = f["pay_share"] if f["pay_share"] is not None else (f["base_pay_share"],) * years
            staff_kinds[s] = StaffKind(
                s,
                f["hire"],
                f["base_pay_share"],
                pay,
                f["attrition"],
                f["training"],
                f["funded_by"].strip() if f["funded_by"] else None,
                f["hours_per_month"],
            )
        communities = tuple(
            Community(
                **{k: v for k, v in row.items() if not k.startswith("_") and k not in ("facilities", "staff")},
                facilities=frozenset(row["facilities"]),
                staff=frozen_map({s: row["staff"].get(s, 0) for s in staff_kinds}),
            )
            for row in rows
        )
        office = tuple(float(row.get("office_m2") or 0.0) for row in rows)
        targets = [dict(t, _office=office) if t["_kind"] == "office_share_at_most" else t for t in targets]
        targets = [
            dict(t, _covers=tuple(_covered(row, t.get("where") or {}) for row in rows))
            if t["_kind"] == "city_average"
            else t
            for t in targets
        ]
        by_name = {t["name"]: t for t in targets}
        built = tuple(build_target(t, by_name) for t in targets)
        sim_values: dict[str, Any] = {
            k: (frozen_map({**dict(getattr(SimulationParameters(), k)), **v}) if isinstance(v, dict) else v)
            for k, v in simulation.items()
        }
        return Scenario(
            name=meta["name"],
            title=meta["title"] or meta["name"],
            years=years,
            start_year=meta["start_year"],
            seed=meta["seed"],
            costs=Costs(**costs),
            facilities=frozen_map(facility_kinds),
            staff=frozen_map(staff_kinds),
            budget=Budget(
                budget.get("per_year"),
                budget.get("total"),
                budget.get("max_share_per_year"),
                budget.get("minimise") or "city",
            ),
            communities=communities,
            targets=built,
            simulation=SimulationParameters(**sim_values),
            source=self.source,
            extensions=tuple(meta.get("extensions") or ()),
            model=meta.get("model"),
            capacity=Capacity(
                capacity.get("projects_per_year"),
                frozen_map(capacity.get("hires_per_year") or {}),
                capacity.get("hires_per_community_per_year"),
                capacity.get("space_m2_per_year"),
            ),
        )


def _covered(community: dict, where: dict) -> bool:
    """Whether a city_average's ``where`` (community field: true/false) covers a community."""
    return all(bool(community.get(f, False)) == v for f, v in where.items())


def _csv_columns() -> list[str]:
    """The columns a communities CSV may have, in the order of the reference."""
    return [k.name for k in F.COMMUNITY if k.name != "staff"] + ["staff_<kind>"]


def _looks_like_communities(header: list[str]) -> bool:
    """Whether a CSV's first line names at least one communities column (else nothing of it is shown)."""
    known = set(_csv_columns())
    return any(c in known or (c.startswith("staff_") and NAME.match(c[6:] or "-")) for c in header)


def _unknown_kind(name: str, declared: dict, known: tuple[str, ...], section: str) -> str:
    """What to say about a facility or staff kind the scenario does not declare."""
    noun = "facility" if section == "facilities" else "staff"
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    if close:
        return f'not a declared {noun} kind; did you mean "{close[0]}"?'
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close and close[0] == name:  # a kind commplan knows, spelt right, that this scenario does not declare
        listed = ", ".join(f'"{d}"' for d in declared) or "none"
        return f"not a declared {noun} kind (declared: {listed}); declare it with a [{section}.{name}] table"
    if close and close[0] not in declared:
        return (
            f'not a declared {noun} kind; did you mean "{close[0]}"? (declare it with a [{section}.{close[0]}] table)'
        )
    listed = ", ".join(f'"{d}"' for d in declared) or "none"
    return f"not a declared {noun} kind (declared: {listed}); declare it with a [{section}.{name}] table"
