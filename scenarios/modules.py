"""Whether a module can be imported, found without running any of its code.

A scenario names extension modules; checking that they exist must not run them
(``importlib.util.find_spec`` imports a dotted name's parent packages, which runs their
``__init__``). The import system's own finders are asked instead, editable installs'
among them.
"""

from __future__ import annotations

import difflib
import pkgutil
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec


def module_exists(name: str) -> bool:
    """Whether ``import name`` would find a module, found without running any of its code
    (``importlib.util.find_spec`` would import the parent packages)."""
    path = None
    spec = None
    parts = name.split(".")
    for depth in range(len(parts)):
        qualified = ".".join(parts[: depth + 1])
        spec = sys.modules[qualified].__spec__ if qualified in sys.modules else find_spec(qualified, path)
        if spec is None:
            return False
        path = spec.submodule_search_locations
        if path is None and depth < len(parts) - 1:
            return False
    return spec is not None


def find_spec(name: str, path: Sequence[str] | None) -> ModuleSpec | None:
    """What the import system's finders (editable installs' among them) would load; nothing runs."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find(name, path) if find is not None else None
        if spec is not None:
            return spec
    return None


def why_missing(name: str) -> str | None:
    """None when ``import name`` would find the module; else what to tell the user (nothing runs).

    The same hints as loading the module would give: where commplan looks for a top-level
    package, or the modules the package does hold ("did you mean …?").
    """
    if module_exists(name):
        return None
    package, _, leaf = name.rpartition(".")
    if not package or not module_exists(package):
        top = name.split(".")[0]
        return (
            f"cannot import extension module {name!r}: no module named {top!r}; commplan imports extension "
            "modules from the current folder and from installed packages: run from the folder that holds "
            "the package, or add that folder to PYTHONPATH"
        )
    spec = sys.modules[package].__spec__ if package in sys.modules else _spec_of(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    names = sorted(m.name for m in pkgutil.iter_modules(locations))
    close = difflib.get_close_matches(leaf, names, n=1, cutoff=0.6)
    hint = (
        f'did you mean "{package}.{close[0]}"?' if close else f"{package} holds: " + (", ".join(names) or "no modules")
    )
    return f"cannot import extension module {name!r}: no module named {name!r}; {hint}"


def _spec_of(name: str) -> ModuleSpec | None:
    path = None
    spec = None
    for part_end in range(1, name.count(".") + 2):
        qualified = ".".join(name.split(".")[:part_end])
        spec = sys.modules[qualified].__spec__ if qualified in sys.modules else find_spec(qualified, path)
        if spec is None:
            return None
        path = spec.submodule_search_locations
    return spec
