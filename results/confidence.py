"""The confidence section of a run: the price of confidence and whether the plan reached it."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from results.style import BLUE, ORANGE, chart, figure, money_label


def price_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return list((summary.get("confidence_plan") or {}).get("price") or [])


@chart
def price_chart(rows: list[dict[str, Any]], chosen: float, title: str, currency: str = "yuan") -> Figure:
    """Total cost at the deterministic level and at each confidence level; the chosen one marked."""
    fig = figure(7, 4)
    ax = fig.subplots()
    labels = ["deterministic" if r["confidence"] is None else f"{r['confidence']:g}" for r in rows]
    costs = np.array([r["total_cost"] for r in rows], dtype=float)
    colours = [ORANGE if r["confidence"] == chosen else BLUE for r in rows]
    ax.bar(labels, costs, color=colours)
    for x, (c, r) in enumerate(zip(costs, rows, strict=True)):
        premium = r.get("premium")
        ax.annotate(
            money_label(c) + ("" if not premium else f"\n+{100 * premium:.0f} %"),
            (x, c),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlabel("probability each requirement is met (planned confidence)")
    ax.set_ylabel(f"total cost ({currency})")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money_label(v)))
    ax.set_ylim(0, costs.max() * 1.18 if len(costs) else 1)
    ax.set_title(title)
    return fig


def section(summary: dict[str, Any]) -> str:
    """HTML: whether the plan reached its confidence out of sample, and the price table."""
    p = summary.get("confidence")
    if p is None:
        return ""
    reached = summary.get("confidence_reached")
    plan = summary.get("confidence_plan") or {}
    short = [
        f"{r['target']} ({r['kind']}), year {r['year']}: {r['probability_met']:.0%}"
        for r in summary.get("requirements", [])
        if r.get("probability_met") is not None and r["probability_met"] < p
    ]
    parts = [f"<h2>Confidence {p:g}</h2>"]
    if reached is None:
        parts.append("<p>The plan has not been simulated yet.</p>")
    elif reached:
        parts.append(
            f"<p><b>Reached</b>: every requirement is met with probability ≥ {p:g} in replications the planner did "
            "not learn from (out of sample).</p>"
        )
    else:
        parts.append(
            f"<p><b>Not reached</b> for {len(short)} requirement(s) out of sample: "
            + html.escape("; ".join(short))
            + ".</p>"
        )
    if plan.get("unreachable"):
        parts.append(
            "<p>The planner could not tighten further: " + html.escape("; ".join(plan["unreachable"])) + "</p>"
        )
    margins = plan.get("margins") or {}
    parts.append(
        "<p>Margins learned from the simulation: posts × "
        + html.escape(", ".join(f"{k} {v:g}" for k, v in (margins.get("post_factor") or {}).items()) or "none")
        + "; planned a year early: "
        + html.escape(", ".join(margins.get("planned_a_year_early") or []) or "none")
        + "; extra communities: "
        + html.escape(", ".join(f"{k} +{v}" for k, v in (margins.get("extra_communities") or {}).items()) or "none")
        + ".</p>"
    )
    rows = price_rows(summary)
    if rows:
        head = "<tr><th>confidence</th><th>total cost</th><th>premium</th><th>targets that drive it</th></tr>"
        body = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                "deterministic" if r["confidence"] is None else f"{r['confidence']:g}",
                money_label(r["total_cost"]),
                "" if not r.get("premium") else f"+{100 * r['premium']:.1f} %",
                html.escape(", ".join(r.get("drivers") or [])),
            )
            for r in rows
        )
        parts.append(f"<table>{head}{body}</table>")
    return "\n".join(parts)
