"""A time bank with parameters a scenario sets (used by the tests of ``[extension.<name>]``).

Volunteers bank ``hours_per_volunteer`` hours a month; elderly households redeem up to
``redeem_share`` of the bank. The reporter ``timebank_hours`` is the bank's balance per
community, so a test sees a parameter reach the running model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.extensions import Extension, parameter


@dataclass(frozen=True)
class TimeBankParameters:
    hours_per_volunteer: float = parameter(4.0, "hours a volunteer banks a month", "hours", low=0, high=40)
    redeem_share: float = parameter(0.5, "share of the balance elderly households redeem a month", "share", 0, 1)
    months_before_redeeming: int = parameter(1, "months a bank runs before anyone redeems", "months", low=0)
    enabled: bool = parameter(True, "whether the bank runs at all")


def balance(model) -> np.ndarray:
    return model.timebank_balance.copy()


class TimeBank(Extension):
    name = "timebank"
    parameters = TimeBankParameters
    reporters = {"timebank_hours": balance}

    def setup(self, model):
        model.timebank_balance = np.zeros(model.n)

    def end_month(self, model):
        p = model.extension_params(self)
        if not p.enabled:
            return
        h = model.households
        model.timebank_balance += p.hours_per_volunteer * h.community_sum(h.volunteer.astype(np.int64))
        if model.month > p.months_before_redeeming:
            model.timebank_balance *= 1 - p.redeem_share


extension = TimeBank()
