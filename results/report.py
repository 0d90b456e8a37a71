"""``report.html``: one self-contained page a planner can open (charts embedded, no network)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from results.confidence import section as confidence_section
from results.runs import Run
from results.style import money_label
from scenarios.files import atomic_write_text
from scenarios.targets import unit

#: A target counts as "met" in the headline when the simulation meets it this often.
CONFIDENCE = 0.9


def target_probabilities(attainment: pd.DataFrame) -> pd.Series:
    """P(a target's every requirement is met in every year), by target, over replications."""
    per_replication = attainment.groupby(["target", "replication"], sort=False)["met"].all()
    return per_replication.groupby(level="target", sort=False).mean()


def headline(run: Run) -> str:
    """The answer in one sentence: how many targets, how likely, at what cost, what binds."""
    s, summary = run.scenario, run.summary or {}
    n_targets = len(s.targets)
    parts = []
    cost = summary.get("total_cost")
    if run.attainment is not None and len(run.attainment):
        probs = target_probabilities(run.attainment)
        sure = int((probs >= CONFIDENCE).sum())
        parts.append(f"meets {sure} of {n_targets} targets with ≥ {CONFIDENCE:.0%} probability")
    elif summary.get("status") in ("optimal", "optimal_within_gap", "time_limit"):
        parts.append(f"plans to meet all {n_targets} targets")
    elif summary.get("status") == "infeasible":
        parts.append("cannot meet all the targets together")
    if cost is not None:
        parts.append(f"at {money_label(cost)} yuan")
    sentence = " ".join(parts) if parts else "was simulated without a plan"
    binding = [r for r in summary.get("requirements", []) if r.get("binding") and r.get("marginal_cost")]
    if binding:
        top = max(binding, key=lambda r: r["marginal_cost"])
        sentence += (
            f"; the costliest binding target is {top['target']} in year {top['year']} "
            f"(relaxing it by one {unit(top['kind'], 1)} saves {money_label(top['marginal_cost'])} yuan)"
        )
    sentence = sentence[0].upper() + sentence[1:] + "."
    if run.attainment is not None and len(run.attainment):
        probs = target_probabilities(run.attainment)
        risky = probs[probs < CONFIDENCE].sort_values()
        if len(risky):
            sentence += (
                " At risk: " + ", ".join(f"{t} (met in {p:.0%} of simulated runs)" for t, p in risky.items()) + "."
            )
    return sentence


def year_by_year(timeseries: pd.DataFrame) -> pd.DataFrame:
    """What the simulation did each plan year: needs served, satisfaction, staff hired and lost."""
    ts = timeseries.assign(year=(timeseries["month"] - 1) // 12 + 1)
    demand = [c for c in ts.columns if c.startswith("demand_")]
    served = ["served_" + c[len("demand_") :] for c in demand]
    kinds = [c[len("staff_") :] for c in ts.columns if c.startswith("staff_")]
    per_rep = ts.groupby(["replication", "year"])
    table = pd.DataFrame(
        {
            "needs served (%)": 100
            * per_rep[served].sum().sum(axis=1)
            / per_rep[demand].sum().sum(axis=1).clip(lower=1),
            "satisfaction at year end": ts[ts["month"] % 12 == 0]
            .groupby(["replication", "year"])
            .apply(
                lambda g: (g["satisfaction"] * g["households"]).sum() / max(g["households"].sum(), 1),
                include_groups=False,  # type: ignore[call-overload]  # pandas-stubs 3 omit it; pandas 2.2 needs it
            ),
        }
    )
    for k in kinds:
        label = k.replace("_", " ")
        table[f"{label}s hired"] = per_rep[f"hires_{k}"].sum()
        table[f"{label}s who left"] = per_rep[f"exits_{k}"].sum()
        table[f"{label}s at year end"] = ts[ts["month"] % 12 == 0].groupby(["replication", "year"])[f"staff_{k}"].sum()
    out = table.groupby(level="year").mean().round(1)
    out["satisfaction at year end"] = table["satisfaction at year end"].groupby(level="year").mean().round(2)
    return out.reset_index().rename(columns={"year": "plan year"})


def requirements_table(run: Run) -> pd.DataFrame:
    req = run.requirements()
    if req.empty:
        return req
    cols = [
        c
        for c in (
            "target",
            "kind",
            "year",
            "required",
            "planned",
            "evaluated_by",
            "achieved_mean",
            "probability_met",
            "binding",
            "marginal_cost",
            "marginal_status",
        )
        if c in req
    ]
    return req[cols]


def html_image(path: Path, alt: str) -> str:
    """A PNG embedded in the page itself, so the page needs no other file and no network."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"><figcaption>{html.escape(alt)}</figcaption></figure>'


def html_table(df: pd.DataFrame) -> str:
    """A table a planner reads: probabilities as percentages, yes/no, whole numbers without decimals."""

    def cell(column: str, v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            if pd.isna(v):
                return "—"
            if "probability" in column or column.startswith("P("):
                return f"{v:.0%}"
            if float(v).is_integer() or abs(float(v)) >= 1000:
                return f"{v:,.0f}"
            return f"{v:,.2f}" if abs(float(v)) < 1 else f"{v:,.1f}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c)).replace('_', ' ')}</th>" for c in df.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(str(c), v)}</td>" for c, v in zip(df.columns, row, strict=True)) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}.sub{color:#666;margin-top:0}
.headline{font-size:1.15rem;background:#eef5fb;border-left:5px solid #0072B2;padding:.8rem 1rem;margin:1.2rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1.5rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
figure{margin:1rem 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#666;font-size:.85rem}
"""


def write_report(run: Run, charts: list[tuple[Path, str]]) -> Path:
    """Write ``report.html`` into the run folder; ``charts`` are (PNG path, caption) pairs."""
    s, summary = run.scenario, run.summary or {}
    reps = run.attainment["replication"].nunique() if run.attainment is not None and len(run.attainment) else None
    sub = f"Scenario <code>{html.escape(s.name)}</code> · {len(s.communities)} communities · {s.years} years from {s.start_year}"
    if reps:
        sub += f" · {reps} simulated replications"
    body = [
        f"<h1>{html.escape(s.title)}</h1>",
        f'<p class="sub">{sub}</p>',
        f'<p class="headline">{html.escape(headline(run))}</p>',
    ]
    if summary:
        status = summary.get("status", "")
        gap = summary.get("gap")
        body.append(
            f"<p>Plan status: <b>{html.escape(status.replace('_', ' '))}</b>"
            + (f" (gap {gap:.2%})" if isinstance(gap, (int, float)) and gap else "")
            + "</p>"
        )
        if summary.get("cost_by_year"):
            years = [f"year {i}" for i in range(1, len(summary["cost_by_year"]) + 1)]
            body.append("<h2>Cost</h2>")
            body.append(html_table(pd.DataFrame({"": years, "cost (yuan)": summary["cost_by_year"]})))
        if summary.get("cost_by_line"):
            body.append(
                html_table(
                    pd.DataFrame(
                        {"line": list(summary["cost_by_line"]), "cost (yuan)": list(summary["cost_by_line"].values())}
                    )
                )
            )
    if summary:
        body.append(confidence_section(summary))
    req = requirements_table(run)
    if not req.empty:
        body.append("<h2>Targets</h2>")
        if "evaluated_by" in req and (req["evaluated_by"] != "plan").any():
            body.append(
                "<p><b>evaluated by</b>: <i>plan</i> — the optimiser plans it and the simulation checks it; "
                "<i>simulation</i> — an outcome (residents satisfied, organisations, participation) no money "
                "buys directly, judged by the simulation only; <i>plan and simulation</i> — the plan buys the "
                "part it can (a necessary condition), the simulation judges the rest.</p>"
            )
        if run.attainment is not None and len(run.attainment):
            probs = target_probabilities(run.attainment).rename("P(met every year)").reset_index()
            body.append(html_table(probs))
        body.append(html_table(req))
    if run.timeseries is not None and len(run.timeseries):
        body.append("<h2>The simulated city, year by year</h2><p>Means over the simulated replications.</p>")
        body.append(html_table(year_by_year(run.timeseries)))
    body.append("<h2>Charts</h2>")
    body += [html_image(p, caption) for p, caption in charts if p.exists()]
    out = run.path / "report.html"
    atomic_write_text(out, html_page(s.title, body))
    return out


def html_page(title: str, body: list[str]) -> str:
    return f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{CSS}</style></head><body>{"".join(body)}</body></html>'
