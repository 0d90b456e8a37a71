"""Problems found in a scenario file, reported all at once with file, line, field and fix.

tomllib gives values but no positions, so :class:`LineIndex` recovers the line of every
table header and key from the file's text. That is enough for a planner to find the spot:
a value inside an inline table or a multi-line list is reported at its key's line.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from scenarios.limits import Limit, megabytes

Path_ = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]*"|[A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=')


def _split_key(key: str) -> tuple[str, ...]:
    if key.startswith('"'):
        return (key.strip('"'),)
    return tuple(part.strip() for part in key.split("."))


class LineIndex:
    """Line numbers of the headers and keys of a TOML text, addressed by key path.

    Arrays of tables are addressed by their 0-based position: ``("targets", 2, "share")``.
    """

    def __init__(self, text: str):
        self.lines: dict[Path_, int] = {}
        counts: dict[tuple[str, ...], int] = {}
        table: Path_ = ()
        in_multiline = 0
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                in_multiline += line.count("[") - line.count("]")
                continue
            if header := _HEADER.match(line):
                names = _split_key_path(header.group(2))
                if header.group(1) == "[[":
                    index = counts.get(names, -1) + 1
                    counts[names] = index
                    table = (*_with_indices(names, counts), index)
                else:
                    table = _with_indices(names, counts)
                self.lines.setdefault(table, number)
                continue
            if key := _KEY.match(line):
                path = (*table, *_split_key(key.group(1)))
                self.lines.setdefault(path, number)
                rest = line[key.end() :].split("#", 1)[0]
                in_multiline = max(0, rest.count("[") - rest.count("]"))

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest enclosing key or table."""
        for end in range(len(path), 0, -1):
            if (found := self.lines.get(tuple(path[:end]))) is not None:
                return found
        return None


def _split_key_path(text: str) -> tuple[str, ...]:
    return tuple(p.strip().strip('"') for p in text.split("."))


def _with_indices(names: tuple[str, ...], counts: dict[tuple[str, ...], int]) -> Path_:
    """``[[communities]]`` then ``[communities.x]`` means the latest community's table x."""
    out: list[str | int] = []
    for i, name in enumerate(names):
        out.append(name)
        prefix = names[: i + 1]
        if i < len(names) - 1 and prefix in counts:
            out.append(counts[prefix])
    return tuple(out)


def show_value(value: Any, limit: int = 60) -> str:
    """A value as the planner wrote it in TOML."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = '"' + value + '"'
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(show_value(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{k} = {show_value(v, limit)}" for k, v in value.items()) + " }"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``did you mean "x"?`` for the closest choice, or the list of choices when none is close."""
    choices = sorted(set(choices))
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    if not choices:
        return "none is declared"
    return "expected one of " + ", ".join(f'"{c}"' for c in choices)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str  # dotted, in the planner's names: targets.space-300.share
    value: Any  # the bad value, or MISSING
    message: str  # what is wrong and what would be right

    def __str__(self) -> str:
        where = f"line {self.line:<4}" if self.line else "         "
        field = _clip(self.field, FIELD_CHARS)
        what = field if self.value is MISSING else f"{field} = {show_value(self.value)}"
        message = _clip(self.message, MESSAGE_CHARS)
        return printable(f"  {where} {what}: {message}" if what else f"  {where} {message}")


#: A report shows at most this much of a field's name and of a message (both may quote the
#: file: an unknown key of a million characters is reported, not reprinted).
FIELD_CHARS, MESSAGE_CHARS = 120, 2000
#: A report lists at most this many problems of one file, then says how many more there are.
SHOWN_PER_FILE = 100


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with control characters written as TOML escapes (``\\u001b``): a report never
    sends a file's escape sequences to the terminal."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class InputError(Exception):
    """Input that needs a change and is not a scenario file's problem (an option, a folder,
    a run); the message says the fix. The command line exits 1 for it, whoever raises it."""


class ScenarioError(Exception):
    """Every problem found in one or more scenario files; ``str()`` is the planner's report."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        by_file: dict[str, list[Problem]] = {}
        for p in self.problems:
            by_file.setdefault(p.file, []).append(p)
        blocks = []
        for file, problems in by_file.items():
            problems.sort(key=lambda p: p.line or 0)
            noun = "problem" if len(problems) == 1 else "problems"
            lines = [str(p) for p in problems[:SHOWN_PER_FILE]]
            if len(problems) > SHOWN_PER_FILE:
                lines.append(f"  … and {len(problems) - SHOWN_PER_FILE:,} more problems of the same file")
            blocks.append(printable(f"{_clip(file, 1000)} has {len(problems):,} {noun}:") + "\n" + "\n".join(lines))
        return "\n".join(blocks)


def display_path(path: Path_, data: dict) -> str:
    """``("targets", 2, "share")`` as ``targets.space-300.share`` (the item's name or id)."""
    out: list[str] = []
    node: Any = data
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = None
            if isinstance(item, dict):
                label = item.get("name", item.get("id"))
            out[-1] += f".{label}" if isinstance(label, str) and label else f"[{part + 1}]"
            node = item
        else:
            out.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out)


def relative(path: Path) -> str:
    """The file's name as the planner typed it, or relative to the working folder."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):  # elsewhere, or a name the system refuses (NUL, too long)
        return str(path)


class Unreadable(Exception):
    """An input file that is not to be read: not a regular file, too large, or not readable.

    ``str()`` says what is wrong and what to do, without quoting the file's content.
    """


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


@contextmanager
def open_regular(path: Path, limit: Limit) -> Iterator[IO[bytes]]:
    """``path`` opened for reading in binary, if it is a regular file no larger than ``limit`` bytes.

    Opened without blocking and checked on the open file (not on the name, which may change
    in between), so a pipe, a device (``/dev/zero``) or a folder is refused at once rather
    than read forever. Raises :class:`FileNotFoundError`, or :class:`Unreadable` with what
    is wrong.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise Unreadable("is a folder, not a file") from None
    except PermissionError:
        raise Unreadable("cannot be read: permission denied") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL character in the name
        raise Unreadable(f"cannot be opened: {getattr(e, 'strerror', None) or e}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
            raise Unreadable(f"is {kind}, not a regular file; give the path of a file")
        if info.st_size > limit.value:
            raise Unreadable(
                f"is {info.st_size / 1e6:,.1f} MB, larger than the {megabytes(limit)} an input may be ({limit.reason})"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def read_limited(f: IO[bytes], limit: Limit) -> bytes:
    """All of ``f``, or :class:`Unreadable` if it holds more than ``limit`` bytes (a file still growing)."""
    data = f.read(int(limit.value) + 1)
    if len(data) > limit.value:
        raise Unreadable(f"is larger than the {megabytes(limit)} an input may be ({limit.reason})")
    return data
