"""How fast the simulation runs at city scale, against numpy's own floor and plain Mesa.

Prints the figures and writes them to ``benchmarks/results/simulate_scale.txt``:

* a synthetic city of 1,000,000 households (3,000 communities, ~7,000 staff) over 36 months,
  one replication: wall time, the ratio to the floor, and peak memory;
* the floor: drawing every household's 7 monthly needs from the model's own Poisson
  rates, 36 times (``rng.poisson(rates)``), with nothing else;
* 50,000 households run by both the columnar model and the plain one-agent-per-household
  Mesa model (same rules), and their speed ratio.

Run: ``.venv/bin/python benchmarks/simulate_scale.py [--households N]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.plain_model import PlainCommunityModel  # noqa: E402
from model.model import CommunityModel  # noqa: E402
from scenarios.loader import loads  # noqa: E402

CITY = """
[scenario]
name = "scale"
years = 3
seed = 1

[costs]
average_wage = 60000
space_build_per_m2 = 3000
space_running_per_m2 = 60
space_project_fixed = 20000

[facilities.one_stop]
build = 80000
running = 10000

[facilities.elderly_centre]
build = 300000
running = 60000

[staff.community_worker]
hire = 3000
base_pay_share = 0.6
pay_share = [0.7, 0.85, 1.0]

[generate]
communities = {communities}
households_mean = {mean}
households_sd = {sd}
households_min = {low}
households_max = {high}
households_per_staff = {{ community_worker = 150 }}
facilities = {{ one_stop = 0.3, elderly_centre = 0.1 }}
village_to_residence_share = 0.1
household_growth = 0.02

[[targets]]
name = "space-200"
space_at_least = 200
share = [0.4, 0.6, 0.8]
"""


def city(households: int, communities: int):
    mean = households / communities
    return loads(CITY.format(communities=communities, mean=mean, sd=mean / 5, low=int(mean / 2), high=int(mean * 2)))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(model_class, scenario, seed=1) -> tuple[float, float, object]:
    start = time.perf_counter()
    model = model_class(scenario, rng=seed)
    built = time.perf_counter()
    while model.running:
        model.step()
    return built - start, time.perf_counter() - built, model


def floor(model, months: int) -> float:
    rates = model.households.rates
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(months):
        rng.poisson(rates)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--communities", type=int, default=3_000)
    ap.add_argument("--plain-households", type=int, default=50_000)
    args = ap.parse_args()
    lines = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    # --- city scale -----------------------------------------------------------------------
    scenario = city(args.households, args.communities)
    setup, elapsed, model = run(CommunityModel, scenario)
    n = len(model.households)
    floor_s = floor(model, 36)
    say(
        f"city: {n:,} households, {model.n:,} communities, {len(model.staff):,} staff, {len(model.organisations):,} organisations at month 36"
    )
    say(f"floor (rng.poisson of every household's 7 needs, 36 times): {floor_s:.2f} s")
    say(f"columnar model, 36 months: {elapsed:.2f} s (+ {setup:.2f} s to build the city)")
    say(f"ratio to floor: {elapsed / floor_s:.2f}x  (with building: {(elapsed + setup) / floor_s:.2f}x; target < 6x)")
    say(f"peak memory (max RSS of this process so far): {peak_mb():,.0f} MB (target < 2,500 MB)")

    # --- plain Mesa, side by side --------------------------------------------------------------
    small = city(args.plain_households, max(1, args.plain_households * args.communities // args.households))
    setup_v, vec, vm = run(CommunityModel, small)
    setup_p, plain, pm = run(PlainCommunityModel, small)
    served = lambda m: m.recorder.table()[:, :, 8:15].sum() / max(m.recorder.table()[:, :, 1:8].sum(), 1)  # noqa: E731
    say(
        f"{len(vm.households):,} households, 36 months: columnar {vec:.2f} s, plain Mesa (one agent per household) {plain:.2f} s"
    )
    say(f"speed ratio plain / columnar: {plain / vec:.0f}x (building: {setup_v:.2f} s vs {setup_p:.2f} s)")
    say(f"same rules, share of needs served: columnar {served(vm):.3f}, plain {served(pm):.3f}")

    out = Path(__file__).resolve().parent / "results" / "simulate_scale.txt"
    from scenarios.files import atomic_write_text

    atomic_write_text(out, "\n".join(lines) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
