"""A time bank: volunteers bank hours, elderly households redeem them as elderly care.

The extension of issue 15's researcher, with its numbers as parameters a scenario sets in
``[extension.timebank]`` (docs/extending.md, step 10). Each month every volunteer banks
``hours_per_volunteer`` hours; the bank offers ``redeem_share`` of its balance as elderly
care, ``hours_per_visit`` hours a need, served like an organisation's capacity. The
``timebank_hours`` column is the balance left at the end of the month. Every default is an
assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.extensions import Extension, parameter


@dataclass(frozen=True)
class TimeBankParameters:
    hours_per_volunteer: float = parameter(4.0, "hours a volunteer banks a month", "hours", low=0, high=40)
    redeem_share: float = parameter(0.5, "share of the balance offered as elderly care a month", "share", 0, 1)
    hours_per_visit: float = parameter(2.0, "banked hours one elderly-care need takes", "hours", low=0.1, high=24)


def balance(model) -> np.ndarray:
    """Hours in the bank at the end of the month, per community."""
    return model.timebank_balance.copy()


class TimeBank(Extension):
    """Volunteers' banked hours serve elderly care."""

    name = "timebank"
    parameters = TimeBankParameters
    reporters = {"timebank_hours": balance}

    def setup(self, model):
        model.timebank_balance = np.zeros(model.n)

    def capacity(self, model, capacity):
        p = model.extension_params(self)
        h = model.households
        model.timebank_balance += p.hours_per_volunteer * h.community_sum(h.volunteer.astype(np.int64))
        offered = p.redeem_share * model.timebank_balance
        model.timebank_balance -= offered
        capacity[:, model.registry.index["elderly_care"]] += offered / p.hours_per_visit


extension = TimeBank()
