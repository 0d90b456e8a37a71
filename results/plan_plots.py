"""Charts of a plan: what it costs, year by year and line by line, and what it attains.

Both are drawn with matplotlib's Agg backend (no display needed), in the Okabe–Ito
palette (distinguishable with the common colour-vision deficiencies), with axes labelled
in units and titles in words, and written atomically like every other output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.patches import Patch

from results.i18n import currency, tr, year_label
from results.style import BLUE, GREEN, ORANGE, PURPLE, SKY, VERMILION, chart, figure
from results.style import save as _save

#: Cost lines in colours that stay apart in greyscale too (orange, sky blue, green, blue).
LINE_COLOURS = (ORANGE, SKY, GREEN, BLUE, PURPLE, VERMILION)
LINE_NAMES = {"space": "Service space", "facilities": "Facilities", "hires": "Hiring", "pay": "Staff pay"}


@chart
def plot_cost_breakdown(summary: dict[str, Any], costs: np.ndarray, scenario, path: str | Path) -> Path:
    """Stacked bars: the plan's cost in each plan year, split into space, facilities, hires and pay."""
    path = Path(path)
    lines = list(summary["cost_by_line"])
    years = [year_label(scenario.start_year, t) for t in range(1, costs.shape[0] + 1)]
    scale, unit = (1e6, "million") if np.abs(costs).max(initial=0) >= 1e6 else (1e3, "thousand")
    fig = figure(7, 4.2, layout=None)
    ax = fig.subplots()
    pos = np.zeros(len(years))
    neg = np.zeros(len(years))
    for k, line in enumerate(lines):
        v = costs[:, k] / scale
        base = np.where(v >= 0, pos, neg)
        ax.bar(
            [str(y) for y in years],
            v,
            bottom=base,
            color=LINE_COLOURS[k % len(LINE_COLOURS)],
            label=tr(LINE_NAMES.get(line, line)),
            edgecolor="white",
            linewidth=0.5,
        )
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    for x, total in enumerate(costs.sum(axis=1) / scale):
        ax.annotate(
            f"{total:,.2f}",
            (x, max(pos[x], 0)),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xlabel(tr("year"))
    ax.set_ylabel(tr(f"Cost ({unit} yuan)"))
    ax.set_title(
        f"{tr('What the plan costs each year, by line')}\n{scenario.title} — {tr('total')} "
        f"{summary['total_cost']:,.0f} {currency()}"
    )
    ax.axhline(0, color="black", linewidth=0.6)
    ax.legend(frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)


@chart
def plot_attainment(summary: dict[str, Any], scenario, path: str | Path) -> Path:
    """Horizontal bars: required vs planned for every requirement (target, kind, year)."""
    path = Path(path)
    reqs = summary["requirements"]
    fig = figure(8, 0.32 * max(len(reqs), 3) + 1.6, layout=None)
    ax = fig.subplots()
    if not reqs:
        ax.text(0.5, 0.5, tr("The scenario sets no requirements"), ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _save(fig, path)
    labels = [
        f"{r['target']} · {tr(r['kind'].replace('_', ' '))} · {year_label(scenario.start_year, r['year'])}"
        for r in reqs
    ]
    y = np.arange(len(reqs))[::-1]
    required = np.array([r["required"] for r in reqs], dtype=float)
    planned = np.array([np.nan if r["planned"] is None else r["planned"] for r in reqs], dtype=float)
    # each requirement on its own scale: share of what it requires
    with np.errstate(invalid="ignore", divide="ignore"):
        share = planned / required
    ax.barh(y, np.ones(len(reqs)), height=0.8, color="#DDDDDD")
    met = share >= 1 - 1e-9
    ax.barh(y[met], share[met], height=0.45, color=GREEN)
    ax.barh(y[~met], np.nan_to_num(share[~met]), height=0.45, color=VERMILION)
    handles = [
        Patch(color="#DDDDDD", label=tr("Required (100 %)")),
        Patch(color=GREEN, label=tr("Planned: met")),
        Patch(color=VERMILION, label=tr("Planned: short")),
    ]
    for yi, r in zip(y, reqs, strict=True):
        p = "—" if r["planned"] is None else f"{r['planned']:g}"
        ax.annotate(
            f"{p} / {r['required']:g}",
            (max(1.0, np.nan_to_num(r["planned"] or 0) / r["required"]), yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel(tr("Planned as a share of the requirement (1.0 = exactly met)"))
    status = tr(summary["status"].replace("_", " "))
    ax.set_title(
        tr(
            "In the plan, before simulation: does it meet each target? ({mode}, {status})",
            mode=tr(summary["mode"]),
            status=status,
        )
        + f"\n{scenario.title}"
    )
    ax.set_xlim(0, max(1.25, float(np.nanmax(share, initial=1.0)) * 1.15))
    ax.legend(handles=handles, frameon=False, loc="lower right", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _save(fig, path)
