"""Inputs read with suspicion (issue 10): every number within a documented plausibility limit,
files that are regular and not too large, a communities CSV read strictly and never echoed
when it is not one. Each test names the behaviour it replaces."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from commplan.cli import main
from scenarios import limits as L
from scenarios.fields import COSTS, FACILITY, STAFF
from scenarios.loader import bundled_scenarios, load, loads
from scenarios.problems import ScenarioError

from ..conftest import MINIMAL


def problems(text: str, source: str | Path = "city.toml") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, source=source)
    return [str(p).strip() for p in info.value.problems]


def without_communities(text: str) -> str:
    head = text.split("[[communities]]")[0]
    return head + "[[targets]]" + text.split("[[targets]]", 1)[1]


def validate(path: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(path)])
    return code, capsys.readouterr().err


# ---------------------------------------------------------------------- plausibility limits


def test_costs_beyond_the_money_limit_are_refused_with_line_and_reason():
    """Was: accepted by validate; `plan` exited 3 ("a bug") and left a manifest with status error."""
    text = MINIMAL.replace("average_wage = 50000", "average_wage = 1e308").replace(
        "space_build_per_m2 = 2500", "space_build_per_m2 = 1e300"
    )
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith("line 7    costs.average_wage = 1e+308: must be at most 1e+12 (above any unit cost")
    assert found[1].startswith("line 8    costs.space_build_per_m2 = 1e+300: must be at most 1e+12")


def test_plan_with_an_absurd_cost_exits_1_and_leaves_no_manifest(tmp_path, capsys):
    bad = tmp_path / "city.toml"
    bad.write_text(MINIMAL.replace("space_build_per_m2 = 2500", "space_build_per_m2 = 1e300"))
    out = tmp_path / "out"
    assert main(["plan", str(bad), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "space_build_per_m2 = 1e+300: must be at most 1e+12" in err and "Traceback" not in err
    assert not (out / "manifest.json").exists()


def test_households_beyond_the_limit_are_refused_before_anything_is_allocated():
    """Was: accepted; the simulation tried to allocate 15 GiB for 2,000,000,000 households."""
    text = MINIMAL.replace("households = 800", "households = 2000000000")
    assert problems(text) == [
        "line 31   communities.west.households = 2000000000: must be at most 100,000 "
        f"({L.HOUSEHOLDS.reason}); is it in the right unit?"
    ]


def test_growth_beyond_the_limit_and_growth_that_outgrows_a_community_are_refused():
    """Was: household_growth = 100 accepted (households × 101 a year)."""
    text = MINIMAL.replace("households = 800", "households = 800\nhousehold_growth = 100")
    assert problems(text)[0].startswith("line 32   communities.west.household_growth = 100: must be at most 1 (")
    grows = MINIMAL.replace("households = 800", "households = 90000\nhousehold_growth = 0.5")
    assert problems(grows) == [
        "line 32   communities.west.household_growth = 0.5: grows the community's 90,000 households to 135,000 "
        f"by plan year 1; a community holds at most 100,000 households ({L.HOUSEHOLDS.reason})"
    ]


def test_a_city_beyond_the_households_limit_is_refused():
    text = without_communities(MINIMAL) + textwrap.dedent(
        """
        [generate]
        communities = 300
        households_mean = 90000
        households_min = 80000
        households_max = 100000
        keys = 1
        """
    )
    found = problems(text)
    assert (
        len(found) == 1
        and "the city holds 2" in found[0]
        and "households in plan year 0; at most 20,000,000" in found[0]
    )


def test_more_than_100000_inline_communities_are_refused_before_parsing():
    """Was: 1,022,233 inline communities passed validation (59 s, 2.5 GB); the cap held only for [generate]."""
    cap = int(L.COMMUNITIES.value)
    body = "".join(f'[[communities]]\nid = "c{i}"\nhouseholds = 1\n' for i in range(cap + 1))
    text = without_communities(MINIMAL).replace("[[targets]]", body + "[[targets]]", 1)
    found = problems(text)
    line = text.splitlines().index("[[communities]]") + 1 + 3 * cap + 2  # the 100,001st households = …
    assert found == [f"line {line:<4} {found[0].split(maxsplit=2)[2]}"]
    assert "more than 100,000 communities; at most 100,000" in found[0]


def test_more_than_100000_communities_in_one_array_are_refused_before_parsing():
    cap = int(L.COMMUNITIES.value)
    items = ", ".join(f'{{ id = "c{i}", households = 1 }}' for i in range(cap + 1))
    text = f"communities = [{items}]\n" + without_communities(MINIMAL)
    found = problems(text)
    assert len(found) == 1 and "more than 100,000 communities" in found[0]


def test_more_than_100000_csv_rows_are_refused(tmp_path):
    cap = int(L.COMMUNITIES.value)
    rows = "".join(f"c{i},1\n" for i in range(cap + 1))
    (tmp_path / "list.csv").write_text("id,households\n" + rows)
    text = 'communities_csv = "list.csv"\n' + without_communities(MINIMAL).replace("keys_by = 1", "share = 1.0")
    found = problems(text, tmp_path / "city.toml")
    assert found == [f"line {cap + 2:<4} {found[0].split(maxsplit=2)[2]}"]
    assert "more than 100,000 communities" in found[0]


def test_names_and_titles_beyond_their_length_are_refused():
    """Was: a 300-character name failed at writing ("file name too long", exit 3); a 1,000,000-character title failed drawing."""
    long_name = MINIMAL.replace('name = "mini"', f'name = "{"n" * 300}"')
    assert problems(long_name)[0].endswith(f"has 300 characters; at most 64 ({L.NAME_LENGTH.reason})")
    long_title = MINIMAL.replace('name = "mini"', f'name = "mini"\ntitle = "{"T" * 1_000_000}"')
    found = problems(long_title)
    assert len(found) == 1 and found[0].endswith(f"has 1,000,000 characters; at most 200 ({L.TEXT_LENGTH.reason})")
    assert len(found[0]) < 400  # the title is not reprinted


def test_arrays_nested_2000_deep_are_a_located_problem():
    """Was: RecursionError, a traceback."""
    text = MINIMAL + "\n[simulation]\ndemand_rate = " + "[" * 2000 + "]" * 2000 + "\n"
    line = text.count("\n", 0, text.index("demand_rate")) + 1
    assert problems(text) == [
        f"line {line:<4} tables and lists nested more than 20 deep; {L.NESTING.reason}. "
        "Look for a run of unclosed [ or { brackets"
    ]
    dotted = MINIMAL + "\n[simulation]\n" + ".".join(["a"] * 300) + " = 1\n"
    assert "nested more than 20 deep" in problems(dotted)[0]


def test_integers_beyond_python_limits_are_problems_not_tracebacks():
    """Was: ValueError (more than 4,300 digits) and OverflowError (an int too large for a float)."""
    digits = MINIMAL.replace("households = 800", "households = " + "9" * 5000)
    assert problems(digits)[0].startswith("not valid TOML: Exceeds the limit (4300 digits)")
    huge = MINIMAL.replace("average_wage = 50000", "average_wage = 1" + "0" * 400)
    (found,) = problems(huge)
    assert found.startswith("line 7    costs.average_wage = 10000") and found.endswith("…: must be a number")


def test_sum_of_plausible_maxima_stays_finite_and_within_the_solvers_coefficients():
    money = max(
        k.high
        for k in (*COSTS, *FACILITY, *STAFF)
        if k.name not in ("discount_rate", "attrition", "space_m2", "funded_by", "hours_per_month")
    )
    pay = max(k.high for k in STAFF if "pay" in k.name)
    years = L.YEARS.value
    largest_coefficient = money + years * pay * money  # a hire: its cost plus its pay in every later year
    assert largest_coefficient < 1e15  # HiGHS refuses a larger coefficient
    per_community_year = money * (L.SPACE.value * 2 + L.KINDS.value * 2 + L.STAFF.value * (1 + pay))
    everything = per_community_year * L.COMMUNITIES.value * years
    assert math.isfinite(everything) and everything < 1e40


def test_a_scenario_at_every_money_limit_plans_without_error():
    import optimize

    text = textwrap.dedent(
        """
        [scenario]
        name = "maxed"
        years = 10
        [costs]
        average_wage = 1e12
        space_build_per_m2 = 1e12
        space_running_per_m2 = 1e12
        space_project_fixed = 1e12
        [facilities.one_stop]
        build = 1e12
        running = 1e12
        space_m2 = 1000000
        [staff.community_worker]
        hire = 1e12
        base_pay_share = 10
        [[communities]]
        id = "east"
        households = 100000
        key = true
        [[communities]]
        id = "west"
        households = 100000
        space_m2 = 1000000
        facilities = ["one_stop"]
        staff = { community_worker = 100000 }
        [[targets]]
        name = "space"
        space_at_least = 1000000
        share = 1.0
        [[targets]]
        name = "one-stop"
        has = "one_stop"
        keys_by = 1
        [[targets]]
        name = "workers"
        staff_per_households = { community_worker = 1 }
        share = 1.0
        """
    )
    result = optimize.solve(loads(text), marginal_costs=False)
    assert result.status == "optimal" and math.isfinite(result.total_cost)


# ---------------------------------------------------------------------- files


def run_validate(path: Path, cwd: Path) -> subprocess.CompletedProcess:
    """`commplan validate` in a child process: a hang fails the test instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "commplan", "validate", str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_the_scenario_is_refused_at_once(tmp_path):
    """Was: validate hung forever reading the pipe."""
    fifo = tmp_path / "city.toml"
    os.mkfifo(fifo)
    done = run_validate(fifo, tmp_path)
    assert done.returncode == 1
    assert "is a pipe (FIFO), not a regular file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_as_the_communities_csv_is_refused_at_once(tmp_path):
    """Was: communities_csv = "/dev/zero" read 3.9 GB before failing."""
    (tmp_path / "city.toml").write_text('communities_csv = "/dev/zero"\n' + without_communities(MINIMAL))
    done = run_validate(tmp_path / "city.toml", tmp_path)
    assert done.returncode == 1
    assert 'communities_csv = "/dev/zero": is a device, not a regular file' in done.stderr


def test_a_folder_as_the_scenario_is_refused(tmp_path, capsys):
    (tmp_path / "city.toml").mkdir()
    code, err = validate(tmp_path / "city.toml", capsys)
    assert code == 1 and "is a folder, not" in err


def test_oversize_files_are_refused_saying_the_limit(tmp_path, capsys):
    big = tmp_path / "big.toml"
    with big.open("wb") as f:
        f.truncate(int(L.SCENARIO_BYTES.value) + 1)  # sparse: no disk used
    code, err = validate(big, capsys)
    assert code == 1 and "larger than the 50 MB an input may be" in err
    csv_big = tmp_path / "list.csv"
    with csv_big.open("wb") as f:
        f.truncate(int(L.CSV_BYTES.value) + 1)
    text = 'communities_csv = "list.csv"\n' + without_communities(MINIMAL)
    found = problems(text, tmp_path / "city.toml")
    assert len(found) == 1 and "larger than the 200 MB an input may be" in found[0]


def test_a_file_that_is_not_a_communities_table_is_never_shown(tmp_path, capsys):
    """Was: communities_csv = "/etc/shadow" printed the file's first line in the error."""
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRETHASH$xyz:19000:0:99999:7:::\nalice:$6$OTHERSECRET:19000::::::\n")
    (tmp_path / "city.toml").write_text(f'communities_csv = "{secret}"\n' + without_communities(MINIMAL))
    code, err = validate(tmp_path / "city.toml", capsys)
    assert code == 1
    assert "is not a communities table" in err and "the file's content is not shown" in err
    assert "SECRET" not in err and "19000" not in err and "alice" not in err
    csv_secret = tmp_path / "keys.csv"
    csv_secret.write_text("user,token\nbob,SECRETTOKEN\n")
    (tmp_path / "city.toml").write_text('communities_csv = "keys.csv"\n' + without_communities(MINIMAL))
    code, err = validate(tmp_path / "city.toml", capsys)
    assert code == 1 and "SECRETTOKEN" not in err and "token" not in err and "bob" not in err


# ---------------------------------------------------------------------- byte-order marks and cells


def csv_city(tmp_path: Path, data: bytes) -> str:
    (tmp_path / "list.csv").write_bytes(data)
    return 'communities_csv = "list.csv"\n' + without_communities(MINIMAL)


GOOD_CSV = b"id,households,space_m2,key,facilities,staff_community_worker\neast,1200,150,true,,2\nwest,800,320,false,one_stop,3\n"


def test_a_csv_with_a_byte_order_mark_loads_like_one_without(tmp_path):
    """Was: "\\ufeffid: unknown column" for Excel's "CSV UTF-8"."""
    with_bom = loads(csv_city(tmp_path, b"\xef\xbb\xbf" + GOOD_CSV), source=tmp_path / "city.toml")
    assert with_bom.communities == loads(MINIMAL).communities


def test_a_scenario_with_a_byte_order_mark_loads(tmp_path):
    """Was: "not valid TOML: Invalid statement" at line 1."""
    path = tmp_path / "city.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"))
    assert load(path) == loads(MINIMAL)
    assert loads("\ufeff" + MINIMAL) == loads(MINIMAL)


def test_csv_rows_with_extra_or_missing_cells_are_refused_with_their_line(tmp_path):
    """Was: extra cells silently dropped, missing cells taken as empty."""
    data = GOOD_CSV.replace(b"east,1200,150,true,,2", b"east,1200,150,true,,2,9").replace(
        b"west,800,320,false,one_stop,3", b"west,800,320,false,one_stop"
    )
    found = problems(csv_city(tmp_path, data), tmp_path / "city.toml")
    assert found == [
        "line 2    row 2: has 7 cells but the header has 6 columns; remove the extra cells, or quote a value that holds a comma",
        "line 3    row 3: has 5 cells but the header has 6 columns; give every column a cell, left empty where the default applies",
    ]


def test_a_report_of_many_problems_is_capped_and_counts_the_rest(tmp_path):
    rows = b"".join(b"c%d,-1\n" % i for i in range(500))
    (tmp_path / "list.csv").write_bytes(b"id,households\n" + rows)
    text = 'communities_csv = "list.csv"\n' + without_communities(MINIMAL).replace("keys_by = 1", "share = 1.0")
    with pytest.raises(ScenarioError) as info:
        loads(text, source=tmp_path / "city.toml")
    report = str(info.value)
    assert "has 500 problems:" in report and "… and 400 more problems of the same file" in report
    assert report.count("\n") < 110


def test_every_bundled_scenario_stays_within_the_limits():
    for name in bundled_scenarios():
        load(name)


def test_more_targets_kinds_or_tables_than_any_scenario_holds_are_refused():
    many_targets = MINIMAL + "".join(
        f'\n[[targets]]\nname = "t{i}"\nspace_at_least = 1\nshare = 0.5\n' for i in range(1001)
    )
    (found,) = problems(many_targets)
    assert "1,003 targets; at most 1,000" in found
    kinds = "".join(f"\n[facilities.f{i}]\nbuild = 1\nrunning = 1\n" for i in range(101))
    found = problems(MINIMAL.replace("[staff.community_worker]", kinds + "\n[staff.community_worker]"))
    assert any("declares 102 kinds; at most 100" in p for p in found)
    tables = MINIMAL + "".join(f"\n[x{i}]" for i in range(101_300))
    (found,) = problems(tables)
    assert "more than 101,220 tables" in found


def test_a_city_with_more_staff_today_than_the_limit_is_refused():
    many = without_communities(MINIMAL).replace(
        "[[targets]]",
        "".join(
            f'[[communities]]\nid = "c{i}"\nhouseholds = 100000\nstaff = {{ community_worker = 100000 }}\n\n'
            for i in range(11)
        )
        + "[[targets]]",
        1,
    )
    found = problems(many.replace("keys_by = 1", "share = 1.0"))
    assert len(found) == 1
    assert found[0].endswith(
        f"the city has 1,100,000 community_worker staff today; at most 1,000,000 of a kind ({L.CITY_STAFF.reason})"
    )


def test_a_plan_whose_hires_outgrow_the_city_staff_limit_is_refused(tmp_path):
    """Hires within the yearly limit may still pile up: a plan.csv that would simulate
    more than a million staff of a kind is refused (each is an agent of the simulation)."""
    from scenarios.plan_file import PlanFileError, read_plan_csv

    s = loads(
        MINIMAL.replace("years = 3", "years = 10")
        .replace("pay_share = [0.7, 0.85, 1.0]", "pay_share = 0.7")
        .replace("share = [0.5, 0.5, 1.0]", "share = 0.5")
    )
    lines = ["community,year,space_added_m2,open_one_stop,hire_community_worker"]
    for cid in s.community_ids:
        lines += [f"{cid},{t},0,0,{100000 if cid == 'east' else 0}" for t in range(1, 11)]
    (tmp_path / "plan.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(PlanFileError) as err:
        read_plan_csv(tmp_path / "plan.csv", s)
    assert "the hires bring the city's community_worker staff to 1,000,005 in year 10; at most 1,000,000" in str(
        err.value
    )


def test_a_csv_header_of_a_million_columns_is_refused_at_once(tmp_path):
    header = "id,households," + ",".join(f"staff_k{i}" for i in range(1_000_000))
    (tmp_path / "list.csv").write_text(header + "\n")
    text = 'communities_csv = "list.csv"\n' + without_communities(MINIMAL)
    (found,) = problems(text, tmp_path / "city.toml")
    assert "the header has 1,000,002 columns; a communities table has at most 116" in found
