"""Why staff leave lives in one class: a researcher's subclass changes it, and the model obeys."""

from __future__ import annotations

import numpy as np

from model.agents import StaffMember
from model.extensions import Extension
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
