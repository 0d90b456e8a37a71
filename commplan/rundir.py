"""Run folders: where outputs go, what makes a run finished, and its manifest.

A run is *finished* when its ``manifest.json`` carries an ``end_time``. A command writes a
manifest without one when it starts (naming every file it may write) and the finished
manifest last, so a crash leaves a folder that is visibly unfinished, and visibly
commplan's. A finished run is never overwritten unless the user says ``--force``.

commplan deletes or overwrites only what it wrote itself: the files the manifest lists
(a manifest of an older commplan, without the list: the names commplan writes). A folder
that holds other things and no commplan run is refused without ``--force``; with it the
other files are left alone, and a file of the user's under a name the command would write
is refused outright. One command at a time: a lock on the folder (``.commplan.lock``,
released by the system if the process dies) turns a second command away, naming the first.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import filelock
import tomli_w

from scenarios.files import CannotWrite, atomic_write_text, orphaned_temporaries, write_json
from scenarios.problems import InputError
from scenarios.schema import Scenario

PACKAGES = ("commplan", "mesa", "numpy", "pulp", "highspy", "matplotlib")


class RunExists(InputError):
    """The output folder holds a finished run and --force was not given."""


class NotARunFolder(InputError):
    """The output folder holds files of the user's and no commplan run, or a file under a name commplan writes."""


class FolderBusy(InputError):
    """Another commplan command is writing into the output folder."""


class InputInsideOut(InputError):
    """An input of the command lies inside its output folder, where it could be overwritten."""


def default_out(scenario: Scenario, mode: str) -> Path:
    return Path("runs") / f"{scenario.name}-{mode}"


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The folder's commplan manifest (finished or not), or None if it has none."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("command"), str) else None


def is_finished(out: Path) -> bool:
    manifest = read_manifest(out)
    return manifest is not None and "end_time" in manifest


def finished_command(out: Path) -> str | None:
    """The command of the finished run in ``out``, or None."""
    manifest = read_manifest(out)
    return manifest["command"] if manifest is not None and "end_time" in manifest else None


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


#: The lock file, and who holds it (pid and command, for the message to a second command).
LOCK, HOLDER = ".commplan.lock", ".commplan.lock.holder"
#: An internal error's details, when the command had a run folder.
ERROR_LOG = "commplan-error.log"

_PLAN = ("plan.csv", "summary.json", "cost_breakdown.png", "attainment.png")
_SIMULATION = (
    "plan.csv",
    "summary.json",
    "timeseries.csv",
    "attainment.csv",
    "targets.png",
    "fans.png",
    "communities.png",
    "communities_map.png",
    "communities.csv",
    "results.xlsx",
    "report.html",
)
#: What each command may write into its folder, besides the manifest and an error log.
WRITES: dict[str, tuple[str, ...]] = {
    "plan": ("scenario.toml", *_PLAN, "communities.csv", "results.xlsx"),
    "simulate": ("scenario.toml", *_SIMULATION),
    "run": ("scenario.toml", *_PLAN, *_SIMULATION, "replans.csv"),
    "sweep": ("scenario.toml", "sweep.json", "units", "frontier.csv", "frontier.png", "shortfalls.csv", "sweep.html"),
    "compare": ("comparison.csv", "paired.csv", "compare.png", "compare.html"),
    "sensitivity": (
        "scenario.toml",
        "sensitivity.json",
        "units",
        "plan.csv",
        "summary.json",
        "sensitivity.csv",
        "samples.csv",
        "sensitivity.png",
        "report.html",
    ),
}
ALWAYS = ("manifest.json", ERROR_LOG)
#: Every name commplan writes into a run folder (an older manifest without a list of files owns these).
ALL_NAMES = tuple(dict.fromkeys([*ALWAYS, *(n for names in WRITES.values() for n in names)]))

#: What a ``units/`` folder holds: a sweep's budget folders of plans, done files and replications
#: (under uncertainty also each future's), a sensitivity run's plan and design points.
UNIT_DIR = re.compile(r"^(budget-[0-9A-Za-z.+\-]+|plan|points)$")
UNIT_FILES = (*_PLAN, "done.json")
UNIT_FILE = re.compile(r"^(rep-\d{5}|future-\d{5}-rep-\d{5}|point-\d{6})\.(csv|json)$")
#: Any file name of a units folder.
UNIT_NAME = re.compile(
    "|".join([*(re.escape(n) for n in UNIT_FILES), r"(rep-\d{5}|future-\d{5}-rep-\d{5}|point-\d{6})\.(csv|json)"])
)


def writes(command: str) -> tuple[str, ...]:
    """The names ``command`` may write into its folder (every name for a command it does not know)."""
    return tuple(dict.fromkeys([*ALWAYS, *WRITES.get(command, ALL_NAMES)]))


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when it is missing, unreadable or not an object."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return found if isinstance(found, dict) else None


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Warnings about failed units, one line each, before the rest are counted in one line.
MOST_WARNINGS = 20


class FailedUnits:
    """Warns that a unit failed its check and is computed again (``sweep``, ``sensitivity``):
    one line a unit up to :data:`MOST_WARNINGS`, then one line for all the rest."""

    def __init__(self, units: Path, warn: Callable[[str], None]):
        self.units, self.warn, self.count = units, warn, 0

    def __call__(self, unit: str, why: str) -> None:
        self.count += 1
        if self.count <= MOST_WARNINGS:
            self.warn(f"{self.units / unit} {why}; computing it again")
        elif self.count == MOST_WARNINGS + 1:
            self.warn("more units failed their check; all are computed again")


def _is_sweep_identity(path: Path) -> bool:
    found = read_json(path)
    return found is not None and "scenario_sha256" in found


def owned_names(out: Path, manifest: dict[str, Any] | None) -> set[str]:
    """The names in ``out`` that a commplan command wrote (only ever names commplan writes)."""
    if manifest is not None:
        listed = manifest.get("files")
        if isinstance(listed, list):  # and the error log, written after the manifest of a run that failed
            return {n for n in listed if isinstance(n, str) and n in ALL_NAMES} | {ERROR_LOG}
        return set(ALL_NAMES)  # written by a commplan that did not list its files yet
    if _is_sweep_identity(out / "sweep.json"):  # a sweep stopped before it wrote its manifest
        return set(writes("sweep"))
    if _is_sweep_identity(out / "sensitivity.json"):  # the same, for a sensitivity analysis
        return set(writes("sensitivity"))
    return set()


def remove_units(units: Path) -> None:
    """Delete a sweep's ``units/`` folder: the files a sweep writes there, and nothing else."""
    if units.is_symlink() or not units.is_dir():
        return
    for folder in units.iterdir():
        if not UNIT_DIR.match(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue
        names = [f for f in folder.iterdir() if f.name in UNIT_FILES or UNIT_FILE.match(f.name)]
        names += orphaned_temporaries(folder, UNIT_NAME)
        for f in names:
            if f.is_file() or f.is_symlink():
                f.unlink(missing_ok=True)
        _rmdir_if_empty(folder)
    _rmdir_if_empty(units)


def _rmdir_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # something of the user's is left in it


def refuse_inputs_inside(out: Path, inputs: Iterable[tuple[str, Path | None]]) -> None:
    """Refuse an input (the scenario file, a plan, a compared run) that lies inside ``out``.

    Writing the run there could overwrite it, or clearing the folder delete it.
    """
    where = _resolved(out)
    for label, path in inputs:
        if path is None:
            continue
        found = _resolved(path)
        if found == where or where in found.parents:
            raise InputInsideOut(
                f"{label} {path} is inside the output folder {out}, where commplan would overwrite or delete it; "
                "choose another --out"
            )


def _resolved(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def _listing(names: list[str], most: int = 5) -> str:
    shown = ", ".join(sorted(names)[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


class RunFolder:
    """An output folder, locked for one command: what is in it, whose it is, and clearing it.

    Opening creates the folder, takes the lock and refuses what must not be touched (a
    finished run without ``force``, a folder of the user's without ``force``, a file of
    the user's under a name the command writes); it changes nothing else. ``resume``: a
    finished run of the same command may be continued without ``force`` (sweeps).
    """

    def __init__(self, out: Path, command: str, force: bool, resume: bool = False):
        self.out, self.command, self.names = Path(out), command, writes(command)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            if not self.out.is_dir():
                raise NotADirectoryError(20, "Not a directory", str(self.out))
        except OSError as e:
            raise CannotWrite(f"cannot use {out} as the output folder: {e.strerror or e}") from None
        self._lock: filelock.BaseFileLock | None = self._take_lock()
        try:
            self._inspect(force, resume)
        except BaseException:
            self.release()
            raise

    def _take_lock(self) -> filelock.BaseFileLock:
        lock = filelock.FileLock(self.out / LOCK, timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise FolderBusy(
                f"{self.out} is in use by another commplan command ({self._holder()}); "
                "wait for it to finish, or choose another --out"
            ) from None
        except OSError as e:
            raise CannotWrite(f"cannot lock {self.out / LOCK}: {e.strerror or e}") from None
        try:
            write_json(
                self.out / HOLDER,
                {"pid": os.getpid(), "command": " ".join(["commplan", *sys.argv[1:]]), "since": now()},
            )
        except BaseException:
            lock.release()
            raise
        return lock

    def _holder(self) -> str:
        try:
            holder = json.loads((self.out / HOLDER).read_text(encoding="utf-8"))
            return f"pid {int(holder['pid'])}: {str(holder['command'])[:200]}"
        except (OSError, ValueError, KeyError, TypeError):
            return "its pid is not recorded yet"

    def _inspect(self, force: bool, resume: bool) -> None:
        self.manifest = read_manifest(self.out)
        self.owned = owned_names(self.out, self.manifest)
        commplans = self.manifest is not None or bool(self.owned)
        ignored = {LOCK, HOLDER, *(p.name for p in orphaned_temporaries(self.out, ALL_NAMES))}
        foreign = sorted(p.name for p in self.out.iterdir() if p.name not in self.owned | ignored)
        self.finished_command = finished_command(self.out)
        if foreign and not commplans and not force:
            raise NotARunFolder(
                f"{self.out} is not empty ({_listing(foreign)}) and holds no commplan run; "
                "choose a new or empty --out, or add --force to write beside those files (commplan leaves them alone)"
            )
        if self.finished_command is not None and not force and not (resume and self.finished_command == self.command):
            raise RunExists(f"{self.out} holds a finished run; choose another --out, or add --force to overwrite it")
        clash = sorted(set(foreign) & set(self.names))
        if clash:
            raise NotARunFolder(
                f"{self.out / clash[0]} was not written by commplan"
                + (f" (nor {_listing(clash[1:])})" if clash[1:] else "")
                + "; commplan does not overwrite files it did not write: move them away, or choose another --out"
            )

    def clear(self, keep: tuple[str, ...] = ()) -> None:
        """Delete what earlier commplan commands wrote here (but ``keep``), and temporaries a killed one left."""
        for name in sorted(self.owned - set(keep)):
            path = self.out / name
            if name == "units":
                remove_units(path)
            elif path.is_symlink() or path.is_file():
                path.unlink(missing_ok=True)
        for tmp in orphaned_temporaries(self.out, ALL_NAMES):
            tmp.unlink(missing_ok=True)

    def release(self) -> None:
        """Let another command have the folder (the system does it too if the process dies)."""
        if self._lock is None:
            return
        try:
            holder = json.loads((self.out / HOLDER).read_text(encoding="utf-8"))
            if isinstance(holder, dict) and holder.get("pid") == os.getpid():
                (self.out / HOLDER).unlink(missing_ok=True)
        except (OSError, ValueError):
            pass
        self._lock.release()
        self._lock = None


class Run:
    """One command's output folder: opened at the start, finished by writing the manifest.

    ``scenario`` is None for commands that read other runs rather than a scenario (compare).
    ``folder``: the folder already opened (locked and checked) by the caller; ``keep``:
    earlier outputs to keep until this run replaces them (a resumed sweep's units, its
    frontier and its finished manifest).
    """

    def __init__(
        self,
        out: Path,
        scenario: Scenario | None,
        command: str,
        force: bool,
        seeds: dict[str, Any] | None = None,
        *,
        folder: RunFolder | None = None,
        keep: tuple[str, ...] = (),
        **facts: Any,
    ):
        self.folder = folder if folder is not None else RunFolder(out, command, force)
        self.out, self.scenario = self.folder.out, scenario
        try:
            self.manifest: dict[str, Any] = {"command": command, "argv": sys.argv[1:]}
            extensions = extension_files(scenario) if scenario is not None else {}
            self.folder.clear(keep)
            self.manifest["files"] = list(self.folder.names)
            if scenario is not None:
                text = scenario_toml(scenario)
                atomic_write_text(self.out / "scenario.toml", text)
                self.manifest.update(
                    scenario=scenario.name,
                    scenario_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    seeds=seeds or {"scenario": scenario.seed},
                    extensions=extensions,
                )
            self.manifest.update(facts, versions=versions(), start_time=now())
            if not ("manifest.json" in keep and is_finished(self.out)):
                write_json(self.out / "manifest.json", self.manifest)  # unfinished: names what it may write
        except BaseException:
            self.close()
            raise

    def finish(self, **extra: Any) -> None:
        self.manifest.update(extra)
        self.manifest["files"] = [n for n in self.folder.names if (self.out / n).exists() and n != ERROR_LOG]
        self.manifest["end_time"] = now()
        write_json(self.out / "manifest.json", self.manifest)
        self.close()

    def close(self) -> None:
        """Release the folder's lock (finishing does; so does an error)."""
        self.folder.release()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
