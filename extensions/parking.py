"""Parking: car-owning households need parking; property managers and car parks provide it.

Seed 004 (Guandu) names parking as an unmet need. The extension adds a household column
(``owns_car``) and a yearly rule (households buy cars), a service (``parking``), an agent
class for the property-manager organisation kind (it manages parking spaces), what a
``car_park`` facility does (the scenario declares its costs; the optimiser can build it),
and a ``car_owners`` column in ``timeseries.csv``. Every number here is an assumption.
"""

from __future__ import annotations

import numpy as np

from model.agents import ORGANISATION_MIX, ORGANISATION_SERVICES, Organisation
from model.extensions import Extension, FacilityService, OrganisationKind, Service

CAR_SHARE = 0.35  # share of new households owning a car
CAR_SHARE_LOW_INCOME = 0.05  # … of households on minimum living allowance or elderly alone
CAR_PURCHASE_RATE = 0.04  # yearly share of households without a car that buy one
SPACES_PER_MANAGER = 60.0  # mean parking spaces a property manager runs (needs a month served)
CAR_PARK_CAPACITY = 150.0  # parking needs a month one car park serves


class PropertyManager(Organisation):
    """A property-management firm: the core's admin and mediation work plus parking spaces."""

    def __init__(self, model, community, kind):
        super().__init__(model, community, kind)
        self.spaces = float(model.extension_rng("parking").poisson(SPACES_PER_MANAGER))

    def service_capacity(self) -> dict[str, float]:
        capacity = super().service_capacity()
        capacity["parking"] = self.spaces
        return capacity


def draw_cars(households, fresh, rng):
    """Which of the fresh households own a car (fewer among the poor and elderly alone)."""
    poor = fresh["low_income"] | fresh["elderly_alone"]
    share = np.where(poor, CAR_SHARE_LOW_INCOME, CAR_SHARE)
    return rng.random(len(fresh["community"])) < share


def car_owners(model) -> np.ndarray:
    """Households owning a car, per community."""
    h = model.households
    return h.community_sum(h.owns_car.astype(np.int64))


class Parking(Extension):
    """Parking demand from car owners, served by property managers and car parks."""

    name = "parking"
    services = (
        Service(
            "parking",
            demand_rate=0.8,  # parking requests a month per car-owning household
            hours_per_need=None,  # community workers do not run car parks
            eligible="owns_car",
            doc="a car-owning household looking for a parking space",
        ),
    )
    organisations = (
        OrganisationKind(
            "property_manager",
            services=ORGANISATION_SERVICES["property_manager"],
            start_weight=ORGANISATION_MIX["property_manager"],
            agent_class=PropertyManager,
        ),
    )
    facilities = (FacilityService("car_park", "parking", capacity=CAR_PARK_CAPACITY),)
    reporters = {"car_owners": car_owners}

    def household_columns(self, households, fresh, rng):
        return {"owns_car": draw_cars(households, fresh, rng)}

    def household_year(self, households, rng):
        owns = households.cols["owns_car"]
        owns |= rng.random(len(owns)) < CAR_PURCHASE_RATE


extension = Parking()
