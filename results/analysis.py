"""What a planner asks of a simulated plan, computed from the run's tables (no drawing here).

* :func:`simulated_costs`: what the simulation spent, line by line and year by year, on the
  plan's own basis (above today's wage bill and running costs), so the two reconcile;
* :func:`cost_differences`: why planned and simulated spending differ, in sentences;
* :func:`communities_table`: ``communities.csv``, one row per community and plan year;
* :func:`at_risk_reasons`: why each requirement met in fewer than 90 % of runs falls short.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from results.i18n import tr, year_label
from scenarios.plan import LINES, PlanData, cost_table
from scenarios.plan_file import read_plan_csv
from scenarios.schema import Scenario
from scenarios.targets import OUTCOMES, Stocks

#: A requirement met in fewer runs than this is "at risk" and gets a reason.
CONFIDENCE = 0.9

#: What each cost line is, in the words the report and results.xlsx print beside it.
LINE_MEANINGS = {
    "space": "building added service space, its project fees, and running the added m²",
    "facilities": "building new facilities and running them",
    "hires": "one-off cost of each hire",
    "pay": "pay above today's wage bill (the pay policy and extra staff)",
    "funds": "yuan paid into the communities' working funds",
    "training": "training places (people trained × the kind's training cost); the simulation counts them in other",
    "other": "spent in the simulation outside the plan's lines (building cost overruns, organisation contracts, extensions)",
}


def _year(timeseries: pd.DataFrame) -> pd.Series:
    return (timeseries["month"] - 1) // 12 + 1


def simulated_costs(timeseries: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Mean over replications of what the simulation spent in each plan year, by the plan's lines.

    The plan counts money above today's bill: pay above today's wage bill, running costs of
    added space and new facilities only. ``spent`` in timeseries.csv is the whole bill, so
    today's bill is taken off and the rest split into the plan's lines from the stocks the
    simulation recorded; what is left (organisation contracts, an extension's spending) is
    ``other``. Building is paid on delivery, in the year the project opens.
    Returns one row per plan year: ``year``, one column per line and ``other``, and ``total``.
    """
    data = PlanData.from_scenario(scenario)
    ts = timeseries.sort_values(["replication", "community", "month"], kind="stable")
    ids = list(data.ids)
    index = {c: i for i, c in enumerate(ids)}
    rows = ts["community"].map(index).to_numpy()
    year = _year(ts).to_numpy()
    costs = scenario.costs
    space0 = data.space0[rows]
    space = ts["space_m2"].to_numpy(dtype=float) if "space_m2" in ts else space0
    first = (
        ts.groupby(["replication", "community"], sort=False)["month"].transform("min").to_numpy()
        == ts["month"].to_numpy()
    )
    previous_space = np.where(first, space0, np.roll(space, 1))
    added = np.clip(space - previous_space, 0, None)
    frame = pd.DataFrame({"replication": ts["replication"].to_numpy(), "year": year})
    frame["space"] = (
        costs.space_build_per_m2 * added
        + costs.space_project_fixed * (added > 1e-9)
        + costs.space_running_per_m2 * (space - space0) / 12
    )
    frame["facilities"] = 0.0
    today = np.full(len(ts), costs.space_running_per_m2 * 1.0) * space0 / 12
    for u, kind in scenario.facilities.items():
        col = f"has_{u}"
        if col not in ts:
            continue
        has = ts[col].to_numpy(dtype=float)
        had = data.has0[u][rows]
        before = np.where(first, had, np.roll(has, 1))
        frame["facilities"] += kind.build * np.clip(has - before, 0, None) + kind.running * (has - had) / 12
        today += kind.running * had / 12
    frame["hires"] = 0.0
    frame["pay"] = 0.0
    for s, st in scenario.staff.items():
        pay = data.pay[s]
        if f"hires_{s}" in ts:
            frame["hires"] += st.hire * ts[f"hires_{s}"].to_numpy(dtype=float)
        if f"staff_{s}" in ts:
            in_post = ts[f"staff_{s}"].to_numpy(dtype=float)
            frame["pay"] += in_post * pay[np.clip(year, 0, len(pay) - 1)] / 12 - data.staff0[s][rows] * pay[0] / 12
            today += data.staff0[s][rows] * pay[0] / 12
    lines = list(LINES)
    if "funds" in ts:  # yuan a year paid into the working funds, paid in monthly
        frame["funds"] = ts["funds"].to_numpy(dtype=float) / 12
        lines.append("funds")
    if "spent" in ts:
        frame["other"] = ts["spent"].to_numpy(dtype=float) - today - frame[lines].sum(axis=1)
        lines.append("other")
    per_rep = frame.groupby(["replication", "year"])[lines].sum()
    out = per_rep.groupby(level="year").mean()
    out["total"] = out[lines].sum(axis=1)
    return out.reset_index()


def cost_differences(
    planned_by_line: np.ndarray | None,
    simulated: pd.DataFrame,
    timeseries: pd.DataFrame,
    scenario: Scenario,
    plan: pd.DataFrame | None,
) -> list[str]:
    """Sentences that explain the gap between planned and simulated spending, largest first."""
    if planned_by_line is None or simulated.empty:
        return []
    planned = pd.DataFrame(planned_by_line, columns=list(PlanData.from_scenario(scenario).lines))
    sim = simulated.set_index("year")
    found: list[tuple[float, str]] = []
    total_gap = float(sim["total"].sum() - planned.to_numpy().sum())
    ts = timeseries.assign(year=_year(timeseries))
    pay_gap = float(sim["pay"].sum() - planned["pay"].sum())
    if abs(pay_gap) > 1 and plan is not None:
        staff_cols = [c for c in plan.columns if c.startswith("staff_")]
        posts = plan.groupby("year")[staff_cols].sum().sum(axis=1)
        in_post = ts.groupby(["replication", "year"])[[c for c in staff_cols if c in ts]].sum().sum(axis=1)
        months = ts.groupby(["replication", "year"])["month"].nunique()
        mean_in_post = (in_post / months.clip(lower=1)).groupby(level="year").mean() / ts["community"].nunique()
        mean_in_post = mean_in_post * ts["community"].nunique()
        vacant = (posts - mean_in_post.reindex(posts.index)).clip(lower=0)
        exits = ts.groupby(["replication"])[[c for c in ts.columns if c.startswith("exits_")]].sum().sum(axis=1).mean()
        found.append(
            (
                abs(pay_gap),
                tr(
                    "pay: {gap} yuan {direction} than planned; the plan pays its posts all year, but on average "
                    "{vacant} posts a month stood vacant ({exits:.0f} staff left over the plan and every new post "
                    "waits {lag} months for its hire)",
                    gap=f"{abs(pay_gap):,.0f}",
                    direction=tr("less") if pay_gap < 0 else tr("more"),
                    vacant=f"{float(vacant.mean()):.1f}",
                    exits=exits,
                    lag=int(scenario.simulation.hiring_lag_months),
                ),
            )
        )
    hires_gap = float(sim["hires"].sum() - planned["hires"].sum())
    if abs(hires_gap) > 1:
        found.append(
            (
                abs(hires_gap),
                tr(
                    "hires: {gap} yuan {direction} than planned: posts left by staff who quit are refilled, each at "
                    "the cost of a hire",
                    gap=f"{abs(hires_gap):,.0f}",
                    direction=tr("less") if hires_gap < 0 else tr("more"),
                ),
            )
        )
    for line in ("space", "facilities"):
        gap = float(sim[line].sum() - planned[line].sum())
        if abs(gap) > 1:
            found.append(
                (
                    abs(gap),
                    tr(
                        "{line}: {gap} yuan {direction} than planned: building is paid on delivery, projects "
                        "run {lag:.0f} months late (median) and {deferred} are deferred a year, so some are paid in "
                        "a later year or after the plan, and run for fewer months",
                        line=tr(line),
                        gap=f"{abs(gap):,.0f}",
                        direction=tr("less") if gap < 0 else tr("more"),
                        lag=float(scenario.simulation.construction_lag_months),
                        deferred=f"{_deferral(scenario):.0%}",
                    ),
                )
            )
    if "other" in sim and abs(float(sim["other"].sum())) > 1:
        found.append(
            (
                abs(float(sim["other"].sum())),
                tr(
                    "other: {amount} yuan the simulation spends that the plan does not count (building cost "
                    "overruns, organisation contracts, an extension's costs)",
                    amount=f"{float(sim['other'].sum()):,.0f}",
                ),
            )
        )
    found.sort(key=lambda x: -x[0])
    head = tr(
        "Over the plan the simulation spends {sim} yuan against the plan's {plan} yuan ({gap}), both counted "
        "above today's wage bill and running costs.",
        sim=f"{float(sim['total'].sum()):,.0f}",
        plan=f"{float(planned.to_numpy().sum()):,.0f}",
        gap=f"{round(total_gap) + 0:+,d}",
    )
    return [head, *[text for _, text in found]]


def _stocks_at(rows: pd.DataFrame, scenario: Scenario) -> Stocks:
    outcomes = {name: rows[name].to_numpy(dtype=float) for name in OUTCOMES if name in rows}
    outcomes |= {c: rows[c].to_numpy(dtype=float) for c in rows.columns if c.startswith("served_share:")}
    return Stocks(
        outcomes=outcomes,
        households=rows["households"].to_numpy(dtype=float),
        space=rows["space_m2"].to_numpy(dtype=float) if "space_m2" in rows else np.zeros(len(rows)),
        has={u: rows[f"has_{u}"].to_numpy(dtype=float) for u in scenario.facilities if f"has_{u}" in rows},
        staff={s: rows[f"staff_{s}"].to_numpy(dtype=float) for s in scenario.staff if f"staff_{s}" in rows},
        funds=rows["funds"].to_numpy(dtype=float) if "funds" in rows else None,
        trained={
            s: rows[f"trained_{s}"].to_numpy(dtype=float) for s in scenario.trained_kinds if f"trained_{s}" in rows
        }
        or None,
    )


def per_community_met(timeseries: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Replication × community × year: whether each per-community target's condition holds at year end.

    The year-end stocks and the shared condition code (``scenarios.targets``) are what the
    simulation's own attainment counts, so summed over communities this is attainment.csv's
    ``achieved`` for a share requirement.
    """
    ends = timeseries[timeseries["month"] % 12 == 0]
    yearly = timeseries.assign(year=_year(timeseries)).groupby(["replication", "community", "year"])
    if "participation" in timeseries:  # an outcome read as the plan year's mean, the others at its end
        ends = ends.assign(participation=yearly["participation"].transform("mean")[ends.index])
    for c in [c for c in timeseries.columns if c.startswith("demand_")]:  # served_share:<s>, over the year
        s = c[len("demand_") :]
        need = yearly[c].transform("sum")[ends.index].to_numpy(dtype=float)
        got = yearly[f"served_{s}"].transform("sum")[ends.index].to_numpy(dtype=float)
        ends = ends.assign(**{f"served_share:{s}": np.divide(got, need, out=np.ones_like(need), where=need > 0)})
    average = {  # a staff condition measured = "annual_average" reads the year's mean people in post
        s: yearly[f"staff_{s}"].transform("mean")[ends.index].to_numpy(dtype=float)
        for s in scenario.staff
        if f"staff_{s}" in timeseries
    }
    out = ends[["replication", "community"]].copy()
    out["year"] = (ends["month"] // 12).to_numpy()
    position = {c: i for i, c in enumerate(scenario.community_ids)}
    rows = ends["community"].astype(str).map(position).to_numpy(dtype=np.int64)
    stocks = dataclasses.replace(_stocks_at(ends, scenario), staff_average=average, community=rows)
    for t in scenario.targets:
        if t.condition is None:
            continue
        try:
            out[t.name] = t.condition.holds(stocks)
        except KeyError:  # a stock the timeseries does not record
            continue
    return out


def communities_table(scenario: Scenario, plan: pd.DataFrame | None, timeseries: pd.DataFrame | None) -> pd.DataFrame:
    """``communities.csv``: one row per community and plan year, planned beside simulated.

    Columns: ``community, name, year, calendar_year``, planned ``meets_<target>`` (from
    plan.csv), simulated ``probability_<target>`` (share of replications meeting the
    condition at year end), mean ``staff_<kind>`` in post at year end, ``served_share``
    (needs served over the year) and ``satisfied`` (mean, year end); with new developments
    ``committee_formed``, with developers' space ``developer_m2``.
    """
    base = pd.DataFrame(
        [
            {"community": c.id, "name": c.name or "", "year": t, "calendar_year": scenario.start_year + t - 1}
            for c in scenario.communities
            for t in range(1, scenario.years + 1)
        ]
    )
    if plan is not None:
        meets = [c for c in plan.columns if c.startswith("meets_")]
        base = base.merge(
            plan[["community", "year", *meets]].astype({"community": str}), on=["community", "year"], how="left"
        )
    if timeseries is None or not len(timeseries):
        return base
    ts = timeseries.astype({"community": str})
    met = per_community_met(ts, scenario)
    targets = [c for c in met.columns if c not in ("replication", "community", "year")]
    prob = met.groupby(["community", "year"])[targets].mean().add_prefix("probability_").reset_index()
    base = base.merge(prob, on=["community", "year"], how="left")
    ends = ts[ts["month"] % 12 == 0].assign(year=lambda d: d["month"] // 12)
    staff = [c for c in ts.columns if c.startswith("staff_")]
    satisfied = "satisfied" if "satisfied" in ts else "satisfaction"
    at_end = ends.groupby(["community", "year"])[[*staff, satisfied]].mean().rename(columns={satisfied: "satisfied"})
    demand = [c for c in ts.columns if c.startswith("demand_")]
    served = ["served_" + c[len("demand_") :] for c in demand]
    yearly = ts.assign(year=_year(ts)).groupby(["community", "year"])
    share = yearly[served].sum().sum(axis=1) / yearly[demand].sum().sum(axis=1).clip(lower=1)
    at_end["served_share"] = share
    # only scenarios with new developments / developers' space: the share of runs whose new
    # development has formed its residents' committee by the year's end; the mean m² handed over
    for column, name in (("committee", "committee_formed"), ("developer_m2", "developer_m2")):
        if column in ends:
            at_end[name] = ends.groupby(["community", "year"])[column].mean()
    if "committee_formed" in at_end:
        new = {c.id for c in scenario.communities if c.new_development}
        at_end.loc[~at_end.index.get_level_values("community").isin(new), "committee_formed"] = np.nan
    return base.merge(at_end.reset_index(), on=["community", "year"], how="left")


def developments(timeseries: pd.DataFrame, scenario: Scenario) -> dict[str, Any]:
    """summary.json's ``developer_space`` (m² owed, counted by the plan, handed over: mean
    over replications) and ``committees`` (per new development: the share of runs whose
    residents' committee formed, and the median plan year it did), when the scenario has them."""
    out: dict[str, Any] = {}
    reps = timeseries["replication"].nunique()
    if "developer_m2" in timeseries and scenario.developer_space:
        owed = sum(d.m2 for d in scenario.developer_space)
        last = timeseries[timeseries["month"] == timeseries["month"].max()]
        delivered = float(last["developer_m2"].sum()) / max(reps, 1)
        out["developer_space"] = {
            "owed_m2": owed,
            "counted_m2": sum(d.m2 for d in scenario.developer_space if d.counted),
            "delivered_m2_mean": round(delivered, 4),
            "delivered_share": round(delivered / owed, 4) if owed else None,
        }
    if "committee" in timeseries:
        rows = []
        for c in scenario.communities:
            if not c.new_development:
                continue
            mine = timeseries[(timeseries["community"].astype(str) == c.id) & (timeseries["committee"] > 0)]
            first = mine.groupby("replication")["month"].min()
            rows.append(
                {
                    "community": c.id,
                    "formed_share": round(len(first) / max(reps, 1), 4),
                    "formed_year_median": None if first.empty else int(((first - 1) // 12 + 1).median()),
                }
            )
        out["committees"] = rows
    return out


def at_risk_reasons(
    summary: dict[str, Any], attainment: pd.DataFrame, timeseries: pd.DataFrame | None, scenario: Scenario
) -> dict[tuple[str, str, int], str]:
    """A sentence per requirement met in fewer than 90 % of runs: what in the simulation fell short.

    Read from what the simulation recorded: the requirement's shortfall in the median run;
    for a staff condition, the staff who left in the year against the plan's assumption,
    posts waiting for their hire and the hiring lag; for space and facilities, the
    construction lag; for the rest, the spread of runs.
    """
    out: dict[tuple[str, str, int], str] = {}
    targets = {t.name: t for t in scenario.targets}
    for r in summary.get("requirements", []):
        p = r.get("probability_met")
        if p is None or p >= CONFIDENCE:
            continue
        key = (r["target"], r["kind"], int(r["year"]))
        rows = attainment[
            (attainment["target"] == r["target"])
            & (attainment["kind"] == r["kind"])
            & (attainment["year"] == r["year"])
        ]
        median = float(rows["achieved"].median()) if len(rows) else float("nan")
        parts = [
            tr(
                "met in {p} of runs: the median run reaches {median:g} of the {required:g} required",
                p=f"{p:.0%}",
                median=median,
                required=float(r["required"]),
            )
        ]
        planned = r.get("planned")
        if planned is not None and planned < r["required"] - 1e-6:
            parts.append(tr("the plan itself falls short ({planned:g} planned)", planned=float(planned)))
        elif planned is not None and planned <= r["required"] + 1e-6:
            parts.append(tr("the plan meets it exactly, with no margin for anything going wrong"))
        target = targets.get(r["target"])
        atoms = target.condition.atoms if target is not None and target.condition is not None else ()
        kinds = {a.kind for a in atoms}
        staff_kinds = [a.item for a in atoms if a.kind == "staff" and a.item]
        if target is not None and target.city_staff:
            staff_kinds.append(target.city_staff)
        if target is not None and target.city_average and target.evaluated_by == "plan":
            staff_kinds.append(target.city_average)
        trained = [a.item for a in atoms if a.kind == "trained" and a.item]
        if trained:
            parts.append(
                tr(
                    "the plan buys one training place per planned post; staff hired after the year's places are "
                    "used, and those replacing trained staff who left, stay untrained"
                )
            )
            staff_kinds += trained
        if "outcome" in kinds:
            parts.append(tr("it is an outcome of the simulation, which the plan does not buy directly"))
        if staff_kinds and timeseries is not None and len(timeseries):
            parts.append(_staff_reason(staff_kinds, int(r["year"]), timeseries, scenario))
        if kinds & {"space", "has"} or r["kind"] == "count":
            parts.append(
                tr(
                    "building runs {lag:.0f} months late (median) and {deferred} of projects are deferred a year, "
                    "so projects funded in a year may open only in the next",
                    lag=float(scenario.simulation.construction_lag_months),
                    deferred=f"{_deferral(scenario):.0%}",
                )
            )
        counted = [d for d in scenario.developer_space if d.counted and d.due_year <= int(r["year"])]
        if "space" in kinds and counted:
            parts.append(
                tr(
                    "the plan counts on {m2} m² of developers' space, each handed over with probability {p}",
                    m2=f"{sum(d.m2 for d in counted):,.0f}",
                    p=", ".join(sorted({f"{d.delivery_probability:.0%}" for d in counted})),
                )
            )
        out[key] = tr("; ").join(x for x in parts if x) + tr(".")
    return out


def _deferral(scenario: Scenario) -> float:
    return float(getattr(scenario.simulation, "project_deferral_share", 0.0))


def _staff_reason(kinds: list[str], year: int, timeseries: pd.DataFrame, scenario: Scenario) -> str:
    ts = timeseries.assign(year=_year(timeseries))
    parts = []
    for s in dict.fromkeys(kinds):
        if f"exits_{s}" not in ts or f"staff_{s}" not in ts:
            continue
        in_year = ts[ts["year"] == year]
        exits = in_year.groupby("replication")[f"exits_{s}"].sum().mean()
        start_month = 12 * (year - 1) + 1
        start = ts[ts["month"] == start_month].groupby("replication")[f"staff_{s}"].sum().mean()
        hires = in_year.groupby("replication")[f"hires_{s}"].sum().mean() if f"hires_{s}" in ts else 0.0
        assumed = scenario.staff[s].attrition
        label = tr(s.replace("_", " "))
        parts.append(
            tr(
                "the plan assumed {assumed} of {kind}s leave a year; in {year} {exits:.0f} left "
                "({share} of the {start:.0f} in post at its start) and {hires:.0f} were hired, each post refilled "
                "after {lag} months",
                assumed=f"{assumed:.0%}",
                kind=label,
                year=year_label(scenario.start_year, year),
                exits=exits,
                share=f"{exits / max(start, 1):.0%}",
                start=start,
                hires=hires,
                lag=int(scenario.simulation.hiring_lag_months),
            )
        )
    return tr("; ").join(parts)


def replan_reasons(
    fixed: pd.DataFrame, replanned: pd.DataFrame, replans: pd.DataFrame | None, start_year: int = 1
) -> list[str]:
    """Why a re-planned run meets requirements less often than the fixed plan: each requirement that got
    worse (attainment.csv rows of both), then what re-planning does that explains it."""
    out = []
    keys = ["target", "kind", "year"]
    a = fixed.groupby(keys)["met"].mean()
    b = replanned.groupby(keys)["met"].mean()
    achieved_a = fixed.groupby(keys)["achieved"].mean()
    achieved_b = replanned.groupby(keys)["achieved"].mean()
    for key in a.index.intersection(b.index):
        if b[key] < a[key] - 1e-9:
            target, _kind, year = key
            out.append(
                tr(
                    "{target}, {year}: met in {b} of re-planned runs against {a} with the fixed plan "
                    "(mean level {lb:.1f} against {la:.1f})",
                    target=target,
                    year=year_label(start_year, int(year)),
                    a=f"{a[key]:.0%}",
                    b=f"{b[key]:.0%}",
                    la=float(achieved_a[key]),
                    lb=float(achieved_b[key]),
                )
            )
    if out:
        found = 0 if replans is None else int(replans["status"].astype(str).str.startswith("optimal").sum())
        out.append(
            tr(
                "each re-solve buys the cheapest plan for the remaining years from what the city has then, "
                "meeting each requirement exactly as planned, with no margin for the turnover and delays that "
                "follow; {n} of {total} re-solves found a plan",
                n=found,
                total=0 if replans is None else len(replans),
            )
        )
    return out


def read_plan(out: Path) -> pd.DataFrame | None:
    path = out / "plan.csv"
    return pd.read_csv(path, dtype={"community": str}) if path.exists() else None


def planned_cost_table(out: Path, scenario: Scenario) -> np.ndarray | None:
    """``cost[t, line]`` of the folder's plan.csv, undiscounted, by the plan's own cost formula."""
    path = out / "plan.csv"
    if not path.exists():
        return None
    return cost_table(PlanData.from_scenario(scenario), read_plan_csv(path, scenario))
