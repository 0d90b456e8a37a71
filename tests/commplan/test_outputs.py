"""What every output is like: readable as the umask says, and standard output free of the solver's banner.

Regression tests of issue 10 ("Every output file is created 0600", "the HiGHS banner prints
on stdout under --quiet").
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from commplan.cli import main
from scenarios.files import atomic_write_text, file_mode


@pytest.fixture
def umask():
    """Set the process's umask for one test, and put it back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)])
def test_a_written_file_follows_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    assert file_mode() == mode
    atomic_write_text(tmp_path / "out.txt", "x")
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == mode


def test_a_run_folder_is_readable_by_colleagues(tmp_path, umask):
    umask(0o022)
    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), "--marginal-costs", "none", "--quiet"]) == 0
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir() if not p.name.startswith(".")}
    assert modes and all(m == 0o644 for m in modes.values()), modes


def test_quiet_means_nothing_on_standard_output(tmp_path):
    """HiGHS prints its banner from C when the first solver object is built: it must not reach stdout."""
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "commplan", "--quiet", "plan", "tutorial", "--out", str(out)]
    done = subprocess.run([*cmd, "--marginal-costs", "dual"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "HiGHS" not in done.stderr


def test_the_result_is_unchanged_by_silencing_the_banner(tmp_path):
    """In-process (banner already silenced or not) and in a fresh process: the same plan."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["plan", "tutorial", "--out", str(a), "--marginal-costs", "none", "--quiet"]) == 0
    cmd = [sys.executable, "-m", "commplan", "--quiet", "plan", "tutorial", "--out", str(b), "--marginal-costs", "none"]
    subprocess.run(cmd, check=True, capture_output=True)
    assert (a / "plan.csv").read_bytes() == (b / "plan.csv").read_bytes()
