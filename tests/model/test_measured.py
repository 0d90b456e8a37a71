"""When a staff condition is read: at the year's end (default) or as the year's mean in post."""

from __future__ import annotations

import numpy as np
import pytest

from model.model import CommunityModel
from scenarios.loader import bundled_scenarios, loads
from scenarios.problems import ScenarioError

TUTORIAL = bundled_scenarios()["tutorial"].read_text(encoding="utf-8")
TARGETS = """
[[targets]]
name = "workers-average"
staff_per_households = { community_worker = 500 }
measured = "annual_average"
share = 0.5

[[targets]]
name = "workers-end"
staff_per_households = { community_worker = 500 }
share = 0.5

[[targets]]
name = "city-average"
city_staff = "community_worker"
measured = "annual_average"
at_least = 20
"""
SIM = "\n[simulation]\nexit_hazard = 0.05\nhiring_lag_months = 3\n"


def test_an_annual_average_staff_target_reads_the_years_mean_in_post():
    s = loads(TUTORIAL + TARGETS + SIM)
    model = CommunityModel(s, rng=4)
    while model.running:
        model.step()
    table = model.recorder.table()
    staff = table[:, :, model.recorder.columns.index("staff_community_worker")]
    households = table[:, :, model.recorder.columns.index("households")]
    got = {(t, y): achieved for y, t, _k, _r, achieved, _m in model.attainment}
    for year in (1, 2, 3):
        months = slice(12 * (year - 1), 12 * year)
        mean = staff[months].mean(axis=0)
        end = staff[12 * year - 1]
        bound = households[12 * year - 1] / 500
        assert got["workers-average", year] == (mean >= bound - 1e-6).sum()
        assert got["workers-end", year] == (end >= bound - 1e-6).sum()
        assert got["city-average", year] == pytest.approx(mean.sum())
    # with exits and a hiring lag the year's mean is not its end: the two readings are different tests
    assert not np.array_equal(staff[11], staff[:12].mean(axis=0))


def test_measured_survives_the_resolved_scenario_and_reads_in_the_condition_text():
    s = loads(TUTORIAL + TARGETS)
    assert s.to_dict()["targets"][-3]["measured"] == "annual_average"
    assert "measured" not in s.to_dict()["targets"][-2]
    assert "year's mean" in s.target("workers-average").condition.text


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ('measured = "sometimes"', "must be one of: year_end, annual_average"),
        ('measured = "annual_average"\nspace_at_least = 100', "goes only with a staff condition"),
    ],
)
def test_a_bad_measured_is_refused_with_its_line(extra, says):
    text = TUTORIAL + '\n[[targets]]\nname = "m"\nstaff_at_least = { community_worker = 3 }\nshare = 0.5\n'
    if "space_at_least" in extra:
        text = TUTORIAL + f'\n[[targets]]\nname = "m"\n{extra}\nshare = 0.5\n'
    else:
        text = text.replace("share = 0.5\n", f"{extra}\nshare = 0.5\n")
    with pytest.raises(ScenarioError) as e:
        loads(text)
    assert says in str(e.value) and "line" in str(e.value)
