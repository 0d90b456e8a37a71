"""Regenerate the tables of ``docs/odd.md`` from the code (``python -m model.odd``).

The ODD description is written by hand; its tables of parameters, calibration, services,
organisation kinds and outcomes sit between ``<!-- generated:NAME … -->`` and
``<!-- end generated:NAME -->`` markers and are produced here from the declarations the
model runs on. ``tests/model/test_odd.py`` compares the committed file with :func:`render`,
so the description cannot drift from the code. Parameter groups are the ``# --- group ---``
comments of :class:`~scenarios.parameters.SimulationParameters`, read from its source, so a
parameter added under a comment lands in that group's table without a change here.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import io
import json
import re
import sys
import tokenize
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from model.agents import ELIGIBLE, FACILITY_FOR
from model.calibration import MOMENTS, TURNOVER_PAY
from model.extensions import core_organisations, core_services
from scenarios.parameters import CALIBRATION_FILE, SimulationParameters
from scenarios.target_kinds import OUTCOME_KINDS
from scenarios.targets import OUTCOMES

DOC = Path(__file__).resolve().parent.parent / "docs" / "odd.md"

_GROUP_COMMENT = re.compile(r"#\s*-{3}\s*(?P<name>.+?)\s*-{3,}\s*$")


def parameter_groups() -> dict[str, list[str]]:
    """Parameter names by group, in declaration order: each field belongs to the last
    ``# --- group ---`` comment above it in :class:`SimulationParameters`."""
    source = inspect.getsource(SimulationParameters)
    comments = [
        (tok.start[0], m.group("name"))
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT and (m := _GROUP_COMMENT.match(tok.string))
    ]
    cls = ast.parse(source).body[0]
    assert isinstance(cls, ast.ClassDef)
    groups: dict[str, list[str]] = {}
    for node in cls.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        above = [name for line, name in comments if line < node.lineno]
        if not above:
            raise ValueError(
                f"SimulationParameters.{node.target.id} is declared above every '# --- group ---' comment: "
                "put it under the group it belongs to (docs/odd.md's tables follow the groups)"
            )
        groups.setdefault(above[-1], []).append(node.target.id)
    return groups


def _number(x: float) -> str:
    return f"{x:.4g}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _default(value: Any) -> str:
    if isinstance(value, Mapping):
        entries = [f"{k} {_number(v)}" for k, v in value.items() if v]
        zero = [k for k, v in value.items() if not v]
        return ", ".join(entries) + (f" (0: {', '.join(zero)})" if zero else "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _number(value)


def _plausible(record: Mapping[str, Any]) -> str:
    span = record["plausible"]
    if span is None:
        return "—"
    low, high = (_number(x) for x in span)
    return f"× {low}–{high} on every entry" if isinstance(record["default"], Mapping) else f"{low}–{high}"


def _is_assumption(source: str) -> bool:
    return source.startswith("assumption") or "assumed" in source


def parameters_section() -> str:
    """One table per parameter group, and how many parameters rest on what."""
    records = {r["name"]: r for r in SimulationParameters.describe()}
    out = []
    for group, names in parameter_groups().items():
        out.append(f"#### {group[0].upper()}{group[1:]}\n")
        out.append("| parameter | default | unit | plausible range | meaning | source | calibrated |")
        out.append("|---|---|---|---|---|---|---|")
        for name in names:
            r = records[name]
            cells = (
                f"`{name}`",
                _default(r["default"]),
                r["unit"],
                _plausible(r),
                r["doc"],
                r["source"],
                "yes (model/calibration.py)" if r["calibrated"] else "no",
            )
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    everything = list(records.values())
    calibrated = [r for r in everything if r["calibrated"]]
    assumed = [r for r in everything if not r["calibrated"] and _is_assumption(r["source"])]
    ranged = [r for r in everything if r["plausible"] is not None]
    out.append(
        f"Of the {len(everything)} parameters, {len(calibrated)} are calibrated, {len(assumed)} say in their "
        'source that their value is an assumption ("assumption", "… assumed"), and '
        f"{len(everything) - len(calibrated) - len(assumed)} cite a source document or statistic for their value "
        f"or its direction. {len(ranged)} declare a plausible range "
        "(`SimulationParameters.uncertain()`).\n"
    )
    return "\n".join(out)


def calibration_section() -> str:
    """The published moments, the fitted values and what the fit achieves (calibration.json)."""
    record = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    out = [
        f"Fitted by `python -m model.calibration` on the status quo of {', '.join(f'`{s}`' for s in record['scenarios'])} "
        f"({record['replications']} replication{'' if record['replications'] == 1 else 's'} each, seed {record['seed']}), "
        "every staff kind paid "
        f"{_number(TURNOVER_PAY)} × the local average wage.\n",
        "| parameter | fitted value | moment | published target (range) | simulated | source |",
        "|---|---|---|---|---|---|",
    ]
    for m in MOMENTS:
        cells = (
            f"`{m.parameter}`",
            _number(record["fitted"][m.parameter]),
            m.name,
            f"{_number(m.target)} ({_number(m.low)}–{_number(m.high)})",
            _number(record["achieved"][m.name]),
            m.source,
        )
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    pays = list(record["turnover_by_pay"])
    out += [
        "",
        "The fit checked at other pay levels (not fitted: `exit_pay_elasticity` is set from the literature):\n",
        "| pay (share of the average wage) | " + " | ".join(pays) + " |",
        "|---" * (len(pays) + 1) + "|",
        "| annual staff turnover | " + " | ".join(_number(record["turnover_by_pay"][p]) for p in pays) + " |",
        "| share of households satisfied | " + " | ".join(_number(record["satisfied_by_pay"][p]) for p in pays) + " |",
        "",
    ]
    return "\n".join(out)


def services_section() -> str:
    """Every core service: who can need it, what serves it besides staff."""
    p = SimulationParameters()
    out = [
        "| service | who can need it | staff hours a need | facility that makes staff fully productive "
        "(where the scenario declares it) | needs scale with household size |",
        "|---|---|---|---|---|",
    ]
    for s in core_services():
        who = f"households with `{ELIGIBLE[s.name]}`" if s.name in ELIGIBLE else "every household"
        cells = (
            f"`{s.name}`",
            who,
            _number(s.hours(p)),
            f"`{FACILITY_FOR[s.name]}`" if s.name in FACILITY_FOR else "—",
            "yes" if s.per_person else "no",
        )
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)


def organisations_section() -> str:
    """Every core organisation kind: its services, its weight at the start, who founds it."""
    out = [
        "| kind | services its capacity is split over | share of the starting mix | founded by volunteers |",
        "|---|---|---|---|",
    ]
    for k in core_organisations():
        cells = (
            f"`{k.name}`",
            ", ".join(f"`{s}`" for s in k.services),
            _number(k.start_weight) if k.start_weight else "0 (founded in the run only)",
            "yes" if k.founded_by_volunteers else "no",
        )
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)


def outcomes_section() -> str:
    """The outcome conditions a target may write, judged by the simulation alone."""
    out = ["| target condition key | outcome | what the simulation measures |", "|---|---|---|"]
    for key, outcome in OUTCOME_KINDS.items():
        out.append(f"| `{key}` | `{outcome}` | {_cell(OUTCOMES[outcome])} |")
    out.append("")
    return "\n".join(out)


SECTIONS: dict[str, Callable[[], str]] = {
    "parameters": parameters_section,
    "calibration": calibration_section,
    "services": services_section,
    "organisations": organisations_section,
    "outcomes": outcomes_section,
}


def _begin(name: str) -> str:
    return f"<!-- generated:{name} by `python -m model.odd` from the code; do not edit by hand -->"


def _end(name: str) -> str:
    return f"<!-- end generated:{name} -->"


def render(text: str) -> str:
    """``text`` (docs/odd.md) with every generated section replaced by what the code gives now."""
    for name, make in SECTIONS.items():
        begin, end = _begin(name), _end(name)
        if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
            raise ValueError(f"{DOC.name} must hold exactly one pair of markers '{begin}' … '{end}', in that order")
        head, rest = text.split(begin)
        _, tail = rest.split(end)
        text = f"{head}{begin}\n\n{make()}\n{end}{tail}"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.odd", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/odd.md is not up to date; write nothing")
    args = parser.parse_args(argv)
    now = DOC.read_text(encoding="utf-8")
    new = render(now)
    if args.check:
        if new != now:
            print(f"{DOC} is out of date: run python -m model.odd", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
