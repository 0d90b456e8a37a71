"""Property: whatever arrives as a scenario file, a communities CSV or a plan.csv, commplan
answers with a result or a located report (exit 0 or 1), never a traceback and never exit 3.

The inputs are the bundled scenarios and a real plan, mutated the way careless users and
hostile files do: keys added, deleted or misspelt; values of the wrong kind; numbers huge,
negative, not finite, or longer than Python reads; tables nested thousands deep; unicode,
byte-order marks, invalid UTF-8, NUL bytes, CRLF; CSV rows with too many or too few cells.
They go through the real entry points: ``scenarios.loader.loads`` and ``load`` (files on
disk), ``commplan validate`` and ``commplan simulate --plan``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import shutil
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commplan.cli import main
from scenarios.loader import bundled_scenarios, load, loads
from scenarios.plan_file import PlanFileError, read_plan_csv
from scenarios.problems import ScenarioError
from scenarios.schema import Scenario

from ..conftest import MINIMAL

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

#: Every bundled scenario (text and path: guandu_2016 reads its CSV beside it) and the minimal one.
SOURCES: list[tuple[str, Path | None]] = [(MINIMAL, None)] + [
    (p.read_text(encoding="utf-8"), p) for p in bundled_scenarios().values()
]

# ------------------------------------------------------------------------------ values

huge_ints = st.integers(1, 450).map(lambda k: 10**k) | st.integers(-(10**20), 10**20)
odd_floats = st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, -1e308, 1.7976931348623157e308, 5e-324, -0.0, 1e15, 1e12, 1e13, 99999.5]
)
floats = st.floats(allow_nan=True, allow_infinity=True) | odd_floats
texts = st.text(max_size=40) | st.text(min_size=200, max_size=2000) | st.sampled_from(["", " ", "\x00", "é" * 70])
names = st.sampled_from(
    ["one_stop", "elderly_centre", "community_worker", "social_worker", "space-200", "east", "admin", "x" * 65]
)
scalars = (
    st.booleans()
    | huge_ints
    | floats
    | texts
    | names
    | st.dates()
    | st.datetimes()
    | st.integers(-5, 5)
    | st.floats(0, 1)
)


def nested(depth: int, leaf: Any, as_list: bool) -> Any:
    for _ in range(depth):
        leaf = [leaf] if as_list else {"k": leaf}
    return leaf


values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(min_size=1, max_size=10) | names, inner, max_size=4)
    ),
    max_leaves=12,
) | st.builds(nested, st.integers(15, 60), scalars, st.booleans())

keys = st.text(min_size=1, max_size=12) | names | st.text(min_size=100, max_size=300)


def paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, (*prefix, i))


def mutate(doc: dict, data: st.DataObject) -> None:
    """One edit somewhere in the parsed document: replace, delete, add, or multiply a list."""
    path = data.draw(st.sampled_from([p for p in paths(doc) if p]))
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    action = data.draw(st.sampled_from(["replace", "replace", "delete", "add", "multiply"]))
    if action == "replace":
        parent[path[-1]] = data.draw(values)
    elif action == "delete":
        del parent[path[-1]]
    elif action == "add" and isinstance(parent, dict):
        parent[data.draw(keys)] = data.draw(values)
    elif action == "multiply" and isinstance(parent[path[-1]], list):
        parent[path[-1]] = parent[path[-1]] * data.draw(st.integers(0, 50))


def text_edit(text: str, data: st.DataObject) -> str:
    """An edit of the text itself: what no TOML writer produces."""
    edit = data.draw(
        st.sampled_from(["bom", "brackets", "digits", "insert", "crlf", "truncate", "nul", "header", "none"])
    )
    at = data.draw(st.integers(0, len(text)))
    if edit == "bom":
        return "\ufeff" + text
    if edit == "brackets":
        k = data.draw(st.integers(10, 3000))
        line_end = text.find("\n", at)
        at = len(text) if line_end < 0 else line_end
        return text[:at] + "\nx = " + "[" * k + "]" * data.draw(st.sampled_from([k, 0, k - 1])) + text[at:]
    if edit == "digits":
        return text.replace("= ", "= " + "9" * data.draw(st.integers(300, 6000)), 1)
    if edit == "insert":
        return text[:at] + data.draw(st.text(max_size=30)) + text[at:]
    if edit == "crlf":
        return text.replace("\n", "\r\n")
    if edit == "truncate":
        return text[:at]
    if edit == "nul":
        return text[:at] + "\x00" + text[at:]
    if edit == "header":
        return text + "\n" + data.draw(st.sampled_from(["[scenario]", "[[communities]]", "[costs]", "[simulation]"]))
    return text


def a_scenario_text(data: st.DataObject) -> tuple[str, Path | None]:
    text, source = data.draw(st.sampled_from(SOURCES))
    doc = tomllib.loads(text)
    for _ in range(data.draw(st.integers(0, 3))):
        mutate(doc, data)
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):
        pass  # not expressible as TOML: edit the original text instead
    return text_edit(text, data), source


def loaded_or_reported(call) -> Scenario | None:
    """The Scenario, or None after checking the report reads as one (file, count, lines)."""
    try:
        scenario = call()
        event("accepted")
        return scenario
    except ScenarioError as e:
        event("reported")
        report = str(e)
        assert " has " in report.splitlines()[0] and "problem" in report.splitlines()[0]
        assert "Traceback (most recent call last)" not in report  # the file may hold the word itself
        return None


@contextlib.contextmanager
def folder(base: Path) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def run_cli(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


def assert_answered(code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err and "extension code" not in err, err


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ------------------------------------------------------------------------------ scenario files


@settings(max_examples=700, **SETTINGS)
@given(st.data())
def test_scenario_text_never_raises_anything_but_a_report(data):
    text, source = a_scenario_text(data)
    loaded_or_reported(lambda: loads(text, source=source or "fuzz.toml"))


@settings(max_examples=400, **SETTINGS)
@given(st.data())
def test_scenario_files_on_disk_never_raise_anything_but_a_report(base, data):
    text, source = a_scenario_text(data)
    raw = text.encode("utf-8", "surrogatepass")
    raw = data.draw(st.sampled_from([raw, raw + b"\xff\xfe\x80", b"\xef\xbb\xbf" + raw, raw.replace(b"\n", b"\r")]))
    with folder(base) as d:
        if source is not None and source.stem == "guandu_2016":
            shutil.copy(source.with_suffix(".csv"), d / source.with_suffix(".csv").name)
        path = d / "city.toml"
        path.write_bytes(raw)
        loaded_or_reported(lambda: load(path))


@settings(max_examples=300, **SETTINGS)
@given(st.data())
def test_validate_exits_0_or_1_without_a_traceback(base, data):
    text, source = a_scenario_text(data)
    with folder(base) as d:
        if source is not None and source.stem == "guandu_2016":
            shutil.copy(source.with_suffix(".csv"), d / source.with_suffix(".csv").name)
        path = d / "city.toml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        assert_answered(*run_cli(["validate", str(path)]))


# ------------------------------------------------------------------------------ communities CSV

CSV_COLUMNS = [
    "id",
    "households",
    "space_m2",
    "key",
    "facilities",
    "household_growth",
    "max_space_added_m2",
    "household_size",
    "elderly_share",
    "village_to_residence",
    "staff_community_worker",
    "staff_social_worker",
]
CSV_SCENARIO = (
    'communities_csv = "list.csv"\n'
    + MINIMAL.split("[[communities]]")[0]
    + "[[targets]]"
    + MINIMAL.split("[[targets]]", 1)[1]
)
cells = (
    st.integers(-10, 5000).map(str)
    | huge_ints.map(str)
    | floats.map(repr)
    | st.sampled_from(
        ["", "true", "false", "yes", "one_stop", "one_stop;one_stop", "nan", "1e308", "-1", "0.5", "1_000"]
    )
    | st.text(max_size=20)
    | st.text(min_size=100, max_size=400)
)


GOOD_ROWS = [
    ["id", "households", "space_m2", "key", "facilities", "staff_community_worker"],
    ["east", "1200", "150", "true", "", "2"],
    ["west", "800", "320", "false", "one_stop", "3"],
]


def csv_table(data: st.DataObject) -> list[list[str]]:
    """A CSV table: a valid one with a few cells or shapes changed, or one drawn from scratch."""
    if data.draw(st.booleans()):
        rows = [list(r) for r in GOOD_ROWS]
        for _ in range(data.draw(st.integers(0, 3))):
            k = data.draw(st.integers(0, len(rows) - 1))
            edit = data.draw(st.sampled_from(["cell", "cell", "extra", "short", "row", "column"]))
            if edit == "cell":
                rows[k][data.draw(st.integers(0, len(rows[k]) - 1))] = data.draw(cells)
            elif edit == "extra":
                rows[k].append(data.draw(cells))
            elif edit == "short" and rows[k]:
                rows[k].pop()
            elif edit == "row":
                rows += [list(rows[-1]) for _ in range(data.draw(st.integers(1, 30)))]
            elif edit == "column":
                name = data.draw(st.sampled_from(CSV_COLUMNS) | st.text(max_size=12))
                rows = [rows[0] + [name]] + [r + [data.draw(cells)] for r in rows[1:]]
        return rows
    header = data.draw(st.lists(st.sampled_from(CSV_COLUMNS) | st.text(max_size=12), min_size=0, max_size=8))
    width = len(header)
    rows = data.draw(st.lists(st.lists(cells, min_size=max(0, width - 2), max_size=width + 2), max_size=12))
    return [header, *rows]


@settings(max_examples=600, **SETTINGS)
@given(st.data())
def test_communities_csv_never_raises_anything_but_a_report(base, data):
    table = csv_table(data)
    header, rows = table[0], table[1:]
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    raw = out.getvalue().encode("utf-8", "surrogatepass")
    raw = data.draw(
        st.sampled_from(
            [raw, raw, raw, b"\xef\xbb\xbf" + raw, raw + b"\xff", raw.replace(b",", b";"), raw + b"\x00", b""]
        )
    )
    with folder(base) as d:
        (d / "list.csv").write_bytes(raw)
        (d / "city.toml").write_text(CSV_SCENARIO, encoding="utf-8")
        loaded_or_reported(lambda: load(d / "city.toml"))
        if data.draw(st.integers(0, 9)) == 0:
            assert_answered(*run_cli(["validate", str(d / "city.toml")]))


# ------------------------------------------------------------------------------ plan.csv

TINY = """\
[scenario]
name = "tiny"
years = 2
seed = 1

[costs]
average_wage = 50000
space_build_per_m2 = 2500
space_running_per_m2 = 50
space_project_fixed = 20000

[facilities.one_stop]
build = 60000
running = 8000
space_m2 = 50

[staff.community_worker]
hire = 1500
base_pay_share = 0.6
pay_share = [0.7, 1.0]
attrition = 0.1

[[communities]]
id = "east"
households = 120
space_m2 = 150
key = true
staff = { community_worker = 2 }

[[communities]]
id = "west"
households = 80
space_m2 = 320
facilities = ["one_stop"]
staff = { community_worker = 3 }

[[targets]]
name = "space-200"
space_at_least = 200
share = [0.5, 1.0]

[[targets]]
name = "one-stop"
has = "one_stop"
keys_by = 1
"""
#: The tiny scenario's least-cost plan, as `commplan plan` writes it.
PLAN = [
    [
        "community",
        "year",
        "space_added_m2",
        "space_m2",
        "open_one_stop",
        "has_one_stop",
        "hire_community_worker",
        "staff_community_worker",
        "meets_space-200",
        "meets_one-stop",
    ],
    ["east", "1", "0", "150", "1", "1", "0", "1.8", "0", "1"],
    ["east", "2", "50", "200", "0", "1", "0", "1.62", "1", "1"],
    ["west", "1", "0", "320", "0", "1", "0", "2.7", "1", "1"],
    ["west", "2", "0", "320", "0", "1", "0", "2.43", "1", "1"],
]
plan_cells = cells | st.sampled_from(["0", "1", "2", "1.0", "2025", "2026", "east", "west", "100000", "100001"])
small_cells = st.sampled_from(["0", "1", "2", "1.0", "", "-1", "nan", "inf", "1e12", "1e308", "x", "100001", "2025"])


def a_plan(data: st.DataObject, values: st.SearchStrategy[str]) -> bytes:
    rows = [list(r) for r in PLAN]
    for _ in range(data.draw(st.sampled_from([0, 0, 1, 1, 2, 3, 4]))):
        edit = data.draw(
            st.sampled_from(["cell", "cell", "cell", "drop_column", "drop_row", "copy_row", "extra", "short"])
        )
        k = data.draw(st.integers(1, len(rows) - 1)) if len(rows) > 1 else 0
        if edit == "cell" and rows[k]:
            rows[k][data.draw(st.integers(0, len(rows[k]) - 1))] = data.draw(values)
        elif edit == "drop_column" and rows[0]:
            j = data.draw(st.integers(0, len(rows[0]) - 1))
            for r in rows:
                if j < len(r):
                    del r[j]
        elif edit == "drop_row" and len(rows) > 1:
            del rows[k]
        elif edit == "copy_row":
            rows.append(list(rows[k]))
        elif edit == "extra":
            rows[k].append(data.draw(values))
        elif edit == "short" and rows[k]:
            rows[k].pop()
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    raw = out.getvalue().encode("utf-8", "surrogatepass")
    return data.draw(
        st.sampled_from([raw, raw, raw, b"\xef\xbb\xbf" + raw, raw + b"\xff", raw.replace(b"\r\n", b"\n"), b""])
    )


@pytest.fixture(scope="module")
def tiny(base) -> tuple[Scenario, Path]:
    path = base / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return load(path), path


def test_the_fuzzed_plan_starts_valid(tiny, base):
    scenario, _ = tiny
    with folder(base) as d:
        out = io.StringIO()
        csv.writer(out).writerows(PLAN)
        (d / "plan.csv").write_text(out.getvalue(), encoding="utf-8")
        read_plan_csv(d / "plan.csv", scenario)


@settings(max_examples=900, **SETTINGS)
@given(st.data())
def test_plan_csv_is_read_or_refused_never_a_traceback(tiny, base, data):
    scenario, _ = tiny
    with folder(base) as d:
        (d / "plan.csv").write_bytes(a_plan(data, plan_cells))
        try:
            plan = read_plan_csv(d / "plan.csv", scenario)
        except PlanFileError as e:
            event("refused")
            assert "Traceback" not in str(e) and " has " in str(e).splitlines()[0]
            return
    for grid in (plan.space_added, plan.space, *plan.opened.values(), *plan.has.values(), *plan.hires.values()):
        assert ((grid >= 0) & (grid <= 1e6)).all()
    for grid in plan.staff.values():
        assert ((grid >= 0) & (grid < 1e6)).all()


@settings(max_examples=300, **SETTINGS)
@given(st.data())
def test_simulate_with_a_fuzzed_plan_exits_0_or_1(tiny, base, monkeypatch_module, data):
    _, scenario_path = tiny
    with folder(base) as d:
        (d / "plan.csv").write_bytes(a_plan(data, small_cells))
        argv = ["simulate", str(scenario_path), "--plan", str(d / "plan.csv"), "--replications", "1"]
        code, err = run_cli([*argv, "--out", str(d / "run"), "--quiet"])
        event(f"exit {code}")
        assert_answered(code, err)
        if code == 0:
            series = (d / "run" / "timeseries.csv").read_text(encoding="utf-8")
            assert "inf" not in series and "nan" not in series


@pytest.fixture(scope="module")
def monkeypatch_module():
    """No charts in the many simulations of the fuzz (drawing is tested elsewhere, and takes a second)."""
    import commplan.pipeline

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(commplan.pipeline, "draw", lambda *args, **kwargs: None)
        yield mp
