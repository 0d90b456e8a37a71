"""Run folders: where outputs go, what makes a run finished, and its manifest.

A run is *finished* when its ``manifest.json`` carries an ``end_time``; the manifest is
written last, so a crash leaves a folder that is visibly unfinished. A finished run is
never overwritten unless the user says ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import tomli_w

from scenarios.files import atomic_write_text, write_json
from scenarios.problems import InputError
from scenarios.schema import Scenario

PACKAGES = ("commplan", "mesa", "numpy", "pulp", "highspy", "matplotlib")


class RunExists(InputError):
    """The output folder holds a finished run and --force was not given."""


def default_out(scenario: Scenario, mode: str) -> Path:
    return Path("runs") / f"{scenario.name}-{mode}"


def is_finished(out: Path) -> bool:
    try:
        return "end_time" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def extension_files(scenario: Scenario) -> dict[str, dict[str, str]]:
    """Each extension module the scenario names: its file and SHA-256, so a run can be repeated exactly."""
    import importlib

    out = {}
    for name in scenario.extensions:
        module = importlib.import_module(name.partition(":")[0])
        path = Path(getattr(module, "__file__", "") or "")
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        out[name] = {"file": str(path), "sha256": digest}
    return out


def scenario_toml(scenario: Scenario) -> str:
    return tomli_w.dumps(scenario.to_dict())


#: What a command writes into its folder; opening a folder clears them, so a file left by an
#: earlier run can never pass for this run's (sweeps keep their units/ and sweep.json).
OUTPUTS = (
    "plan.csv",
    "summary.json",
    "timeseries.csv",
    "attainment.csv",
    "replans.csv",
    "report.html",
    "frontier.csv",
    "comparison.csv",
    "paired.csv",
    "compare.html",
)


def finished_command(out: Path) -> str | None:
    """The command of the finished run in ``out``, or None."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest.get("command") if "end_time" in manifest else None


class Run:
    """One command's output folder: opened at the start, finished by writing the manifest.

    ``scenario`` is None for commands that read other runs rather than a scenario (compare).
    """

    def __init__(
        self,
        out: Path,
        scenario: Scenario | None,
        command: str,
        force: bool,
        seeds: dict[str, Any] | None = None,
        **facts: Any,
    ):
        if is_finished(out) and not force:
            raise RunExists(f"{out} holds a finished run; choose another --out, or add --force to overwrite it")
        self.out, self.scenario = out, scenario
        out.mkdir(parents=True, exist_ok=True)
        (out / "manifest.json").unlink(missing_ok=True)
        for name in OUTPUTS:
            (out / name).unlink(missing_ok=True)
        for chart in out.glob("*.png"):
            chart.unlink()
        self.manifest: dict[str, Any] = {"command": command, "argv": sys.argv[1:]}
        if scenario is not None:
            text = scenario_toml(scenario)
            atomic_write_text(out / "scenario.toml", text)
            self.manifest.update(
                scenario=scenario.name,
                scenario_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                seeds=seeds or {"scenario": scenario.seed},
                extensions=extension_files(scenario),
            )
        self.manifest.update(facts, versions=versions(), start_time=now())

    def finish(self, **extra: Any) -> None:
        self.manifest.update(extra)
        self.manifest["end_time"] = now()
        write_json(self.out / "manifest.json", self.manifest)
