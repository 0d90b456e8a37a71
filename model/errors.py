"""What the model refuses from an extension, and where the extension's code is.

Apart from :mod:`model.extensions` so that the agents (which that module imports) can check
a hook's result without importing it back.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from scenarios.problems import InputError


class ExtensionError(InputError, ValueError):
    """An extension cannot be imported, clashes with the core or another extension, or gives
    the model something it cannot use (a reporter of the wrong shape, a negative or
    non-finite column, a staff kind the scenario does not declare). The message names the
    extension and, where known, its file and line; the command line exits 1 for it."""


def defined_at(obj: Any) -> str:
    """``file:line`` where a function, method, class or callable object is defined ('' if unknown)."""
    target = inspect.unwrap(obj) if callable(obj) else obj
    target = getattr(target, "__func__", target)  # a bound method
    code = getattr(target, "__code__", None)
    if code is not None:
        return f"{code.co_filename}:{code.co_firstlineno}"
    if not isinstance(target, type):
        target = type(target)  # a callable object: its class
    try:
        return f"{inspect.getsourcefile(target)}:{inspect.getsourcelines(target)[1]}"
    except (OSError, TypeError):
        return ""


def checked(
    ext: Any,
    hook: str,
    value: Any,
    shape: tuple[int, ...],
    low: float | np.ndarray = 0.0,
    high: float | np.ndarray | None = None,
    whole: bool = False,
    what: str = "",
) -> np.ndarray:
    """A hook's result, refused unless it has ``shape`` and lies in [low, high] (whole numbers
    if ``whole``): an :class:`ExtensionError` naming the extension, the hook's file:line and the fix."""
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        out = np.full(1 + len(shape), np.nan)  # not numbers: refused below
    ok = (
        out.shape == shape
        and bool(np.all(np.isfinite(out)))
        and bool(np.all(out >= low))
        and (high is None or bool(np.all(out <= high)))
        and (not whole or bool(np.all(out == np.round(out))))
    )
    if ok:
        return out.astype(np.int64) if whole else out
    where = defined_at(getattr(type(ext), hook))
    limits = f"from {low if np.ndim(low) == 0 else 'its lower bound'} to " + (
        "any" if high is None else f"{high}" if np.ndim(high) == 0 else "its upper bound"
    )
    raise ExtensionError(
        f"extension {ext.name}{f' ({where})' if where else ''}: {hook}{f' for {what}' if what else ''} must "
        f"return shape {shape}, {'whole numbers' if whole else 'finite numbers'} {limits}; it returned shape "
        f"{out.shape} with values from {np.nanmin(out) if out.size else 'none'} to "
        f"{np.nanmax(out) if out.size else 'none'}"
    )
