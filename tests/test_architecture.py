"""The house has floors: every import points down (docs/architecture.md), with no circle,
and the commands that need neither a solver nor charts load neither."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("commplan", "results", "model", "optimize", "scenarios", "extensions")


def test_the_import_contracts_hold():
    """pyproject.toml's [tool.importlinter] contracts: the layers, extensions on top, no solver below."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES, cache_dir=None, exclude_type_checking_imports=True)


def test_no_module_imports_itself_through_others(graph):
    """No circle, counting imports inside functions too: a lazy import may not hide one."""
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.split(".")[0] in PACKAGES and imported != module:
                g.add_edge(module, imported)
    # a package's __init__ re-exporting its own modules is not a circle of the design
    circles = [
        sorted(c)
        for c in nx.strongly_connected_components(g)
        if len(c) > 1 and not any(m in PACKAGES and all(x.startswith(m + ".") or x == m for x in c) for m in c)
    ]
    assert circles == []


def test_the_contracts_can_fail(tmp_path):
    """The layer check sees an import that points up (so a green run means something)."""
    planted = ROOT / "scenarios" / "_planted_upward_import.py"
    planted.write_text("import results.summary  # noqa: F401\n", encoding="utf-8")
    try:
        lint = Path(sys.executable).parent / "lint-imports"
        done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    finally:
        planted.unlink()
    assert done.returncode != 0
    assert "scenarios._planted_upward_import -> results.summary" in done.stdout


def test_validate_loads_no_solver_and_no_plotting_library():
    code = (
        "import sys\n"
        "from commplan.cli import main\n"
        "assert main(['validate', 'tutorial', '--quiet']) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulp', 'highspy', 'matplotlib'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
