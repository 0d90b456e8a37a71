"""One look for every chart: the Okabe–Ito colour-blind-safe palette, readable sizes, atomic saving."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.rcsetup import cycler  # noqa: E402

from scenarios.files import atomic_write_bytes  # noqa: E402

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW, BLACK = PALETTE
GREY = "#999999"


def colour(i: int) -> str:
    """The i-th palette colour, cycling: a ninth series reuses the first colour rather than vanishing."""
    return PALETTE[i % len(PALETTE)]


plt.rcParams.update(
    {
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
)


def figure(width: float = 9, height: float = 5) -> Figure:
    return plt.figure(figsize=(width, height), layout="constrained")


def save(fig: Figure, path: str | Path) -> Path:
    """Write a PNG atomically and free the figure (a sweep draws hundreds)."""
    buf = io.BytesIO()
    fig.savefig(
        buf, format="png", bbox_inches="tight", metadata={"Software": None}
    )  # no version stamp: same chart, same bytes
    plt.close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def money_label(value: float) -> str:
    """1 234 567 → "1.23 M": planners read budgets in millions."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f} k"
    return f"{value:,.0f}"
