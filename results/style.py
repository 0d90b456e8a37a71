"""One look for every chart: the Okabe–Ito colour-blind-safe palette, readable sizes, atomic saving."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

from scenarios.files import atomic_write_bytes

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW, BLACK = PALETTE
GREY = "#999999"


def colour(i: int) -> str:
    """The i-th palette colour, cycling: a ninth series reuses the first colour rather than vanishing."""
    return PALETTE[i % len(PALETTE)]


#: Applied while a chart is drawn and saved, never to matplotlib's global settings: importing
#: commplan changes nothing in a researcher's own plots (nor picks a backend: a
#: :class:`Figure` made without pyplot needs none).
STYLE: dict[Any, Any] = {
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
    "legend.frameon": False,
}


def chart[**P, R](draw: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that draws a chart: it draws in commplan's style."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return styled


@chart
def figure(width: float = 9, height: float = 5, layout: Literal["constrained"] | None = "constrained") -> Figure:
    return Figure(figsize=(width, height), layout=layout)


def save(fig: Figure, path: str | Path) -> Path:
    """Write a PNG atomically (a figure made without pyplot is freed with its last reference)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):  # no version stamp: same chart, same bytes
        fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def money_label(value: float) -> str:
    """1 234 567 → "1.23 M": planners read budgets in millions."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f} k"
    return f"{value:,.0f}"
