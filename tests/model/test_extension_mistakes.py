"""An extension's mistakes are loud: they name the extension, the column or kind, and where."""

from __future__ import annotations

import numpy as np
import pytest

from model.agents import StaffMember
from model.extensions import Extension, ExtensionError, Registry
from model.invariants import check_invariants, invariant_violations
from model.model import CommunityModel
from model.runner import simulate
from scenarios.problems import InputError
from tests.model.conftest import tutorial


def one_per_community(model):
    return np.ones(model.n)


def too_few(model):
    return np.ones(model.n - 1)


def negative(model):
    out = np.ones(model.n)
    out[1] = -2.0
    return out


def not_finite(model):
    return np.full(model.n, np.nan)


def words(model):
    return ["many"] * model.n


def reporting(function):
    class Reporting(Extension):
        name = "reporting"
        reporters = {"counted": function}

    return Reporting()


def step(model, months=1):
    for _ in range(months):
        model.step()
    return model


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (too_few, r"must return one number per community, 10 in all .* shape \(9,\) in month 1"),
        (negative, r"returned -2\.0 for community .* in month 1 .*finite and ≥ 0"),
        (not_finite, r"returned nan for community .* in month 1 .*not finite"),
        (words, r"must return one number per community \(10\); it returned list"),
    ],
)
def test_a_reporter_of_the_wrong_shape_or_with_bad_values_names_the_extension_column_and_function(function, message):
    model = CommunityModel(tutorial(), rng=1, extensions=[reporting(function)])
    with pytest.raises(ExtensionError, match=message) as caught:
        step(model)
    text = str(caught.value)
    assert text.startswith("extension reporting: reporter 'counted' (")
    assert f"test_extension_mistakes.py:{function.__code__.co_firstlineno})" in text
    assert isinstance(caught.value, InputError)  # the command line exits 1 for it


def test_a_good_reporter_passes():
    model = step(CommunityModel(tutorial(), rng=1, extensions=[reporting(one_per_community)]), 3)
    check_invariants(model)


def test_the_invariant_checker_looks_at_extension_columns_of_a_model_and_of_a_result():
    scenario = tutorial()
    model = step(CommunityModel(scenario, rng=1, extensions=[reporting(one_per_community)]), 2)
    j = model.recorder.columns.index("counted")
    model.recorder.months[1][0, j] = -1.0
    model.recorder.months[0][1, j] = np.inf
    problems = invariant_violations(model)
    assert any(p.startswith("extension column counted < 0: month 2") for p in problems), problems
    assert any(p.startswith("extension column counted is not finite: month 1") for p in problems), problems

    result = simulate(scenario, replications=1, seed=3, extensions=[reporting(one_per_community)])
    check_invariants(result, scenario)
    result.replications[0].timeseries[4, 0, result.columns.index("counted") - 3] = -0.5
    for given in (scenario, None):  # with the scenario, or inferred after the core's columns
        assert any("extension column counted < 0: month 5" in p for p in invariant_violations(result, given))


class Clerk(StaffMember):
    pass


class Misnamed(Extension):
    name = "misnamed"
    staff_classes = {"comunity_worker": Clerk}


def test_a_staff_kind_the_scenario_does_not_declare_is_an_error_naming_it_and_the_declared_ones():
    scenario = tutorial()
    declared = ", ".join(scenario.staff)
    with pytest.raises(ExtensionError) as caught:
        CommunityModel(scenario, rng=1, extensions=[Misnamed()])
    text = str(caught.value)
    assert "extension misnamed (" in text and "test_extension_mistakes.py:" in text
    assert "staff_classes names staff kind 'comunity_worker', which the scenario does not declare" in text
    assert f"(it declares: {declared})" in text and 'did you mean "community_worker"?' in text
    with pytest.raises(ExtensionError, match="comunity_worker"):
        Registry.for_scenario(scenario, [Misnamed()])
