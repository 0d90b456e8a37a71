"""Whether a module can be imported, found without running any of its code.

A scenario names extension modules; checking that they exist must not run them
(``importlib.util.find_spec`` imports a dotted name's parent packages, which runs their
``__init__``). The import system's own finders are asked instead, editable installs'
among them.
"""

from __future__ import annotations

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
