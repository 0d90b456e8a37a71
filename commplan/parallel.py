"""Where units of work run: in this process, on local worker processes, or on a Dask cluster.

Workers start from a fork server rather than by forking the caller: the caller may be
running threads (HiGHS, a progress line, a Dask client), and forking a threaded process
can deadlock. Results never depend on the number of workers: every task carries its seed.

:func:`evaluate` is the one evaluator behind ``sweep`` and ``sensitivity`` (EMA
Workbench's idea): the caller says what each unit computes, and receives each result the
moment it is done, to write it to disk before the next arrives.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from scenarios.problems import InputError


class NoDask(InputError):
    """``--scheduler`` was given but Dask is not installed."""


def process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))


def evaluate[U](
    func: Callable[..., Any],
    shared: Sequence[Any],
    units: Sequence[U],
    arguments: Callable[[U], tuple],
    finished: Callable[[U, Any], None],
    processes: int | None = None,
    scheduler: str | None = None,
    key: Callable[[U], str] = str,
) -> None:
    """Run ``func(*shared, *arguments(unit))`` for every unit; ``finished(unit, result)`` as each ends.

    ``shared`` is what every unit needs (the scenario, a plan): sent to each Dask worker
    once. ``processes``: local workers (default all cores; 1 runs here). ``scheduler``: a
    Dask scheduler's address, where ``key(unit)`` names each task. Tasks are submitted with
    ``pure=False`` and that explicit key: no two units are merged as "the same call".
    """
    if not units:
        return
    workers = processes or os.cpu_count() or 1
    if scheduler:
        _evaluate_on_dask(func, shared, units, arguments, finished, scheduler, key)
    elif workers <= 1:
        for u in units:
            finished(u, func(*shared, *arguments(u)))
    else:
        with process_pool(workers) as pool:
            futures = {pool.submit(func, *shared, *arguments(u)): u for u in units}
            for f in as_completed(futures):
                finished(futures[f], f.result())


def _evaluate_on_dask(func, shared, units, arguments, finished, scheduler: str, key) -> None:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise NoDask("--scheduler needs Dask: pip install 'commplan[dask]'") from None
    with Client(scheduler, set_as_default=False) as client:
        client.run(_prepare_worker)
        scattered = [client.scatter(x, broadcast=True) for x in shared]
        futures = {
            client.submit(func, *scattered, *arguments(u), pure=False, key=f"commplan-{key(u)}-{os.getpid()}"): u
            for u in units
        }
        for f in dask_completed(futures, loop=client.loop):
            finished(futures[f], f.result())


def _prepare_worker() -> None:
    """Ready a Dask worker for simulation units: import the model once, and undo Dask's malloc tuning.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also turns off
    glibc's dynamic mmap threshold: every large numpy array of the household table is then
    mapped and unmapped afresh, and a unit runs about 20 % slower than in a process pool.
    Raising both thresholds again (glibc's ``mallopt``) restores ordinary allocation; the
    results are unchanged.
    """
    import ctypes

    import model.runner  # noqa: F401

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to undo
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 32 * 2**20)
    libc.mallopt(m_trim_threshold, 128 * 2**20)
