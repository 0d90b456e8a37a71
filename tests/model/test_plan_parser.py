"""One plan.csv parser: what the simulation executes is checked as strictly as the optimiser's reader.

``model.plan.read_plan_csv`` / ``plan_from_rows`` (``commplan simulate --plan``, the sweep's
workers) and ``optimize.read_plan_csv`` share ``scenarios.plan_file.parse_plan_rows``.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import optimize
from commplan.cli import main
from model.plan import PlanSchedule, plan_from_result, plan_from_rows, read_plan_csv
from results.plan_output import write_plan
from scenarios.plan_file import PlanFileError, parse_plan_rows
from scenarios.plan_file import read_plan_csv as read_plan_csv_arrays
from scenarios.problems import ScenarioError
from tests.model.conftest import tutorial


@pytest.fixture(scope="module")
def scenario():
    return tutorial()


@pytest.fixture(scope="module")
def solved(scenario, tmp_path_factory):
    """The tutorial's least-cost plan and its plan.csv text."""
    res = optimize.solve(scenario, marginal_costs=False)
    out = tmp_path_factory.mktemp("plan")
    write_plan(res, scenario, out)
    return res, (out / "plan.csv").read_text(encoding="utf-8")


def rows_of(text: str) -> csv.DictReader:
    return csv.DictReader(io.StringIO(text))


def problems_of(err: pytest.ExceptionInfo) -> str:
    return str(err.value)


def assert_same_schedule(a: PlanSchedule, b: PlanSchedule) -> None:
    np.testing.assert_array_equal(a.space_added, b.space_added)
    for u in a.opened:
        np.testing.assert_array_equal(a.opened[u], b.opened[u])
    for s in a.hires:
        np.testing.assert_array_equal(a.hires[s], b.hires[s])
        np.testing.assert_allclose(a.staff[s], b.staff[s], atol=1e-6)
        np.testing.assert_array_equal(a.pay_share[s], b.pay_share[s])


# ------------------------------------------------------------------ a valid plan


def test_a_valid_plan_round_trips_to_the_same_schedule_as_before(scenario, solved, tmp_path):
    res, text = solved
    # what the simulation executed before: plan.csv's decisions and staff stocks, the scenario's pay
    before = PlanSchedule.from_arrays(
        scenario,
        res.plan.space_added,
        res.plan.opened,
        res.plan.hires,
        {s: np.round(res.plan.staff[s], 6) for s in scenario.staff},
    )
    (tmp_path / "plan.csv").write_text(text, encoding="utf-8")
    assert_same_schedule(read_plan_csv(tmp_path / "plan.csv", scenario), before)
    assert_same_schedule(plan_from_rows(rows_of(text), scenario, "plan.csv"), before)  # the sweep's path
    assert_same_schedule(plan_from_result(res, scenario), before)  # straight from the arrays
    header, body = res.plan_rows()
    assert_same_schedule(plan_from_rows([dict(zip(header, r, strict=True)) for r in body], scenario), before)


def test_plan_from_result_uses_the_arrays_without_parsing(scenario, solved, monkeypatch):
    res, _ = solved
    import model.plan

    def boom(*a, **k):
        raise AssertionError("plan_from_result must not round-trip through rows")

    monkeypatch.setattr(model.plan, "parse_plan_rows", boom)
    monkeypatch.setattr(type(res), "plan_rows", boom)
    plan = plan_from_result(res, scenario)
    np.testing.assert_array_equal(plan.space_added, res.plan.space_added)


def test_calendar_years_are_accepted(scenario, solved):
    res, text = solved
    lines = text.splitlines()
    y = lines[0].split(",").index("year")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[y] = str(scenario.start_year + int(cells[y]) - 1)
        out.append(",".join(cells))
    arrays = parse_plan_rows(rows_of("\n".join(out)), scenario, "plan.csv")
    np.testing.assert_array_equal(arrays.hires["community_worker"], res.plan.hires["community_worker"])


def test_fractional_staff_stocks_that_attrition_gives_are_accepted(tmp_path):
    from scenarios.loader import loads
    from tests.model.conftest import TUTORIAL

    s = loads(TUTORIAL.replace("pay_share = [0.7, 0.85, 1.0]", "pay_share = [0.7, 0.85, 1.0]\nattrition = 0.1"))
    res = optimize.solve(s, marginal_costs=False)
    write_plan(res, s, tmp_path)
    arrays = read_plan_csv_arrays(tmp_path / "plan.csv", s)
    assert (arrays.staff["community_worker"] % 1 != 0).any()  # fractional, as 0.9 × today's staff is
    np.testing.assert_allclose(arrays.staff["community_worker"], res.plan.staff["community_worker"], atol=1e-6)


def test_stock_columns_left_out_are_derived_from_the_decisions(solved, scenario):
    res, text = solved
    keep = [c for c in text.splitlines()[0].split(",") if not c.startswith(("space_m2", "has_", "staff_", "meets_"))]
    slim = io.StringIO()
    w = csv.DictWriter(slim, keep, extrasaction="ignore")
    w.writeheader()
    w.writerows(rows_of(text))
    arrays = parse_plan_rows(rows_of(slim.getvalue()), scenario, "slim.csv")
    np.testing.assert_allclose(arrays.space, res.plan.space)
    for u in scenario.facilities:
        np.testing.assert_array_equal(arrays.has[u], res.plan.has[u])
    for s in scenario.staff:
        np.testing.assert_allclose(arrays.staff[s], res.plan.staff[s])


# ------------------------------------------------------------------ bad plans the simulation used to accept


def test_a_community_with_no_rows_is_named_with_its_years(scenario, solved, tmp_path):
    _, text = solved
    gone = scenario.community_ids[1]
    kept = [line for line in text.splitlines() if not line.startswith(gone + ",")]
    (tmp_path / "plan.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:  # the exception commplan maps to exit 1
        read_plan_csv(tmp_path / "plan.csv", scenario)
    assert isinstance(err.value, PlanFileError)
    message = problems_of(err)
    assert "plan.csv has 1 problem" in message
    assert f'community = "{gone}": has no rows at all (years 1, 2, 3)' in message
    with pytest.raises(PlanFileError, match=f'community = "{gone}": has no rows at all'):  # the sweep's path
        plan_from_rows(rows_of("\n".join(kept)), scenario, "plan.csv")


def test_some_missing_years_are_listed(scenario, solved):
    _, text = solved
    cid = scenario.community_ids[0]
    kept = [line for line in text.splitlines() if not (line.startswith(f"{cid},2,") or line.startswith(f"{cid},3,"))]
    with pytest.raises(
        PlanFileError, match=f'community = "{cid}": has no row for years 2, 3; add one row for each plan year'
    ):
        plan_from_rows(rows_of("\n".join(kept)), scenario, "plan.csv")


def test_a_duplicate_row_names_both_lines(scenario, solved):
    _, text = solved
    lines = text.splitlines()
    changed = lines[5].split(",")
    changed[2] = "999"  # same community and year, a different plan: the last one used to win
    lines.append(",".join(changed))
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of("\n".join(lines)), scenario, "plan.csv")
    message = problems_of(err)
    cid, year = lines[5].split(",")[:2]
    last = len(lines)
    assert "plan.csv has 1 problem" in message
    assert (
        f'line {last}   year = "{year}": a second row for community {cid}, year {year} (the first is line 6)' in message
    )


def test_every_problem_is_listed_at_once_with_line_column_and_fix(scenario, solved):
    _, text = solved
    lines = text.splitlines()
    header = lines[0].split(",")

    def edit(k: int, column: str, value: str) -> None:
        cells = lines[k].split(",")
        cells[header.index(column)] = value
        lines[k] = ",".join(cells)

    edit(1, "hire_community_worker", "1.5")
    edit(2, "open_one_stop", "-1")
    edit(3, "has_one_stop", "2")
    edit(4, "year", "7")
    edit(5, "space_added_m2", "")
    edit(6, "staff_community_worker", "nan")
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of("\n".join(lines)), scenario, "plan.csv")
    message = problems_of(err)
    assert "plan.csv has 7 problems" in message, message
    assert 'line 2    hire_community_worker = "1.5": must be a whole number 0 or more' in message
    assert 'line 3    open_one_stop = "-1": must be 0 or 1' in message
    assert 'line 4    has_one_stop = "2": must be 0 or 1' in message
    assert (
        f'line 5    year = "7": must be a plan year 1–3 (or a calendar year {scenario.start_year}–{scenario.start_year + 2})'
        in message
    )
    assert "line 6    space_added_m2: is empty; must be a number of m²" in message
    assert 'line 7    staff_community_worker = "nan": must be a number 0 or more' in message
    cid = lines[4].split(",")[0]
    assert f'community = "{cid}": has no row for year' in message  # the row with year 7 does not count


def test_missing_and_unknown_columns(scenario, solved):
    _, text = solved
    lines = text.splitlines()
    lines[0] = lines[0].replace("open_one_stop", "open_one_stpo").replace("hire_community_worker", "hire_x")
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of("\n".join(lines)), scenario, "plan.csv")
    message = problems_of(err)
    assert (
        'open_one_stpo: "one_stpo" is not a facility kind of scenario tutorial; did you mean "open_one_stop"?'
        in message
    )
    assert 'hire_x: "x" is not a staff kind' in message
    assert "missing from the header" in message and "open_one_stop" in message and "hire_community_worker" in message


def test_unknown_community_gets_a_did_you_mean(scenario, solved):
    _, text = solved
    cid = scenario.community_ids[2]
    lines = text.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith(cid + ","))
    lines[k] = cid[:-1] + "x" + lines[k][len(cid) :]
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of("\n".join(lines)), scenario, "plan.csv")
    message = problems_of(err)
    assert f'did you mean "{cid}"?' in message
    assert "has 1 problem" in message  # the misspelt row is not also reported as a missing one


def test_empty_plans(scenario):
    with pytest.raises(PlanFileError, match="the plan is empty"):
        plan_from_rows(rows_of(""), scenario, "plan.csv")
    header = ",".join(
        ["community", "year", "space_added_m2", "open_one_stop", "open_elderly_centre", "hire_community_worker"]
    )
    with pytest.raises(
        PlanFileError, match=r"the plan has no rows: it needs one row per community and plan year \(10 × 3 = 30 rows\)"
    ):
        plan_from_rows(rows_of(header + "\n"), scenario, "plan.csv")


def test_simulate_rejects_a_plan_missing_a_community(solved, tmp_path, capsys):
    _, text = solved
    gone = csv.DictReader(io.StringIO(text)).__next__()["community"]
    kept = [line for line in text.splitlines() if not line.startswith(gone + ",")]
    (tmp_path / "plan.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert (
        main(["simulate", "tutorial", "--plan", str(tmp_path / "plan.csv"), "--out", str(tmp_path / "x"), "--quiet"])
        == 1
    )
    err = capsys.readouterr().err
    assert f'community = "{gone}": has no rows at all' in err and "Traceback" not in err


# ------------------------------------------------------------------ out of range, contradictory (issue 10)


def edited(text: str, edits: dict[tuple[str, int, str], str]) -> str:
    """plan.csv text with cells replaced: ``{(community, year, column): value}``."""
    lines = text.splitlines()
    header = lines[0].split(",")
    for k in range(1, len(lines)):
        cells = lines[k].split(",")
        for (cid, year, column), value in edits.items():
            if cells[0] == cid and cells[1] == str(year):
                cells[header.index(column)] = value
        lines[k] = ",".join(cells)
    return "\n".join(lines) + "\n"


def line_of(text: str, cid: str, year: int) -> int:
    return next(k for k, line in enumerate(text.splitlines(), start=1) if line.startswith(f"{cid},{year},"))


def simulate_plan(text: str, tmp_path, capsys) -> tuple[int, str]:
    (tmp_path / "plan.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "x"
    code = main(["simulate", "tutorial", "--plan", str(tmp_path / "plan.csv"), "--out", str(out), "--quiet"])
    return code, capsys.readouterr().err


def test_an_absurd_hire_is_refused_not_ignored(scenario, solved, tmp_path, capsys):
    """Was: a hire of 1e12 accepted, and ignored because the staff column says otherwise."""
    _, text = solved
    cid = scenario.community_ids[0]
    code, err = simulate_plan(edited(text, {(cid, 1, "hire_community_worker"): "1e12"}), tmp_path, capsys)
    assert code == 1 and "Traceback" not in err
    assert 'line 2    hire_community_worker = "1e12": must be a whole number 0 or more, at most 100,000' in err


def test_an_absurd_space_is_refused_and_never_reaches_the_timeseries(scenario, solved, tmp_path, capsys):
    """Was: space_added_m2 = 1e308 accepted; timeseries.csv held inf."""
    _, text = solved
    cid = scenario.community_ids[0]
    code, err = simulate_plan(edited(text, {(cid, 1, "space_added_m2"): "1e308"}), tmp_path, capsys)
    assert code == 1 and 'space_added_m2 = "1e308": must be a number of m² (0 or more), at most 1,000,000' in err
    assert not (tmp_path / "x" / "timeseries.csv").exists()


def test_a_facility_held_then_gone_is_refused_with_both_lines(scenario, solved):
    """Was: has_one_stop 1 in year 1 and 0 in year 2 accepted."""
    res, text = solved
    i = next(i for i in range(len(scenario.communities)) if res.plan.has["one_stop"][i, 0] == 1)
    cid = scenario.community_ids[i]
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of(edited(text, {(cid, 2, "has_one_stop"): "0"})), scenario, "plan.csv")
    first, second = line_of(text, cid, 1), line_of(text, cid, 2)
    assert err.value.problems[0].line == second
    assert (
        f"the community has a one_stop in year 1 (line {first}) and none in year 2: a plan closes no facility"
        in problems_of(err)
    )


def test_stocks_that_disagree_with_the_decisions_are_refused(scenario, solved):
    """Was: the stock columns overrode the decisions silently (hires 50, staff unchanged)."""
    res, text = solved
    cid = scenario.community_ids[0]
    hired = int(res.plan.hires["community_worker"][0, 0]) + 50
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of(edited(text, {(cid, 1, "hire_community_worker"): str(hired)})), scenario, "plan.csv")
    message = problems_of(err)
    want = res.plan.staff["community_worker"][0, 0] + 50
    assert f'line 2    staff_community_worker = "{res.plan.staff["community_worker"][0, 0]:.6g}"' in message
    assert f"disagrees with the decisions, which give {want:.6g}" in message
    space = res.plan.space[0, 0] + 10
    with pytest.raises(PlanFileError, match=r"space_m2 = .*: disagrees with the decisions"):
        plan_from_rows(rows_of(edited(text, {(cid, 1, "space_m2"): f"{space:g}"})), scenario, "plan.csv")


def test_opening_a_facility_where_one_already_is_is_refused(scenario, solved):
    res, text = solved
    i = next(i for i, c in enumerate(scenario.communities) if "one_stop" in c.facilities)
    cid = scenario.community_ids[i]
    with pytest.raises(PlanFileError) as err:
        plan_from_rows(rows_of(edited(text, {(cid, 1, "open_one_stop"): "1"})), scenario, "plan.csv")
    assert 'open_one_stop = "1": opens a one_stop where one already is (the scenario lists it today); write 0' in (
        problems_of(err)
    )
    with pytest.raises(PlanFileError, match=r'open_one_stop = "2": must be 0 or 1'):
        plan_from_rows(rows_of(edited(text, {(cid, 1, "open_one_stop"): "2"})), scenario, "plan.csv")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_the_plan_is_refused_at_once(tmp_path):
    fifo = tmp_path / "plan.csv"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "commplan", "simulate", "tutorial", "--plan", str(fifo), "--out", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "is a pipe (FIFO), not a regular file" in done.stderr


@pytest.mark.parametrize("garbage", ["not json", "[]", '{"requirements": [1]}', '{"total_cost": "lots"}'])
def test_a_garbled_summary_beside_the_plan_is_an_input_error(solved, tmp_path, capsys, garbage):
    """Was: exit 3 ("a bug in commplan"): the plan folder's summary.json was trusted."""
    _, text = solved
    (tmp_path / "summary.json").write_text(garbage, encoding="utf-8")
    code, err = simulate_plan(text, tmp_path, capsys)
    assert code == 1 and "Traceback" not in err
    assert "summary.json is not a summary.json written by commplan plan" in err


def test_a_plan_header_of_a_million_columns_is_refused_at_once(scenario):
    header = ",".join(["community", "year", *(f"open_x{i}" for i in range(1_000_000))])
    with pytest.raises(PlanFileError, match=r"the header has 1,000,002 columns; a plan has at most 1,504"):
        plan_from_rows(rows_of(header + "\n"), scenario, "plan.csv")
