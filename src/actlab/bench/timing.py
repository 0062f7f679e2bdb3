"""Timing for the benchmarks: round-robin medians, with small calls batched."""

from __future__ import annotations

import ctypes
import time
from typing import Callable

import numpy as np

# A sample lasts at least this long: calls that take microseconds are repeated within it, so the
# clock's resolution and the loop around it do not count.
MIN_SAMPLE_S = 2e-3
_MAX_BATCH = 20_000


def keep_freed_memory() -> None:
    """glibc: serve large blocks from the heap and never give freed memory back, so repeated
    allocations reuse pages instead of faulting in new ones (no-op off glibc). PyTorch is told
    the same by THP_MEM_ALLOC_ENABLE=1 (huge pages); NumPy does it by default."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_max, m_trim_threshold = -4, -1
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 2**31 - 1)


def _batch(call: Callable[[], object]) -> int:
    """How many calls make one sample of at least MIN_SAMPLE_S."""
    t0 = time.perf_counter()
    call()
    once = time.perf_counter() - t0
    return int(min(_MAX_BATCH, max(1, MIN_SAMPLE_S // max(once, 1e-9))))


def sample_times(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds per call, ``repeats`` samples of each contender, taken round-robin (after warm-up
    calls) so that a change in the machine's load slows every contender alike."""
    for call in calls.values():
        call()
        call()
    batches = {name: _batch(call) for name, call in calls.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            k = batches[name]
            t0 = time.perf_counter()
            for _ in range(k):
                call()
            samples[name].append((time.perf_counter() - t0) / k)
    return samples


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {name: float(np.median(s)) for name, s in samples.items()}
