"""Charts a planner reads at a glance, drawn from a finished run's tables.

Each function takes tables (pandas) and returns a matplotlib Figure; ``style.save`` writes
it. Colours are Okabe–Ito throughout, so the charts read the same with colour-blindness.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from results.style import BLUE, GREY, ORANGE, VERMILION, chart, colour, figure, money_label

UNITS = {"share": "communities", "keys_by": "key communities", "count": "facilities opened", "city_staff": "staff"}
KIND_WORDS = {
    "share": "communities meeting it",
    "keys_by": "key communities meeting it",
    "count": "opened that year",
    "city_staff": "city-wide staff",
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
def requirements_chart(requirements: pd.DataFrame, attainment: pd.DataFrame | None, title: str) -> Figure:
    """Each requirement by year: required (outline), planned (bar, when there is a plan), achieved (median, 5–95 % range)."""
    groups = list(requirements.groupby(["target", "kind"], sort=False))
    fig, axes = _grid(len(groups))
    for ax, ((target, kind), rows) in zip(axes, groups, strict=True):
        assert isinstance(kind, str)  # a requirement kind
        rows = rows.sort_values("year")
        x = rows["year"].to_numpy()
        if "planned" in rows:
            ax.bar(x, rows["planned"].fillna(0), width=0.55, color=SKY_LIGHT, label="planned", zorder=1)
        ax.bar(
            x, rows["required"], width=0.55, fill=False, edgecolor=BLACKISH, linewidth=1.4, label="required", zorder=2
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
                    label="achieved (median, 5–95 %)",
                    zorder=3,
                )
        ax.set_title(f"{target}\n{KIND_WORDS.get(kind, kind)}", fontsize=9.5)
        ax.set_xticks(x)
        ax.set_xlabel("plan year")
        ax.set_ylabel(UNITS.get(kind, ""))
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
    fig, axes = _grid(len(series), ncols=min(3, len(series)), panel=(4.0, 3.0))
    for i, (ax, (name, table)) in enumerate(zip(axes, series.items(), strict=True)):
        _fan(ax, table, colour(i), name.capitalize(), units.get(name, "staff in post"))
        if name == "satisfaction":
            ax.set_ylim(0, 1)
    fig.suptitle(title)
    return fig


def _fan(ax, table: pd.DataFrame, shade: str, name: str, unit: str) -> None:
    """One panel: median and 5–95 % band of ``table`` (months × replications)."""
    months = table.index.to_numpy()
    values = table.to_numpy(dtype=float)
    low, mid, high = np.percentile(values, [5, 50, 95], axis=1)
    ax.fill_between(months, low, high, color=shade, alpha=0.25, linewidth=0, label="5–95 % of replications")
    ax.plot(months, mid, color=shade, linewidth=2, label="median")
    for year_end in range(12, int(months.max()) + 1, 12):
        ax.axvline(year_end, color=GREY, linewidth=0.6, linestyle=":")
    ax.set_title(name)
    ax.set_xlabel("month")
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


@chart
def community_heatmap(plan: pd.DataFrame, title: str, max_rows: int = 60) -> Figure:
    """Which community meets which target, year by year, in the plan."""
    meets = [c for c in plan.columns if c.startswith("meets_")]
    table = plan.pivot_table(index="community", columns="year", values=meets, aggfunc="max")
    table = table.reindex(columns=sorted(table.columns, key=lambda c: (meets.index(c[0]), c[1])))
    order = table.sum(axis=1).sort_values(kind="stable").index
    table = table.loc[order]
    shown = table if len(table) <= max_rows else table.iloc[np.linspace(0, len(table) - 1, max_rows).astype(int)]
    fig = figure(max(6.0, 0.5 * table.shape[1] + 3), max(3.0, 0.18 * len(shown) + 1.8))
    ax = fig.subplots()
    from matplotlib.colors import ListedColormap

    ax.imshow(
        shown.to_numpy(dtype=float),
        aspect="auto",
        cmap=ListedColormap([ORANGE, BLUE]),
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    ax.set_xticks(range(table.shape[1]), [f"y{c[1]}" for c in table.columns], fontsize=7.5)
    start = 0
    for i, m in enumerate(meets):
        width = sum(1 for c in table.columns if c[0] == m)
        if i:
            ax.axvline(start - 0.5, color="white", linewidth=3)
        ax.text(
            start + width / 2 - 0.5,
            1.01,
            m[len("meets_") :],
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            rotation=20 if len(meets) > 5 else 0,
        )
        start += width
    if len(shown) <= 40:
        ax.set_yticks(range(len(shown)), shown.index, fontsize=7.5)
    else:
        ax.set_yticks([])
    ax.set_ylabel(
        "community" + ("" if len(table) <= max_rows else f" ({len(shown)} of {len(table)} shown, evenly spaced)")
    )
    ax.set_xlabel("plan year, by target")
    from matplotlib.patches import Patch

    ax.legend(
        handles=[Patch(color=BLUE, label="meets"), Patch(color=ORANGE, label="does not meet")],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )
    fig.suptitle(title)
    return fig


@chart
def frontier_chart(frontier: pd.DataFrame, title: str, currency: str = "yuan") -> Figure:
    """Budget against planned attainment and against the probability of meeting each target."""
    fig = figure(11, 4.6)
    left, right = fig.subplots(1, 2)
    feasible = (
        frontier["status"].isin(["optimal", "optimal_within_gap", "time_limit"])
        if "status" in frontier
        else np.ones(len(frontier), bool)
    )
    fits = frontier[feasible]
    budget = fits["budget"].to_numpy()
    left.plot(budget, fits["planned_attainment"] * 100, "o-", color=BLUE, label="requirements met in the plan")
    if (~feasible).any():
        left.plot(
            frontier.loc[~feasible, "budget"],
            np.zeros((~feasible).sum()),
            "x",
            color=VERMILION,
            markersize=9,
            mew=2,
            label="no plan fits this budget",
        )
    if "probability_all_met" in fits:
        left.plot(
            budget, fits["probability_all_met"] * 100, "s--", color=ORANGE, label="P(every requirement met), simulated"
        )
    if "uncertain_probability_all_met" in fits and fits["uncertain_probability_all_met"].notna().any():
        left.plot(
            budget,
            fits["uncertain_probability_all_met"] * 100,
            "^:",
            color=VERMILION,
            label=f"P(every requirement met), across {int(fits['uncertain_futures'].max())} futures",
        )
    left.set_ylim(-3, 103)
    left.set_ylabel("%")
    left.set_title("What each budget buys")
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
    right.set_ylabel("probability the target is met in every year (%)")
    right.set_title("Chance of meeting each target")
    if prob_cols:
        right.legend(fontsize=8, loc="lower right")
    for ax in (left, right):
        ax.set_xlabel(f"total budget ({currency})")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: money_label(v)))
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return fig
