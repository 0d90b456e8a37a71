"""What issue 14's additions cost: publishing a run in English and in Chinese, and loading the CJK font.

Runs a bundled scenario once (few replications), then times ``publish`` (communities.csv,
results.xlsx, every chart and report.html) in each language, the start-up cost of
registering the bundled CJK font, and the size of what is written. Prints the figures and
writes them to ``benchmarks/results/publish_languages.txt``.

    .venv/bin/python -m benchmarks.publish_languages [SCENARIO] [REPLICATIONS]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from commplan.cli import main
from results.publish import publish

RESULTS = Path(__file__).resolve().parent / "results" / "publish_languages.txt"


def font_start_up() -> float:
    """Seconds ``import results.style`` takes beyond importing matplotlib (the font's registration), best of 3."""
    code = (
        "import time, matplotlib.font_manager; t = time.perf_counter(); import results.style; "
        "print(time.perf_counter() - t)"
    )
    return min(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout) for _ in range(3)
    )


def measure(scenario: str, replications: int) -> list[str]:
    lines = [f"scenario {scenario}, {replications} replications"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        assert main(["run", scenario, "--out", str(out), "--replications", str(replications), "--quiet"]) == 0
        for lang in ("en", "zh"):
            times = []
            for _ in range(3):
                t = time.perf_counter()
                publish(out, lang=lang)
                times.append(time.perf_counter() - t)
            report = (out / "report.html").stat().st_size
            lines.append(f"publish --lang {lang}: best {min(times):.2f} s of 3; report.html {report / 1024:.0f} KiB")
        for name in ("communities.csv", "results.xlsx", "communities.png"):
            lines.append(f"{name}: {(out / name).stat().st_size / 1024:.1f} KiB")
    lines.append(f"registering the CJK font at import: {font_start_up():.2f} s")
    return lines


if __name__ == "__main__":
    scenario = sys.argv[1] if len(sys.argv) > 1 else "guandu_2016"
    replications = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    lines = measure(scenario, replications)
    print("\n".join(lines))
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
