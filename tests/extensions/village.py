"""A second extension, different from parking, through the same points (used by the tests).

Village-to-residence residents (seed 004: older, less educated, low participation): a
household flag ``village_origin`` that lowers participation further; a ``legal_aid``
service staff serve at full speed only with a ``legal_office``; a new organisation kind
(``elders_association``, founded by volunteers); a ``grid_worker`` staff kind that serves
part-time; and a reporter.
"""

from __future__ import annotations

import numpy as np

from model.agents import Organisation, StaffMember
from model.extensions import Extension, FacilityService, OrganisationKind, Service

PARTICIPATION = 0.6  # participation multiplier for a household of village origin


class EldersAssociation(Organisation):
    """Older villagers' own association: stronger where many of them live."""

    @property
    def capacity(self) -> float:
        share = self.model.village_share[self.community.index]
        return super().capacity * (1.0 + share)


class GridWorker(StaffMember):
    """A grid worker patrols half the time: half the service hours of a community worker."""

    @property
    def hours(self) -> float:
        return 0.5 * super().hours


def village_households(model) -> np.ndarray:
    h = model.households
    return h.community_sum(h.village_origin.astype(np.int64))


class VillageOrigin(Extension):
    services = (Service("legal_aid", demand_rate=0.02, hours_per_need=2.0, vulnerable_multiplier=2.0),)
    organisations = (
        OrganisationKind(
            "elders_association",
            ("elderly_care", "culture"),
            start_weight=0.1,
            founded_by_volunteers=True,
            agent_class=EldersAssociation,
        ),
    )
    staff_classes = {"grid_worker": GridWorker}
    facilities = (FacilityService("legal_office", "legal_aid", required=True),)
    reporters = {"village_origin": village_households}

    def household_columns(self, households, fresh, rng):
        # rng is this extension's own stream (model.extension_rng(self)): the core's draws do not shift
        in_village = households.v2r_community[fresh["community"]]
        return {"village_origin": rng.random(len(in_village)) < np.where(in_village, 0.85, 0.05)}

    def participation(self, households, probability):
        return probability * np.where(households.village_origin, PARTICIPATION, 1.0)

    def setup(self, model):
        self.start_year(model)

    def start_year(self, model):
        h = model.households
        counts = np.maximum(h.counts, 1)
        model.village_share = h.community_sum(h.village_origin.astype(np.int64)) / counts


class Overserving(Extension):
    """Deliberately broken: reports more parking served than was demanded."""

    def end_month(self, model):
        j = model.registry.index["parking"]
        model.served[:, j] = model.demand[:, j] + 1


extension = VillageOrigin()
