"""Checking one value of a scenario file against its declared key (kind and range).

:func:`convert` returns the checked value or raises :class:`Invalid` with what would be
right; the loader turns that into a located problem. :func:`csv_value` reads a CSV cell
as its column's kind.
"""

from __future__ import annotations

import math
import re
from typing import Any

from scenarios import limits as L
from scenarios.fields import REQUIRED, Key
from scenarios.limits import show_limit
from scenarios.problems import MISSING, show_value

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
#: Characters a one-line text may not hold: new lines, tabs, terminal escapes and the like.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def is_number(value: Any) -> bool:
    """A finite int or float (an int too large for a float is not: TOML's integers have no limit)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def range_message(key: Key, value: Any = None) -> str:
    """What the range of ``key`` is; for a value beyond a plausibility limit, the limit's reason too."""
    low, high = key.low, key.high
    if key.limit is not None and high is not None:
        if is_number(value) and value > high:
            return f"must be at most {show_limit(high)} ({key.limit.reason}); is it in the right unit?"
        high = None  # below the range: its floor is what matters
    if low is not None and high is not None:
        text = f"must be between {show_limit(low)} and {show_limit(high)}" + (
            f" (and not {show_limit(low)})" if key.low_open else ""
        )
    elif low is not None:
        text = f"must be {'>' if key.low_open else '≥'} {show_limit(low)}"
    else:
        assert key.high is not None  # a key with a range has a floor or a ceiling
        text = f"must be ≤ {show_limit(key.high)}"
    return text


def in_range(key: Key, x: float) -> bool:
    if key.low is not None and (x < key.low or (key.low_open and x == key.low)):
        return False
    return key.high is None or x <= key.high


class Invalid(Exception):
    def __init__(self, message: str, value: Any = MISSING):
        self.message, self.value = message, value


def convert(key: Key, value: Any, years: int | None) -> Any:
    """The checked value of ``key``, or raise Invalid with what would be right."""
    kind = key.kind
    if kind in ("str", "name", "path"):
        if not isinstance(value, str) or not value.strip():
            raise Invalid("must be a non-empty string in quotes")
        too_long(value, L.NAME_LENGTH if kind == "name" else L.TEXT_LENGTH)
        one_line(value)
        if kind == "name" and not NAME.match(value):
            raise Invalid(
                "may hold only letters, digits, '-' and '_' (it names files and columns)"
                + (
                    "; a Chinese or other display name goes in a community's name or the scenario's title"
                    if not value.isascii()
                    else ""
                )
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise Invalid("must be true or false")
        return value
    if kind == "int":
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            raise Invalid(f"must be a whole number: write {int(value)}")
        if not isinstance(value, int) or isinstance(value, bool):
            raise Invalid("must be a whole number")
        if not in_range(key, value):
            raise Invalid(range_message(key, value))
        return value
    if kind == "float":
        if not is_number(value):
            raise Invalid("must be a number")
        if not in_range(key, value):
            raise Invalid(range_message(key, value))
        return float(value)
    if kind == "names":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise Invalid(f"must be a list of names, e.g. {key.example or '["one_stop"]'}")
        if len(value) > L.LIST.value:
            raise Invalid(f"lists {len(value):,} names; at most {L.LIST} ({L.LIST.reason})")
        for v in value:
            too_long(v, L.TEXT_LENGTH)
            one_line(v)
        if len(set(value)) != len(value):
            raise Invalid("lists a name twice")
        return tuple(value)
    if kind in ("floats_by_year", "ints_by_year"):
        whole = kind == "ints_by_year"
        items = value if isinstance(value, list) else [value]
        noun = "whole number" if whole else "number"
        if (
            not items
            or not all(is_number(v) for v in items)
            or (whole and not all(float(v).is_integer() for v in items))
        ):
            raise Invalid(f"must be a {noun} or a list of one {noun} per plan year")
        bad = [v for v in items if not in_range(key, v)]
        if bad:
            raise Invalid(
                range_message(key, bad[0]) + (f" (not {show_value(bad[0])})" if isinstance(value, list) else "")
            )
        if isinstance(value, list) and years is not None and len(value) != years:
            raise Invalid(
                f"has {len(value)} entries but the plan has {years} years: give one per year, or a single number for every year"
            )
        if years is not None and not isinstance(value, list):
            items = items * years
        conv = int if whole else float
        return tuple(conv(v) for v in items)
    if kind in ("int_map", "float_map", "bool_map"):
        if not isinstance(value, dict):
            if kind == "bool_map":
                raise Invalid("must be a table of true/false by name, e.g. { village_to_residence = false }")
            raise Invalid("must be a table of numbers by kind, e.g. { community_worker = 5 }")
        if len(value) > L.KINDS.value:
            raise Invalid(f"names {len(value):,} kinds; at most {L.KINDS} ({L.KINDS.reason})")
        out = {}
        for name, v in value.items():
            if len(name) > L.NAME_LENGTH.value:
                raise Invalid(f"a kind's name has {len(name):,} characters; at most {L.NAME_LENGTH}")
            item = Key(name, kind[:-4], REQUIRED, "", key.low, key.high, key.low_open, limit=key.limit)
            try:
                out[name] = convert(item, v, years)
            except Invalid as e:
                raise Invalid(f"{name}: {e.message}") from None
        return out
    raise AssertionError(f"unknown key kind {kind}")


def too_long(text: str, limit: L.Limit) -> None:
    """Raise Invalid when ``text`` has more characters than ``limit`` allows."""
    if len(text) > limit.value:
        raise Invalid(f"has {len(text):,} characters; at most {limit} ({limit.reason})")


def one_line(text: str) -> None:
    """Raise Invalid when ``text`` holds a control character (it is printed on a terminal and in reports)."""
    if (found := CONTROL.search(text)) is not None:
        raise Invalid(
            f"holds a control character (U+{ord(found.group()):04X}: a new line, tab or terminal escape); "
            "write it on one line of plain text"
        )


def csv_value(text: str, kind: str) -> Any:
    """A CSV cell as its column's declared kind: ids stay text ("001" keeps its zeros)."""
    if kind in ("str", "name", "path"):
        return text
    if kind == "bool":
        low = text.lower()
        return {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}.get(low, text)
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text
