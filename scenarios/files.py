"""Writing outputs so that a crash never leaves a half-written file that looks finished.

Every file is written to a temporary sibling (``.<name>.<random>.tmp``) and renamed into
place (atomic on POSIX). The file then has the permissions any new file gets under the
process's umask (``0o666 & ~umask``), not the ``0600`` of a temporary file: a shared run
folder stays readable to colleagues and web servers. A write that fails for a reason of
the machine's (a full disk, no permission, a name too long) raises :class:`CannotWrite`
naming the path, an input error the command line reports with exit 1.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from scenarios.problems import InputError


class CannotWrite(InputError):
    """An output could not be written (disk full, no permission, bad path): the message names it."""


def _umask_from_proc() -> int | None:
    """The process's umask as Linux reports it, without changing it (None elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return None


def _umask_at_import() -> int:
    found = _umask_from_proc()
    if found is None:  # read it the only portable way, once, while importing
        found = os.umask(0o022)
        os.umask(found)
    return found


_UMASK = _umask_at_import()


def file_mode() -> int:
    """The mode a new file gets under the current umask (read afresh where the system allows)."""
    umask = _umask_from_proc()
    return 0o666 & ~(_UMASK if umask is None else umask)


#: A temporary file of :func:`atomic_file`, left behind only if the process was killed.
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


def orphaned_temporaries(folder: Path, names: Iterable[str] | re.Pattern[str]) -> list[Path]:
    """Temporary files :func:`atomic_file` left in ``folder`` (a killed run's) for any of ``names``.

    ``names``: the file names, or a pattern the whole name matches.
    """
    if isinstance(names, re.Pattern):
        pattern = names

        def wanted(name: str) -> bool:
            return pattern.fullmatch(name) is not None
    else:
        known = set(names)

        def wanted(name: str) -> bool:
            return name in known

    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if (m := TEMPORARY.match(p.name)) and wanted(m["name"]) and p.is_file()]


def _cannot_write(path: Path, error: OSError) -> CannotWrite:
    return CannotWrite(f"cannot write {path}: {error.strerror or error}")


@contextmanager
def atomic_file(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """A file that appears under ``path`` whole, or not at all: written beside it, renamed when done.

    For outputs too large to hold as one string (a city's timeseries): write as you go.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise _cannot_write(path, e) from e
    try:
        text = "b" not in mode
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline="" if text else None) as f:
            try:
                yield f
            except OSError as e:
                if e.filename is None:  # writing to f failed (a full disk): this file's failure
                    raise _cannot_write(path, e) from e
                raise  # the caller's own error, on some other file
            try:
                f.flush()
                if hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), file_mode())
                else:  # Windows before Python 3.13: only the read-only bit exists there
                    os.chmod(tmp, file_mode())
                os.fsync(f.fileno())
            except OSError as e:
                raise _cannot_write(path, e) from e
        try:
            os.replace(tmp, path)
        except OSError as e:
            raise _cannot_write(path, e) from e
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    with atomic_file(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def write_json(path: str | Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def write_csv_rows(f: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """CSV with a fixed float format, so the same numbers always give the same bytes."""
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    for row in rows:
        w.writerow([format_cell(v) for v in row])


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    write_csv_rows(buf, header, rows)
    return buf.getvalue()


def format_cell(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        if v.is_integer():
            return int(v)
        return repr(round(v, 6))
    return v


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    atomic_write_text(path, csv_text(header, rows))
