"""plan.csv and summary.json follow the contract, read back, and fail clearly when wrong."""

from __future__ import annotations

import json

import pytest

import optimize
from results.plan_output import write_plan
from scenarios.plan_file import PlanFileError, read_plan_csv


@pytest.fixture(scope="module")
def written(tutorial, tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    res = optimize.solve(tutorial)
    paths = write_plan(res, tutorial, out)
    return res, out, paths


def test_plan_csv_has_the_contract_columns_and_one_row_per_community_and_year(written, tutorial):
    _, out, _ = written
    lines = (out / "plan.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["community", "year", "space_added_m2", "space_m2"]
    for u in tutorial.facilities:
        assert f"open_{u}" in header and f"has_{u}" in header
    for s in tutorial.staff:
        assert f"hire_{s}" in header and f"staff_{s}" in header
    for t in tutorial.targets:
        assert (f"meets_{t.name}" in header) == t.per_community
    assert len(lines) - 1 == len(tutorial.communities) * tutorial.years


def test_summary_json_has_the_contract_keys(written):
    res, out, paths = written
    summary = json.loads((out / "summary.json").read_text())
    for key in ("status", "mode", "total_cost", "cost_by_year", "cost_by_line", "gap", "requirements"):
        assert key in summary
    assert set(summary["cost_by_line"]) == {"space", "facilities", "hires", "pay"}
    assert sum(summary["cost_by_year"]) == pytest.approx(summary["total_cost"], abs=0.05)
    for r in summary["requirements"]:
        assert {"target", "kind", "year", "required", "planned", "binding", "marginal_cost", "dual_lp"} <= set(r)
    assert (out / "cost_breakdown.png").stat().st_size > 1000 and (out / "attainment.png").stat().st_size > 1000


def test_outputs_are_deterministic(written, tutorial, tmp_path):
    _, out, _ = written
    write_plan(optimize.solve(tutorial), tutorial, tmp_path)
    assert (tmp_path / "plan.csv").read_bytes() == (out / "plan.csv").read_bytes()
    assert (tmp_path / "summary.json").read_bytes() == (out / "summary.json").read_bytes()


def test_read_plan_csv_round_trips_the_plan(written, tutorial):
    res, out, _ = written
    back = read_plan_csv(out / "plan.csv", tutorial)
    assert (back.space == res.plan.space).all()
    for u in tutorial.facilities:
        assert (back.has[u] == res.plan.has[u]).all() and (back.opened[u] == res.plan.opened[u]).all()
    for s in tutorial.staff:
        assert (back.staff[s] == res.plan.staff[s]).all() and (back.hires[s] == res.plan.hires[s]).all()


def test_read_plan_csv_names_the_file_and_missing_column(written, tutorial, tmp_path):
    _, out, _ = written
    text = (out / "plan.csv").read_text().replace("hire_community_worker", "hires_cw")
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(
        PlanFileError, match=r"(?s)bad\.csv has 1 problem.*line 1 +hire_community_worker: missing from the header"
    ):
        read_plan_csv(bad, tutorial)


def test_read_plan_csv_names_line_and_column_of_a_bad_value(written, tutorial, tmp_path):
    _, out, _ = written
    lines = (out / "plan.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[3] = "lots"
    lines[3] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(PlanFileError, match=r'line 4 +space_m2 = "lots": must be a number'):
        read_plan_csv(bad, tutorial)
    lines = (out / "plan.csv").read_text().splitlines()
    bad.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(PlanFileError, match='community = "huayuan": has no row for year 3;'):
        read_plan_csv(bad, tutorial)


def test_infeasible_result_writes_summary_without_plan(tutorial_text, tmp_path):
    from scenarios.loader import loads

    s = loads(tutorial_text.replace("total = 12000000", "total = 3000000"))
    res = optimize.solve(s)
    paths = write_plan(res, s, tmp_path)
    assert "plan.csv" not in paths and (tmp_path / "summary.json").exists()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "infeasible" and summary["message"]


def test_progress_reports_in_words(tutorial):
    msgs: list[str] = []
    optimize.solve(tutorial, marginal_costs=False, progress=msgs.append)
    assert msgs[0].startswith("building") and msgs[-1].startswith("done")
