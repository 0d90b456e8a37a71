"""Finished run folders as tables, for scripts, notebooks and the report.

>>> run = load_run("runs/tutorial")                      # doctest: +SKIP
>>> run.attainment.groupby(["target", "kind", "year"]).met.mean()  # doctest: +SKIP

Every table is a pandas DataFrame with the contract's columns (see docs/outputs in the
README); a table the command did not write (``timeseries`` after ``plan``) is ``None``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from scenarios.loader import load
from scenarios.problems import InputError
from scenarios.schema import Scenario


class NotARun(InputError):
    """The folder is missing, or holds no finished run; the message says which."""


@dataclass
class Run:
    path: Path
    manifest: dict[str, Any]
    scenario: Scenario
    summary: dict[str, Any] | None
    plan: pd.DataFrame | None
    timeseries: pd.DataFrame | None
    attainment: pd.DataFrame | None
    label: str | None = None  # how comparisons name the run (default: its folder's name)

    @property
    def name(self) -> str:
        return self.label or self.path.name

    def requirements(self) -> pd.DataFrame:
        """summary.json's requirements as a table (one row per target, kind and year)."""
        if not self.summary:
            return pd.DataFrame()
        return pd.DataFrame(self.summary.get("requirements", []))


def _csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def load_run(path: str | Path, *, timeseries: bool = True, finished: bool = True) -> Run:
    """Read a run folder; ``timeseries=False`` skips the largest table.

    ``finished=False`` reads a run still being written (the command drawing its own charts).
    """
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not path.is_dir():
        raise NotARun(f"{path}: no such folder")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if finished or manifest_path.exists() else {}
    except (OSError, ValueError):
        raise NotARun(f"{path}: no manifest.json; it is not a commplan run folder") from None
    if finished and "end_time" not in manifest:
        raise NotARun(f"{path}: the run did not finish (manifest.json has no end_time); run it again")
    summary_path = path / "summary.json"
    return Run(
        path=path,
        manifest=manifest,
        scenario=load(path / "scenario.toml"),
        summary=json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else None,
        plan=_csv(path / "plan.csv"),
        timeseries=_csv(path / "timeseries.csv") if timeseries else None,
        attainment=_csv(path / "attainment.csv"),
    )
