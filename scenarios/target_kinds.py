"""The condition kinds a scenario's targets may write: each kind's atoms and its words.

A target is written with one condition key (``space_at_least``, ``has``,
``staff_per_households`` …), ``city_staff`` or ``city_average``; :func:`build_target` turns the loader's
checked table into a :class:`~scenarios.targets.Target` whose condition is a list of
:class:`~scenarios.targets.Atom` (what the optimiser's rows and the simulation's checks
both read) and a sentence for reports.
"""

from __future__ import annotations

from dataclasses import replace

from scenarios.schema import frozen_map
from scenarios.targets import Atom, Condition, Target

#: Condition keys on outcomes only the simulation knows, and the outcome each reads.
OUTCOME_KINDS = {
    "satisfied_at_least": "satisfied",
    "organisations_at_least": "organisations",
    "participation_at_least": "participation",
    "served_share_at_least": "served_share",
    "cobuilding_at_least": "cobuilding",
}


def standard_cycle(name: str, by_name: dict, seen: tuple = ()) -> bool:
    if name in seen:
        return True
    t = by_name.get(name)
    if not t or t["_kind"] != "standard" or not isinstance(t.get("standard"), tuple):
        return False
    return any(standard_cycle(ref, by_name, (*seen, name)) for ref in t["standard"])


def condition_atoms(t: dict, by_name: dict) -> tuple[Atom, ...]:
    kind = t["_kind"]
    v = t[kind]
    if kind == "space_at_least":
        return (Atom("space", None, constant=v),)
    if kind == "space_per_100_households":
        return (Atom("space", None, per_household=v / 100.0),)
    if kind == "has":
        return (Atom("has", v, constant=1.0),)
    measured = t.get("measured") or "year_end"
    if kind == "staff_per_households":
        return tuple(Atom("staff", s, per_household=1.0 / n, measured=measured) for s, n in v.items())
    if kind == "staff_at_least":
        return tuple(Atom("staff", s, constant=m, measured=measured) for s, m in v.items())
    if kind == "funds_at_least":
        return (Atom("funds", None, constant=v),)
    if kind == "trained_at_least":
        return tuple(Atom("trained", s, of_staff=p) for s, p in v.items())
    if kind == "staff_hours_at_least":
        # hours present = people in post × the kind's hours_per_month: a staff atom on people
        hours = t["_hours"]
        return tuple(Atom("staff", s, constant=h / hours[s], measured=measured) for s, h in v.items())
    if kind == "served_share_at_least":
        return tuple(Atom("outcome", f"served_share:{service}", constant=p) for service, p in v.items())
    if kind in OUTCOME_KINDS:
        return (Atom("outcome", OUTCOME_KINDS[kind], constant=v),)
    if kind == "office_share_at_most":
        # office_m2 <= v · space  ⇔  space >= office_m2 / v: space built lowers the office share
        return (Atom("space", None, by_community=tuple(o / v for o in t["_office"])),)
    if kind == "standard":
        atoms: list[Atom] = []
        for ref in v:
            for a in condition_atoms(by_name[ref], by_name):
                if a.kind == "staff" and t.get("measured"):
                    a = replace(a, measured=measured)  # the standard's own setting rules its staff parts
                if a not in atoms:
                    atoms.append(a)
        return tuple(atoms)
    raise AssertionError(kind)


def condition_text(t: dict, by_name: dict) -> str:
    kind, v = t["_kind"], t[t["_kind"]]
    if kind == "space_at_least":
        return f"space ≥ {v:g} m²"
    if kind == "space_per_100_households":
        return f"space ≥ {v:g} m² per 100 households"
    if kind == "has":
        return f"has {v}"
    mean = " (the year's mean in post)" if t.get("measured") == "annual_average" else ""
    if kind == "staff_per_households":
        return ", ".join(f"one {s} per {n:g} households" for s, n in v.items()) + mean
    if kind == "staff_at_least":
        return ", ".join(f"≥ {m:g} {s}" for s, m in v.items()) + mean
    if kind == "funds_at_least":
        return f"working funds ≥ {v:g} yuan in the year"
    if kind == "trained_at_least":
        return ", ".join(f"≥ {100 * p:g} % of {s} trained in the year" for s, p in v.items())
    if kind == "staff_hours_at_least":
        return ", ".join(f"{s} present ≥ {h:g} hours a month" for s, h in v.items()) + mean
    if kind == "satisfied_at_least":
        return f"≥ {100 * v:g} % of households satisfied"
    if kind == "organisations_at_least":
        return f"≥ {v:g} organisations"
    if kind == "participation_at_least":
        return f"≥ {100 * v:g} % of households taking part in a month"
    if kind == "served_share_at_least":
        return ", ".join(f"≥ {100 * p:g} % of {s} needs served" for s, p in v.items())
    if kind == "cobuilding_at_least":
        return f"≥ {100 * v:g} % of organisations taking part in co-building"
    if kind == "office_share_at_most":
        return f"office ≤ {100 * v:g} % of space"
    return "all of: " + "; ".join(condition_text(by_name[r], by_name) for r in v)


def build_target(t: dict, by_name: dict) -> Target:
    kind = t["_kind"]
    if kind == "city_staff":
        return Target(
            t["name"],
            None,
            city_staff=t["city_staff"],
            at_least=t["at_least"],
            measured=t.get("measured") or "year_end",
            written=(kind, t[kind]),
            line=t["_line"],
        )
    if kind == "city_average":
        where = t.get("where") or {}
        return Target(
            t["name"],
            None,
            city_average=t["city_average"],
            covers=t["_covers"],
            at_least=t["at_least"],
            measured=t.get("measured") or "year_end",
            where=frozen_map(where) if where else None,
            written=(kind, t[kind]),
            line=t["_line"],
        )
    return Target(
        t["name"],
        Condition(condition_atoms(t, by_name), condition_text(t, by_name)),
        share=t.get("share"),
        keys_by=t.get("keys_by"),
        count=t.get("count"),
        has=t.get("has") if kind == "has" else None,
        measured=t.get("measured") or "year_end",
        written=(kind, frozen_map(t[kind]) if isinstance(t[kind], dict) else t[kind]),
        line=t["_line"],
    )
