"""docs/api.md names every public item an extension uses."""

from __future__ import annotations

import inspect
from pathlib import Path

import model.extensions as ext
import model.invariants as inv
from model.agents import Organisation, StaffMember
from model.model import CommunityModel

API = (Path(__file__).parents[2] / "docs" / "api.md").read_text(encoding="utf-8")


def public(module):
    return [
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and getattr(v, "__module__", module.__name__) == module.__name__
        and (inspect.isclass(v) or inspect.isfunction(v))
    ]


def test_every_public_class_and_function_of_the_extension_modules_is_in_the_reference():
    for module in (ext, inv):
        for name in public(module):
            assert f"`{name}" in API, f"{module.__name__}.{name} is missing from docs/api.md"


def test_every_hook_and_declaration_of_extension_is_in_the_reference():
    names = [n for n in vars(ext.Extension) if not n.startswith("_")]
    assert len(names) >= 12
    for n in names:
        assert f"`{n}" in API, f"Extension.{n} is missing from docs/api.md"


def test_the_agent_and_model_methods_an_extension_calls_are_documented_in_code_and_reference():
    for owner, name in [
        (CommunityModel, "new_staff"),
        (CommunityModel, "new_organisation"),
        (Organisation, "service_capacity"),
        (StaffMember, "leave"),
        (StaffMember, "hours"),
    ]:
        assert inspect.getdoc(getattr(owner, name)), f"{owner.__name__}.{name} has no docstring"
        assert f"`{name}" in API
