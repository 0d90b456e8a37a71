"""Progress shown on stderr for anything that takes more than a moment; silent with --quiet."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


def shown(quiet: bool) -> bool:
    """Progress goes to a person's terminal, never into a log file or a pipe."""
    return not quiet and sys.stderr.isatty()


def bar(total: int, desc: str, quiet: bool, unit: str = "it") -> tqdm:
    return tqdm(
        total=total, desc=desc, unit=unit, disable=not shown(quiet), leave=False, dynamic_ncols=True, mininterval=0.5
    )


@contextmanager
def spinner(desc: str, quiet: bool) -> Iterator[Callable[[str], None]]:
    """An elapsed-time line for a step whose length is unknown (a MIP solve).

    Yields a function that changes the line's text ("solving", "marginal costs 3/12" …).
    """
    if not shown(quiet):
        yield lambda text: None
        return
    state = {"text": desc}
    stop = threading.Event()
    line = tqdm(total=None, bar_format="{desc}", leave=False, dynamic_ncols=True)
    start = time.monotonic()

    def tick() -> None:
        while not stop.wait(0.5):
            line.set_description_str(f"{state['text']} … {time.monotonic() - start:.0f} s")

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield lambda text: state.update(text=text)
    finally:
        stop.set()
        thread.join()
        line.close()
