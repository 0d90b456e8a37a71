"""Finished run folders as tables, for scripts, notebooks and the report.

>>> run = load_run("runs/tutorial")                      # doctest: +SKIP
>>> run.attainment.groupby(["target", "kind", "year"]).met.mean()  # doctest: +SKIP

Every table is a pandas DataFrame with the contract's columns (see docs/outputs in the
README); a table the command did not write (``timeseries`` after ``plan``) is ``None``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
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


#: What commplan reads from a run folder's files. A folder received from someone else, or
#: edited by hand, is checked against these before anything is computed from it, so a
#: damaged file is named (exit 1) rather than failing deep inside a comparison (exit 3).
CSV_COLUMNS = {
    "plan.csv": ("community", "year"),
    "timeseries.csv": ("replication", "month", "community"),
    "attainment.csv": ("replication", "year", "target", "required", "achieved", "met"),
}
NUMERIC_COLUMNS = {
    "plan.csv": ("year",),
    "timeseries.csv": ("replication", "month"),
    "attainment.csv": ("replication", "year", "required", "achieved", "met"),
}
_DAMAGED = "it was changed or damaged after commplan wrote it: run the command again, or ask for the folder again"


def _damaged(path: Path, what: str) -> NotARun:
    return NotARun(f"{path}: {what}; {_DAMAGED}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise _damaged(path, "not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise _damaged(path, f"not valid JSON (line {e.lineno}: {e.msg})") from None
    except ValueError as e:
        raise _damaged(path, str(e)) from None


def _is_number(v: Any, *, optional: bool = False) -> bool:
    if v is None:
        return optional
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def check_manifest(path: Path, manifest: Any, *, finished: bool) -> None:
    """The manifest's fields commplan reads have their types (``path`` names the file)."""
    if not isinstance(manifest, dict):
        raise _damaged(path, "not a JSON object")
    if "end_time" in manifest and not isinstance(manifest["end_time"], str):
        raise _damaged(path, "field 'end_time' must be a time, as text")
    if finished and "end_time" not in manifest:
        raise NotARun(f"{path.parent}: the run did not finish (manifest.json has no end_time); run it again")
    for key, kind in (("command", str), ("seeds", dict), ("files", list)):
        if key in manifest and not isinstance(manifest[key], kind):
            raise _damaged(path, f"field {key!r} must be a {kind.__name__}")


def check_summary(path: Path, summary: Any) -> None:
    """summary.json's fields commplan reads (compare, report) have the contract's shape."""
    if not isinstance(summary, dict):
        raise _damaged(path, "not a JSON object")
    for key in ("status", "mode"):
        if summary.get(key) is not None and not isinstance(summary[key], str):
            raise _damaged(path, f"field {key!r} must be text")
    for key in ("total_cost", "budget_total", "gap", "confidence"):
        if key in summary and not _is_number(summary[key], optional=True):
            raise _damaged(path, f"field {key!r} must be a finite number or null")
    for key in ("cost_by_year", "simulated_cost_by_year"):
        if key in summary and not (
            isinstance(summary[key], list) and all(_is_number(v, optional=True) for v in summary[key])
        ):
            raise _damaged(path, f"field {key!r} must be a list of numbers, one per plan year")
    if "cost_by_line" in summary and not (
        isinstance(summary["cost_by_line"], dict) and all(_is_number(v) for v in summary["cost_by_line"].values())
    ):
        raise _damaged(path, "field 'cost_by_line' must map each cost line to a number")
    requirements = summary.get("requirements", [])
    if not isinstance(requirements, list):
        raise _damaged(path, "field 'requirements' must be a list")
    for i, r in enumerate(requirements):
        where = f"requirements[{i}]"
        if not isinstance(r, dict):
            raise _damaged(path, f"{where} must be an object")
        if not isinstance(r.get("target"), str) or not isinstance(r.get("kind"), str):
            raise _damaged(path, f"{where} must name its 'target' and 'kind' as text")
        if not isinstance(r.get("year"), int) or isinstance(r.get("year"), bool) or r["year"] < 1:
            raise _damaged(path, f"{where}.year must be a plan year (1, 2, …)")
        for key in ("required", "planned", "shortfall"):
            if key in r and not _is_number(r[key], optional=True):
                raise _damaged(path, f"{where}.{key} must be a finite number or null")
        p = r.get("probability_met")
        if p is not None and not (_is_number(p) and 0 <= p <= 1):
            raise _damaged(path, f"{where}.probability_met must be a probability (0 to 1) or null")
    if "targets" in summary and not (
        isinstance(summary["targets"], list) and all(isinstance(t, dict) for t in summary["targets"])
    ):
        raise _damaged(path, "field 'targets' must be a list of objects")


def _csv(path: Path) -> pd.DataFrame | None:
    """A run's table, its columns checked; a table that is not one is named, not parsed on."""
    if not path.exists():
        return None
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        reason = "empty" if isinstance(e, pd.errors.EmptyDataError) else "not a readable CSV table"
        raise _damaged(path, reason) from None
    missing = [c for c in CSV_COLUMNS.get(path.name, ()) if c not in table.columns]
    if missing:
        raise _damaged(path, "no column " + ", ".join(repr(c) for c in missing))
    for column in NUMERIC_COLUMNS.get(path.name, ()):
        if not pd.api.types.is_numeric_dtype(table[column]) or not np.isfinite(table[column]).all():
            raise _damaged(path, f"column {column!r} holds a value that is not a finite number")
    return table


def load_run(path: str | Path, *, timeseries: bool = True, finished: bool = True) -> Run:
    """Read a run folder; ``timeseries=False`` skips the largest table.

    ``finished=False`` reads a run still being written (the command drawing its own charts).
    """
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not path.is_dir():
        raise NotARun(f"{path}: no such folder")
    if (finished or manifest_path.exists()) and not manifest_path.is_file():
        raise NotARun(f"{path}: no manifest.json; it is not a commplan run folder")
    manifest = _json(manifest_path) if finished or manifest_path.exists() else {}
    check_manifest(manifest_path, manifest, finished=finished)
    summary_path = path / "summary.json"
    summary = _json(summary_path) if summary_path.exists() else None
    if summary is not None:
        check_summary(summary_path, summary)
    return Run(
        path=path,
        manifest=manifest,
        scenario=load(path / "scenario.toml"),
        summary=summary,
        plan=_csv(path / "plan.csv"),
        timeseries=_csv(path / "timeseries.csv") if timeseries else None,
        attainment=_csv(path / "attainment.csv"),
    )
