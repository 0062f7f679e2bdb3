"""The fallback backend: the reference computation itself, over cache-sized chunks on every core.

Each chunk is computed by the activation's own ``__call__``/``vjp``/``derivative_from_output``
(the NumPy reference path), so the result is the reference result; running chunks that fit in
cache on several threads (NumPy releases the GIL) keeps its temporaries out of main memory.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import parallel

# 32K elements: the float64 temporaries of one chunk (256 KB each) stay in a core's L2 cache.
CHUNK = 1 << 15
# What the reference path costs, roughly, per element (NumPy passes over its temporaries).
NS_PER_ELEMENT = 10.0


def run(compute: Callable[..., np.ndarray], inputs: tuple[np.ndarray, ...], out: np.ndarray) -> None:
    """``out = compute(*inputs)``, evaluated chunk by chunk (compute is elementwise)."""
    flat = [v.reshape(-1) for v in inputs]
    out_flat = out.reshape(-1)

    def task(lo, hi):
        for start in range(lo, hi, CHUNK):
            stop = min(start + CHUNK, hi)
            out_flat[start:stop] = compute(*(f[start:stop] for f in flat))

    parallel.run(task, out_flat.size, NS_PER_ELEMENT)
