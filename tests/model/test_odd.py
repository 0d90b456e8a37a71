"""docs/odd.md, the ODD description of the model, stays true to the code: its generated
tables match the declarations, it names every parameter, it has the protocol's seven
elements in order, and the month it describes is the month ``CommunityModel.step`` runs."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest

from model.agents import Community, Households, Organisation, StaffMember
from model.extensions import Extension
from model.model import CommunityModel
from model.odd import DOC, SECTIONS, parameter_groups, render
from scenarios.parameters import SimulationParameters
from tests.model.conftest import tutorial

ELEMENTS = (
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
)
DESIGN_CONCEPTS = (
    "Basic principles",
    "Emergence",
    "Adaptation",
    "Objectives",
    "Learning",
    "Prediction",
    "Sensing",
    "Interaction",
    "Stochasticity",
    "Collectives",
    "Observation",
)
#: Where a capitalised name of the schedule lives.
CLASSES = {
    "CommunityModel": CommunityModel,
    "Households": Households,
    "Community": Community,
    "Organisation": Organisation,
    "StaffMember": StaffMember,
    "Extension": Extension,
}


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schedule(text) -> str:
    """The process overview's code block: the month, one step a line."""
    m = re.search(r"<!-- schedule:[^>]*-->\n```\n(.*?)\n```", text, re.S)
    assert m, "docs/odd.md has no schedule block after its <!-- schedule: … --> marker"
    return m.group(1)


def step_names(schedule: str) -> list[str]:
    """The name each line of the schedule starts with, after its number (``2a``, ``10``)."""
    names = [m.group(1) for m in re.finditer(r"^\s*\d+[a-z]?\s+(\S+)", schedule, re.M)]
    assert len(names) == len(schedule.splitlines())
    return names


# -- (a) the generated tables are the code's ------------------------------------------------


def test_committed_odd_tables_match_the_code(text):
    assert text == render(text), "run: python -m model.odd"


def test_render_replaces_a_stale_table_and_keeps_the_hand_written_text(text):
    stale = text.replace("| `exit_hazard` |", "| `exit_hazard_old` |", 1)
    assert stale != text
    assert render(stale) == text
    assert render(text.replace("## 6. Input data", "## 6. Input data (edited)")).count("(edited)") == 1


def test_a_missing_marker_is_refused_with_the_marker_named(text):
    broken = text.replace("<!-- end generated:parameters -->", "")
    with pytest.raises(ValueError, match="end generated:parameters"):
        render(broken)


# -- (b) every parameter is described --------------------------------------------------------


def test_every_parameter_appears_in_the_odd(text):
    missing = [r["name"] for r in SimulationParameters.describe() if f"`{r['name']}`" not in text]
    assert not missing


def test_every_parameter_has_a_row_in_its_groups_table(text):
    groups = parameter_groups()
    # households, needs, space and facilities, satisfaction, organisations, staff, risk, population
    assert len(groups) >= 8
    names = [n for members in groups.values() for n in members]
    assert sorted(names) == sorted(r["name"] for r in SimulationParameters.describe())
    for group, members in groups.items():
        heading = f"#### {group[0].upper()}{group[1:]}\n"
        assert heading in text
        table = text.split(heading, 1)[1].strip("\n").split("\n\n", 1)[0]
        assert [re.match(r"\| `(\w+)`", row).group(1) for row in table.splitlines()[2:]] == members


def test_map_parameters_show_their_range_as_a_factor_on_every_entry(text):
    row = next(line for line in text.splitlines() if line.startswith("| `demand_rate` |"))
    assert "× 0.5–2 on every entry" in row
    assert "admin 0.1" in row and "elderly_care 0.3" in row


def test_calibrated_parameters_are_marked_and_show_the_fitted_value(text):
    p = SimulationParameters()
    calibrated = [r["name"] for r in SimulationParameters.describe() if r["calibrated"]]
    assert calibrated
    tables = text.split("<!-- generated:parameters ", 1)[1].split("<!-- end generated:parameters -->", 1)[0]
    for name in calibrated:
        row = next(line for line in tables.splitlines() if line.startswith(f"| `{name}` | {getattr(p, name):.4g} |"))
        assert row.rstrip().endswith("| yes (model/calibration.py) |")


def test_a_parameter_above_every_group_comment_is_refused(monkeypatch):
    source = inspect.getsource(SimulationParameters)
    first = source.index("    # ---")
    moved = source[:first] + "    orphan: float = 1.0\n" + source[first:]
    monkeypatch.setattr(inspect, "getsource", lambda obj: moved)
    with pytest.raises(ValueError, match="orphan"):
        parameter_groups()


# -- (c) the protocol's seven elements, in order ----------------------------------------------


def test_the_seven_odd_elements_are_headings_in_the_protocols_order(text):
    headings = re.findall(r"^## (?:\d+\. )?(.+)$", text, re.M)
    found = [h for h in headings if h in ELEMENTS]
    assert found == list(ELEMENTS)


def test_the_eleven_design_concepts_are_headings_in_order(text):
    section = text.split("## 4. Design concepts", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"^### (.+)$", section, re.M) == list(DESIGN_CONCEPTS)


def test_the_references_give_the_odd_protocol_and_every_cited_source(text):
    refs = text.split("## References", 1)[1]
    for needle in (
        "Grimm, V., Railsback",
        "23(2), 7",
        "王会贤",
        "曾守锤, 李筱, 何雪松",
        "秦海波",
        "Vadean, F., & Saloniki",
        "安徽省统计局",
        "shizhong.gov.cn/art/2022/11/25/art_15909_4827446.html",
        "中国社会发展年度报告",
        "Flyvbjerg, B., Holm, M. S., & Buhl, S.",
        "Project Management Journal, 45(2)",
        "Ansar, A., Flyvbjerg, B., Budzier, A., & Lunn, D.",
    ):
        assert needle in refs.replace("*", ""), needle


def test_every_generated_section_has_its_markers(text):
    for name in SECTIONS:
        assert text.count(f"<!-- generated:{name} ") == 1 and text.count(f"<!-- end generated:{name} -->") == 1


# -- (d) the schedule is the month the code runs ----------------------------------------------


@pytest.fixture(scope="module")
def model():
    return CommunityModel(tutorial(), rng=1)


def resolve(name: str, model: CommunityModel) -> object:
    """The object a schedule name refers to: ``Class.method``, ``households.rule`` or a
    model member; raises AttributeError when it does not exist."""
    owner: object
    head, _, rest = name.partition(".")
    if head in CLASSES:
        owner, parts = CLASSES[head], rest.split(".")
    else:
        owner, parts = model, name.split(".")
    for part in parts:
        owner = getattr(owner, part)
    return owner


def test_every_step_of_the_schedule_exists(schedule, model):
    missing = []
    for name in step_names(schedule):
        try:
            resolve(name, model)
        except AttributeError:
            missing.append(name)
    assert not missing, f"docs/odd.md's schedule names steps the code does not have: {missing}"


def test_every_class_method_the_schedule_mentions_exists(schedule, model):
    mentioned = re.findall(r"\b((?:" + "|".join(CLASSES) + r")\.\w+)", schedule)
    assert len(mentioned) > 10
    missing = [name for name in mentioned if not hasattr(CLASSES[name.split(".")[0]], name.split(".")[1])]
    assert not missing


def _calls(method) -> set[str]:
    """What a model method calls, named as the schedule names it."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign):  # a monthly or yearly sum kept by the model
            target = node.target.value if isinstance(node.target, ast.Subscript) else node.target
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                out.add(target.attr)
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain, f = [node.func.attr], node.func.value
        while isinstance(f, ast.Attribute):
            chain.insert(0, f.attr)
            f = f.value
        if not isinstance(f, ast.Name):
            continue
        root = f.id
        if root == "self" and len(chain) == 1 and callable(getattr(CommunityModel, chain[0], None)):
            out.add(chain[0])
        elif root == "self" and chain[:1] == ["households"] and len(chain) == 2:
            out.add(f"households.{chain[1]}")
        elif root == "self" and chain[:1] == ["recorder"] and len(chain) == 2:
            out.add(f"recorder.{chain[1]}")
        elif root == "self" and chain[-1] in ("do", "shuffle_do") and node.args:
            arg = node.args[0]
            assert isinstance(arg, ast.Constant)
            out.add(f"{'Organisation' if chain[0] == 'organisations' else 'StaffMember'}.{arg.value}")
        elif root == "ext":
            out.add(f"Extension.{chain[-1]}")
        elif root == "c":
            out.add(f"Community.{chain[-1]}")
    return out


def test_every_call_of_the_month_and_the_year_is_in_the_schedule(schedule):
    words = set(re.findall(r"[\w.]+", schedule))
    calls = _calls(CommunityModel.step) | _calls(CommunityModel.start_year)
    assert {"start_month", "serve", "households.receive", "Extension.end_month", "Community.fund"} <= calls
    assert {"participation_months", "staff_months"} <= calls
    missing = sorted(calls - words)
    assert not missing, f"CommunityModel.step or start_year calls what docs/odd.md's schedule does not list: {missing}"


def test_the_schedule_lists_the_month_in_the_order_step_runs_it(schedule):
    """The top-level steps of the schedule appear in ``step`` in the same order."""
    source = inspect.getsource(CommunityModel.step)
    top = [
        n for n, line in zip(step_names(schedule), schedule.splitlines(), strict=True) if re.match(r"\s*\d+\s", line)
    ]
    positions = []
    for name in top:
        call = name if name.startswith("Extension.") else f"self.{name}"
        if name.startswith("Extension."):
            call = "ext." + name.split(".")[1]
        assert call in source, f"{name} is not called by CommunityModel.step"
        positions.append(source.index(call))
    assert positions == sorted(positions)


def test_every_household_column_is_described(text, model):
    missing = [c for c in model.households.cols if f"`{c}`" not in text]
    assert not missing


def test_check_reports_a_stale_file_and_writing_brings_it_up_to_date(text, tmp_path, monkeypatch, capsys):
    import model.odd as odd

    stale = tmp_path / "odd.md"
    stale.write_text(text.replace("| `exit_hazard` |", "| `exit_hazard_old` |", 1), encoding="utf-8")
    monkeypatch.setattr(odd, "DOC", stale)
    assert odd.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert "exit_hazard_old" in stale.read_text(encoding="utf-8")  # --check writes nothing
    assert odd.main([]) == 0
    assert stale.read_text(encoding="utf-8") == text
    assert odd.main(["--check"]) == 0
