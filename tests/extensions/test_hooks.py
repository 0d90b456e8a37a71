"""Every decision of the month is a hook between computing and applying: each changes one
term, composes across extensions in order, and refuses a result of the wrong shape or range
with the extension's file and line."""

from __future__ import annotations

import numpy as np
import pytest

from model.agents import StaffMember
from model.extensions import Extension, ExtensionError, OrganisationKind, Registry
from model.invariants import check_invariants
from model.model import CommunityModel
from model.plan import PlanSchedule
from tests.model.conftest import tutorial


def run(extensions=(), months=12, scenario=None, plan=None):
    model = CommunityModel(scenario or tutorial(), plan, rng=5, extensions=list(extensions))
    for _ in range(months):
        model.step()
    check_invariants(model)
    table = model.recorder.table()
    return model, {c: table[:, :, j] for j, c in enumerate(model.recorder.columns)}


# -- households ------------------------------------------------------------------------------


class NoHealthNeeds(Extension):
    name = "no-health"

    def needs(self, households, needs):
        needs = needs.copy()
        needs[:, households.registry.index["health"]] = 0
        return needs


def test_needs_a_month_can_be_changed_after_the_draw():
    _, core = run()
    _, changed = run([NoHealthNeeds()])
    assert core["demand_health"].sum() > 0 and changed["demand_health"].sum() == 0
    assert changed["demand_admin"].sum() == core["demand_admin"].sum()  # the core's draws are untouched


class Everyone(Extension):
    name = "everyone-satisfied"

    def satisfied(self, households, satisfied):
        return np.ones_like(satisfied)


class Delighted(Extension):
    name = "delighted"

    def satisfaction(self, households, met, satisfaction):
        assert np.all(np.isnan(met) | ((met >= 0) & (met <= 1)))
        return np.ones_like(satisfaction)


def test_the_satisfaction_update_and_the_satisfied_rule_are_hooks():
    _, core = run()
    _, said = run([Everyone()])
    _, felt = run([Delighted()])
    assert core["satisfied"].mean() < 0.99
    assert np.all(said["satisfied"] == 1.0)
    assert np.all(felt["satisfaction"] == 1.0) and felt["participation"].sum() > core["participation"].sum()


class NoVolunteers(Extension):
    name = "no-volunteers"

    def volunteering(self, households, probability):
        return np.zeros_like(probability)


class EveryParticipantVolunteers(Extension):
    name = "all-volunteer"

    def volunteering(self, households, probability):
        return np.ones_like(probability)  # clipped to the probability of taking part


def test_volunteering_is_a_hook_and_volunteers_stay_among_participants():
    _, core = run()
    _, none = run([NoVolunteers()])
    model, every = run([EveryParticipantVolunteers()])
    assert core["volunteers"].sum() > 0 and none["volunteers"].sum() == 0
    assert every["volunteers"].sum() > core["volunteers"].sum()
    h = model.households
    assert not np.any(h.volunteer & ~h.participating)


# -- service -------------------------------------------------------------------------------


class Recorded(Extension):
    """Keeps what the core allocated to vulnerable households, changes nothing."""

    name = "recorded"

    def allocate(self, model, demand, capacity, served):
        model.served_vulnerable = served[0].sum()
        return served


class OthersFirst(Extension):
    name = "others-first"

    def allocate(self, model, demand, capacity, served):
        vulnerable, other = demand
        served_other = np.minimum(other, capacity)
        model.served_vulnerable = np.minimum(vulnerable, capacity - served_other).sum()
        return np.minimum(vulnerable, capacity - served_other), served_other


def test_who_is_served_first_is_a_hook():
    core, core_t = run([Recorded()], months=1)
    swapped, swapped_t = run([OthersFirst()], months=1)
    _, plain = run(months=1)
    assert all(np.array_equal(core_t[c], plain[c]) for c in plain)  # the identity hook changes nothing
    assert swapped.served_vulnerable < core.served_vulnerable
    assert swapped_t["served_admin"].sum() == core_t["served_admin"].sum()  # same capacity, other households


class Overserving(Extension):
    name = "overserving"

    def allocate(self, model, demand, capacity, served):
        return demand[0] + 1, served[1]


def test_serving_more_than_is_needed_is_refused_with_the_hooks_file():
    with pytest.raises(
        ExtensionError, match=r"extension overserving \(.*test_hooks\.py:\d+\): allocate for vulnerable"
    ):
        run([Overserving()], months=1)


# -- staff ---------------------------------------------------------------------------------


class NoTraining(Extension):
    name = "no-training"

    def training_rate(self, model, kind, rate):
        return np.zeros_like(rate)  # every kind


class WorkersDoNotLearn(Extension):
    name = "workers-do-not-learn"

    def learning_rate(self, model, kind, rate):
        return np.zeros_like(rate) if kind == "community_worker" else rate


def skills(model, kind):
    return np.array([a.skill for a in model.staff if a.kind == kind and not a.certified])


def test_two_extensions_change_the_same_staff_kind_together():
    core, _ = run(months=6)
    both, _ = run([NoTraining(), WorkersDoNotLearn()], months=6)
    initial = both.p.initial_skill, both.p.new_hire_skill
    assert not np.all(np.isin(skills(core, "community_worker"), initial))
    assert np.all(np.isin(skills(both, "community_worker"), initial))  # neither learnt nor trained
    learnt_only, _ = run([NoTraining()], months=6)
    assert not np.all(np.isin(skills(learnt_only, "community_worker"), initial))


class NobodyStarts(Extension):
    name = "nobody-starts"

    def hires(self, model, kind, wanted, started):
        model.wanted_hires = getattr(model, "wanted_hires", 0) + int(wanted.sum())
        return np.zeros_like(started)


class TooMany(Extension):
    name = "too-many"

    def hires(self, model, kind, wanted, started):
        return wanted + 1


def test_hiring_is_a_hook_bounded_by_the_hires_wanted():
    _, core = run(months=24)
    model, none = run([NobodyStarts()], months=24)
    assert core["hires_community_worker"].sum() > 0 and model.wanted_hires > 0
    assert none["hires_community_worker"].sum() == 0
    with pytest.raises(ExtensionError, match=r"too-many \(.*test_hooks\.py:\d+\): hires for 'community_worker'"):
        run([TooMany()], months=24)


# -- organisations ----------------------------------------------------------------------------


class NoneFounded(Extension):
    name = "none-founded"

    def founding(self, model, founded):
        return np.zeros_like(founded)


class Immortal(Extension):
    name = "immortal"

    def dissolve_risk(self, model, organisation, risk):
        return 0.0


def test_founding_and_dissolution_are_hooks():
    _, core = run(months=24)
    _, unfounded = run([NoneFounded()], months=24)
    _, immortal = run([Immortal()], months=24)
    assert unfounded["organisations"][-1].sum() < core["organisations"][-1].sum()
    assert np.all(np.diff(immortal["organisations"], axis=0) >= 0)  # none dissolves
    assert np.any(np.diff(core["organisations"], axis=0) < 0)


class SeeCoreRisk(Extension):
    name = "see-core"

    def dissolve_risk(self, model, organisation, risk):
        if organisation.kind == "volunteer_team":
            model.seen = [*getattr(model, "seen", []), ("core", risk)]
        return risk


class HalveTeams(Extension):
    name = "halve-teams"

    def dissolve_risk(self, model, organisation, risk):
        return risk / 2 if organisation.kind == "volunteer_team" else risk


class AddToEveryKind(Extension):
    name = "add-to-every-kind"

    def dissolve_risk(self, model, organisation, risk):
        if organisation.kind == "volunteer_team":
            model.seen = [*model.seen, ("last", risk)]
        return min(1.0, risk + 0.001)


def test_two_extensions_change_the_same_organisation_kind_in_the_order_listed():
    model, _ = run([SeeCoreRisk(), HalveTeams(), AddToEveryKind()], months=3)
    pairs = list(zip(model.seen[0::2], model.seen[1::2], strict=True))
    assert pairs
    for (first, core), (second, last) in pairs:
        assert (first, second) == ("core", "last") and last == pytest.approx(core / 2)


class Weak(Extension):
    name = "weak"

    def organisation_strength(self, model, organisation, strength):
        return 0.0


class Strong(Extension):
    name = "strong"

    def organisation_strength(self, model, organisation, strength):
        return 2.0


def test_organisation_strength_is_a_hook_and_must_stay_a_share():
    _, core = run(months=3)
    weak, weak_t = run([Weak()], months=3)
    stepped = [o for o in weak.organisations if o.members or o.strength != 0.5]  # not founded this month
    assert stepped and all(o.capacity == 0 for o in stepped)
    served = [c for c in core if c.startswith("served_")]
    assert sum(weak_t[c].sum() for c in served) < sum(core[c].sum() for c in served)
    with pytest.raises(ExtensionError, match=r"strong \(.*\): organisation_strength for '.*' must return .* to 1\.0"):
        run([Strong()], months=1)


# -- construction ------------------------------------------------------------------------------


class YearLate(Extension):
    name = "year-late"

    def project(self, model, community, project):
        project.due += 12
        project.cost_factor *= 2


class Backdated(Extension):
    name = "backdated"

    def project(self, model, community, project):
        project.due = 0


def test_a_funded_project_can_be_delayed_and_made_dearer():
    scenario = tutorial()
    n = len(scenario.communities)
    space = np.zeros((n, scenario.years))
    space[:, 0] = 100.0
    plan = PlanSchedule.from_arrays(scenario, space_added=space)
    core, core_t = run(months=24, scenario=scenario, plan=plan)
    late, late_t = run([YearLate()], months=24, scenario=scenario, plan=plan)
    opened_core = np.argmax(core_t["space_m2"] > core_t["space_m2"][0], axis=0)
    opened_late = np.argmax(late_t["space_m2"] > late_t["space_m2"][0], axis=0)
    assert np.all(opened_late == opened_core + 12)
    assert late_t["spent"].sum() > core_t["spent"].sum()
    with pytest.raises(ExtensionError, match=r"backdated \(.*test_hooks\.py:\d+\): project must leave"):
        run([Backdated()], months=1, scenario=scenario, plan=plan)


def test_a_model_without_these_hooks_calls_none_of_them():
    model = CommunityModel(tutorial(), rng=1, extensions=[NoTraining()])
    assert model.registry.overriding("training_rate") and not model.registry.overriding("dissolve_risk")


class Managers(Extension):
    organisations = (OrganisationKind("property_manager", ("admin",)),)


class OtherManagers(Extension):
    organisations = (OrganisationKind("property_manager", ("culture",)),)


class Worker(StaffMember):
    pass


class Workers(Extension):
    staff_classes = {"community_worker": Worker}


class OtherWorkers(Extension):
    staff_classes = {"community_worker": Worker}


def test_a_kind_is_declared_by_one_extension_and_changed_by_the_others_through_hooks():
    with pytest.raises(
        ExtensionError,
        match=r"OtherManagers \(.*test_hooks\.py:\d+\): organisation kind "
        r"'property_manager' is already declared .* organisation_strength and dissolve_risk",
    ):
        Registry([Managers(), OtherManagers()])
    with pytest.raises(
        ExtensionError,
        match=r"OtherWorkers \(.*\): staff kind 'community_worker' already has an "
        r"agent class .* exit_risk, learning_rate, training_rate and hires",
    ):
        Registry([Workers(), OtherWorkers()])
    Registry([Managers(), Workers(), HalveTeams(), NoTraining()])  # one declares, the others change it
