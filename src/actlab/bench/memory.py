"""Peak memory of a call beyond its result, as NumPy reports its allocations to tracemalloc."""

from __future__ import annotations

import tracemalloc
from typing import Callable

import numpy as np


def peak_extra(call: Callable[[], np.ndarray]) -> float:
    """(peak bytes allocated during ``call``) / (bytes of its result) − 1: 0 when nothing but the
    result is allocated, 1 for one temporary as large as the result."""
    call()  # kernels built and caches warm outside the measurement
    tracemalloc.start()
    try:
        result = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / np.asarray(result).nbytes - 1.0
