"""`commplan plan` solves and writes; it never simulates, so it must not pay for importing
the simulation (Mesa, the agents): seconds a command on a loaded machine (issue 13)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from commplan.cli import main
code = main(["plan", sys.argv[1], "--out", sys.argv[2], "--quiet"])
print(json.dumps({"code": code, "mesa": "mesa" in sys.modules, "model": sorted(m for m in sys.modules if m.startswith("model."))}))
"""


def _probe(scenario: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(scenario), str(out)], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_plan_does_not_import_the_simulation(tmp_path):
    seen = _probe(ROOT / "scenarios" / "tutorial.toml", tmp_path / "plan")
    assert seen["code"] == 0
    assert (tmp_path / "plan" / "plan.csv").exists()
    assert not seen["mesa"], "commplan plan imported mesa"
    assert seen["model"] == ["model.plan"], seen["model"]
