"""The simulation judges a staff ``city_average`` on the staff in post, honouring ``measured``."""

from __future__ import annotations

import numpy as np
import pytest

from model.model import CommunityModel
from scenarios.loader import loads
from tests.model.conftest import TUTORIAL

TARGETS = """
[[targets]]
name = "workers-end"
city_average = "community_worker"
where = { village_to_residence = false }
at_least = 2

[[targets]]
name = "workers-mean"
city_average = "community_worker"
where = { village_to_residence = false }
at_least = 2
measured = "annual_average"
"""


def test_a_staff_average_reads_year_end_or_the_years_mean_over_covered_communities():
    s = loads(TUTORIAL + TARGETS)
    model = CommunityModel(s, rng=5)
    while model.running:
        model.step()
    table = model.recorder.table()
    staff = table[:, :, model.recorder.columns.index("staff_community_worker")]  # months × communities
    covered = np.array(s.target("workers-end").covers)
    assert 0 < covered.sum() < len(covered)
    got = {(a[1], a[0]): a[4] for a in model.attainment}
    differ = 0
    for year in range(1, s.years + 1):
        months = staff[12 * (year - 1) : 12 * year][:, covered]
        assert got["workers-end", year] == pytest.approx(months[-1].mean())
        assert got["workers-mean", year] == pytest.approx(months.mean(axis=0).mean())
        differ += not np.isclose(months[-1].mean(), months.mean())
    assert differ  # posts stand empty some months: the two readings are not the same number
