"""``report.html``: one self-contained page a planner can open (charts embedded, no network)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from results import analysis
from results.confidence import section as confidence_section
from results.i18n import current, tr, year_label
from results.runs import Run
from results.style import money_label
from results.webfont import font_face
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
        parts.append(
            tr("meets {sure} of {n} targets with ≥ {p} probability", sure=sure, n=n_targets, p=f"{CONFIDENCE:.0%}")
        )
    elif summary.get("status") in ("optimal", "optimal_within_gap", "time_limit"):
        parts.append(tr("plans to meet all {n} targets", n=n_targets))
    elif summary.get("status") == "infeasible":
        parts.append(tr("cannot meet all the targets together"))
    if cost is not None:
        parts.append(tr("at {cost} yuan", cost=money_label(cost)))
    sentence = tr(" ").join(parts) if parts else tr("was simulated without a plan")
    binding = [r for r in summary.get("requirements", []) if r.get("binding") and r.get("marginal_cost")]
    if binding:
        top = max(binding, key=lambda r: r["marginal_cost"])
        sentence += tr(
            "; the costliest binding target is {target} in {year} (relaxing it by one {unit} saves {saving} yuan)",
            target=top["target"],
            year=year_label(s.start_year, top["year"]),
            unit=tr(unit(top["kind"], 1)),
            saving=money_label(top["marginal_cost"]),
        )
    sentence = sentence[0].upper() + sentence[1:] + tr(".")
    if run.attainment is not None and len(run.attainment):
        probs = target_probabilities(run.attainment)
        risky = probs[probs < CONFIDENCE].sort_values()
        if len(risky):
            sentence += (
                tr(" At risk: ")
                + tr(", ").join(
                    tr("{target} (met in {p} of simulated runs)", target=t, p=f"{p:.0%}") for t, p in risky.items()
                )
                + tr(".")
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
    """summary.json's requirements as the report shows them: a short requirement says "short", not "binding"."""
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
    req = req[cols].copy()
    if "binding" in req and "planned" in req:
        short = req["planned"].notna() & (req["planned"] < req["required"] - 1e-6)
        req["binding"] = [
            tr("short") if sh else (tr("yes") if b else tr("no")) for sh, b in zip(short, req["binding"], strict=True)
        ]
    if "evaluated_by" in req:
        req["evaluated_by"] = [tr(v) if isinstance(v, str) else v for v in req["evaluated_by"]]
    if "marginal_status" in req:
        req["marginal_status"] = [tr(str(v)) if isinstance(v, str) else v for v in req["marginal_status"]]
    if (run.summary or {}).get("mode") == "max-attainment":
        req = req.drop(columns=[c for c in ("marginal_cost", "marginal_status") if c in req])
    return req


def target_costs_table(run: Run) -> pd.DataFrame:
    """Each target's full cost beside its requirements' marginal costs (year by year)."""
    summary = run.summary or {}
    targets = summary.get("targets") or []
    if not targets:
        return pd.DataFrame()
    req = run.requirements()
    rows = []
    for t in targets:
        mine = req[req["target"] == t["target"]] if not req.empty else req
        margins = []
        for r in mine.to_dict("records"):
            m = r.get("marginal_cost")
            shown = (
                tr("not binding") if not r.get("binding") else ("—" if m is None or pd.isna(m) else f"{float(m):,.0f}")
            )
            margins.append(f"{year_label(run.scenario.start_year, int(r['year']))}: {shown}")
        status = t.get("full_cost_status")
        rows.append(
            {
                "target": t["target"],
                "full cost (yuan)": t.get("full_cost"),
                "full cost status": tr(status) if isinstance(status, str) else status,
                "marginal costs by year (yuan)": "; ".join(margins),
            }
        )
    return pd.DataFrame(rows)


def html_image(path: Path, alt: str) -> str:
    """A PNG embedded in the page itself, so the page needs no other file and no network."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"><figcaption>{html.escape(alt)}</figcaption></figure>'


def html_table(df: pd.DataFrame) -> str:
    """A table a planner reads: probabilities as percentages, yes/no, whole numbers without decimals, 0 as 0."""

    def cell(column: str, v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return tr("yes") if v else tr("no")
        if isinstance(v, (float, np.floating)):
            if pd.isna(v):
                return "—"
            if _is_probability(column) or column == tr("share of the total"):
                return f"{v:.0%}"
            if float(v).is_integer() or abs(float(v)) >= 1000:
                return f"{v:,.0f}"
            return f"{v:,.2f}" if abs(float(v)) < 1 else f"{v:,.1f}"
        if isinstance(v, (int, np.integer)) and _is_probability(column):
            return f"{v:.0%}"
        if v is None:
            return "—"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(_header(str(c)))}</th>" for c in df.columns)

    def td(column: str, v) -> str:
        text = cell(column, v)
        return f'<td class="text">{text}</td>' if isinstance(v, str) and len(v) > 24 else f"<td>{text}</td>"

    rows = "".join(
        "<tr>" + "".join(td(str(c), v) for c, v in zip(df.columns, row, strict=True)) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _header(column: str) -> str:
    """A column's name in the page's language: ``probability_space-200`` → "probability space-200" (概率 space-200)."""
    words = column.replace("_", " ")
    for prefix in ("meets ", "probability met ", "probability ", "staff "):
        if words.startswith(prefix) and tr(words) == words:
            return f"{tr(prefix.strip())} {words[len(prefix) :]}"
    return tr(words)


def _is_probability(column: str) -> bool:
    return "probability" in column or column.startswith(("P(", "p_")) or column == tr("P(met every year)")


CSS = """
body{font-family:"commplan CJK",system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}.sub{color:#666;margin-top:0}
.headline{font-size:1.15rem;background:#eef5fb;border-left:5px solid #0072B2;padding:.8rem 1rem;margin:1.2rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1.5rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:right}
td{white-space:nowrap}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
td.text{text-align:left;max-width:40rem;white-space:normal}
.note{color:#444;font-size:.9rem}
figure{margin:1rem 0}img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#666;font-size:.85rem}
"""


def cost_section(run: Run) -> list[str]:
    """Planned and simulated spending year by year on one basis, every line with what it is, and why they differ."""
    summary = run.summary or {}
    s = run.scenario
    body: list[str] = []
    planned = summary.get("cost_by_year") or []
    simulated = summary.get("simulated_cost_by_year") or []
    if not planned and not simulated:
        return body
    body.append(f"<h2>{tr('Cost by year: planned and simulated')}</h2>")
    n = max(len(planned), len(simulated))
    table = pd.DataFrame({tr("year"): [year_label(s.start_year, t) for t in range(1, n + 1)]})
    if planned:
        table[tr("planned (yuan)")] = planned + [np.nan] * (n - len(planned))
    if simulated:
        table[tr("simulated (yuan)")] = simulated + [np.nan] * (n - len(simulated))
    if planned and simulated:
        table[tr("difference (yuan)")] = table[tr("simulated (yuan)")] - table[tr("planned (yuan)")]
    if planned:
        total = sum(v for v in planned if v is not None)
        table[tr("share of the total")] = [v / total if total and v is not None else np.nan for v in planned] + [
            np.nan
        ] * (n - len(planned))
    body.append(html_table(table))
    by_line = summary.get("cost_by_line") or {}
    sim_line = summary.get("simulated_cost_by_line") or {}
    lines = list(dict.fromkeys([*by_line, *sim_line]))
    if lines:
        body.append(f"<h3>{tr('Cost by line')}</h3>")
        rows = pd.DataFrame(
            {
                tr("line"): [tr(x) for x in lines],
                tr("what it is"): [tr(analysis.LINE_MEANINGS.get(x, "")) for x in lines],
                tr("planned (yuan)"): [by_line.get(x, np.nan) for x in lines],
            }
        )
        if sim_line:
            rows[tr("simulated (yuan)")] = [sim_line.get(x, np.nan) for x in lines]
        body.append(html_table(rows))
    body += _who_pays(summary, s.start_year)
    if simulated and run.timeseries is not None:
        planned_table = analysis.planned_cost_table(run.path, s)
        sim = analysis.simulated_costs(run.timeseries, s)
        reasons = analysis.cost_differences(planned_table, sim, run.timeseries, s, run.plan)
        if reasons:
            body.append(f"<h3>{tr('Why planned and simulated spending differ')}</h3>")
            body.append(f'<p class="note">{html.escape(reasons[0])}</p>')
            body.append("<ul>" + "".join(f"<li>{html.escape(r)}</li>" for r in reasons[1:]) + "</ul>")
    return body


def _who_pays(summary: dict, start_year: int) -> list[str]:
    """``cost_by_source``: the city, co-funders and staff paid by others, year by year (only when others pay)."""
    by_year = summary.get("cost_by_source_by_year") or {}
    if set(by_year) <= {"city"}:
        return []  # the city pays everything: the cost tables above already say it
    n = max(len(v) for v in by_year.values())
    table = pd.DataFrame({tr("payer"): [tr(k) if k == "city" else k for k in by_year]})
    for t in range(n):
        table[year_label(start_year, t + 1)] = [v[t] if t < len(v) else np.nan for v in by_year.values()]
    table[tr("total (yuan)")] = [sum(x for x in v if x is not None) for v in by_year.values()]
    what = tr("the city's own cost") if summary.get("minimise", "city") == "city" else tr("everyone's cost")
    note = tr("Budgets bound the city's own cost; the optimiser minimised {what}.", what=what)
    return [f"<h3>{tr('Who pays')}</h3>", f'<p class="note">{html.escape(note)}</p>', html_table(table)]


def risk_section(run: Run) -> list[str]:
    """Each requirement met in fewer than 90 % of runs, with the reason the simulation shows."""
    summary = run.summary or {}
    if run.attainment is None or not len(run.attainment):
        return []
    reasons = analysis.at_risk_reasons(summary, run.attainment, run.timeseries, run.scenario)
    if not reasons:
        return []
    rows = pd.DataFrame(
        [
            {
                tr("target"): t,
                tr("year"): year_label(run.scenario.start_year, y),
                tr("reason"): why,
            }
            for (t, _kind, y), why in reasons.items()
        ]
    )
    out = [f"<h2>{tr('Why a target is at risk')}</h2>"]
    out.append(html_table(rows))
    return out


def replan_section(run: Run) -> list[str]:
    """For a re-planned run: how often each re-solve found a plan, and what re-planning cannot fix."""
    path = run.path / "replans.csv"
    if not path.exists():
        return []
    replans = pd.read_csv(path)
    if replans.empty:
        return []
    found = replans["status"].astype(str).str.startswith("optimal").sum()
    text = tr(
        "This run re-planned at the end of each year: {found} of {total} re-solves found a plan. Each re-solve buys "
        "the cheapest plan for the remaining years from what the city has then, meeting each requirement exactly, "
        "with no margin for the turnover and construction delays that follow; compare it with the fixed plan "
        "(commplan compare) to see which targets it meets less often.",
        found=int(found),
        total=len(replans),
    )
    return [f"<h2>{tr('Re-planning')}</h2>", f'<p class="note">{html.escape(text)}</p>']


def communities_section(run: Run) -> list[str]:
    """The last plan year, community by community: planned, simulated probability, staff, needs served."""
    path = run.path / "communities.csv"
    if not path.exists():
        return []
    table = pd.read_csv(path, dtype={"community": str, "name": str}, keep_default_na=False, na_values=[""])
    if table.empty:
        return []
    last = table[table["year"] == table["year"].max()].drop(columns=["year"])
    last = last.rename(columns={"calendar_year": "year"})
    if last["name"].isna().all():
        last = last.drop(columns=["name"])
    note = tr(
        "{year}: one row per community (every year in communities.csv and results.xlsx). meets: in the plan; "
        "probability: share of simulated runs in which the community meets the target at year end.",
        year=year_label(run.scenario.start_year, run.scenario.years),
    )
    return [
        f"<h2>{tr('Community by community')}</h2>",
        f'<p class="note">{html.escape(note)}</p>',
        html_table(last.drop(columns=["year"])),
    ]


def developments_section(summary: dict) -> list[str]:
    """Developers' space owed, counted and handed over; new developments' residents' committees."""
    lines = []
    dev = summary.get("developer_space")
    if dev:
        lines.append(
            tr(
                "Developers' space: {owed} m² owed, {counted} m² counted on by the plan, {delivered} m² handed over "
                "on average in the simulation ({share} of what is owed).",
                owed=f"{dev['owed_m2']:,.0f}",
                counted=f"{dev['counted_m2']:,.0f}",
                delivered=f"{dev['delivered_m2_mean']:,.0f}",
                share=f"{dev['delivered_share'] or 0:.0%}",
            )
        )
    for c in summary.get("committees") or []:
        lines.append(
            tr(
                "New development {community}: its residents' committee formed in {share} of simulated runs"
                + (", in plan year {year} (median)." if c["formed_year_median"] is not None else "."),
                community=c["community"],
                share=f"{c['formed_share']:.0%}",
                year=c["formed_year_median"],
            )
        )
    if not lines:
        return []
    return [f"<h2>{tr('New developments and developers’ space')}</h2>", *(f"<p>{html.escape(x)}</p>" for x in lines)]


def write_report(run: Run, charts: list[tuple[Path, str]]) -> Path:
    """Write ``report.html`` into the run folder; ``charts`` are (PNG path, caption) pairs."""
    s, summary = run.scenario, run.summary or {}
    reps = run.attainment["replication"].nunique() if run.attainment is not None and len(run.attainment) else None
    sub = tr(
        "Scenario {name} · {n} communities · {years} years, {first}–{last} · amounts in yuan",
        name=f"<code>{html.escape(s.name)}</code>",
        n=len(s.communities),
        years=s.years,
        first=year_label(s.start_year, 1),
        last=year_label(s.start_year, s.years),
    )
    if reps:
        sub += tr(" · {reps} simulated replications", reps=reps)
    body = [
        f"<h1>{html.escape(s.title)}</h1>",
        f'<p class="sub">{sub}</p>',
        f'<p class="headline">{html.escape(headline(run))}</p>',
    ]
    if summary:
        status = summary.get("status", "")
        gap = summary.get("gap")
        body.append(
            f"<p>{tr('Plan status')}: <b>{html.escape(tr(status.replace('_', ' ')))}</b> ({html.escape(tr(summary.get('mode', '')))})"
            + (f" ({tr('gap')} {gap:.2%})" if isinstance(gap, (int, float)) and gap else "")
            + "</p>"
        )
        body += cost_section(run)
    if summary:
        body.append(confidence_section(summary))
    req = requirements_table(run)
    if not req.empty:
        body.append(f"<h2>{tr('Targets')}</h2>")
        if "evaluated_by" in req and (req["evaluated_by"] != tr("plan")).any():
            body.append(
                "<p>"
                + tr(
                    "<b>evaluated by</b>: <i>plan</i> — the optimiser plans it and the simulation checks it; "
                    "<i>simulation</i> — an outcome (residents satisfied, organisations, participation, needs served, "
                    "co-building) no money buys directly, judged by the simulation only; <i>plan and simulation</i> — "
                    "the plan buys the "
                    "part it can (a necessary condition), the simulation judges the rest."
                )
                + "</p>"
            )
        if run.attainment is not None and len(run.attainment):
            probs = target_probabilities(run.attainment).rename(tr("P(met every year)")).reset_index()
            body.append(html_table(probs))
        shown = req.assign(year=[year_label(s.start_year, int(y)) for y in req["year"]])
        shown["kind"] = [tr(str(k).replace("_", " ")) for k in shown["kind"]]
        body.append(html_table(shown))
        if summary.get("mode") == "max-attainment":
            body.append(
                '<p class="note">'
                + html.escape(
                    tr(
                        "Marginal costs are computed in min-cost mode only: a max-attainment plan spends the budget, "
                        "so relaxing a requirement saves nothing."
                    )
                )
                + "</p>"
            )
        costs = target_costs_table(run)
        if not costs.empty:
            body.append(
                f"<h3>{tr('What each target costs')}</h3><p>"
                + tr(
                    "Full cost: the total cost with the target minus the total cost without it (every year of it "
                    "given up, found by re-solving). A marginal cost prices one unit more in one year; for a staged "
                    "target it is often only the saving of doing the work a year later."
                )
                + "</p>"
            )
            body.append(html_table(costs))
    body += risk_section(run)
    body += replan_section(run)
    if run.timeseries is not None and len(run.timeseries):
        body.append(
            f"<h2>{tr('The simulated city, year by year')}</h2><p>{tr('Means over the simulated replications.')}</p>"
        )
        table = year_by_year(run.timeseries)
        table.insert(0, tr("year"), [year_label(s.start_year, int(t)) for t in table.pop("plan year")])
        table.columns = [_column_words(str(c)) for c in table.columns]
        body.append(html_table(table))
    body += communities_section(run)
    body += developments_section(summary)
    body.append(f"<h2>{tr('Charts')}</h2>")
    body += [html_image(p, caption) for p, caption in charts if p.exists()]
    out = run.path / "report.html"
    atomic_write_text(out, html_page(s.title, body))
    return out


def _column_words(column: str) -> str:
    """year_by_year's English headers in the report's language ("community workers hired" → "招聘社区工作者")."""
    for pattern in ("{kind}s hired", "{kind}s who left", "{kind}s at year end"):
        suffix = pattern[len("{kind}") :]
        if column.endswith(suffix) and column != suffix:
            return tr(pattern, kind=tr(column[: -len(suffix)]))
    return tr(column)


def html_page(title: str, body: list[str]) -> str:
    """A self-contained page: its CSS, and the CJK glyphs it uses (results.webfont), inside it."""
    lang = "zh-CN" if current() == "zh" else "en"
    text = "".join(body) + title
    return f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{font_face(text)}{CSS}</style></head><body>{"".join(body)}</body></html>'
