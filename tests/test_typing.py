"""A plain ``mypy`` at the repository root checks the project (pyproject.toml's [tool.mypy]).

Until the planning program's container is typed, five optimiser modules still have errors:
their ``Program`` gets attributes set on it after construction (``prog.shortfall``,
``prog.budget_rows`` …), which mypy cannot see. The test therefore passes over errors in
those five files, and errors elsewhere that are only ``"Program" has no attribute`` (the
same cause, read from outside), and prints how many remain. Everything else must be
clean. The exclusion goes when the Program container is typed; the test then asserts
that mypy exits 0.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Rewritten around a typed Program container; their errors are that work's.
PROGRAM_CONTAINER_FILES = frozenset(
    f"optimize/{name}.py" for name in ("variables", "constraints", "program", "marginal", "session")
)
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)$")
SUMMARY = re.compile(
    r"^(Success: no issues found|Found \d+ errors?) in \d+ files? \(checked \d+ source files?\)$", re.M
)


def awaits_program_container(path: str, message: str) -> bool:
    return path.replace("\\", "/") in PROGRAM_CONTAINER_FILES or message.startswith('"Program" has no attribute')


def test_mypy_finds_no_error_outside_the_program_container():
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    output = done.stdout + done.stderr
    # 0: clean, 1: errors found; anything else (2: a bad config, a crash) checked nothing
    assert done.returncode in (0, 1), output[-4000:]
    assert SUMMARY.search(output), output[-4000:]
    errors = [(line, m) for line in output.splitlines() if (m := ERROR.match(line))]
    remaining = [line for line, m in errors if awaits_program_container(m["path"], m["message"])]
    elsewhere = [line for line, m in errors if not awaits_program_container(m["path"], m["message"])]
    print(f"mypy: {len(remaining)} errors left for the typed Program container")
    assert elsewhere == [], "\n".join(elsewhere)
