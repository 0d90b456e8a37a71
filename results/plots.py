"""Charts a planner reads at a glance, drawn from a finished run's tables.

Each function takes tables (pandas) and returns a matplotlib Figure; ``style.save`` writes
it. Colours are Okabe–Ito throughout, so the charts read the same with colour-blindness.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from results.i18n import tr, year_label
from results.style import BLUE, GREY, ORANGE, VERMILION, chart, colour, figure, money_label
from scenarios.schema import Scenario

UNITS = {
    "share": "communities",
    "keys_by": "key communities",
    "count": "facilities opened",
    "city_staff": "staff",
    "city_average": "per community",
}
KIND_WORDS = {
    "share": "communities meeting it",
    "keys_by": "key communities meeting it",
    "count": "opened that year",
    "city_staff": "city-wide staff",
    "city_average": "average per community",
}


def _grid(n: int, ncols: int = 3, panel: tuple[float, float] = (3.6, 2.7)) -> tuple[Figure, list]:
    ncols = min(ncols, max(n, 1))
    nrows = max(1, -(-n // ncols))
    fig = figure(panel[0] * ncols, panel[1] * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


@chart
def requirements_chart(
    requirements: pd.DataFrame, attainment: pd.DataFrame | None, title: str, start_year: int = 1
) -> Figure:
    """Each requirement by year: required (outline), planned (bar, when there is a plan), achieved (median, 5–95 % range)."""
    groups = list(requirements.groupby(["target", "kind"], sort=False))
    fig, axes = _grid(len(groups))
    for ax, ((target, kind), rows) in zip(axes, groups, strict=True):
        assert isinstance(kind, str)  # a requirement kind
        rows = rows.sort_values("year")
        x = rows["year"].to_numpy()
        if "planned" in rows:
            ax.bar(x, rows["planned"].fillna(0), width=0.55, color=SKY_LIGHT, label=tr("planned"), zorder=1)
        ax.bar(
            x,
            rows["required"],
            width=0.55,
            fill=False,
            edgecolor=BLACKISH,
            linewidth=1.4,
            label=tr("required"),
            zorder=2,
        )
        if attainment is not None and len(attainment):
            sel = attainment[(attainment["target"] == target) & (attainment["kind"] == kind)]
            if len(sel):
                levels = np.array([0.05, 0.5, 0.95])
                q = sel.groupby("year")["achieved"].quantile(levels, interpolation="nearest").unstack()
                q = q.reindex(x)
                ax.errorbar(
                    q.index,
                    q[0.5],
                    yerr=[q[0.5] - q[0.05], q[0.95] - q[0.5]],
                    fmt="o",
                    color=VERMILION,
                    ecolor=VERMILION,
                    capsize=3,
                    label=tr("achieved (median, 5–95 %)"),
                    zorder=3,
                )
        ax.set_title(f"{target}\n{tr(KIND_WORDS.get(kind, kind))}", fontsize=9.5)
        ax.set_xticks(x, [year_label(start_year, int(t)) for t in x])
        ax.set_xlabel(tr("year"))
        ax.set_ylabel(tr(UNITS.get(kind, "")) if UNITS.get(kind) else "")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if axes:
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3)
    fig.suptitle(title)
    return fig


SKY_LIGHT = "#9ecae1"
MARKERS = "osD^v<>p"
DASHES = ("-", "--", ":", "-.")
BLACKISH = "#222222"


def city_series(timeseries: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """City-wide monthly series per replication: satisfaction, unmet demand, staff by kind."""
    ts = timeseries
    demand = [c for c in ts.columns if c.startswith("demand_")]
    served = ["served_" + c[len("demand_") :] for c in demand]
    staff = [c for c in ts.columns if c.startswith("staff_")]
    frame = pd.DataFrame(
        {
            "replication": ts["replication"],
            "month": ts["month"],
            "weighted_satisfaction": ts["satisfaction"] * ts["households"],
            "households": ts["households"],
            "unmet": ts[demand].to_numpy().sum(axis=1) - ts[served].to_numpy().sum(axis=1),
            **{c: ts[c] for c in staff},
        }
    )
    city = frame.groupby(["replication", "month"]).sum()
    out = {
        "satisfaction": (city["weighted_satisfaction"] / city["households"]).unstack("replication"),
        "unmet demand": city["unmet"].unstack("replication"),
    }
    for c in staff:
        out[c[len("staff_") :].replace("_", " ") + "s"] = city[c].unstack("replication")
    return out


@chart
def fan_charts(timeseries: pd.DataFrame, title: str) -> Figure:
    """Median and 5–95 % band over replications, month by month."""
    series = city_series(timeseries)
    units = {"satisfaction": "mean satisfaction (0–1)", "unmet demand": "needs not served per month"}
    names = {"satisfaction": "Satisfaction", "unmet demand": "Unmet demand"}
    fig, axes = _grid(len(series), ncols=min(3, len(series)), panel=(4.0, 3.0))
    for i, (ax, (name, table)) in enumerate(zip(axes, series.items(), strict=True)):
        _fan(ax, table, colour(i), tr(names.get(name, name.capitalize())), tr(units.get(name, "staff in post")))
        if name == "satisfaction":
            ax.set_ylim(0, 1)
    fig.suptitle(title)
    return fig


def _fan(ax, table: pd.DataFrame, shade: str, name: str, unit: str) -> None:
    """One panel: median and 5–95 % band of ``table`` (months × replications)."""
    months = table.index.to_numpy()
    values = table.to_numpy(dtype=float)
    low, mid, high = np.percentile(values, [5, 50, 95], axis=1)
    ax.fill_between(months, low, high, color=shade, alpha=0.25, linewidth=0, label=tr("5–95 % of replications"))
    ax.plot(months, mid, color=shade, linewidth=2, label=tr("median"))
    for year_end in range(12, int(months.max()) + 1, 12):
        ax.axvline(year_end, color=GREY, linewidth=0.6, linestyle=":")
    ax.set_title(name)
    ax.set_xlabel(tr("month"))
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, loc="best")


def numeric_columns(timeseries: pd.DataFrame, columns: list[str]) -> list[str]:
    """Those of ``columns`` in ``timeseries`` that hold numbers (an extension's reporters)."""
    return [c for c in columns if c in timeseries.columns and pd.api.types.is_numeric_dtype(timeseries[c])]


@chart
def extension_fan(timeseries: pd.DataFrame, column: str, title: str) -> Figure:
    """An extension's reporter column, summed over communities: median and 5–95 % band over replications."""
    city = timeseries.groupby(["replication", "month"])[column].sum().unstack("replication")
    fig, axes = _grid(1, ncols=1, panel=(5.0, 3.4))
    _fan(axes[0], city, colour(0), column.replace("_", " ").capitalize(), f"{column}, summed over communities")
    fig.suptitle(title)
    return fig


def _community_labels(scenario: Scenario | None) -> dict[str, str]:
    """Each community's display name beside its id (``幸福社区 (xf-01)``), or its id alone."""
    if scenario is None:
        return {}
    return {c.id: f"{c.name} ({c.id})" if c.name else c.id for c in scenario.communities}


@chart
def community_heatmap(plan: pd.DataFrame, title: str, scenario: Scenario | None = None, max_rows: int = 60) -> Figure:
    """Which community meets which target, year by year, in the plan (a plan without a simulation)."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    meets = [c for c in plan.columns if c.startswith("meets_")]
    table = plan.assign(community=plan["community"].astype(str)).pivot_table(
        index="community", columns="year", values=meets, aggfunc="max"
    )
    table = table.reindex(columns=sorted(table.columns, key=lambda c: (meets.index(c[0]), c[1])))
    order = table.sum(axis=1).sort_values(kind="stable").index
    table = table.loc[order]
    shown = table if len(table) <= max_rows else table.iloc[np.linspace(0, len(table) - 1, max_rows).astype(int)]
    fig = figure(max(6.0, 0.5 * table.shape[1] + 4), max(3.0, 0.22 * len(shown) + 1.8))
    ax = fig.subplots()
    ax.imshow(
        shown.to_numpy(dtype=float),
        aspect="auto",
        cmap=ListedColormap([ORANGE, BLUE]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    start_year = scenario.start_year if scenario is not None else 1
    ax.set_xticks(range(table.shape[1]), [year_label(start_year, int(c[1])) for c in table.columns], fontsize=7.5)
    _target_headers(ax, [c[0] for c in table.columns], meets)
    labels = _community_labels(scenario)
    ax.set_yticks(range(len(shown)), [labels.get(str(i), str(i)) for i in shown.index], fontsize=8)
    ax.set_ylabel(
        tr("community")
        + (
            ""
            if len(table) <= max_rows
            else tr("({shown} of {total} shown, evenly spaced)", shown=len(shown), total=len(table))
        )
    )
    ax.set_xlabel(tr("year, by target"))
    ax.legend(
        handles=[Patch(color=BLUE, label=tr("meets")), Patch(color=ORANGE, label=tr("does not meet"))],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    fig.suptitle(title)
    return fig


def _target_headers(ax, column_targets: list[str], targets: list[str]) -> None:
    """Each target's name over its block of year columns, blocks parted by a white line."""
    start = 0
    for i, m in enumerate(targets):
        width = sum(1 for c in column_targets if c == m)
        if not width:
            continue
        if i:
            ax.axvline(start - 0.5, color="white", linewidth=3)
        name = m.split("_", 1)[1] if m.startswith(("meets_", "probability_")) else m
        ax.text(
            start + width / 2 - 0.5,
            1.01,
            name,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            rotation=20 if len(targets) > 5 else 0,
        )
        start += width


@chart
def community_grid(communities: pd.DataFrame, scenario: Scenario, title: str) -> Figure:
    """communities.csv as a grid: a row per community, a column per target and year, coloured by the
    simulated probability of meeting it, marked ○/× where the plan meets it or not.

    Every community is shown (the figure grows with the city), named as the planner named it.
    """
    from matplotlib.colors import LinearSegmentedColormap

    probs = [c for c in communities.columns if c.startswith("probability_")]
    years = sorted(communities["year"].unique())
    ids = [c.id for c in scenario.communities]
    table = communities.set_index(["community", "year"])
    values = np.full((len(ids), len(probs) * len(years)), np.nan)
    planned = np.full(values.shape, np.nan)
    columns = []
    for j, (p, t) in enumerate((p, t) for p in probs for t in years):
        columns.append((p, t))
        values[:, j] = [table[p].get((i, t), np.nan) for i in ids]
        meets = "meets_" + p[len("probability_") :]
        if meets in table:
            planned[:, j] = [table[meets].get((i, t), np.nan) for i in ids]
    order = np.argsort(np.nan_to_num(values, nan=0).sum(axis=1), kind="stable")
    values, planned = values[order], planned[order]
    labels = _community_labels(scenario)
    names = [labels[ids[k]] for k in order]
    fig = figure(max(7.0, 0.55 * len(columns) + 5), max(3.2, 0.26 * len(ids) + 2.2))
    ax = fig.subplots()
    cmap = LinearSegmentedColormap.from_list("risk", [VERMILION, "#F7F7F7", BLUE])
    image = ax.imshow(values, aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    rows, cols = np.nonzero(~np.isnan(planned))  # markers, not text: a city of 48 communities has 1,200 cells
    met = planned[rows, cols] >= 0.5
    dark = np.abs(np.nan_to_num(values[rows, cols], nan=0.5) - 0.5) > 0.3
    ink = ["white" if d else "#222222" for d in dark]
    ax.scatter(
        cols[met],
        rows[met],
        marker="o",
        s=14,
        facecolors="none",
        linewidths=0.9,
        edgecolors=[c for c, m in zip(ink, met, strict=True) if m],
    )
    ax.scatter(
        cols[~met], rows[~met], marker="x", s=14, linewidths=0.9, c=[c for c, m in zip(ink, met, strict=True) if not m]
    )
    ax.set_xticks(range(len(columns)), [year_label(scenario.start_year, int(t)) for _, t in columns], fontsize=7.5)
    _target_headers(ax, [p for p, _ in columns], probs)
    ax.set_yticks(range(len(names)), names, fontsize=8 if len(names) <= 60 else 6)
    ax.set_ylabel(tr("community"))
    ax.set_xlabel(tr("year, by target"))
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(tr("probability met in the simulation"))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    fig.suptitle(title)
    return fig


@chart
def community_map(communities: pd.DataFrame, scenario: Scenario, title: str) -> Figure:
    """A plain map (longitude × latitude, no tiles): each community a dot, coloured by the share of its
    per-community targets met with ≥ 90 % probability in the last plan year, labelled with its name."""
    from matplotlib.colors import LinearSegmentedColormap

    last = communities[communities["year"] == communities["year"].max()].set_index("community")
    probs = [c for c in communities.columns if c.startswith("probability_")]
    share = (last[probs] >= 0.9).mean(axis=1) if probs else pd.Series(0.0, index=last.index)
    lon = np.array([c.lon for c in scenario.communities], dtype=float)
    lat = np.array([c.lat for c in scenario.communities], dtype=float)
    households = np.array([c.households for c in scenario.communities], dtype=float)
    value = np.array([share.get(c.id, np.nan) for c in scenario.communities], dtype=float)
    fig = figure(9, 6)
    ax = fig.subplots()
    cmap = LinearSegmentedColormap.from_list("risk", [VERMILION, "#F0E442", BLUE])
    size = 40 + 260 * households / max(households.max(), 1)
    dots = ax.scatter(lon, lat, c=value, cmap=cmap, vmin=0, vmax=1, s=size, edgecolor="#333", linewidth=0.6)
    for c, x, y in zip(scenario.communities, lon, lat, strict=True):
        ax.annotate(c.label, (x, y), xytext=(5, 4), textcoords="offset points", fontsize=7.5)
    ax.set_xlabel(tr("longitude"))
    ax.set_ylabel(tr("latitude"))
    ax.set_aspect(1 / max(np.cos(np.radians(np.nanmean(lat))), 0.1), adjustable="datalim")
    ax.grid(alpha=0.3)
    bar = fig.colorbar(dots, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(
        tr("share of targets met with ≥ 90 % probability, {year}", year=year_label(scenario.start_year, scenario.years))
    )
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
    fig.suptitle(title)
    return fig


@chart
def frontier_chart(frontier: pd.DataFrame, title: str, currency: str | None = None) -> Figure:
    """Budget against the share of requirements each plan meets, and the probability of meeting each target."""
    currency = currency or tr("yuan")
    fig = figure(11, 4.6)
    left, right = fig.subplots(1, 2)
    feasible = (
        frontier["status"].isin(["optimal", "optimal_within_gap", "time_limit"])
        if "status" in frontier
        else np.ones(len(frontier), bool)
    )
    fits = frontier[feasible]
    budget = fits["budget"].to_numpy()
    if "requirements_met_planned" in fits and "requirements" in fits:
        met_share = fits["requirements_met_planned"] / fits["requirements"].clip(lower=1)
    else:
        met_share = fits["planned_attainment"]
    left.plot(budget, met_share * 100, "o-", color=BLUE, label=tr("share of requirements the plan meets"))
    if "requirements_met_planned" in fits and "requirements" in fits:
        for x, met, n, y in zip(
            budget, fits["requirements_met_planned"], fits["requirements"], met_share * 100, strict=True
        ):
            left.annotate(
                f"{int(met)}/{int(n)}", (x, y), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8
            )
    if (~feasible).any():
        left.plot(
            frontier.loc[~feasible, "budget"],
            np.zeros((~feasible).sum()),
            "x",
            color=VERMILION,
            markersize=9,
            mew=2,
            label=tr("no plan fits this budget"),
        )
    if "probability_all_met" in fits:
        left.plot(
            budget,
            fits["probability_all_met"] * 100,
            "s--",
            color=ORANGE,
            label=tr("P(every requirement met), simulated"),
        )
    if "uncertain_probability_all_met" in fits and fits["uncertain_probability_all_met"].notna().any():
        left.plot(
            budget,
            fits["uncertain_probability_all_met"] * 100,
            "^:",
            color=VERMILION,
            label=f"P(every requirement met), across {int(fits['uncertain_futures'].max())} futures",
        )
    left.set_ylim(-3, 108)
    left.set_ylabel("%")
    left.set_title(tr("What each budget buys"))
    left.legend(loc="lower right", fontsize=8)
    prob_cols = [c for c in frontier.columns if c.startswith("probability_met_")]
    for i, col in enumerate(prob_cols):  # distinct markers and dashes: equal curves stay visible
        right.plot(
            budget,
            fits[col] * 100,
            marker=MARKERS[i % len(MARKERS)],
            linestyle=DASHES[i % len(DASHES)],
            color=colour(i),
            label=col[len("probability_met_") :],
            alpha=0.9,
        )
    right.set_ylim(-3, 103)
    right.set_ylabel(tr("probability the target is met in every year (%)"))
    right.set_title(tr("Chance of meeting each target"))
    if prob_cols:
        right.legend(fontsize=8, loc="lower right")
    for ax in (left, right):
        ax.set_xlabel(tr("total budget ({currency})", currency=currency))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: money_label(v)))
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig
