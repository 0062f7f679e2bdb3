"""float64 elementary functions for the fused kernels: the C library's, which are within 1 ulp.

These loops stay scalar (libm calls do not vectorise), but they still fuse a whole activation
into one pass over memory and run on every core; the float32 kernels, where speed is usually
wanted, use the vectorised routines of :mod:`actlab.kernels.math32`.
"""
from __future__ import annotations

import math

from numba import njit

_JIT = dict(cache=True, nogil=True, error_model="numpy")


@njit(**_JIT)
def exp(x):
    return math.exp(x)


@njit(**_JIT)
def expm1(x):
    return math.expm1(x)


@njit(**_JIT)
def log1p(x):
    return math.log1p(x)


@njit(**_JIT)
def tanh(x):
    return math.tanh(x)


@njit(**_JIT)
def cosh(x):
    return math.cosh(x)


@njit(**_JIT)
def expit(x):
    """The logistic σ(x) = 1/(1 + e^−x), from e^−|x| so it never overflows."""
    e = math.exp(-abs(x))
    s = 1.0 / (1.0 + e)
    return s if x >= 0.0 else e * s


@njit(**_JIT)
def erfc(x):
    return math.erfc(x)


@njit(**_JIT)
def hypot(a, b):
    return math.hypot(a, b)


@njit(**_JIT)
def sqrt(x):
    return math.sqrt(x)
