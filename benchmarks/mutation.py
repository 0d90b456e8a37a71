"""Mutation testing on a curated list of plausible one-line bugs: do the tests catch them?

    python -m benchmarks.mutation                 # run every mutant, write benchmarks/results/mutation.txt
    python -m benchmarks.mutation --only seeding  # mutants whose group, file or description contains the text
    python -m benchmarks.mutation --list          # list the mutants, run nothing

Each mutant is one plausible bug: a file, the exact text it replaces (which must occur
exactly once, so a refactor that moves the code fails loudly instead of counting nothing),
the replacement, what the bug does, and its module group. The runner first checks that
each group's tests pass unmutated, then for each mutant writes the bug, runs the group's
tests with ``pytest -x -q -p no:cacheprovider`` in a subprocess (with a private bytecode
cache, so no stale ``.pyc`` hides the change), and restores the file in a ``finally``.
A mutant is *killed* when the tests fail. Survivors are listed with the reason each is
acceptable, when one is known. A benchmark, not part of CI: it takes 15-25 minutes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "mutation.txt"
PYTEST = ["-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
TIMEOUT = 900  # seconds a mutant's tests may take (a hang counts as killed, and is reported)

#: The tests each module group runs against its mutants.
TESTS = {
    "optimize": ["tests/optimize"],
    "target conditions": [
        "tests/optimize",
        "tests/model/test_plan_meets_in_simulation.py",
        "tests/model/test_plan_execution.py",
        "tests/model/test_target_evaluation.py",
        "tests/scenarios/test_scenario_object.py",
        "tests/scenarios/test_bundled_facts.py",
    ],
    "seeding": [
        "tests/scenarios/test_seeding.py",
        "tests/model/test_reproducible.py",
        "tests/commplan/test_sweep_identity.py",
        "tests/commplan/test_seed_option.py",
        "tests/commplan/test_replan.py",
    ],
    "simulation accounting": ["tests/model"],
}


@dataclass(frozen=True)
class Mutant:
    group: str
    file: str
    original: str
    replacement: str
    description: str
    #: Why the mutant is acceptable if it survives (an equivalent mutant, say); empty: it must be killed.
    survives_because: str = ""


OPT, TGT, SEED, SIM = "optimize", "target conditions", "seeding", "simulation accounting"

MUTANTS: list[Mutant] = [
    # ---------------------------------------------------------------- optimize
    Mutant(
        OPT,
        "optimize/data.py",
        "            if self.attr[atom.item] > 0:\n                return np.zeros(self.n, dtype=bool)\n",
        "",
        "[issue 17] a staff condition met today counts as met for good, even with attrition",
    ),
    Mutant(
        OPT,
        "optimize/program.py",
        "            w = d.discount(t)\n",
        "            w = 1.0\n",
        "[issue 17] the objective is not discounted",
    ),
    Mutant(
        OPT,
        "optimize/infeasibility.py",
        "smallest_total_budget=money(by_year.sum()),",
        "smallest_total_budget=money(out.objective),",
        "[issue 17] the infeasibility report's smallest budget is the discounted objective",
    ),
    Mutant(
        OPT,
        "scenarios/plan.py",
        "        return (1.0 + self.discount_rate) ** -(t - 1)\n",
        "        return (1.0 + self.discount_rate) ** -t\n",
        "year 1 is discounted too (off by one year)",
    ),
    Mutant(
        OPT,
        "optimize/variables.py",
        "keep ** (t - 1 - k)",
        "keep ** (t - k)",
        "a hire decays in the year it is made (staff stock off by one year of attrition)",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "space += [(xs[k], d.o_m2) for k in range(t)]",
        "space += [(xs[k], d.o_m2) for k in range(t - 1)]",
        "space built this year runs free until next year",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "fac += [(bs[k], d.o_u[u]) for k in range(t)]",
        "fac += [(bs[k], d.o_u[u]) for k in range(t - 1)]",
        "a facility opened this year runs free until next year",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "                w = float(d.pay[s][t])\n",
        "                w = float(d.pay[s][t - 1])\n",
        "staff are paid last year's pay share",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "pay_c += w * c - float(d.pay[s][0]) * float(d.staff0[s][i])",
        "pay_c += w * c",
        "the cost counts today's whole wage bill, not what the plan changes",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "    if not d.facilities or d.years < 2:\n",
        "    if not d.facilities or d.years < 3:\n",
        "no open-once rule in a two-year plan: a facility can be opened twice",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "        if d.space0[i] >= all_kinds:\n",
        "        if d.space0[i] >= min(need.values()):\n",
        "room rows left out where there is room for one facility kind rather than all",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "beta = np.ceil(beta - TOLERANCE)",
        "beta = np.floor(beta + TOLERANCE)",
        "a fractional staff bound is rounded down (staff >= 4.6 written staff >= 4)",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "[*((prog.y[i][k], 1.0) for k in range(t)), (z, -1.0)]",
        "[*((prog.y[i][k], 1.0) for k in range(t - 1)), (z, -1.0)]",
        "the valid cut asks for the space project a year early (no longer valid)",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "(prog.b[u][i][r.year - 1], 1.0) for i in range(d.n)",
        "(prog.b[u][i][r.year - 2], 1.0) for i in range(d.n)",
        "a count requirement counts the previous year's openings",
    ),
    Mutant(
        OPT,
        "optimize/constraints.py",
        "            pairs += p\n            c += k\n        _requirement_row(prog, r, (pairs, c))\n",
        "            pairs += p\n            c = k\n        _requirement_row(prog, r, (pairs, c))\n",
        "city-wide staff count only the last community's staff today",
    ),
    Mutant(
        OPT,
        "optimize/data.py",
        "np.minimum(derived, np.nan_to_num(self.max_m2_given))",
        "np.maximum(derived, np.nan_to_num(self.max_m2_given))",
        "the scenario's max_space_added_m2 is ignored where the derived bound is smaller",
    ),
    Mutant(
        OPT,
        "scenarios/plan.py",
        "            + data.o_m2 * (plan.space[:, c] - data.space0).sum()\n",
        "            + data.o_m2 * plan.space[:, c].sum()\n",
        "the reported cost charges running costs of the space the city already has",
    ),
    Mutant(
        OPT,
        "optimize/result.py",
        "levels[r] - r.required < BINDING_SLACK",
        "levels[r] - r.required < 1e-6",
        "a requirement binds only when met exactly (not with less than one unit to spare)",
    ),
    Mutant(
        OPT,
        "optimize/result.py",
        "(1.0 + r) ** -t for t, c in enumerate",
        "(1.0 + r) ** -(t + 1) for t, c in enumerate",
        "the reported total discounts year 1 too",
    ),
    Mutant(
        OPT,
        "optimize/program.py",
        "return np.rint(a) if integer else",
        "return np.floor(a) if integer else",
        "integer decisions read back truncated (2.9999999 hires become 2)",
    ),
    # ---------------------------------------------------------------- target conditions
    Mutant(
        TGT,
        "scenarios/targets.py",
        "stocks.level(atom) >= bound - TOLERANCE",
        "stocks.level(atom) >= bound + TOLERANCE",
        "a stock exactly at its bound does not meet the condition",
    ),
    Mutant(
        TGT,
        "scenarios/targets.py",
        "            ok &= stocks.level(atom)",
        "            ok |= stocks.level(atom)",
        "a condition holds when any atom holds (and 'ok' starts true: always)",
    ),
    Mutant(
        TGT,
        "scenarios/targets.py",
        "math.ceil(share * n_communities - 1e-9)",
        "int(share * n_communities)",
        "a share's required communities rounded down",
    ),
    Mutant(
        TGT,
        "scenarios/targets.py",
        "for t in range(self.keys_by, years + 1)]",
        "for t in range(self.keys_by, years)]",
        "keys_by stops a year before the plan ends",
    ),
    Mutant(
        TGT,
        "scenarios/targets.py",
        "enumerate(self.count, start=1)",
        "enumerate(self.count, start=0)",
        "count requirements shifted a year early",
    ),
    Mutant(
        TGT,
        "scenarios/target_kinds.py",
        'Atom("space", None, per_household=v / 100.0)',
        'Atom("space", None, per_household=v / 10.0)',
        "space per 100 households read as per 10 households",
    ),
    Mutant(
        TGT,
        "scenarios/target_kinds.py",
        "            atoms += [a for a in condition_atoms(by_name[ref], by_name) if a not in atoms]\n",
        "            atoms = [a for a in condition_atoms(by_name[ref], by_name) if a not in atoms]\n",
        "a standard keeps only its last part's condition",
    ),
    Mutant(
        TGT,
        "scenarios/targets.py",
        'return float(ok.sum() if kind == "share" else ok[key].sum())',
        'return float(ok.sum() if kind == "share" else ok.sum())',
        "keys_by counts every community, not the key ones (planned and simulated: one definition)",
    ),
    Mutant(
        TGT,
        "model/model.py",
        "achieved(r.kind, stocks, key, self.opened_this_year)",
        "achieved(r.kind, stocks, key | True, self.opened_this_year)",
        "the simulation's keys_by counts every community, not the key ones",
    ),
    Mutant(
        TGT,
        "scenarios/targets.py",
        "return achieved >= self.required - 1e-9",
        "return achieved > self.required",
        "the simulation counts a requirement met only when exceeded",
    ),
    # ---------------------------------------------------------------- seeding
    Mutant(
        SEED,
        "scenarios/seeding.py",
        "spawn_key=(stream, *index)",
        "spawn_key=(stream,)",
        "[issue 17] every replication gets the same seed",
    ),
    Mutant(
        SEED,
        "commplan/sweep.py",
        '            "seed": self.seed,\n',
        "",
        "[issue 17] a sweep folder accepts a different seed",
    ),
    Mutant(
        SEED,
        "commplan/sweep.py",
        '            "solver": self.solver,\n',
        "",
        "a sweep folder accepts a different solver",
    ),
    Mutant(
        SEED,
        "model/runner.py",
        "rng=np.random.default_rng(seed_sequence(seed, SIMULATE, index)), **kw)",
        "rng=np.random.default_rng(seed_sequence(seed, SIMULATE)), **kw)",
        "simulate's replications all draw from one stream",
    ),
    Mutant(
        SEED,
        "model/runner.py",
        "    seed = scenario.seed if seed is None else seed\n",
        "    seed = scenario.seed\n",
        "simulate ignores the seed it is given",
    ),
    Mutant(
        SEED,
        "commplan/replan.py",
        "rng=np.random.default_rng(seed_sequence(seed, SIMULATE, index)))",
        "rng=np.random.default_rng(seed_sequence(seed, SIMULATE, 0)))",
        "re-planned replications all draw from replication 0's stream",
    ),
    Mutant(
        SEED,
        "commplan/pipeline.py",
        "        return scenario.seed if self.seed is None else self.seed\n",
        "        return scenario.seed\n",
        "commplan simulate ignores --seed",
    ),
    # ---------------------------------------------------------------- simulation accounting
    Mutant(
        SIM,
        "model/agents.py",
        "p.space_m2 * costs.space_build_per_m2 + costs.space_project_fixed)",
        "p.space_m2 * costs.space_build_per_m2)",
        "a space project's fixed cost is never spent",
    ),
    Mutant(
        SIM,
        "model/model.py",
        "            self.spent += start * self.scenario_.staff[s].hire\n",
        "",
        "hires cost nothing",
    ),
    Mutant(
        SIM,
        "model/model.py",
        "self.spent += self.staff_count[s] * self.pay_share(s)",
        "self.spent += self.posts[s] * self.pay_share(s)",
        "posts are paid, filled or not",
    ),
    Mutant(
        SIM,
        "model/model.py",
        "self.spent += self.space * costs.space_running_per_m2 / 12",
        "self.spent += self.space * costs.space_running_per_m2",
        "space running costs are charged yearly every month",
    ),
    Mutant(
        SIM,
        "model/model.py",
        "            self.hires[s] += start\n",
        "            self.hires[s] += count\n",
        "cancelled vacancies are recorded as hires",
    ),
    Mutant(
        SIM,
        "model/model.py",
        "        self.spent = np.zeros(self.n)\n",
        "",
        "spending is never reset: each month's record accumulates every earlier month",
    ),
    Mutant(
        SIM,
        "model/model.py",
        "np.ceil(self.plan.staff[s][:, t - 1] - 1e-6)",
        "np.floor(self.plan.staff[s][:, t - 1] + 1e-6)",
        "a fractional planned staff stock gets too few posts (4.5 planned is 4 posts)",
    ),
    Mutant(
        SIM,
        "model/agents.py",
        "        m.exits[self.kind][i] += 1\n",
        "",
        "exits are not recorded",
    ),
    Mutant(
        SIM,
        "model/agents.py",
        "            out += np.maximum(-change, 0)\n",
        "",
        "households leaving a shrinking community are not recorded as moved out",
    ),
    Mutant(
        SIM,
        "model/agents.py",
        "                m.opened_this_year[p.facility] += 1\n",
        "",
        "facilities opened are not counted for count targets",
    ),
    Mutant(
        SIM,
        "model/agents.py",
        "                m.space[self.index] += p.space_m2\n",
        "                m.space[self.index] = p.space_m2\n",
        "a space project replaces the community's space instead of adding to it",
    ),
    Mutant(
        SIM,
        "model/agents.py",
        "        if self.contracted:\n            m.spend(self.community.index, p.organisation_contract_per_month)\n",
        "        if self.incubated:\n            m.spend(self.community.index, p.organisation_contract_per_month)\n",
        "incubated organisations are paid the contract instead of contracted ones",
    ),
]


@dataclass
class Outcome:
    mutant: Mutant
    killed: bool
    seconds: float
    by: str  # the first failing test, "timeout", or the error


def _check_mutants(mutants: list[Mutant]) -> None:
    """Every original text must occur exactly once in its file: fail loudly otherwise."""
    wrong = []
    for m in mutants:
        if m.group not in TESTS:
            wrong.append(f"{m.description}: unknown group {m.group!r}")
            continue
        n = (ROOT / m.file).read_text(encoding="utf-8").count(m.original)
        if n != 1:
            wrong.append(f"{m.file}: the original text of {m.description!r} occurs {n} times, not once")
        if m.original == m.replacement:
            wrong.append(f"{m.file}: {m.description!r} changes nothing")
    if wrong:
        raise SystemExit("mutants out of date with the code:\n  " + "\n  ".join(wrong))


def _pytest(tests: list[str]) -> tuple[int | None, str, float]:
    """Run the tests in a subprocess with a private bytecode cache; (return code or None on timeout, output, seconds)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mutation-pyc-") as pyc:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": pyc}
        try:
            done = subprocess.run(
                [sys.executable, *PYTEST, *tests],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return None, "", time.perf_counter() - t0
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - t0


def _first_failure(output: str) -> str:
    found = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    return found.group(1) if found else output.strip().splitlines()[-1] if output.strip() else "?"


def run_mutant(m: Mutant) -> Outcome:
    path = ROOT / m.file
    original = path.read_bytes()
    text = original.decode("utf-8")
    assert text.count(m.original) == 1, f"{m.file}: original text of {m.description!r} not found exactly once"
    mutated = text.replace(m.original, m.replacement)
    try:
        compile(mutated, str(path), "exec")
    except SyntaxError as err:
        raise SystemExit(
            f"{m.file}: the mutant {m.description!r} does not compile ({err}): not a plausible bug"
        ) from None
    try:
        path.write_text(mutated, encoding="utf-8")
        code, output, seconds = _pytest(TESTS[m.group])
    finally:
        path.write_bytes(original)
    assert path.read_bytes() == original
    if code is None:
        return Outcome(m, True, seconds, "timeout")
    if code not in (0, 1):  # 2 interrupted or collection error, 5 no tests: the mutant broke more than a test
        return Outcome(m, True, seconds, f"pytest exit {code}: {_first_failure(output)}")
    return Outcome(m, code == 1, seconds, _first_failure(output) if code == 1 else "")


def report(outcomes: list[Outcome], baseline: dict[str, float]) -> str:
    lines = ["Mutation testing: curated plausible one-line bugs (python -m benchmarks.mutation)", ""]
    lines.append("Tests per group (each passes unmutated first):")
    for group, tests in TESTS.items():
        took = f" — {baseline[group]:.0f} s unmutated" if group in baseline else ""
        lines.append(f"  {group}: {' '.join(tests)}{took}")
    lines += ["", "Kill rate by module group:"]
    for group in TESTS:
        mine = [o for o in outcomes if o.mutant.group == group]
        if mine:
            k = sum(o.killed for o in mine)
            lines.append(f"  {group:<22} {k:>2} / {len(mine):<2} killed  {100 * k / len(mine):5.1f} %")
    k = sum(o.killed for o in outcomes)
    if outcomes:
        lines.append(f"  {'all':<22} {k:>2} / {len(outcomes):<2} killed  {100 * k / len(outcomes):5.1f} %")
    lines += ["", "Mutants:"]
    for o in outcomes:
        m = o.mutant
        verdict = "killed  " if o.killed else "SURVIVED"
        lines.append(f"  {verdict} [{m.group}] {m.file}: {m.description} ({o.seconds:.0f} s)")
        if o.killed:
            lines.append(f"           by {o.by}")
    survivors = [o for o in outcomes if not o.killed]
    lines += ["", "Survivors and why each is acceptable:" if survivors else "No mutant survived."]
    for o in survivors:
        lines.append(f"  {o.mutant.file}: {o.mutant.description}")
        lines.append(f"      {o.mutant.survives_because or 'NO REASON KNOWN: add a test that kills it'}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="run the mutants whose group, file or description contains this text")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--no-baseline", action="store_true", help="skip running each group's tests unmutated first")
    ap.add_argument("--out", type=Path, default=OUT, help=f"the results file (default {OUT.relative_to(ROOT)})")
    args = ap.parse_args()
    _check_mutants(MUTANTS)
    chosen = [m for m in MUTANTS if not args.only or any(args.only in x for x in (m.group, m.file, m.description))]
    if args.list:
        for m in chosen:
            print(f"[{m.group}] {m.file}: {m.description}")
        return 0
    baseline: dict[str, float] = {}
    if not args.no_baseline:
        for group in sorted({m.group for m in chosen}):
            code, output, seconds = _pytest(TESTS[group])
            if code != 0:
                print(output[-3000:])
                raise SystemExit(f"the {group} tests fail unmutated (exit {code}): fix them first")
            baseline[group] = seconds
            print(f"baseline {group}: passes in {seconds:.0f} s", flush=True)
    outcomes = []
    for k, m in enumerate(chosen, start=1):
        o = run_mutant(m)
        outcomes.append(o)
        print(f"{k}/{len(chosen)} {'killed' if o.killed else 'SURVIVED'} [{m.group}] {m.description}", flush=True)
    text = report(outcomes, baseline)
    print(text)
    if not args.only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
