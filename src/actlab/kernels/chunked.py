"""The fallback backend: the reference computation itself, over cache-sized chunks on every core.

Each chunk is computed by the activation's own ``__call__``/``vjp`` (the NumPy reference path),
so the result is the reference result; running chunks that fit in cache on several threads
(NumPy releases the GIL) keeps its temporaries out of main memory.
"""
from __future__ import annotations

import numpy as np

from ..core.activation import Activation
from . import parallel

# 32K elements: the float64 temporaries of one chunk (256 KB each) stay in a core's L2 cache.
CHUNK = 1 << 15


def _chunked(compute, out_flat: np.ndarray) -> None:
    def task(lo, hi):
        for start in range(lo, hi, CHUNK):
            stop = min(start + CHUNK, hi)
            out_flat[start:stop] = compute(start, stop)

    parallel.run(task, out_flat.size)


def forward(act: Activation, x: np.ndarray, out: np.ndarray) -> None:
    xf, of = x.reshape(-1), out.reshape(-1)
    _chunked(lambda lo, hi: act(xf[lo:hi]), of)


def backward(act: Activation, x: np.ndarray, grad_out: np.ndarray, out: np.ndarray) -> None:
    xf, gf, of = x.reshape(-1), grad_out.reshape(-1), out.reshape(-1)
    _chunked(lambda lo, hi: act.vjp(xf[lo:hi], gf[lo:hi]), of)


def backward_from_output(act: Activation, y: np.ndarray, grad_out: np.ndarray, out: np.ndarray) -> None:
    yf, gf, of = y.reshape(-1), grad_out.reshape(-1), out.reshape(-1)
    _chunked(lambda lo, hi: gf[lo:hi] * act.derivative_from_output(yf[lo:hi]), of)
