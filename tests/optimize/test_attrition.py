"""With attrition, a staff condition met today is not met for good: staff decay unless hired."""

from __future__ import annotations

import numpy as np

import optimize

from .conftest import tiny

ONE_WORKER = '\n[[targets]]\nname = "one-worker"\nstaff_at_least = { worker = 1 }\nshare = 1.0\n'


def test_a_staff_condition_met_at_the_start_must_still_be_met_after_attrition():
    """Every community starts with at least one worker; at 20 % attrition a lone worker is
    0.8 of one after a year, so the plan must hire where there is one for the share to hold."""
    s = tiny(ONE_WORKER, attrition=0.2)
    assert all(c.staff["worker"] >= 1 for c in s.communities)  # the condition holds today
    res = optimize.solve(s, marginal_costs=False)
    assert res.status == "optimal"
    assert res.requirements
    for rr in res.requirements:
        assert rr.planned >= rr.requirement.required - 1e-9, rr.requirement.label
    assert (res.plan.staff["worker"] >= 1 - 1e-9).all()
    # hiring is a cost the plan would rather avoid: it costs more than letting staff go
    assert res.total_cost > optimize.solve(tiny("", attrition=0.2), marginal_costs=False).total_cost
    single = np.array([c.staff["worker"] == 1 for c in s.communities])
    assert single.any() and (res.plan.hires["worker"][single].sum(axis=1) >= 1).all()
