"""Extensions join the model through declared points, keep its invariants and its reproducibility."""

from __future__ import annotations

import numpy as np
import pytest

from extensions.parking import Parking, PropertyManager
from model.extensions import Extension, ExtensionError, Registry, Service, services_of
from model.invariants import InvariantError, check_invariants
from model.model import CommunityModel
from model.plan import PlanSchedule
from model.runner import simulate, timeseries_text, write_simulation
from scenarios.loader import load, loads
from scenarios.problems import ScenarioError
from tests.extensions.conftest import CAR_PARK, TUTORIAL, VILLAGE, parking_city, tutorial_text, village_city
from tests.extensions.village import EldersAssociation, GridWorker, Overserving, VillageOrigin


def run(scenario, plan=None, seed=1, **kw):
    model = CommunityModel(scenario, plan, rng=seed, **kw)
    while model.running:
        model.step()
    table = model.recorder.table()
    return model, {c: table[:, :, j] for j, c in enumerate(model.recorder.columns)}


class VillageModel(CommunityModel):
    """The second extension applied by a model subclass (what a researcher passes to the runner)."""

    extensions = (VillageOrigin(),)


# -- parking ----------------------------------------------------------------------------


def test_a_scenario_naming_the_parking_extension_gets_its_demand_served_and_reporter_columns(tmp_path):
    scenario = parking_city()
    assert scenario.extensions == ("extensions.parking",)
    result = simulate(scenario, replications=2, seed=3)
    write_simulation(result, scenario, tmp_path)
    head = (tmp_path / "timeseries.csv").read_text().splitlines()[0].split(",")
    assert {"demand_parking", "served_parking", "car_owners", "has_car_park"} <= set(head)
    assert head.index("demand_parking") == head.index("demand_culture") + 1  # services first, reporters last
    assert head[-1] == "car_owners"
    check_invariants(result, scenario)
    model, col = run(scenario)
    check_invariants(model)
    assert col["demand_parking"].sum() > 0 and 0 < col["served_parking"].sum() < col["demand_parking"].sum()
    assert (col["car_owners"][-1] > col["car_owners"][0]).all()  # households buy cars each year
    assert "owns_car" in model.households.cols
    managers = [o for o in model.organisations if o.kind == "property_manager"]
    assert managers and all(isinstance(o, PropertyManager) for o in managers)


def test_car_parks_the_plan_opens_serve_parking():
    scenario = parking_city("construction_lag_months = 0.0\nproject_deferral_share = 0.0\n")
    quo = run(scenario)[1]
    plan = PlanSchedule.from_arrays(scenario, opened={"car_park": np.array([[1, 0, 0]] * 10)})
    model, built = run(scenario, plan)
    assert built["has_car_park"][-1].all()
    assert built["served_parking"][-12:].sum() > quo["served_parking"][-12:].sum() + 100 * 10 * 12
    check_invariants(model)


def test_without_an_extension_parking_is_not_a_service_and_the_output_is_the_core_model():
    plain = loads(TUTORIAL)
    with_parking = parking_city()
    assert "demand_parking" not in CommunityModel(plain, rng=1).recorder.columns
    assert "demand_parking" in CommunityModel(with_parking, rng=1).recorder.columns
    a = timeseries_text(simulate(plain, seed=5))
    b = timeseries_text(simulate(plain, seed=5, extensions=[]))
    assert a == b


def test_same_seed_gives_identical_bytes_with_extensions_in_one_or_two_processes():
    scenario = parking_city()
    one = timeseries_text(simulate(scenario, replications=2, seed=11))
    two = timeseries_text(simulate(scenario, replications=2, seed=11, processes=2))
    assert one == two
    village = loads(tutorial_text([], VILLAGE))
    one = timeseries_text(simulate(village, replications=2, seed=11, model_class=VillageModel))
    two = timeseries_text(simulate(village, replications=2, seed=11, model_class=VillageModel, processes=2))
    three = timeseries_text(
        simulate(village, replications=2, seed=11, extensions=["tests.extensions.village"], processes=2)
    )
    assert one == two == three
    assert "demand_legal_aid" in one.splitlines()[0]


# -- a second, different extension -------------------------------------------------------


def test_the_village_extension_adds_a_flag_a_rule_a_service_a_staff_class_and_an_organisation_kind():
    scenario = village_city()
    hires = {"grid_worker": np.ones((10, 3))}
    plan = PlanSchedule.from_arrays(
        scenario, hires=hires, opened={"legal_office": np.array([[1, 0, 0]] * 5 + [[0, 0, 0]] * 5)}
    )
    model, col = run(scenario, plan)
    check_invariants(model)
    h = model.households
    village = h.village_origin
    assert 0 < village.mean() < 0.5
    q = scenario.community_ids.index("qingnian")  # the tutorial's village-to-residence community
    assert col["village_origin"][-1, q] / col["households"][-1, q] > 0.7
    grid = [a for a in model.staff if a.kind == "grid_worker"]
    assert grid and all(isinstance(a, GridWorker) for a in grid)
    assert all(a.hours == pytest.approx(0.5 * model.p.staff_service_hours * a.skill) for a in grid)
    assert col["hires_grid_worker"].sum() >= 30  # one post a year in each community, refilled after exits
    assert any(isinstance(o, EldersAssociation) for o in model.organisations)
    assert col["demand_legal_aid"].sum() > 0
    # staff serve legal aid at full speed only with a legal office
    share = lambda cols: col["served_legal_aid"][:, cols].sum() / col["demand_legal_aid"][:, cols].sum()  # noqa: E731
    assert share(slice(0, 5)) >= share(slice(5, 10)) > 0


def test_village_origin_lowers_participation_below_the_core_model():
    base = run(loads(tutorial_text([], VILLAGE)), seed=4)[1]
    village = run(village_city(), seed=4)[1]
    q = 7  # qingnian
    assert village["participation"][:, q].mean() < 0.8 * base["participation"][:, q].mean()


def test_the_invariant_checker_passes_on_both_extensions_together_and_with_several_replications():
    text = tutorial_text(["tests.extensions.village", "extensions.parking"], VILLAGE + CAR_PARK)
    scenario = loads(text)
    result = simulate(scenario, replications=3, seed=2)
    check_invariants(result, scenario)
    assert {"demand_parking", "demand_legal_aid", "car_owners", "village_origin"} <= set(result.columns)


# -- what the checker catches -------------------------------------------------------------


def test_a_broken_extension_serving_more_than_demand_is_caught():
    scenario = parking_city()
    model, _ = run(scenario, extensions=[Overserving()])
    with pytest.raises(InvariantError, match="served > demand for parking"):
        check_invariants(model)
    result = simulate(scenario, seed=1, extensions=[Overserving()])
    with pytest.raises(InvariantError, match="served > demand for parking"):
        check_invariants(result)


def test_staff_added_behind_the_models_back_break_the_staff_balance():
    class Poaching(Extension):
        def end_month(self, model):
            if model.month == 5:
                next(iter(model.staff)).remove()  # not StaffMember.leave: no exit recorded

    model, _ = run(loads(TUTORIAL), extensions=[Poaching()])
    with pytest.raises(InvariantError, match="staff agents of kind community_worker"):
        check_invariants(model)


# -- registration and errors ------------------------------------------------------------


def test_a_scenario_may_set_an_extension_services_rates_only_when_it_names_the_extension():
    assert parking_city("demand_rate = { parking = 0.2 }\n").simulation.demand_rate["parking"] == 0.2
    with pytest.raises(ScenarioError, match="not a service type"):
        loads(tutorial_text([], CAR_PARK, "demand_rate = { parking = 0.2 }\n"))


def test_an_extension_that_cannot_be_imported_is_a_problem_with_its_line():
    with pytest.raises(ScenarioError, match=r"line 12 .*cannot import extension module 'extensions.nowhere'"):
        loads(tutorial_text(["extensions.nowhere"]))
    with pytest.raises(ScenarioError, match="has no 'extension'"):
        loads(tutorial_text(["model.plan"]), services_of=services_of)


def test_the_resolved_scenario_keeps_its_extensions():
    scenario = parking_city()
    assert scenario.to_dict()["scenario"]["extensions"] == ["extensions.parking"]
    assert "extensions" not in loads(TUTORIAL).to_dict()["scenario"]


def test_clashes_are_errors_and_the_same_extension_twice_is_applied_once():
    class Twice(Extension):
        services = (Service("admin", 0.1),)

    with pytest.raises(ExtensionError, match="already declared"):
        Registry([Twice()])
    registry = Registry.for_scenario(parking_city(), [Parking(), Parking])
    assert [e.name for e in registry.extensions] == ["parking"]
    assert registry.service_names[-1] == "parking"


def test_the_command_line_simulates_a_scenario_naming_an_extension(tmp_path):
    from commplan.cli import main

    path = tmp_path / "parking.toml"
    path.write_text(tutorial_text(["extensions.parking"], CAR_PARK), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["--quiet", "simulate", str(path), "--out", str(out), "--replications", "2", "--seed", "1"]) == 0
    head = (out / "timeseries.csv").read_text().splitlines()[0]
    assert "demand_parking" in head and "served_parking" in head
    assert load(out / "scenario.toml").extensions == ("extensions.parking",)  # the run folder reproduces it
