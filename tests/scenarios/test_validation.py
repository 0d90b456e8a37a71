"""Bad input: every problem reported at once, each with its line, field, value and fix."""

from __future__ import annotations

import pytest

from scenarios.loader import loads
from scenarios.problems import ScenarioError


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, source="city.toml")
    return [str(p).strip() for p in info.value.problems]


def without_communities(text: str) -> str:
    head = text.split("[[communities]]")[0]
    return head + "[[targets]]" + text.split("[[targets]]", 1)[1]


def test_top_level_key_after_a_table_is_explained(minimal_text):
    moved = without_communities(minimal_text) + 'communities_csv = "x.csv"\n'
    assert problems(moved)[:1] == [
        "line 1    give exactly one of [[communities]], communities_csv or [generate] (found none of them)"
    ]
    assert "top-level keys go before the first [table]" in problems(moved)[1]


def test_minimal_scenario_loads(minimal_text):
    s = loads(minimal_text)
    assert [c.id for c in s.communities] == ["east", "west"]
    assert s.keys == ["east"]


def test_report_names_the_file_and_counts_problems(minimal_text):
    text = minimal_text.replace("years = 3", "years = 0").replace('id = "west"', 'id = "east"')
    with pytest.raises(ScenarioError) as info:
        loads(text, source="city.toml")
    report = str(info.value)
    assert report.splitlines()[0] == "city.toml has 2 problems:"


def test_unknown_key_suggests_the_closest(minimal_text):
    text = minimal_text.replace("seed = 1", "seeds = 1")
    assert problems(text) == ['line 4    scenario.seeds: unknown key; did you mean "seed"?']


def test_unknown_table_suggests_the_closest(minimal_text):
    assert problems(minimal_text + "\n[budjet]\ntotal = 5\n") == [
        'line 46   budjet: unknown table; did you mean "budget"?'
    ]


def test_misspelt_facility_in_a_target_suggests_the_known_kind(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "ec"\nhas = "elderly_center"\ncount = [1, 1, 1]\n'
    assert problems(text) == [
        'line 48   targets.ec.has = "elderly_center": not a declared facility kind; '
        'did you mean "elderly_centre"? (declare it with a [facilities.elderly_centre] table)'
    ]


def test_misspelt_staff_kind_in_a_community_suggests_the_declared_kind(minimal_text):
    text = minimal_text.replace("staff = { community_worker = 3 }", "staff = { comunity_worker = 3 }")
    assert problems(text) == [
        'line 34   communities.west.staff = "comunity_worker": not a declared staff kind; did you mean "community_worker"?'
    ]


def test_standard_naming_a_missing_target(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "std"\nstandard = ["space-200", "one-stp"]\nshare = 0.5\n'
    assert problems(text) == [
        'line 48   targets.std.standard = "one-stp": no target has this name; did you mean "one-stop"?'
    ]


def test_standard_that_refers_back_to_itself(minimal_text):
    text = (
        minimal_text
        + '\n[[targets]]\nname = "a"\nstandard = ["b"]\nshare = 0.5\n\n[[targets]]\nname = "b"\nstandard = ["a"]\nshare = 0.5\n'
    )
    assert problems(text) == [
        'line 48   targets.a.standard = ["b"]: refers back to itself through other standards',
        'line 53   targets.b.standard = ["a"]: refers back to itself through other standards',
    ]


def test_per_year_list_of_the_wrong_length(minimal_text):
    text = minimal_text.replace("pay_share = [0.7, 0.85, 1.0]", "pay_share = [0.7, 0.85]")
    assert problems(text) == [
        "line 20   staff.community_worker.pay_share = [0.7, 0.85]: has 2 entries but the plan has 3 years: "
        "give one per year, or a single number for every year"
    ]


def test_share_outside_zero_one(minimal_text):
    text = minimal_text.replace("share = [0.5, 0.5, 1.0]", "share = [0.5, 1.3, 1.0]")
    assert problems(text) == ["line 39   targets.space-200.share = [0.5, 1.3, 1.0]: must be between 0 and 1 (not 1.3)"]


def test_negative_households_and_costs(minimal_text):
    text = minimal_text.replace("households = 800", "households = -800").replace(
        "average_wage = 50000", "average_wage = -1"
    )
    assert problems(text) == [
        "line 7    costs.average_wage = -1: must be ≥ 0",
        "line 31   communities.west.households = -800: must be ≥ 0",
    ]


def test_duplicate_community_ids(minimal_text):
    text = minimal_text.replace('id = "west"', 'id = "east"')
    assert problems(text) == [
        'line 30   communities.east.id = "east": another community has this id; ids must be unique'
    ]


def test_missing_required_key_says_what_to_add(minimal_text):
    text = minimal_text.replace("average_wage = 50000\n", "")
    assert problems(text) == [
        "line 6    costs: average_wage is required: add average_wage = … (local average urban wage per year; staff pay is a share of it)"
    ]


def test_whole_number_written_as_a_decimal(minimal_text):
    text = minimal_text.replace("years = 3", "years = 3.0")
    assert problems(text) == ["line 3    scenario.years = 3.0: must be a whole number: write 3"]


def test_target_without_requirement_and_with_two_conditions(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "odd"\nspace_at_least = 100\nhas = "one_stop"\n'
    assert problems(text) == [
        "line 46   targets.odd: needs exactly one condition key, one of space_at_least, space_per_100_households, "
        "has, staff_per_households, staff_at_least, satisfied_at_least, organisations_at_least, "
        "participation_at_least, funds_at_least, trained_at_least, served_share_at_least, staff_hours_at_least, "
        "cobuilding_at_least, office_share_at_most, standard, city_staff, city_average (found space_at_least, has)",
        "line 46   targets.odd: needs a requirement: one or more of share, keys_by, count, at_least",
    ]


def test_count_only_with_has(minimal_text):
    text = minimal_text.replace("share = [0.5, 0.5, 1.0]", "count = [1, 1, 1]")
    assert problems(text) == ['line 39   targets.space-200.count = [1, 1, 1]: count goes only with has = "<facility>"']


def test_keys_by_beyond_the_plan(minimal_text):
    text = minimal_text.replace("keys_by = 1", "keys_by = 4")
    assert problems(text) == ["line 44   targets.one-stop.keys_by = 4: must be a plan year, 1 to 3"]


def test_city_staff_needs_at_least(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "city"\ncity_staff = "community_worker"\nshare = 0.5\n'
    assert problems(text) == [
        'line 48   targets.city.city_staff = "community_worker": city_staff and at_least go together, and with no other requirement',
        "line 49   targets.city.share = 0.5: a city-wide target takes only at_least",
    ]


def test_invalid_toml_reports_its_line(minimal_text):
    text = minimal_text.replace("households = 800", "households = ")
    assert problems(text) == ["line 31   not valid TOML: Invalid value"]


def test_unknown_simulation_parameter_and_service(minimal_text):
    text = minimal_text + "\n[simulation]\nexit_hazzard = 0.02\ndemand_rate = { elderly = 0.5 }\n"
    assert problems(text) == [
        'line 47   simulation.exit_hazzard: unknown key; did you mean "exit_hazard"?',
        'line 48   simulation.demand_rate = "elderly": not a service type; did you mean "elderly_care"?',
    ]


def test_two_sources_of_communities(minimal_text):
    text = minimal_text + "\n[generate]\ncommunities = 5\n"
    assert problems(text) == [
        "line 46   generate: give exactly one of [[communities]], communities_csv or [generate] (found communities and generate)"
    ]


def test_csv_problems_name_the_csv_file_and_row(tmp_path, minimal_text):
    (tmp_path / "list.csv").write_text(
        "id,households,space_m2,staff_community_worker,colour\nn1,1000,100,2,red\nn2,-5,abc,1,blue\n"
    )
    text = 'communities_csv = "list.csv"\n' + without_communities(minimal_text).replace("keys_by = 1", "share = 1.0")
    (tmp_path / "city.toml").write_text(text)
    with pytest.raises(ScenarioError) as info:
        loads(text, source=tmp_path / "city.toml")
    shown = [(p.file.endswith("list.csv"), p.line, p.field, p.message) for p in info.value.problems]
    assert shown == [
        (
            True,
            1,
            "colour",
            'unknown column; expected one of "dwellings", "elderly_share", "facilities", "household_growth", '
            '"household_size", "households", "id", "key", "lat", "lon", "max_space_added_m2", "name", '
            '"new_development", "office_m2", "space_m2", "staff_<kind>", "village_to_residence"',
        ),
        (True, 3, "row 3.households", "must be ≥ 0"),
        (True, 3, "row 3.space_m2", "must be a number"),
    ]


def test_csv_communities_load_like_inline_ones(tmp_path, minimal_text):
    (tmp_path / "list.csv").write_text(
        "id,households,space_m2,key,facilities,staff_community_worker\neast,1200,150,true,,2\nwest,800,320,false,one_stop,3\n"
    )
    text = 'communities_csv = "list.csv"\n' + without_communities(minimal_text)
    from_csv = loads(text, source=tmp_path / "city.toml")
    assert from_csv.communities == loads(minimal_text).communities


def test_csv_ids_stay_text_and_keys_may_be_written_as_numbers(tmp_path, minimal_text):
    (tmp_path / "list.csv").write_text(
        "id,households,space_m2,key,facilities,staff_community_worker\n001,1200,150,1,,2\n102,800,320,0,one_stop,3\n"
    )
    text = 'communities_csv = "list.csv"\n' + without_communities(minimal_text)
    s = loads(text, source=tmp_path / "city.toml")
    assert [(c.id, c.key) for c in s.communities] == [("001", True), ("102", False)]
