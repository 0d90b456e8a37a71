"""Calibration: fit the staff-exit and satisfaction parameters to published figures.

Method: simulated moments. Each calibrated parameter is matched to one published moment
by bisection on the simulated moment, with the random numbers held fixed (common random
numbers make the simulated moment a deterministic, monotone function of the parameter):

- ``exit_hazard`` ↔ annual staff turnover of 20 % (published 15–25 %) at pay of 80 % of the
  local average wage, the pay of social workers behind the published figures;
- ``satisfaction_expectation`` ↔ 92 % of households satisfied (surveys: 87–98.5 %).

The moments are measured on the bundled seed scenarios' status quo (today's space,
facilities and staff, every staff kind paid the moment's pay share), pooled. The pay
elasticity is not fitted: a separation elasticity of about −1 (Vadean & Saloniki 2023)
gives ``exit_pay_elasticity`` = 1 / 0.8 = 1.25 at that pay, since the hazard's elasticity to
pay is ``−k × pay``; the fitted turnover at other pay levels is reported as a check.

``python -m model.calibration`` fits, prints the fit and writes ``scenarios/calibration.json``,
whose ``fitted`` values are the defaults of :class:`~scenarios.parameters.SimulationParameters`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from model.model import CommunityModel
from model.plan import PlanSchedule
from scenarios.loader import load
from scenarios.parameters import CALIBRATION_FILE, SimulationParameters
from scenarios.schema import Scenario
from scenarios.seeding import seed_sequence

#: The scenarios whose status quo the moments are measured on (bundled, built from the seeds).
SCENARIOS = ("county_city", "chifeng_2008", "suzhou_standards", "tutorial")
CALIBRATION_SEED = 20201  # fixed, so the fit is reproducible


@dataclass(frozen=True)
class Moment:
    """A published figure the model should reproduce, with its plausible range and source."""

    name: str
    parameter: str  # the parameter fitted to it
    target: float
    low: float
    high: float
    source: str


TURNOVER_PAY = 0.8
MOMENTS = (
    Moment(
        "annual staff turnover at pay 0.8 of the local average wage",
        "exit_hazard",
        0.20,
        0.15,
        0.25,
        "Shenzhen social workers 17.6–22.2 % a year 2011–14 (Shenzhen Social Work Association; "
        "Nanfang Daily 2015); about 20 % in six cities (Zeng, Li & He 2020, 社会工作与管理 20(5)); "
        "pay about 75–80 % of Shenzhen's average wage (Shenzhen salary guide)",
    ),
    Moment(
        "share of households satisfied",
        "satisfaction_expectation",
        0.92,
        0.87,
        0.985,
        "Anhui statistics bureau survey: 98.5 % satisfied with the residents' committee, 88–97 % by "
        "service; Jinan Liulishan street survey 2022: 87–97 % satisfied or basically satisfied",
    ),
)


def with_pay(scenario: Scenario, pay: float) -> PlanSchedule:
    """The status quo with every staff kind paid ``pay`` × the average wage."""
    return PlanSchedule.from_arrays(scenario, pay_share={s: [pay] * scenario.years for s in scenario.staff})


def measure(
    params: SimulationParameters,
    scenarios: Sequence[Scenario],
    pay: float,
    replications: int = 2,
    seed: int = CALIBRATION_SEED,
) -> dict[str, float]:
    """Pooled annual turnover (exits / mean staff in post, per year, of the city's own staff) and
    share of households satisfied (mean over the last plan year), status quo at ``pay``, fixed
    random numbers."""
    exits = staff_months = satisfied = households = 0.0
    for k, base in enumerate(scenarios):
        scenario = dataclasses.replace(base, simulation=params)
        plan = with_pay(scenario, pay)
        # the published turnover is of the city's own community and social workers, not of
        # police or teachers another bureau posts and pays (funded_by)
        own = {k for k, kind in scenario.staff.items() if not kind.funded_by}
        for r in range(replications):
            model = CommunityModel(scenario, plan, rng=np.random.default_rng(seed_sequence(seed, k, r)))
            while model.running:
                model.step()
                exits += sum(float(v.sum()) for k, v in model.exits.items() if k in own)
                staff_months += sum(float(v.sum()) for k, v in model.staff_count.items() if k in own)
                if model.month > 12 * (scenario.years - 1):
                    h = model.households
                    satisfied += float(h.satisfied().sum())
                    households += len(h)
    return {
        "turnover": 12 * exits / max(staff_months, 1.0),
        "satisfied": satisfied / max(households, 1.0),
    }


def bisect(f: Callable[[float], float], target: float, low: float, high: float, steps: int = 12) -> float:
    """The ``x`` in [low, high] where increasing ``f`` crosses ``target`` (geometric bisection
    when both ends are positive, since the parameters are rates)."""
    geometric = low > 0
    for _ in range(steps):
        mid = float(np.sqrt(low * high)) if geometric else (low + high) / 2
        if f(mid) < target:
            low = mid
        else:
            high = mid
    return float(np.sqrt(low * high)) if geometric else (low + high) / 2


def fit(
    params: SimulationParameters,
    moment: Moment,
    scenarios: Sequence[Scenario],
    replications: int = 2,
    low: float = 0.001,
    high: float = 0.1,
) -> float:
    """The value of ``moment.parameter`` at which the simulated moment meets ``moment.target``."""
    key = "turnover" if moment.parameter == "exit_hazard" else "satisfied"
    sign = 1.0 if key == "turnover" else -1.0  # more demanding expectations: fewer satisfied

    def simulated(x: float) -> float:
        return sign * measure(params.with_values({moment.parameter: x}), scenarios, TURNOVER_PAY, replications)[key]

    return bisect(simulated, sign * moment.target, low, high)


def calibrate(scenarios: Sequence[Scenario] | None = None, replications: int = 2, rounds: int = 2) -> dict:
    """Fit the calibrated parameters; return the fit record written to calibration.json."""
    scenarios = list(scenarios) if scenarios is not None else [load(name) for name in SCENARIOS]
    params = SimulationParameters()
    turnover, satisfied = MOMENTS
    for _ in range(rounds):  # the two moments interact weakly (staff serve residents): iterate
        params = params.with_values({"exit_hazard": fit(params, turnover, scenarios, replications)})
        expectation = fit(params, satisfied, scenarios, replications, 0.0, 1.0)
        params = params.with_values({"satisfaction_expectation": expectation})
    by_pay = {pay: measure(params, scenarios, pay, replications) for pay in (0.5, 0.8, 1.0, 1.2)}
    return {
        "method": "simulated moments: bisection on each moment with common random numbers (model/calibration.py)",
        "scenarios": [s.name for s in scenarios],
        "replications": replications,
        "seed": CALIBRATION_SEED,
        "fitted": {
            "exit_hazard": round(params.exit_hazard, 6),
            "satisfaction_expectation": round(params.satisfaction_expectation, 6),
        },
        "moments": [dataclasses.asdict(m) for m in MOMENTS],
        "achieved": {
            turnover.name: by_pay[TURNOVER_PAY]["turnover"],
            satisfied.name: by_pay[TURNOVER_PAY]["satisfied"],
        },
        "turnover_by_pay": {f"{pay:g}": round(v["turnover"], 4) for pay, v in by_pay.items()},
        "satisfied_by_pay": {f"{pay:g}": round(v["satisfied"], 4) for pay, v in by_pay.items()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.calibration", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--dry-run", action="store_true", help="print the fit without writing calibration.json")
    args = parser.parse_args(argv)
    record = calibrate(replications=args.replications)
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    print(text)
    if not args.dry_run:
        CALIBRATION_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
