"""The optimiser uses PuLP's public API only, and gives PuLP finite bounds or none.

PuLP's private names (``LpProblem._model``, ``LpAffineExpression._set_sense``,
``pulp.core._internal``, ``pulp._rustcore`` …) may change in any minor release and
would then break every command at import or at the first build. PuLP's public
variable constructors take finite bounds only (``None`` is "no bound").
"""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pulp
import pytest
from pulp import LpAffineExpression, LpProblem, LpVariable

from optimize.program import Program
from scenarios.loader import bundled_scenarios, load

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ["optimize", "commplan", "model", "results", "scenarios"]


def pulp_private_names() -> set[str]:
    """Single-underscore names of PuLP's classes and of their instances (``_model``, ``_expr`` …)."""
    prob = LpProblem("probe")
    var = prob.add_variable("v", 0, 1)
    expr = LpAffineExpression.from_list([(var, 1.0)])
    expr.sense = pulp.LpConstraintLE
    row = prob.addConstraint(expr)
    objects = [prob, var, expr, row, pulp.HiGHS(msg=False), pulp.COIN_CMD(msg=False)]
    names = {n for o in objects for n in [*dir(type(o)), *vars(o)]}
    names |= {*dir(pulp), *dir(pulp.core), *dir(pulp.core._internal)}  # _rustcore, _const_to_rust_cat …
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


PRIVATE = pulp_private_names()


def private_uses(source: str) -> list[str]:
    """Where ``source`` reaches into PuLP's private API.

    An import of a ``pulp`` module or name with a leading underscore in any part, and any
    attribute access (or bare name) that is one of PuLP's private names, unless it is on
    ``self``/``cls`` (the project's own objects).
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pulp":
            parts = node.module.split(".") + [a.name for a in node.names]
            if any(p.startswith("_") for p in parts):
                found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "pulp" and any(p.startswith("_") for p in a.name.split(".")):
                    found.append(f"line {node.lineno}: import {a.name}")
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in PRIVATE:
            found.append(f"line {node.lineno}: {node.id}")
    return found


def test_the_private_api_check_catches_what_the_optimiser_once_did():
    old = """
from pulp.core._internal import _const_to_rust_cat
from pulp import _rustcore
import pulp.core._internal

def batch(prog, names, lb, ub, rust_cat):
    return prog.prob._model.add_variables_batch(names, lb, ub, _const_to_rust_cat(rust_cat))

def add_row(e, sense):
    e._set_sense(sense)
    return [v.value for v in self.prob._model.list_variables()]

class Own:
    def __init__(self):
        self._model = None  # the project's own attribute: allowed
"""
    found = private_uses(old)
    assert len(found) == 7, found
    assert {"_model", "_set_sense", "_const_to_rust_cat"} <= PRIVATE


def test_no_project_code_reaches_into_pulps_private_api():
    files = [p for f in FOLDERS for p in sorted((ROOT / f).rglob("*.py"))]
    assert any(p.name == "variables.py" for p in files)
    bad = {str(p.relative_to(ROOT)): u for p in files if (u := private_uses(p.read_text(encoding="utf-8")))}
    assert not bad, f"PuLP's private API used (use its public API): {bad}"


# --------------------------------------------------------------------------------------
# bounds


@pytest.fixture
def finite_bounds_only(monkeypatch):
    """Make PuLP refuse an infinite or NaN bound wherever the project may set one."""

    def check(*bounds):
        for b in bounds:
            if b is not None and not math.isfinite(b):
                raise AssertionError(f"non-finite bound {b!r} given to PuLP (use None for no bound)")

    def wrap(name, positions):
        original = getattr(LpProblem, name)

        def guarded(self, *args, **kwargs):
            check(*(args[i - 1] for i in positions if len(args) >= i), kwargs.get("lowBound"), kwargs.get("upBound"))
            return original(self, *args, **kwargs)

        monkeypatch.setattr(LpProblem, name, guarded)

    for name in ("add_variable", "add_column", "add_variable_dicts", "add_variable_dict", "add_variable_matrix"):
        wrap(name, positions=(3, 4) if name.startswith("add_variable_") else (2, 3))
    for attr in ("lowBound", "upBound"):
        prop = getattr(LpVariable, attr)

        def setter(self, value, _set=prop.fset):
            check(value)
            _set(self, value)

        monkeypatch.setattr(LpVariable, attr, property(prop.fget, setter))
    original_bounds = LpVariable.bounds

    def bounds(self, low, up):
        check(low, up)
        original_bounds(self, low, up)

    monkeypatch.setattr(LpVariable, "bounds", bounds)


def test_the_bound_guard_catches_an_infinite_bound(finite_bounds_only):
    prob = LpProblem("probe")
    with pytest.raises(AssertionError, match="non-finite"):
        prob.add_variable_matrix("%s", ["a"], 0.0, float("inf"))
    v = prob.add_variable_matrix("%s", ["b"], 0.0, None)[0]
    with pytest.raises(AssertionError, match="non-finite"):
        v.upBound = math.inf


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_no_variable_of_a_bundled_scenario_gets_an_infinite_bound(name, finite_bounds_only):
    """Bounds are finite or none, in the build and in every mode's bound moves.

    PuLP reports "no upper bound" as ``inf``: only whole hires (any number of people), working
    funds and training places (any amount: their rows bound them) and a dropped budget's slack
    have none; every lower bound is 0 but a co-funder's part.
    """
    prog = Program(load(name), total_budget_row=True, attainment_row=True)
    for elastic in (True, False):
        prog.set_elastic(elastic)
    prog.set_budget(hard=False)
    prog.set_budget(hard=True, total=1e9)
    prog.set_budget(hard=True, total=None)
    variables = prog.prob.variables()
    assert variables
    prog.prob.checkDuplicateVars()  # warm starts restore values by name
    # a co-funder's part is free in sign: a line that falls below today's bill shares its saving
    assert all(v.lowBound == 0.0 or v.name.startswith("cofunding|") for v in variables)
    unbounded = {v.name for v in variables if not math.isfinite(v.upBound)}
    free = ("hire_", "budget-slack|", "funds|", "train_")
    assert all(n.startswith(free) for n in unbounded), sorted(n for n in unbounded if not n.startswith(free))[:5]
    used = {v.name for v in variables}  # a hire with no cost and no row (staff paid by others) is not in the program
    hires = [v for row in prog.h.values() for cells in row for v in cells if v.name in used]
    assert hires and all(v.name in unbounded for v in hires)


def test_restore_puts_back_every_value_of_a_solution(tutorial):
    prog = Program(tutorial)
    prog.set_elastic(False)
    prog.use_objective("cost")
    assert prog.run("highs").status == "optimal"
    sol = prog.solution()
    solved = {v.name for v in prog.prob.exported_variables()}  # the solver's columns all have a value
    assert solved and solved <= set(sol.values)
    prog.prob.assignVarsVals({n: 0.5 for n in sol.values})
    prog.restore(sol)
    assert {v.name: v.varValue for v in prog.prob.variables() if v.name in sol.values} == sol.values
