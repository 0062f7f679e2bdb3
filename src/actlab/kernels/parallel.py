"""Run an elementwise task over index ranges on every core.

The tasks release the GIL (numba kernels compiled with ``nogil``, NumPy ufuncs), so Python
threads run them in parallel. The calling thread works too, and pieces are handed out one at a
time, so a core that another process slows down simply takes fewer of them.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Callable

from . import settings

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

# Handing a piece to another thread costs about 0.1 ms (measured: waking a pool thread on a
# 2-core VM), so a piece is worth it only with more work than that in it (nanoseconds).
MIN_PIECE_NS = 150_000
# Pieces of about 4 MB of float32 keep cores busy until the end without much handing out.
TARGET_PIECE = 1 << 20
# Boundaries fall on multiples of 64 elements: whole cache lines for any float dtype, so two
# threads never write the same line.
_ALIGN = 64

_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def thread_count() -> int:
    """Threads used: $ACTLAB_NUM_THREADS if set, else the CPUs this process may run on (read
    once; change it with :func:`actlab.kernels.configure`)."""
    return settings.current().threads


def pieces(n: int, threads: int, ns_per_element: float) -> list[tuple[int, int]]:
    """Split range(n) into contiguous, aligned pieces: one per thread, more for long ranges, and
    a single one when the work (n·ns_per_element) is too little to share."""
    count = min(max(threads, -(-n // TARGET_PIECE)), int(n * ns_per_element // MIN_PIECE_NS))
    if count < 2 or threads < 2:
        return [(0, n)]
    if count > threads:
        count = -(-count // threads) * threads  # a multiple of the thread count
    step = -(-n // count)
    step = -(-step // _ALIGN) * _ALIGN
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    from concurrent.futures import ThreadPoolExecutor  # at first use: it costs import time

    if _pool is None or _pool_size < workers:
        if _pool is not None:
            _pool.shutdown(wait=False)
        _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="actlab-kernel")
        _pool_size = workers
    return _pool


def run(task: Callable[[int, int], None], n: int, ns_per_element: float) -> None:
    """Call ``task(lo, hi)`` for pieces that cover range(n), on up to ``thread_count()`` threads;
    ``ns_per_element`` (a rough single-core cost) decides whether the work is worth sharing."""
    threads = settings.current().threads
    parts = pieces(n, threads, ns_per_element)
    if len(parts) == 1:
        task(0, n)
        return
    counter = itertools.count()  # next() on it is atomic under the GIL

    def work():
        while (i := next(counter)) < len(parts):
            task(*parts[i])

    helpers = [_executor(threads - 1).submit(work) for _ in range(min(threads, len(parts)) - 1)]
    try:
        work()
    finally:
        for h in helpers:
            h.result()
