"""The confidence section of a run: the price of confidence and whether the plan reached it."""

from __future__ import annotations

import html
import re
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from results.i18n import current, tr
from results.style import BLUE, ORANGE, chart, figure, money_label


def price_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return list((summary.get("confidence_plan") or {}).get("price") or [])


def level_label(row: dict[str, Any]) -> str:
    """A row's level; a screened level (above the chosen one, fewer replications) is starred."""
    if row["confidence"] is None:
        return tr("deterministic")
    return f"{row['confidence']:g}" + ("*" if row.get("screened") else "")


def screened_note(rows: list[dict[str, Any]]) -> str:
    """What a star means, or "" when no level was screened."""
    screened = [r for r in rows if r.get("screened")]
    if not screened:
        return ""
    return tr(
        "* Screened: each round of this level was judged on {n} in-sample replications, fewer than "
        "the chosen level's, so its cost is an estimate; the command “commplan plan --confidence {p}” judges it in full.",
        n=screened[0]["screened"],
        p=f"{screened[0]['confidence']:g}",
    )


@chart
def price_chart(rows: list[dict[str, Any]], chosen: float, title: str, currency: str = "yuan") -> Figure:
    """Total cost at the deterministic level and at each confidence level; the chosen one marked."""
    fig = figure(7, 4)
    ax = fig.subplots()
    labels = [level_label(r) for r in rows]
    costs = np.array([r["total_cost"] for r in rows], dtype=float)
    colours = [ORANGE if r["confidence"] == chosen else BLUE for r in rows]
    bars = ax.bar(labels, costs, color=colours)
    for bar, r in zip(bars, rows, strict=True):
        if r.get("screened"):  # an estimate: hatched, the star explained in the legend
            bar.set_hatch("//")
            bar.set_alpha(0.6)
    screened = [r for r in rows if r.get("screened")]
    if screened:
        ax.legend(
            handles=[Patch(facecolor=BLUE, alpha=0.6, hatch="//")],
            labels=[tr("* screened on {n} replications: an estimate", n=screened[0]["screened"])],
            loc="upper left",
            fontsize=8,
        )
    for x, (c, r) in enumerate(zip(costs, rows, strict=True)):
        premium = r.get("premium")
        ax.annotate(
            money_label(c) + ("" if not premium else f"\n+{100 * premium:.0f} %"),
            (x, c),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlabel(tr("probability each requirement is met (planned confidence)"))
    ax.set_ylabel(tr("total cost ({currency})", currency=tr(currency)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: money_label(v)))
    ax.set_ylim(0, costs.max() * (1.35 if screened else 1.18) if len(costs) else 1)  # room for the legend
    ax.set_title(title)
    return fig


#: The loop's reasons (``commplan.confidence._why_short``), read back for a Chinese report;
#: each pattern's English is the ZH key, its groups the values.
_REASONS = (
    (
        r"at most (?P<p>\S+) at any cost: (?P<n>\d+) projects? in (?P<c>\d+) (?P<key>key )?communit(?:y|ies) must each "
        r"open within (?P<m>\d+) months of the plan's start, each does with probability (?P<e>\S+) "
        r"\(the model's construction lags and deferrals\)",
        "at most {p} at any cost: {n} projects in {c} communities must each open within {m} months of the plan's "
        "start, each does with probability {e} (the model's construction lags and deferrals)",
    ),
    (
        r"its further margins \((?P<margins>.+)\) make the targets impossible \(capacity or budget limits\)",
        "its further margins ({margins}) make the targets impossible (capacity or budget limits)",
    ),
    (r"still short after (?P<n>\d+) rounds?", "still short after {n} rounds"),
    (
        r"building it early was set aside: the capacity and budget go first to what can reach (?P<p>\S+)",
        "building it early was set aside: the capacity and budget go first to what can reach {p}",
    ),
    (
        r"building it a further year early was set aside: the capacity and budget go first to what can reach (?P<p>\S+)",
        "building it a further year early was set aside: the capacity and budget go first to what can reach {p}",
    ),
    (
        r"its margins stopped lifting it: (?P<p>\S+) in sample, unchanged over the last (?P<n>\d+) rounds",
        "its margins stopped lifting it: {p} in sample, unchanged over the last {n} rounds",
    ),
)
_MARGINS = (
    (r"posts of (?P<kind>\S+)", "posts of {kind}"),
    (r"training places of (?P<kind>\S+)", "training places of {kind}"),
    (r"a spare post of (?P<kind>\S+)", "a spare post of {kind}"),
)


def reason(line: str) -> str:
    """One of the loop's ``unreachable`` lines in the report's language: the English as the
    loop wrote it, or its known phrases translated (an unknown phrase stays in English)."""
    found = re.fullmatch(r"(?P<target>.+) \((?P<kind>\w+)\), year (?P<year>\d+): (?P<why>.+)", line, flags=re.S)
    if current() == "en" or found is None:
        return line
    pieces, parts, i = found["why"].split("; "), [], 0
    while i < len(pieces):  # the longest run of pieces that reads as one known phrase (some hold "; ")
        for j in range(len(pieces), i, -1):
            if (said := _phrase("; ".join(pieces[i:j]))) is not None:
                parts.append(said)
                i = j
                break
        else:
            parts.append(pieces[i])
            i += 1
    return tr(
        "{target} ({kind}), year {year}: {p}",
        target=found["target"],
        kind=found["kind"],
        year=found["year"],
        p=tr("; ").join(parts),
    )


def _phrase(text: str) -> str | None:
    """``text`` translated if it is one of the loop's phrases, else None."""
    for pattern, key in _REASONS:
        if (m := re.fullmatch(pattern, text)) is not None:
            values = {k: v for k, v in m.groupdict().items() if k != "key"}
            if "margins" in values:
                values["margins"] = tr(", ").join(_margin(x) for x in values["margins"].split(", "))
            if key.startswith("at most") and m["key"]:
                key = key.replace("communities", "key communities")
            return tr(key, **values)
    said = tr(text)
    return said if said != text else None


def _margin(text: str) -> str:
    for pattern, key in _MARGINS:
        if (m := re.fullmatch(pattern, text)) is not None:
            return tr(key, **m.groupdict())
    return tr(text)


def section(summary: dict[str, Any]) -> str:
    """HTML: whether the plan reached its confidence out of sample, and the price table."""
    p = summary.get("confidence")
    if p is None:
        return ""
    reached = summary.get("confidence_reached")
    plan = summary.get("confidence_plan") or {}
    short = [
        tr(
            "{target} ({kind}), year {year}: {p}",
            target=r["target"],
            kind=r["kind"],
            year=r["year"],
            p=f"{r['probability_met']:.0%}",
        )
        for r in summary.get("requirements", [])
        if r.get("probability_met") is not None and r["probability_met"] < p
    ]
    parts = [f"<h2>{html.escape(tr('Confidence {p}', p=f'{p:g}'))}</h2>"]
    if reached is None:
        parts.append(f"<p>{tr('The plan has not been simulated yet.')}</p>")
    elif reached:
        parts.append(
            "<p>"
            + tr(
                "<b>Reached</b>: every requirement is met with probability ≥ {p} in replications the planner did "
                "not learn from (out of sample).",
                p=f"{p:g}",
            )
            + "</p>"
        )
    else:
        parts.append(
            "<p>"
            + tr("<b>Not reached</b> for {n} requirement(s) out of sample: ", n=len(short))
            + html.escape(tr("; ").join(short))
            + "</p>"
        )
    if plan.get("unreachable"):
        parts.append(
            "<p>"
            + tr("The planner could not tighten further: ")
            + html.escape(tr("; ").join(reason(line) for line in plan["unreachable"]))
            + "</p>"
        )
    margins = plan.get("margins") or {}
    none = tr("none")
    parts.append(
        "<p>"
        + html.escape(
            tr(
                "Margins learned from the simulation: posts × {posts}; planned a year early: {early}; "
                "extra communities: {extra}.",
                posts=", ".join(f"{k} {v:g}" for k, v in (margins.get("post_factor") or {}).items()) or none,
                early=", ".join(margins.get("planned_a_year_early") or []) or none,
                extra=", ".join(f"{k} +{v}" for k, v in (margins.get("extra_communities") or {}).items()) or none,
            )
        )
        + "</p>"
    )
    train, years = margins.get("training_places_per_post") or {}, margins.get("planned_early_years") or {}
    if train or any(v > 1 for v in years.values()):
        parts.append(
            "<p>"
            + html.escape(
                tr(
                    "Training places per post: {train}; planned more than a year early: {early}.",
                    train=", ".join(f"{k} {v:g}" for k, v in train.items()) or none,
                    early=", ".join(f"{k} ({v})" for k, v in years.items() if v > 1) or none,
                )
            )
            + "</p>"
        )
    for key, sentence, name in (
        ("spare_posts", "Spare posts in each community held to a staff condition: {spare}.", "spare"),
        ("extra_facilities_opened", "Extra facilities opened, for those that open late: {opened}.", "opened"),
    ):
        if more := margins.get(key) or {}:
            listed = ", ".join(f"{k} +{v}" for k, v in more.items())
            parts.append("<p>" + html.escape(tr(sentence, **{name: listed})) + "</p>")
    if plan.get("attrition_set_aside"):
        parts.append(
            "<p>"
            + html.escape(
                tr(
                    "The scenario's planning assumption of yearly attrition ({kinds}) was set aside: the margins "
                    "above are learned from the simulation's own exits, which it would count twice.",
                    kinds=", ".join(f"{k} {v:g}" for k, v in plan["attrition_set_aside"].items()),
                )
            )
            + "</p>"
        )
    rows = price_rows(summary)
    if rows:
        headings = ("confidence", "total cost", "premium", "targets that drive it", "no plan brings it to this level")
        head = "<tr>" + "".join(f"<th>{tr(h)}</th>" for h in headings) + "</tr>"
        body = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
                level_label(r),
                money_label(r["total_cost"]),
                "" if not r.get("premium") else f"+{100 * r['premium']:.1f} %",
                html.escape(", ".join(r.get("drivers") or [])),
                html.escape(
                    tr("; ").join(tr("{target} ({kind}), year {year}", **b) for b in r.get("beyond_reach") or [])
                ),
            )
            for r in rows
        )
        parts.append(f"<table>{head}{body}</table>")
        if note := screened_note(rows):
            parts.append("<p>" + html.escape(note) + "</p>")
        costs = [r["total_cost"] for r in rows if r["confidence"] is not None]
        if any(b < a - 1e-6 for a, b in zip(costs, costs[1:], strict=False)):
            parts.append(
                "<p>"
                + html.escape(
                    tr(
                        "A level can cost less than the one below it: requirements that no plan brings to the "
                        "higher level give up their early building there, so that the capacity and budget go "
                        "to the requirements that can reach it."
                    )
                )
                + "</p>"
            )
    return "\n".join(parts)
