"""Why staff leave lives in one class: a researcher's subclass changes it, and the model obeys."""

from __future__ import annotations

import numpy as np
import pytest

from model.agents import StaffMember
from model.extensions import Extension, ExtensionError
from model.model import CommunityModel
from scenarios.loader import loads
from tests.extensions.conftest import TUTORIAL


def run(extensions=()) -> CommunityModel:
    model = CommunityModel(loads(TUTORIAL), rng=3, extensions=extensions)
    while model.running:
        model.step()
    return model


def exits(model: CommunityModel, kind: str = "community_worker") -> int:
    col = model.recorder.columns.index(f"exits_{kind}")
    return int(model.recorder.table()[:, :, col].sum())


class Loyal(StaffMember):
    """Never leaves, however low the pay."""

    @classmethod
    def exit_risk(cls, model, kind):
        return np.zeros(model.n)


class Restless(StaffMember):
    """Leaves three times as often: a term between computing the risk and drawing it."""

    @classmethod
    def exit_risk(cls, model, kind):
        return np.minimum(1.0, 3.0 * super().exit_risk(model, kind))


class Stays(Extension):
    staff_classes = {"community_worker": Loyal}


class Leaves(Extension):
    staff_classes = {"community_worker": Restless}


def test_the_core_rule_has_workers_leave():
    assert exits(run()) > 0


def test_overriding_exit_risk_in_a_staff_class_takes_effect():
    assert exits(run([Stays()])) == 0


def test_a_term_added_to_the_risk_raises_exits():
    assert exits(run([Leaves()])) > exits(run())


def test_the_model_keeps_the_risk_its_staff_class_set():
    model = CommunityModel(loads(TUTORIAL), rng=3, extensions=[Stays()])
    model.step()
    assert np.all(model.exit_risk["community_worker"] == 0.0)
    core = CommunityModel(loads(TUTORIAL), rng=3)
    core.step()
    assert np.all(core.exit_risk["community_worker"] > 0.0)


# -- the extension hook: a term between the risk and the draw, composable -----------------


class Doubling(Extension):
    def exit_risk(self, model, kind, risk):
        return np.minimum(1.0, 2.0 * risk)


class CalmWorkers(Extension):
    """Community workers never leave; other kinds untouched."""

    def exit_risk(self, model, kind, risk):
        return np.zeros_like(risk) if kind == "community_worker" else risk


def test_the_exit_risk_hook_changes_exits_without_a_staff_class():
    assert exits(run([Doubling()])) > exits(run())
    assert exits(run([CalmWorkers()])) == 0


def test_two_extensions_change_the_same_staff_kind_in_the_order_listed():
    model = CommunityModel(loads(TUTORIAL), rng=3, extensions=[Doubling(), Leaves()])
    core = CommunityModel(loads(TUTORIAL), rng=3)
    model.step()
    core.step()
    # Restless (the class) triples the core risk, Doubling (the hook) then doubles it
    expected = np.minimum(1.0, 2.0 * np.minimum(1.0, 3.0 * core.exit_risk["community_worker"]))
    np.testing.assert_allclose(model.exit_risk["community_worker"], expected)
    assert exits(run([CalmWorkers(), Doubling()])) == 0  # 2 × 0 is still 0


def test_a_misspelt_hook_is_an_error_naming_the_hook_and_the_line():
    with pytest.raises(
        ExtensionError, match=r"test_staff_exits.py:\d+\): 'end_of_month' is not a hook.*did you mean \"end_month\"\?"
    ):

        class Typo(Extension):
            def end_of_month(self, model):
                pass


def test_a_helper_method_starting_with_an_underscore_is_fine():
    class Helped(Extension):
        def _threshold(self):
            return 0.5

        def exit_risk(self, model, kind, risk):
            return risk * self._threshold()

    assert exits(run([Helped()])) < exits(run([Doubling()]))


def test_an_exit_risk_of_the_wrong_shape_names_the_extension():
    class Scalar(Extension):
        def exit_risk(self, model, kind, risk):
            return 0.5

    with pytest.raises(ExtensionError, match=r"Scalar: exit_risk for 'community_worker' must return one probability"):
        run([Scalar()])
