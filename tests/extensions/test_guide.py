"""docs/extending.md cannot rot: its Python blocks run in order as one script, and the
extension it builds is, definition for definition, extensions/parking.py."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "extending.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def guide_script() -> str:
    return "\n".join(BLOCK.findall(GUIDE.read_text(encoding="utf-8")))


def test_every_python_block_of_the_guide_runs_in_order_as_one_script(tmp_path, capsys):
    script = guide_script()
    assert script.count("\n") > 100
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(script, str(GUIDE), "exec"), {"__name__": "guide"})
    finally:
        os.chdir(here)
    out = capsys.readouterr().out
    assert "parking needs" in out and "served_parking" in out and "served > demand for parking" in out
    assert (tmp_path / "runs" / "tutorial-parking" / "timeseries.csv").exists()


def test_the_guide_builds_exactly_the_bundled_parking_extension():
    guide = {n.name if hasattr(n, "name") else ast.unparse(n.targets[0]): ast.dump(n) for n in ast.parse(guide_script()).body if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.Assign))}
    module = ast.parse((ROOT / "extensions" / "parking.py").read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.Assign)):
            name = node.name if hasattr(node, "name") else ast.unparse(node.targets[0])
            assert guide.get(name) == ast.dump(node), f"{name} differs between docs/extending.md and extensions/parking.py"
