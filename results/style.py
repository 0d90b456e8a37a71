"""One look for every chart: the Okabe–Ito colour-blind-safe palette, readable sizes, atomic saving."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import matplotlib
import matplotlib.font_manager as font_manager
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

from results.i18n import money
from scenarios.files import atomic_write_bytes

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW, BLACK = PALETTE
GREY = "#999999"


def colour(i: int) -> str:
    """The i-th palette colour, cycling: a ninth series reuses the first colour rather than vanishing."""
    return PALETTE[i % len(PALETTE)]


#: Families known to hold Chinese glyphs, looked for when the bundled font is not installed.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
)


def cjk_family() -> str | None:
    """The family that draws Chinese text: Noto Sans CJK SC from the ``noto-cjk-sans-otc`` package
    (a dependency), else a CJK font the system has; None, with one warning, when there is none.

    Registered with matplotlib's font manager at run time, never installed system-wide.
    """
    try:
        import noto_cjk_sans_otc

        path = str(noto_cjk_sans_otc.FONT_PATH)
        font_manager.fontManager.addfont(path)
        faces = [f.name for f in font_manager.fontManager.ttflist if f.fname == path]
        if faces:
            return "Noto Sans CJK SC" if "Noto Sans CJK SC" in faces else faces[0]
    except (ImportError, OSError, RuntimeError):
        pass
    present = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in present:
            return family
    warnings.warn(
        "no font with Chinese characters was found, so Chinese text in charts shows as empty boxes; "
        "install one with: pip install noto-cjk-sans-otc",
        stacklevel=2,
    )
    return None


CJK = cjk_family()

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
    # Latin text keeps matplotlib's usual face; a character it lacks (Chinese) falls back to the CJK face
    "font.family": ["DejaVu Sans", *([CJK] if CJK else [])],
}


@contextlib.contextmanager
def _quiet_fonts() -> Iterator[None]:
    """The CJK face has no bold: matplotlib draws bold titles in its regular weight, which is fine, and
    would log "Failed to find font weight bold" for every title; that message is kept off the terminal."""
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def chart[**P, R](draw: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function that draws a chart: it draws in commplan's style."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(STYLE), _quiet_fonts():
            return draw(*args, **kwargs)

    return styled


@chart
def figure(width: float = 9, height: float = 5, layout: Literal["constrained"] | None = "constrained") -> Figure:
    return Figure(figsize=(width, height), layout=layout)


def save(fig: Figure, path: str | Path) -> Path:
    """Write a PNG atomically (a figure made without pyplot is freed with its last reference)."""
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE), _quiet_fonts():  # no version stamp: same chart, same bytes
        fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    atomic_write_bytes(path, buf.getvalue())
    return Path(path)


def money_label(value: float) -> str:
    """1 234 567 → "1.23 M" (in Chinese "123.46 万"): planners read budgets in millions, or 万."""
    return money(value)
