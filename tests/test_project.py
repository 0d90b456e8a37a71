"""The project a new user meets: the README's two set-up commands and CI running the second."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert block, "README has no bash code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_starts_with_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "commplan run" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readmes_test_command_exactly():
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in ci_lines


def test_python_version_file_selects_312():
    assert (ROOT / ".python-version").read_text().strip() == "3.12"


def tracked_python_files(root: Path) -> list[str]:
    """The project's own Python files: what git tracks, so a planner's script kept in the clone is not linted."""
    import subprocess

    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--", "*.py"], capture_output=True, text=True, check=True
    )
    return [name for name in listed.stdout.split("\0") if name and (root / name).is_file()]


def test_lint_covers_tracked_files_only(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "project.py").write_text("x = 1\n")
    (tmp_path / "my_script.py").write_text("import os\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "project.py"], check=True)
    assert tracked_python_files(tmp_path) == ["project.py"]


def test_code_is_ruff_clean():
    import subprocess
    import sys

    files = tracked_python_files(ROOT)
    assert "tests/test_project.py" in files
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run([*ruff, "check", *files], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:]
    formatted = subprocess.run([*ruff, "format", "--check", *files], cwd=ROOT, capture_output=True, text=True)
    assert formatted.returncode == 0, formatted.stdout[-3000:]
