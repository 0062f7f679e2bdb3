"""float64 elementary functions for the fused kernels, written so that LLVM vectorises them.

The same constructions as :mod:`actlab.kernels.math32` (Cody–Waite reduction, Taylor
polynomials, bit casts instead of libm's ``ldexp``/``frexp``, selects instead of branches), with
float64 constants and enough terms for about 1 ulp. ``erfc`` is the C library's (scalar, within
a few ulp), since a vectorised float64 erfc that accurate is a project of its own.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from .bits import f64_bits, f64_from_bits, fma, ldexp, pow2
from .series import exp_taylor, log_series

# The options of every njit here; annotated, since a bare dict of mixed values infers as
# dict[str, object], which njit's overloads refuse.
_JIT: dict[str, Any] = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})

_INF = math.inf
_NAN = math.nan
_LOG2E = 1.0 / math.log(2.0)
# fdlibm's split of ln 2: k·LN2_HI is exact for |k| < 2^20.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_SQRT2 = math.sqrt(2.0)
# Adding 1.5·2^52 rounds a float64 of magnitude < 2^51 to an integer, which its low bits hold.
_ROUNDER = 6755399441055744.0
_ROUNDER_BITS = np.int64(np.array(_ROUNDER).view(np.int64))
_EXP_LO, _EXP_HI = -746.0, 710.0  # e^x is 0 below and inf above, after rounding
_EXPM1_LO = -40.0  # e^-40 − 1 rounds to −1
_TANH_HI = 20.0  # tanh(20) rounds to 1
_MANT_MASK = np.int64(0xFFFFFFFFFFFFF)
_ONE_BITS = np.int64(0x3FF0000000000000)
_SIGN_MASK = np.int64(-0x8000000000000000)
_ABS_MASK = np.int64(0x7FFFFFFFFFFFFFFF)

# (e^r − 1 − r)/r² on |r| ≤ ln2/2: Taylor to r^11 (truncation 4e-18 relative).
_Q2, _Q3, _Q4, _Q5, _Q6, _Q7, _Q8, _Q9, _Q10, _Q11, _Q12, _Q13 = exp_taylor(2, 12)
# log1p's series in s² ≤ 0.0295: 11 terms (truncation 1e-18).
_R1, _R2, _R3, _R4, _R5, _R6, _R7, _R8, _R9, _R10, _R11 = log_series(11)


@njit(**_JIT)
def _reduce(x):
    """x = k·ln2 + r with |r| ≤ ln2/2 (x already clamped): returns (r, k)."""
    t = fma(x, _LOG2E, _ROUNDER)
    kf = t - _ROUNDER
    r = fma(-kf, _LN2_HI, x)
    r = fma(-kf, _LN2_LO, r)
    return r, f64_bits(t) - _ROUNDER_BITS


@njit(**_JIT)
def _expm1_poly(r):
    """e^r − 1 for |r| ≤ ln2/2, as r + r²·q(r): the leading term is exact."""
    q = fma(_Q13, r, _Q12)
    q = fma(q, r, _Q11)
    q = fma(q, r, _Q10)
    q = fma(q, r, _Q9)
    q = fma(q, r, _Q8)
    q = fma(q, r, _Q7)
    q = fma(q, r, _Q6)
    q = fma(q, r, _Q5)
    q = fma(q, r, _Q4)
    q = fma(q, r, _Q3)
    q = fma(q, r, _Q2)
    return fma(r * r, q, r)


@njit(**_JIT)
def exp(x):
    """e^x."""
    r, k = _reduce(min(max(x, _EXP_LO), _EXP_HI))
    y = ldexp(_expm1_poly(r) + 1.0, k)
    return x if x != x else y


@njit(**_JIT)
def expm1(x):
    """e^x − 1, accurate near 0 (2^k − 1 + 2^k·expm1(r) is formed with one rounding)."""
    r, k = _reduce(min(max(x, _EXPM1_LO), _EXP_HI))
    p = _expm1_poly(r)
    kk = min(k, 1023)  # 2^1024 overflows: scale by 2^1023, then double
    s = pow2(1.0, kk)
    y = fma(s, p, s - 1.0) * pow2(1.0, k - kk)
    return x if x != x else y


@njit(**_JIT)
def log1p(x):
    """log(1 + x), accurate near 0: log(u) for u = fl(1 + x), plus the rounding (x − (u − 1))/u."""
    u = 1.0 + x
    bits = f64_bits(u)
    e = (bits >> 52) - 1023
    m = f64_from_bits((bits & _MANT_MASK) | _ONE_BITS)  # u = 2^e·m, m in [1, 2)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    ef = np.float64(e + 1 if big else e)
    f = m - 1.0  # exact (Sterbenz)
    s = f / (2.0 + f)
    z = s * s
    r = fma(_R11, z, _R10)
    r = fma(r, z, _R9)
    r = fma(r, z, _R8)
    r = fma(r, z, _R7)
    r = fma(r, z, _R6)
    r = fma(r, z, _R5)
    r = fma(r, z, _R4)
    r = fma(r, z, _R3)
    r = fma(r, z, _R2)
    r = fma(r, z, _R1) * z
    hfsq = 0.5 * f * f
    logm = f - (hfsq - s * (hfsq + r))
    y = fma(ef, _LN2_HI, fma(ef, _LN2_LO, logm + (x - (u - 1.0)) / u))
    y = -_INF if x == -1.0 else y
    y = _NAN if x < -1.0 else y
    return x if (x != x) | (x == _INF) else y


@njit(**_JIT)
def tanh(x):
    """tanh(x) = expm1(2|x|) / (expm1(2|x|) + 2), with the sign of x: no cancellation anywhere."""
    em = expm1(2.0 * min(abs(x), _TANH_HI))
    t = em / (em + 2.0)
    y = f64_from_bits((f64_bits(t) & _ABS_MASK) | (f64_bits(x) & _SIGN_MASK))
    return x if x != x else y


@njit(**_JIT)
def cosh(x):
    """(e^|x| + e^-|x|)/2, formed as p·2^(k−1) + 2^(−k−1)/p so e^|x| itself never overflows."""
    r, k = _reduce(min(abs(x), _EXP_HI + 1.0))
    p = _expm1_poly(r) + 1.0
    y = ldexp(p, k - 1) + ldexp(1.0 / p, -k - 1)
    return x if x != x else y


@njit(**_JIT)
def erfc(x):
    """Complementary error function (the C library's)."""
    return math.erfc(x)


@njit(**_JIT)
def hypot(a, b):
    """√(a² + b²) = h·√(1 + (l/h)²), h = max(|a|, |b|), l = min: no overflow or underflow;
    inf beats NaN (C99)."""
    a, b = abs(a), abs(b)
    hi, lo = max(a, b), min(a, b)
    r = lo / hi
    y = hi * math.sqrt(fma(r, r, 1.0))
    y = hi if lo == 0.0 else y  # also 0 for hypot(0, 0), where r is 0/0
    y = _NAN if (a != a) | (b != b) else y
    return _INF if (a == _INF) | (b == _INF) else y


@njit(**_JIT)
def sqrt(x):
    """√x (NaN below 0)."""
    return math.sqrt(x)
