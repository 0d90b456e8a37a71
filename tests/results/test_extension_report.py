"""An extension's reporter columns get a fan chart each, in the report."""

from __future__ import annotations

import pandas as pd

from commplan.cli import main
from results.publish import reported_columns
from scenarios.loader import loads, resolve_path


def test_the_parking_extensions_column_gets_a_fan_chart_in_the_report(tmp_path):
    text = resolve_path("tutorial").read_text(encoding="utf-8")
    (tmp_path / "parking.toml").write_text(
        text.replace("[scenario]\n", '[scenario]\nextensions = ["extensions.parking"]\n', 1), encoding="utf-8"
    )
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "parking.toml"), "--out", str(out), "--replications", "2", "--quiet"]) == 0
    chart = out / "extension_car_owners.png"
    assert chart.exists() and chart.stat().st_size > 1000
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "car_owners (reported by an extension), summed over communities" in report
    # the core's columns, the parking service's demand and served among them, get no chart of their own
    assert sorted(p.name for p in out.glob("extension_*.png")) == ["extension_car_owners.png"]


def test_only_the_columns_the_core_does_not_write_are_reported_columns():
    scenario = loads(resolve_path("tutorial").read_text(encoding="utf-8"))
    core = ["households", "demand_admin", "served_admin", "staff_community_worker", "spent", "space_m2"]
    core += [f"has_{u}" for u in scenario.facilities]
    frame = pd.DataFrame(columns=["replication", "month", "community", *core, "car_owners", "has_garden"])
    assert reported_columns(frame, scenario) == ["car_owners", "has_garden"]
