"""docs/extending.md cannot rot: its Python blocks run in order as one script, and the
extension it builds is, definition for definition, extensions/parking.py."""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "extending.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
BASH = re.compile(r"^```bash\n(.*?)^```", re.S | re.M)


def guide_script() -> str:
    return "\n".join(BLOCK.findall(GUIDE.read_text(encoding="utf-8")))


def test_every_python_block_of_the_guide_runs_in_order_as_one_script(tmp_path):
    """Run as a researcher would: a real script, in a folder of its own, by a fresh interpreter."""
    script = guide_script()
    assert script.count("\n") > 100
    (tmp_path / "guide.py").write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, "guide.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (
        "parking needs" in done.stdout
        and "served_parking" in done.stdout
        and "served > demand for parking" in done.stdout
    )
    assert (tmp_path / "runs" / "tutorial-parking" / "timeseries.csv").exists()


def test_the_guides_command_line_runs_too(tmp_path):
    (tmp_path / "guide.py").write_text(guide_script(), encoding="utf-8")
    subprocess.run([sys.executable, "guide.py"], cwd=tmp_path, capture_output=True, check=True, timeout=600)
    line = next(b for b in BASH.findall(GUIDE.read_text(encoding="utf-8")) if "commplan simulate" in b).strip()
    args = shlex.split(line.replace(".venv/bin/commplan", "", 1))
    done = subprocess.run(
        [sys.executable, "-m", "commplan", "--quiet", *args], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    header = (tmp_path / "runs" / "tutorial-parking-cli" / "timeseries.csv").read_text().splitlines()[0]
    assert "served_parking" in header


def test_the_guide_builds_exactly_the_bundled_parking_extension():
    guide = {
        n.name if hasattr(n, "name") else ast.unparse(n.targets[0]): ast.dump(n)
        for n in ast.parse(guide_script()).body
        if isinstance(n, (ast.ClassDef, ast.FunctionDef, ast.Assign))
    }
    module = ast.parse((ROOT / "extensions" / "parking.py").read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.Assign)):
            name = node.name if hasattr(node, "name") else ast.unparse(node.targets[0])
            assert guide.get(name) == ast.dump(node), (
                f"{name} differs between docs/extending.md and extensions/parking.py"
            )


def test_the_guides_time_bank_is_the_bundled_one():
    guide = {
        n.name: ast.dump(n) for n in ast.parse(guide_script()).body if isinstance(n, (ast.ClassDef, ast.FunctionDef))
    }
    module = ast.parse((ROOT / "extensions" / "timebank.py").read_text(encoding="utf-8"))
    defined = [n for n in module.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))]
    assert {n.name for n in defined} == {"TimeBankParameters", "balance", "TimeBank"}
    for node in defined:
        assert guide.get(node.name) == ast.dump(node), (
            f"{node.name} differs between docs/extending.md and extensions/timebank.py"
        )
