"""Charts draw in commplan's style without touching a researcher's matplotlib settings."""

from __future__ import annotations

import subprocess
import sys

from results.style import STYLE, chart, figure


def test_importing_the_charts_changes_no_global_matplotlib_setting():
    code = (
        "import matplotlib\n"
        "before = (matplotlib.get_backend(), dict(matplotlib.rcParams))\n"
        "import results.style, results.plots, results.plan_plots, results.compare\n"
        "after = (matplotlib.get_backend(), dict(matplotlib.rcParams))\n"
        "print(before == after)\n"
    )
    env = {"MPLBACKEND": "svg", "PATH": ""}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "True"


def test_a_chart_is_drawn_in_the_style():
    @chart
    def title_weight() -> str:
        fig = figure(3, 2)
        return fig.subplots().set_title("t").get_fontweight()

    assert STYLE["axes.titleweight"] == "bold"
    assert title_weight() == "bold"
