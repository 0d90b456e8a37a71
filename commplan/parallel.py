"""Worker processes for replications and sweeps.

Workers start from a fork server rather than by forking the caller: the caller may be
running threads (HiGHS, a progress line, a Dask client), and forking a threaded process
can deadlock. Results never depend on the number of workers: every task carries its seed.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor


def process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
