"""Finished runs side by side, with paired differences under common random numbers.

Runs simulated from the same root seed share their replications' random streams (each
replication's seed depends only on the root seed and its number), so replication r of
option A and of option B met the same residents, the same needs, the same luck. Pairing
them answers what a planner asks: how often does A meet a target that B misses?
"""

from __future__ import annotations

import html
import math
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from results.analysis import replan_reasons
from results.i18n import tr
from results.report import html_image, html_page, html_table, target_probabilities
from results.runs import NotARun, Run, load_run
from results.style import chart, colour, figure, money_label, save
from scenarios.files import atomic_write_text


def met_by_replication(run: Run) -> pd.DataFrame:
    """Replication × target: whether every requirement of the target was met in every year."""
    if run.attainment is None or not len(run.attainment):
        return pd.DataFrame()
    return run.attainment.groupby(["replication", "target"])["met"].all().unstack("target")


def side_by_side(runs: list[Run]) -> pd.DataFrame:
    """One row per run: status, cost, and P(met) of every target."""
    rows = []
    for run in runs:
        summary = run.summary or {}
        row = {
            "run": run.name,
            "scenario": run.scenario.name,
            "status": summary.get("status", "simulated"),
            "total_cost": summary.get("total_cost"),
            "mode": summary.get("mode"),
        }
        if run.attainment is not None and len(run.attainment):
            for target, p in target_probabilities(run.attainment).items():
                row[f"probability_met_{target}"] = p
        rows.append(row)
    return pd.DataFrame(rows)


def paired_differences(runs: list[Run]) -> pd.DataFrame:
    """For each pair of runs and target: P(A meets it and B does not), P(B and not A), over common replications."""
    met = {run.name: met_by_replication(run) for run in runs}
    rows = []
    for a, b in combinations(runs, 2):
        ma, mb = met[a.name], met[b.name]
        if ma.empty or mb.empty:
            continue
        common_reps = ma.index.intersection(mb.index)
        same_seed = a.manifest.get("seeds", {}).get("root") == b.manifest.get("seeds", {}).get("root")
        for target in ma.columns.intersection(mb.columns):
            x = ma.loc[common_reps, target].to_numpy(bool)
            y = mb.loc[common_reps, target].to_numpy(bool)
            rows.append(
                {
                    "a": a.name,
                    "b": b.name,
                    "target": target,
                    "replications": len(common_reps),
                    "common_random_numbers": bool(same_seed),
                    "p_a_not_b": float(np.mean(x & ~y)) if len(x) else np.nan,
                    "p_b_not_a": float(np.mean(y & ~x)) if len(x) else np.nan,
                    "p_both": float(np.mean(x & y)) if len(x) else np.nan,
                    "p_neither": float(np.mean(~x & ~y)) if len(x) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def load_runs(dirs: list[Path]) -> list[Run]:
    """The finished runs to compare; a sweep's folder is refused (its frontier.csv is its comparison)."""
    runs = [load_run(d, timeseries=False) for d in dirs]
    for run in runs:
        if run.manifest.get("command") in ("sweep", "compare"):
            raise NotARun(
                f"{run.path} holds a {run.manifest['command']}, not a run of one plan: compare folders written by "
                "plan, simulate or run (a sweep's frontier.csv already compares its budgets)"
            )
    return runs


def full_precision(v: Any) -> Any:
    """A cell as the shortest text that reads back as the same number (whole numbers without ``.0``).

    Budgets of 5,972,399 and 5,972,400 stay two numbers (``%.6g`` printed both as 5.9724e+06).
    """
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(float(v))
    return v


def csv_text(table: pd.DataFrame) -> str:
    """``table`` as CSV at full precision."""
    return table.map(full_precision).to_csv(index=False)


def compare(dirs: list[Path], out: Path) -> list[Path]:
    """Write comparison.csv, paired.csv, compare.png and compare.html into ``out``."""
    return write_comparison(load_runs(dirs), out)


def write_comparison(runs: list[Run], out: Path) -> list[Path]:
    """Write comparison.csv, paired.csv, compare.png and compare.html of ``runs`` into ``out``."""
    names = [r.name for r in runs]
    if len(set(names)) != len(names):
        for r in runs:
            r.label = str(r.path)
    table = side_by_side(runs)
    paired = paired_differences(runs)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "comparison.csv", csv_text(table))
    atomic_write_text(out / "paired.csv", csv_text(paired))
    written = [out / "comparison.csv", out / "paired.csv"]
    written.append(save(comparison_chart(table), out / "compare.png"))
    body = [
        f"<h1>{tr('Options side by side')}</h1>",
        '<p class="sub">' + " · ".join(html.escape(f"{r.name}: {r.scenario.title}") for r in runs) + "</p>",
        *mode_warning(table),
        f"<h2>{tr('Cost and chance of meeting each target')}</h2>",
        html_table(
            table.assign(
                mode=[tr(m) if isinstance(m, str) else m for m in table["mode"]],
                status=[tr(str(v).replace("_", " ")) for v in table["status"]],
            )
        ),
        f"<h2>{tr('Paired differences')}</h2><p>"
        + tr(
            "Replication r of every run met the same random draws when the runs share a seed (common random "
            "numbers): P(A meets a target and B does not) is then the policy's doing, not luck."
        )
        + "</p>",
        html_table(paired) if len(paired) else f"<p>{tr('No pair of runs has simulated replications in common.')}</p>",
        *replan_notes(runs),
        html_image(out / "compare.png", tr("Cost and the chance of meeting each target, by run")),
    ]
    atomic_write_text(out / "compare.html", html_page(tr("Options side by side"), body))
    written.append(out / "compare.html")
    return written


def replan_notes(runs: list[Run]) -> list[str]:
    """Where a re-planned run (one with replans.csv) meets a target less often than a fixed plan: which, and why."""
    out: list[str] = []
    replanned = [r for r in runs if (r.path / "replans.csv").exists()]
    fixed = [r for r in runs if not (r.path / "replans.csv").exists()]
    for b in replanned:
        for a in fixed:
            if a.attainment is None or b.attainment is None or not len(a.attainment) or not len(b.attainment):
                continue
            replans = pd.read_csv(b.path / "replans.csv")
            reasons = replan_reasons(a.attainment, b.attainment, replans, b.scenario.start_year)
            if reasons:
                out.append(
                    f"<h2>{html.escape(tr('Why {b} (re-planned) does worse than {a}', a=a.name, b=b.name))}</h2>"
                )
                out.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in reasons) + "</ul>")
    return out


def mode_warning(table: pd.DataFrame) -> list[str]:
    """A note when the runs were planned in different modes: their costs answer different questions."""
    modes = sorted({m for m in table.get("mode", pd.Series(dtype=object)).dropna()})
    if len(modes) < 2:
        return []
    named = "; ".join(f"{tr(m)}: " + ", ".join(str(r) for r in table.loc[table["mode"] == m, "run"]) for m in modes)
    text = tr(
        "The runs differ in mode: {modes}. A min-cost plan buys the targets at least cost; a max-attainment plan "
        "spends its budget to meet as many as it can. Compare their costs with that in mind.",
        modes=named,
    )
    return [f'<p class="headline">{html.escape(text)}</p>']


@chart
def comparison_chart(table: pd.DataFrame):
    """Cost of each run, and each target's probability of being met, side by side."""
    prob_cols = [c for c in table.columns if c.startswith("probability_met_")]
    fig = figure(11, 4.6)
    left, right = fig.subplots(1, 2, width_ratios=[1, 2])
    runs = table["run"].tolist()
    costs = table["total_cost"].astype(float).fillna(0).to_numpy()
    left.bar(runs, costs, color=[colour(i) for i in range(len(runs))])
    left.set_ylabel(tr("total cost of the plan (yuan)"))
    left.yaxis.set_major_formatter(lambda v, _: money_label(v))
    left.set_title(tr("Cost"))
    left.tick_params(axis="x", rotation=20)
    if prob_cols:
        width = 0.8 / len(runs)
        x = np.arange(len(prob_cols))
        for i, run in enumerate(runs):
            values = np.asarray(table.loc[i, prob_cols], dtype=float)
            heights: list[float] = [100 * float(v) for v in values]
            xs = x + i * width - 0.4 + width / 2
            right.bar(xs, heights, width, color=colour(i), label=run)
            for xi, h in zip(xs.tolist(), heights, strict=True):  # a 0 % bar has no height: say 0 %
                if math.isfinite(h) and h < 3:
                    right.annotate(
                        f"{h:.0f}%", (xi, h), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7
                    )
        right.set_xticks(x, [c[len("probability_met_") :] for c in prob_cols], rotation=20, ha="right")
        right.set_ylabel(tr("probability met in every year (%)"))
        right.set_ylim(0, 105)
        right.legend(fontsize=8)
    right.set_title(tr("Chance of meeting each target"))
    fig.suptitle(tr("Options side by side"))
    return fig
