"""Issue 16's outcome conditions and developers' space, issue 14's office share and new
developments: each key validates with its file, line, field and fix, and loads to what the
docs say."""

from __future__ import annotations

import numpy as np
import pytest

from extensions.parking import Parking
from model.extensions import services_of
from scenarios.loader import loads
from scenarios.problems import ScenarioError
from scenarios.schema import DEVELOPER_DELIVERY


def problems(text: str, **kw) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, source="city.toml", **kw)
    return [str(p).strip() for p in info.value.problems]


def with_office(text: str, east: float = 60, west: float = 40) -> str:
    text = text.replace("space_m2 = 150\n", f"space_m2 = 150\noffice_m2 = {east}\n")
    return text.replace("space_m2 = 320\n", f"space_m2 = 320\noffice_m2 = {west}\n")


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


# -- served share --------------------------------------------------------------------------


def test_served_share_loads_as_one_simulated_atom_per_service(minimal_text):
    s = loads(
        minimal_text
        + '\n[[targets]]\nname = "m"\nserved_share_at_least = { mediation = 0.98, health = 0.5 }\nshare = 1.0\n'
    )
    t = s.target("m")
    assert t.evaluated_by == "simulation"
    assert [(a.item, a.constant) for a in t.condition.atoms] == [
        ("served_share:mediation", 0.98),
        ("served_share:health", 0.5),
    ]
    assert t.planned() is None and "m" not in [x.name for x in s.planning().targets]


def test_served_share_names_an_unknown_service_with_its_line(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "m"\nserved_share_at_least = { mediaton = 0.98 }\nshare = 1.0\n'
    line = line_of(text, "served_share_at_least = { mediaton = 0.98 }")
    found = problems(text, services_of=services_of)
    assert len(found) == 1
    assert found[0].startswith(f"line {line}")
    assert "targets.m.served_share_at_least" in found[0] and 'did you mean "mediation"' in found[0]


def test_served_share_of_an_extensions_service_needs_the_extension(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "p"\nserved_share_at_least = { parking = 0.5 }\nshare = 1.0\n'
    assert "a service from an extension needs the extension" in problems(text, services_of=services_of)[0]
    with_ext = text.replace("seed = 1\n", 'seed = 1\nextensions = ["extensions.parking"]\n')
    s = loads(with_ext, services_of=services_of)
    assert Parking.services[0].name == "parking"
    assert s.target("p").condition.atoms[0].item == "served_share:parking"


def test_served_share_out_of_range_is_refused(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "m"\nserved_share_at_least = { mediation = 1.5 }\nshare = 1.0\n'
    found = problems(text)
    assert len(found) == 1 and "mediation: must be between 0 and 1" in found[0]


def test_cobuilding_is_a_simulated_share(minimal_text):
    s = loads(minimal_text + '\n[[targets]]\nname = "co"\ncobuilding_at_least = 0.9\nshare = [0, 0.5, 1]\n')
    t = s.target("co")
    assert t.evaluated_by == "simulation" and t.condition.atoms[0].item == "cobuilding"
    assert "co-building" in t.condition.text
    found = problems(minimal_text + '\n[[targets]]\nname = "co"\ncobuilding_at_least = 2\nshare = 1\n')
    assert "targets.co.cobuilding_at_least = 2: must be between 0 and 1" in found[0]


# -- office share ------------------------------------------------------------------------------


def test_office_share_is_a_per_community_space_bound(minimal_text):
    text = with_office(minimal_text) + '\n[[targets]]\nname = "office"\noffice_share_at_most = 0.15\nshare = 1.0\n'
    s = loads(text)
    atom = s.target("office").condition.atoms[0]
    assert atom.kind == "space" and atom.by_community == pytest.approx((400.0, 40 / 0.15))
    # east: 60 m² office in 150 m² (40 %) fails, west: 40 in 320 (12.5 %) holds
    assert s.target("office").condition.holds(s.initial_stocks()).tolist() == [False, True]
    assert s.target("office").evaluated_by == "plan"
    assert [c.office_m2 for c in s.communities] == [60, 40]


def test_office_share_needs_every_communitys_office_m2(minimal_text):
    text = with_office(minimal_text).replace("office_m2 = 40\n", "")
    text += '\n[[targets]]\nname = "office"\noffice_share_at_most = 0.15\nshare = 1.0\n'
    found = problems(text)
    line = line_of(text, "office_share_at_most = 0.15")
    assert len(found) == 1 and found[0].startswith(f"line {line}")
    assert "1 have none, e.g. west" in found[0] and "add office_m2" in found[0]


def test_office_larger_than_the_space_is_refused(minimal_text):
    text = with_office(minimal_text, east=200)
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(f"line {line_of(text, 'office_m2 = 200')}") and "communities.east.office_m2" in found[0]
    assert "more than the community's space_m2 (150)" in found[0]


def test_office_share_of_zero_or_above_one_is_refused(minimal_text):
    for bad in ("0", "1.2"):
        text = with_office(minimal_text) + f'\n[[targets]]\nname = "o"\noffice_share_at_most = {bad}\nshare = 1\n'
        assert "office_share_at_most" in problems(text)[0]


def test_office_m2_is_a_csv_column(tmp_path, minimal_text):
    csv = tmp_path / "c.csv"
    csv.write_text(
        "id,households,space_m2,office_m2,new_development,key\na,1000,200,30,true,true\nb,900,100,,false,false\n"
    )
    head, tail = minimal_text.split("[[communities]]", 1)
    text = 'communities_csv = "c.csv"\n' + head + "[[targets]]" + tail.split("[[targets]]", 1)[1]
    text += '\n[[targets]]\nname = "o"\noffice_share_at_most = 0.15\nshare = 1\n'
    with pytest.raises(ScenarioError) as info:
        loads(text, source=tmp_path / "s.toml")
    assert "1 have none, e.g. b" in str(info.value)
    csv.write_text(
        "id,households,space_m2,office_m2,new_development,key\na,1000,200,30,true,true\nb,900,100,10,false,false\n"
    )
    s = loads(text, source=tmp_path / "s.toml")
    assert [c.office_m2 for c in s.communities] == [30, 10]
    assert [c.new_development for c in s.communities] == [True, False]
    csv.write_text("id,households,space_m2,office_m2,key\na,1000,200,300,true\nb,900,100,10,false\n")
    with pytest.raises(ScenarioError) as info:
        loads(text, source=tmp_path / "s.toml")
    assert "c.csv" in str(info.value) and "line 2" in str(info.value) and "row 2.office_m2" in str(info.value)


# -- new developments ------------------------------------------------------------------------------


def test_dwellings_go_only_with_a_new_development(minimal_text):
    text = minimal_text.replace("space_m2 = 150\n", "space_m2 = 150\ndwellings = 3000\n")
    found = problems(text)
    assert len(found) == 1 and "goes only with new_development = true" in found[0]
    ok = loads(text.replace("dwellings = 3000\n", "dwellings = 3000\nnew_development = true\n"))
    assert ok.communities[0].dwellings == 3000 and ok.communities[0].new_development


# -- developers' space ------------------------------------------------------------------------------


DEV = '\n[[developer_space]]\ncommunity = "{c}"\nm2 = {m2}\ndue_year = {due}\n'


def test_developer_space_defaults_to_seed_004s_rate_and_is_not_counted(minimal_text):
    s = loads(minimal_text + DEV.format(c="east", m2=300, due=2))
    (d,) = s.developer_space
    assert d.delivery_probability == pytest.approx(8 / 33) == DEVELOPER_DELIVERY
    assert not d.counted
    assert s.developer_m2().sum() == 0
    assert s.developer_m2(counted_only=False).tolist() == [[0, 300, 300], [0, 0, 0]]
    assert "developer_space" in s.to_dict()


def test_developer_space_problems_are_located(minimal_text):
    text = minimal_text + DEV.format(c="esat", m2=-5, due=4) + "delivery_probability = 2\ncolour = 1\n"
    found = problems(text)
    where = {p.split("developer_space[1].")[1].split(" ")[0].rstrip(":") for p in found if "developer_space[1]." in p}
    assert where == {"community", "m2", "due_year", "delivery_probability", "colour"}, found
    assert any("no community has this id; did you mean" in p for p in found)
    assert any("must be a plan year, 1 to 3" in p for p in found)
    line = line_of(text, "m2 = -5")
    assert any(p.startswith(f"line {line}") and ".m2" in p for p in found)


def test_developer_space_must_be_a_list_of_tables(minimal_text):
    found = problems(minimal_text.replace("[scenario]", "developer_space = 3\n[scenario]", 1))
    assert any("[[developer_space]] tables" in p for p in found)


def test_counted_developer_space_joins_the_plans_stock_from_its_due_year(minimal_text):
    s = loads(minimal_text + DEV.format(c="west", m2=120, due=2) + "counted = true\n")
    assert np.array_equal(s.developer_m2(), [[0, 0, 0], [0, 120, 120]])
