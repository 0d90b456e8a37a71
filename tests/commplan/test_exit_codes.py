"""The exit-code contract (1 change your input, 2 targets can't be met, 3 a bug) for options,
output paths, the machine's errors and internal errors; and no traceback ever.

Regression tests of issue 10 ("The exit-code contract", "Internal errors go to a fixed
commplan-error.log").
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile

import pytest

import commplan.cli as cli
from commplan.cli import main

QUICK = ["--marginal-costs", "none", "--quiet"]


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "tutorial", "--replications", "0"],
        ["run", "tutorial", "--replications", "-3"],
        ["run", "tutorial", "--seed", "-1"],
        ["simulate", "tutorial", "--seed", "1.5"],
        ["plan", "tutorial", "--gap", "nan"],
        ["plan", "tutorial", "--gap", "inf"],
        ["plan", "tutorial", "--time-limit", "nan"],
        ["plan", "tutorial", "--marginal-time-limit", "nan"],
        ["sweep", "tutorial", "--budgets", "nan"],
        ["sweep", "tutorial", "--budgets", "1e6,inf"],
        ["sweep", "tutorial", "--budgets", "1e308"],
        ["sweep", "tutorial", "--budgets", "-1"],
        ["simulate", "tutorial", "--processes", "100000"],
        ["plan", "tutorial", "--mode", "cheapest"],
        ["plan", "tutorial", "--no-such-option"],
        ["plan"],
        ["no-such-command"],
        [],
    ],
)
def test_every_bad_option_exits_1_with_the_usage_line(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("usage: commplan") and "error:" in err
    assert "Traceback" not in err and "extension" not in err


def test_help_still_exits_0(capsys):
    with pytest.raises(SystemExit) as info:
        main(["plan", "--help"])
    assert info.value.code == 0


def test_infinite_time_limit_means_no_limit(tmp_path):
    assert main(["plan", "tutorial", "--time-limit", "inf", "--out", str(tmp_path / "p"), *QUICK]) == 0


def test_out_under_a_file_exits_1_naming_it(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x")
    out = tmp_path / "a-file" / "run"
    assert main(["plan", "tutorial", "--out", str(out), *QUICK]) == 1
    err = capsys.readouterr().err
    assert f"cannot use {out} as the output folder" in err and "Traceback" not in err


def test_out_that_is_a_file_exits_1(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x")
    assert main(["plan", "tutorial", "--out", str(tmp_path / "a-file"), *QUICK]) == 1
    assert (tmp_path / "a-file").read_text() == "x"


def test_too_long_an_out_name_exits_1_naming_it(tmp_path, capsys):
    out = tmp_path / ("x" * 300)
    assert main(["plan", "tutorial", "--out", str(out), *QUICK]) == 1
    err = capsys.readouterr().err
    assert str(out) in err and "File name too long" in err


def test_a_full_disk_exits_1_naming_the_path(tmp_path, monkeypatch, capsys):
    import scenarios.files

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scenarios.files.os, "fsync", full)
    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), *QUICK]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out}" in err and "No space left on device" in err
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]  # no half file left behind


def test_a_permission_error_exits_1_naming_the_path(tmp_path, monkeypatch, capsys):
    import scenarios.files

    real = scenarios.files.os.replace

    def refuse(src, dst):
        if str(dst).endswith("summary.json"):
            raise PermissionError(errno.EACCES, "Permission denied", str(src), None, str(dst))
        return real(src, dst)

    monkeypatch.setattr(scenarios.files.os, "replace", refuse)
    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), *QUICK]) == 1
    err = capsys.readouterr().err
    assert f"cannot write {out / 'summary.json'}: Permission denied" in err


def test_the_machines_oserror_outside_commplans_writes_exits_1(monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", "/somewhere/out")

    monkeypatch.setitem(cli.COMMANDS, "plan", read_only)
    assert main(["plan", "tutorial"]) == 1
    assert "cannot write /somewhere/out: Read-only file system" in capsys.readouterr().err


# -- whose code failed --------------------------------------------------------------------


def _raise_from(filename: str) -> BaseException:
    """An error raised in ``filename`` (as a library's compiled code names itself), called from commplan's code."""
    inner: dict = {}
    exec(compile("def boom():\n    raise ValueError('empty data')\n", filename, "exec"), inner)
    outer: dict = {"boom": inner["boom"]}
    exec(compile("def command():\n    boom()\n", cli.__file__, "exec"), outer)  # a frame of commplan's
    try:
        outer["command"]()
    except ValueError as e:
        return e
    raise AssertionError("did not raise")


@pytest.mark.parametrize(
    "filename",
    [
        "pandas/_libs/parsers.pyx",  # Cython: a path relative to the library's own tree
        "numpy/random/bit_generator.pyx",
        "/opt/python/lib/python3.12/site-packages/somelib/core.py",
        "/usr/lib/python3/dist-packages/somelib/core.py",
        "<frozen importlib._bootstrap>",
    ],
)
def test_library_frames_are_never_blamed_on_the_users_extension(filename):
    assert cli._users_code(_raise_from(filename)) is None


def test_the_users_own_file_is_still_blamed(tmp_path):
    ext = tmp_path / "my_extension.py"
    frame = cli._users_code(_raise_from(str(ext)))
    assert frame is not None and frame.filename == str(ext)


def test_seed_minus_one_is_not_blamed_on_an_extension(capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate", "tutorial", "--seed", "-1", "--replications", "1"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "--seed: must be at least 0, not -1" in err and "extension" not in err


# -- the internal-error log -----------------------------------------------------------------


def test_the_error_log_lives_in_the_run_folder(tmp_path, monkeypatch, capsys):
    import commplan.pipeline as pipeline

    monkeypatch.setattr(pipeline, "plan", functools.partial(int, "a bug in commplan"))
    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), *QUICK]) == 3
    err = capsys.readouterr().err
    assert f"details in {out / 'commplan-error.log'}" in err and "Traceback" not in err
    assert "int()" in (out / "commplan-error.log").read_text()
    assert main(["plan", "tutorial", "--out", str(out), *QUICK[:-1], "--quiet"]) == 3  # cleared and written again


def test_without_a_run_folder_the_log_is_a_new_file_and_never_follows_a_symlink(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    (tmp_path / "commplan-error.log").symlink_to(victim)
    monkeypatch.setattr(cli, "load", functools.partial(int, "not a number"))
    assert main(["validate", "tutorial"]) == 3
    err = capsys.readouterr().err
    assert victim.read_text() == "do not touch"
    logs = [p for p in tmp_path.glob("commplan-error-*.log") if not p.is_symlink()]
    assert len(logs) == 1 and f"details in {logs[0]}" in err
    assert "TypeError" in logs[0].read_text()  # int("not a number", "tutorial"): a bug raised in C
    assert logs[0].stat().st_mode & 0o077 == 0  # mkstemp's own: private to the user


def test_no_traceback_even_when_the_log_cannot_be_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    monkeypatch.setattr(cli, "load", functools.partial(int, "not a number"))
    assert main(["validate", "tutorial"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert "internal error (TypeError: " in err
    assert "could not be logged (FileNotFoundError" in err


def test_an_extensions_error_is_logged_in_the_run_folder_and_still_blamed(tmp_path, monkeypatch, capsys):
    """The user's code failing still exits 1 and names its file and line (logged in the folder)."""
    ext = tmp_path / "lab_hook.py"
    ext.write_text("def hook(*args, **kwargs):\n    raise KeyError('no such field')\n")
    namespace: dict = {}
    exec(compile(ext.read_text(), str(ext), "exec"), namespace)
    import commplan.pipeline as pipeline

    monkeypatch.setattr(pipeline, "plan", namespace["hook"])
    out = tmp_path / "run"
    assert main(["plan", "tutorial", "--out", str(out), *QUICK]) == 1
    err = capsys.readouterr().err
    assert f"your extension code failed at {ext}:2 (hook)" in err
    assert (out / "commplan-error.log").exists()


def test_the_log_message_carries_the_whole_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(cli, "load", functools.partial(int, "not a number"))
    assert main(["validate", "tutorial"]) == 3
    (log,) = tmp_path.glob("commplan-error-*.log")
    text = log.read_text()
    assert text.startswith("Traceback") and "cmd_validate" in text
    assert os.path.basename(cli.__file__) in text


def test_a_reader_that_goes_away_is_not_an_internal_error(tmp_path):
    """``commplan validate … | head -1``: the pipe closes early; no traceback, no exit 3."""
    import subprocess
    import sys
    from pathlib import Path

    commplan = str(Path(sys.executable).parent / "commplan")
    names = ["tutorial"] * 400  # enough lines to outlast the pipe's buffer
    done = subprocess.run(
        f"{commplan} validate {' '.join(names)} | head -1", shell=True, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.stdout.startswith("tutorial: ok")
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
