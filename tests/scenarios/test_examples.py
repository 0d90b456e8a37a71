"""The example scripts a planner copies from: they run, and their answers point the right way."""

from __future__ import annotations

from scenarios.examples import compare_budgets, pay_policy


def test_more_budget_never_buys_less_attainment(tmp_path):
    table = compare_budgets.main(
        ["county_city", "100000", "200000", "300000", "--replications", "2", "--out", str(tmp_path)]
    )
    assert table["planned_attainment"].is_monotonic_increasing
    assert table["planned_attainment"].iloc[-1] == 1.0
    assert (table["planned_cost"] <= table["budget"]).all()
    assert (tmp_path / "budgets.png").exists()


def test_raising_pay_costs_more_and_keeps_more_staff():
    table, paired = pay_policy.main(["tutorial", "--replications", "4"])
    a, b = table.columns
    assert table.loc["total_cost", a] > table.loc["total_cost", b]
    assert table.loc["staff_exits", a] < table.loc["staff_exits", b]
    assert set(paired.index) == {t.name for t in pay_policy.load("tutorial").targets}
