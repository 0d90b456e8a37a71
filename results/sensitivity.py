"""Global sensitivity of a plan's outcomes to the behaviour parameters: design, outcomes, indices, chart, report.

The design (which parameter values to simulate) and the indices come from SALib, as EMA
Workbench does it: Morris elementary effects (``mu_star``: how much an output moves when
the parameter moves across its range, ``sigma``: how much that effect depends on the other
parameters), Sobol' variance shares (``S1``: the share of the output's variance due to the
parameter alone, ``ST``: including its interactions), and Latin hypercubes for uncertain
futures. Parameters are sampled over their declared plausible ranges
(:meth:`scenarios.parameters.SimulationParameters.uncertain`); a map's range is a factor on
every entry.

Outcomes of one replication (:func:`outcomes`), each a number between 0 and 1:

- ``met_<target>``: the share of the target's requirements (its years) met. Averaged over
  replications it is the target's probability of being met, averaged over its years: a
  smoother output than "met in every year", which gives the indices more to work with.
- ``needs_served``: needs served over needs raised, all services, months and communities.
- ``satisfied`` (or ``satisfaction``): residents satisfied in the last plan year, weighted by
  households; the model's ``satisfied`` column (share of households satisfied) when it
  records one, else its mean ``satisfaction`` score, and the output is named for which.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import latin
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from model.runner import Replication
from results.compare import csv_text
from results.report import html_image, html_page, html_table
from results.style import chart, colour, figure, save
from scenarios.files import atomic_write_text
from scenarios.schema import Scenario

METHODS = ("morris", "sobol")
#: sensitivity.csv's index columns, by method (after ``parameter, output``).
INDICES = {"morris": ("mu_star", "sigma", "mu_star_conf", "mu"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}
#: What ranks the parameters in the chart and the report, by method.
RANK_BY = {"morris": "mu_star", "sobol": "ST"}
#: Morris grid levels (SALib's default; the usual choice, Saltelli et al. 2008).
MORRIS_LEVELS = 4


def problem(ranges: Mapping[str, tuple[float, float]]) -> dict:
    """SALib's problem definition for these parameter ranges."""
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [[float(lo), float(hi)] for lo, hi in ranges.values()],
    }


def points(method: str, ranges: Mapping[str, tuple[float, float]], samples: int, seed: int) -> np.ndarray:
    """The design: one row per parameter point to simulate (``samples`` Morris trajectories or Sobol' base points).

    Morris: ``samples × (k + 1)`` points for ``k`` parameters; Sobol' (first and total
    order): ``samples × (k + 2)``, ``samples`` a power of two.
    """
    p = problem(ranges)
    if method == "morris":
        return morris_sample.sample(p, samples, num_levels=MORRIS_LEVELS, seed=seed)
    return sobol_sample.sample(p, samples, calc_second_order=False, seed=seed)


def futures(ranges: Mapping[str, tuple[float, float]], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` Latin-hypercube samples of the parameters: futures a plan is tested across."""
    p = problem(ranges)
    return [dict(zip(p["names"], map(float, row), strict=True)) for row in latin.sample(p, n, seed=seed)]


def output_names(scenario: Scenario, columns: Sequence[str]) -> list[str]:
    """The outcomes measured for this scenario and model (``columns``: timeseries.csv's value columns)."""
    return [*(f"met_{t.name}" for t in scenario.targets), "needs_served", _satisfaction_column(columns)]


def _satisfaction_column(columns: Sequence[str]) -> str:
    return "satisfied" if "satisfied" in columns else "satisfaction"


def outcomes(rep: Replication, scenario: Scenario, columns: Sequence[str]) -> list[float]:
    """One replication's outcomes, in :func:`output_names`' order."""
    met: dict[str, list[bool]] = {t.name: [] for t in scenario.targets}
    for _year, target, _kind, _required, _achieved, ok in rep.attainment:
        met[target].append(bool(ok))
    out = [float(np.mean(v)) if v else float("nan") for v in met.values()]
    ts, col = rep.timeseries, {c: i for i, c in enumerate(columns)}
    demand = [i for c, i in col.items() if c.startswith("demand_")]
    served = [col["served_" + c[len("demand_") :]] for c, i in col.items() if c.startswith("demand_")]
    needs = float(ts[:, :, demand].sum())
    out.append(float(ts[:, :, served].sum()) / needs if needs > 0 else 1.0)
    last_year = ts[-12:]
    households = last_year[:, :, col["households"]]
    share = last_year[:, :, col[_satisfaction_column(columns)]]
    out.append(float((share * households).sum() / households.sum()) if households.sum() > 0 else float("nan"))
    return out


def indices(
    method: str, ranges: Mapping[str, tuple[float, float]], x: np.ndarray, y: pd.DataFrame, seed: int
) -> pd.DataFrame:
    """sensitivity.csv: one row per parameter and output, the method's indices (``y``: one column per output).

    An output that does not vary (a target always met) has indices of 0: it depends on no parameter.
    """
    p = problem(ranges)
    rows = []
    for output in y.columns:
        values = y[output].to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a constant output: 0/0 inside SALib, reported as 0
            warnings.simplefilter("ignore", UserWarning)  # SALib's "constant values encountered": the same
            if method == "morris":
                found = morris_analyze.analyze(p, x, values, num_levels=MORRIS_LEVELS, seed=seed)
            else:
                found = sobol_analyze.analyze(p, values, calc_second_order=False, seed=seed)
        for i, name in enumerate(p["names"]):
            rows.append({"parameter": name, "output": output, **{k: float(found[k][i]) for k in INDICES[method]}})
    return pd.DataFrame(rows, columns=["parameter", "output", *INDICES[method]])


def ranked(table: pd.DataFrame, method: str) -> pd.DataFrame:
    """The table with parameters most influential first within each output (ties by name: stable)."""
    key = RANK_BY[method]
    order = table.assign(_v=table[key].fillna(-np.inf)).sort_values(
        ["output", "_v", "parameter"], ascending=[True, False, True], kind="stable"
    )
    return order.drop(columns="_v").reset_index(drop=True)


@chart
def sensitivity_chart(table: pd.DataFrame, method: str, title: str, top: int = 10) -> Figure:
    """Per output, the ``top`` parameters ranked by ``mu_star`` (Morris) or ``ST`` (Sobol'), with their spread."""
    key = RANK_BY[method]
    spread = "sigma" if method == "morris" else "S1"
    outputs = list(dict.fromkeys(table["output"]))
    ncols = min(3, max(len(outputs), 1))
    nrows = -(-len(outputs) // ncols)
    fig = figure(4.4 * ncols, 0.28 * top * nrows + 1.2 * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[len(outputs) :]:
        ax.set_visible(False)
    for ax, output in zip(axes, outputs, strict=False):
        part = ranked(table[table["output"] == output], method).head(top).iloc[::-1]
        y = np.arange(len(part))
        ax.barh(y, part[key].fillna(0), color=colour(0), label=key)
        ax.plot(part[spread].fillna(0), y, "D", color=colour(1), markersize=4, label=spread)
        ax.set_yticks(y, [p.replace("_", " ") for p in part["parameter"]], fontsize=7)
        ax.set_title(output.replace("_", " "), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    if outputs:
        axes[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    return fig


def write_sensitivity(
    out: Path,
    scenario: Scenario,
    method: str,
    table: pd.DataFrame,
    design: pd.DataFrame,
    facts: Mapping[str, object],
) -> list[Path]:
    """Write sensitivity.csv, samples.csv (every point: parameter values and mean outcomes), sensitivity.png and report.html."""
    table = ranked(table, method)
    atomic_write_text(out / "sensitivity.csv", csv_text(table))
    atomic_write_text(out / "samples.csv", csv_text(design))
    title = f"{scenario.title}: what the outcomes are sensitive to ({method})"
    save(sensitivity_chart(table, method, title), out / "sensitivity.png")
    atomic_write_text(out / "report.html", html_page(title, report_section(table, method, title, facts, out)))
    return [out / n for n in ("sensitivity.csv", "samples.csv", "sensitivity.png", "report.html")]


def report_section(
    table: pd.DataFrame, method: str, title: str, facts: Mapping[str, object], out: Path, top: int = 5
) -> list[str]:
    """The report's sensitivity section: what was sampled, the most influential parameters per output, the chart."""
    key = RANK_BY[method]
    read = {
        "morris": "mu_star is how far an outcome moves, on average, when the parameter moves across its plausible "
        "range (same units as the outcome: 0.2 is 20 percentage points); sigma large beside mu_star means "
        "the effect depends on the other parameters (interactions or non-linearity).",
        "sobol": "S1 is the share of the outcome's variance the parameter explains alone; ST includes its "
        "interactions with the others. ST near 0: the parameter can be fixed anywhere in its range.",
    }[method]
    body = [
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Sensitivity</h2>",
        "<p>" + " · ".join(f"{html.escape(str(k))}: {html.escape(str(v))}" for k, v in facts.items()) + "</p>",
        f"<p>{html.escape(read)} Every point is simulated with the same replication seeds (common random numbers), "
        "so differences between points are due to the parameters.</p>",
    ]
    tops = ranked(table, method).groupby("output", sort=False).head(top)
    body.append(html_table(tops[["output", "parameter", *INDICES[method]]]))
    body.append(html_image(out / "sensitivity.png", f"parameters ranked by {key}, per outcome"))
    return body
