"""Issue 14's small points on the command line: the answer under --quiet, help that describes options,
the way out of a budget too small for min-cost, and no "did you mean" that repeats the name."""

from __future__ import annotations

import pytest

from commplan.cli import build_parser, main
from scenarios.loader import loads
from scenarios.problems import ScenarioError


def test_quiet_keeps_standard_output_empty_but_still_gives_the_result(tmp_path, capsys):
    assert main(["plan", "tutorial", "--out", str(tmp_path / "p"), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "total cost" in captured.err and "plan written to" in captured.err


@pytest.mark.parametrize("command", ["run", "simulate", "sweep", "plan", "compare"])
def test_every_option_of_a_writing_command_is_described(command):
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices[command]  # type: ignore[union-attr]
    options = [a for a in sub._actions if a.option_strings and a.dest != "help"]
    assert any(a.dest == "lang" for a in options)
    undescribed = [a.option_strings[0] for a in options if not a.help]
    assert undescribed == []


def test_a_budget_too_small_for_min_cost_suggests_max_attainment(tmp_path, capsys):
    from scenarios.loader import resolve_path

    tutorial = tmp_path / "t.toml"
    text = resolve_path("tutorial").read_text(encoding="utf-8").replace("total = 12000000", "total = 100000")
    tutorial.write_text(text, encoding="utf-8")
    assert main(["plan", str(tutorial), "--out", str(tmp_path / "p"), "--quiet"]) == 2
    assert "--mode max-attainment" in capsys.readouterr().err


def test_a_known_but_undeclared_facility_is_not_answered_with_itself(minimal_text):
    text = minimal_text + '\n[[targets]]\nname = "ec"\nhas = "elderly_centre"\ncount = 1\n'
    with pytest.raises(ScenarioError) as e:
        loads(text)
    message = str(e.value)
    assert 'did you mean "elderly_centre"' not in message
    assert "declare it with a [facilities.elderly_centre] table" in message
