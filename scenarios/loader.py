"""Read a scenario file, report every problem in it at once, and build the immutable Scenario.

``load(path)`` either returns a :class:`~scenarios.schema.Scenario` or raises
:class:`~scenarios.problems.ScenarioError` listing every problem with its line. No other
exception escapes for bad input: a planner never sees a traceback.
"""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scenarios import fields as F
from scenarios.fields import REQUIRED, Key
from scenarios.generate import generate_communities
from scenarios.modules import why_missing
from scenarios.parameters import SERVICES, SimulationParameters
from scenarios.problems import (
    MISSING,
    LineIndex,
    Problem,
    ScenarioError,
    did_you_mean,
    display_path,
    relative,
)
from scenarios.schema import (
    KNOWN_FACILITIES,
    KNOWN_STAFF,
    Budget,
    Community,
    Costs,
    FacilityKind,
    Scenario,
    StaffKind,
    frozen_map,
)
from scenarios.target_kinds import build_target, standard_cycle
from scenarios.values import NAME, Invalid, convert, csv_value

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


def load(path: str | Path, services_of: ServicesOf | None = None) -> Scenario:
    """Load and check one scenario file (or bundled scenario name).

    ``services_of`` lets the caller (which may run extension code) check ``[simulation]``
    keys for the services extensions declare; without it such keys are left for the model
    to check when it loads the extensions, and no extension code runs here.
    """
    p = resolve_path(path)
    shown = relative(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        names = ", ".join(bundled_scenarios())
        raise ScenarioError([Problem(shown, None, "", MISSING, f"no such file (bundled scenarios: {names})")]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([Problem(shown, None, "", MISSING, f"cannot be read: {e}")]) from None
    return loads(text, source=p, services_of=services_of)


def loads(text: str, source: Path | str | None = None, services_of: ServicesOf | None = None) -> Scenario:
    """Load and check a scenario from its TOML text; ``source`` names it and anchors relative paths."""
    source = Path(source) if source is not None else None
    shown = relative(source) if source is not None else "<scenario>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"^(.*?)\s*\(at line (\d+), column \d+\)$", str(e))
        message, line = (found.group(1), int(found.group(2))) if found else (str(e), None)
        raise ScenarioError([Problem(shown, line, "", MISSING, f"not valid TOML: {message}")]) from None
    return _Reader(data, LineIndex(text), shown, source, services_of).scenario()


# --------------------------------------------------------------------------------------
# reading the whole file


class _Reader:
    """Walks the parsed TOML once, collecting problems rather than stopping at the first."""

    def __init__(
        self, data: dict, lines: LineIndex, shown: str, source: Path | None, services_of: ServicesOf | None = None
    ):
        self.data, self.lines, self.file, self.source = data, lines, shown, source
        self.services_of = services_of
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
        communities = self.communities(meta, facilities, staff)
        targets = self.targets(facilities, staff, communities)
        simulation = self.table(("simulation",), d.get("simulation", {}), F.simulation_keys())
        self.check_simulation(simulation, self.extension_services(meta.get("extensions") or ()))
        if self.problems:
            raise ScenarioError(self.problems)
        return self.build(meta, costs, facilities, staff, budget, communities, targets, simulation)

    def kinds(self, section: str, keys: tuple[Key, ...], known: tuple[str, ...]) -> dict[str, dict]:
        value = self.data.get(section, {})
        if not isinstance(value, dict):
            self.problem((section,), value, f"must hold one table per kind, e.g. [{section}.{known[0]}]")
            return {}
        out = {}
        for name, table in value.items():
            if not NAME.match(name):
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
            rows = generate_communities(params, meta.get("seed", 0))
            return [dict(row, _path=("generate",), _file=None, _line=None) for row in rows]
        if "communities_csv" in d:
            rows = self.csv_rows(d["communities_csv"])
        else:
            items = d["communities"]
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                self.problem(("communities",), MISSING, "must be written as [[communities]] tables")
                return []
            rows = [
                dict(
                    self.table(("communities", i), item, F.COMMUNITY), _path=("communities", i), _file=None, _line=None
                )
                for i, item in enumerate(items)
            ]
        self.check_communities(rows, facilities, staff)
        return rows

    def csv_rows(self, name: Any) -> list[dict]:
        if not isinstance(name, str):
            self.problem(("communities_csv",), name, 'must be the path of a CSV file, e.g. "communities.csv"')
            return []
        base = self.source.parent if self.source else Path.cwd()
        path = base / name
        shown = relative(path)
        try:
            with path.open(newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f)
                records = [(reader.line_num, r) for r in reader]
                header = reader.fieldnames or []
        except FileNotFoundError:
            self.problem(("communities_csv",), name, f"no such file ({path})")
            return []
        except (OSError, UnicodeDecodeError, csv.Error) as e:
            self.problem(("communities_csv",), name, f"cannot be read: {e}")
            return []
        columns = {k.name for k in F.COMMUNITY} - {"staff"}
        kinds = {k.name: k.kind for k in F.COMMUNITY}
        for col in header:
            if col not in columns and not col.startswith("staff_"):
                self.problems.append(
                    Problem(shown, 1, col, MISSING, f"unknown column; {did_you_mean(col, columns | {'staff_<kind>'})}")
                )
        rows = []
        for line, record in records:
            raw: dict[str, Any] = {}
            staff: dict[str, Any] = {}
            for col, text in record.items():
                if col is None or text is None or text.strip() == "":
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
            for p in self.problems[before:]:
                field = p.field.replace("communities_csv", f"row {line}")
                self.problems[self.problems.index(p)] = Problem(shown, line, field, p.value, p.message)
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
        if not rows and not self.problems:
            self.problem(("communities",), MISSING, "the city has no communities")

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
            if (t.get("at_least") is not None) != (kind == "city_staff"):
                bad = "at_least" if t.get("at_least") is not None else "city_staff"
                self.problem(
                    (*path, bad), item[bad], "city_staff and at_least go together, and with no other requirement"
                )
            if kind == "city_staff":
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
            if kind in ("staff_per_households", "staff_at_least") and isinstance(t.get(kind), dict):
                if not t[kind]:
                    self.problem((*path, kind), item[kind], "names no staff kind")
                for s in t[kind]:
                    if s not in staff:
                        self.problem((*path, kind), s, _unknown_kind(s, staff, KNOWN_STAFF, "staff"))
            out.append(dict(t, _kind=kind, _path=path, _line=self.lines.line(path)))
        by_name = {t["name"]: t for t in out if t.get("name")}
        for t in out:
            if t["_kind"] == "standard" and isinstance(t.get("standard"), tuple):
                for ref in t["standard"]:
                    if ref not in by_name:
                        self.problem(
                            (*t["_path"], "standard"), ref, f"no target has this name; {did_you_mean(ref, by_name)}"
                        )
                    elif by_name[ref]["_kind"] == "city_staff":
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
    def build(self, meta, costs, facilities, staff, budget, rows, targets, simulation) -> Scenario:
        years = meta["years"]
        facility_kinds = {u: FacilityKind(u, **f) for u, f in facilities.items()}
        staff_kinds = {}
        for s, f in staff.items():
            pay = f["pay_share"] if f["pay_share"] is not None else (f["base_pay_share"],) * years
            staff_kinds[s] = StaffKind(s, f["hire"], f["base_pay_share"], pay, f["attrition"])
        communities = tuple(
            Community(
                **{k: v for k, v in row.items() if not k.startswith("_") and k not in ("facilities", "staff")},
                facilities=frozenset(row["facilities"]),
                staff=frozen_map({s: row["staff"].get(s, 0) for s in staff_kinds}),
            )
            for row in rows
        )
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
            budget=Budget(budget.get("per_year"), budget.get("total")),
            communities=communities,
            targets=built,
            simulation=SimulationParameters(**sim_values),
            source=self.source,
            extensions=tuple(meta.get("extensions") or ()),
        )


def _unknown_kind(name: str, declared: dict, known: tuple[str, ...], section: str) -> str:
    """What to say about a facility or staff kind the scenario does not declare."""
    noun = "facility" if section == "facilities" else "staff"
    close = difflib.get_close_matches(name, list(declared), n=1, cutoff=0.6)
    if close:
        return f'not a declared {noun} kind; did you mean "{close[0]}"?'
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close and close[0] not in declared:
        return (
            f'not a declared {noun} kind; did you mean "{close[0]}"? (declare it with a [{section}.{close[0]}] table)'
        )
    listed = ", ".join(f'"{d}"' for d in declared) or "none"
    return f"not a declared {noun} kind (declared: {listed}); declare it with a [{section}.{name}] table"
