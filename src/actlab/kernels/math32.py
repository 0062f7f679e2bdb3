"""float32 elementary functions for the fused kernels, written so that LLVM vectorises them.

libm's ``expf``/``log1pf``/``erfcf`` are opaque calls that keep a loop scalar; these are
branch-free (selects instead of ifs, bit casts instead of libm's ``ldexp``/``frexp``), so a kernel loop
that calls them runs 16 lanes at a time under AVX-512. Each is accurate to about 1–2 ulp over its
whole float32 domain and keeps NumPy's special values: NaN propagates, ±inf gives the limit.

The polynomial coefficients come from :mod:`actlab.kernels.series`. Where float32 arithmetic
cannot reach the accuracy (erfc, hypot), the routine works in float64 and rounds once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

from .bits import f32_bits, f32_from_bits, fma, ldexp, pow2
from .series import ERFC32_ZMAX, erfc_far, erfc_near, exp_taylor, log_series

F = np.float32
# The options of every njit here; annotated, since a bare dict of mixed values infers as
# dict[str, object], which njit's overloads refuse.
_JIT: dict[str, Any] = dict(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})

_ZERO, _HALF, _ONE, _TWO = F(0.0), F(0.5), F(1.0), F(2.0)
_INF = F(np.inf)
_NAN = F(np.nan)
_LOG2E = F(1.0 / math.log(2.0))
# ln 2 split so that k·LN2_HI is exact for |k| < 2^15 (Cody & Waite's range reduction).
_LN2_HI = F(0.693359375)
_LN2_LO = F(math.log(2.0) - 0.693359375)
_SQRT2 = F(math.sqrt(2.0))
# Adding 1.5·2^23 rounds a float32 of magnitude < 2^22 to an integer, which its low bits then hold.
_ROUNDER = F(12582912.0)
_ROUNDER_BITS = np.int32(np.array(12582912.0, np.float32).view(np.int32))
_EXP_LO, _EXP_HI = F(-104.0), F(89.0)  # e^x is 0 below and inf above, after rounding
_EXPM1_LO = F(-30.0)  # e^-30 - 1 rounds to -1
_TANH_HI = F(10.0)  # tanh(10) rounds to 1
_I127 = np.int32(127)
_I23 = np.int32(23)
_MANT_MASK = np.int32(0x7FFFFF)
_ONE_BITS = np.int32(0x3F800000)
_SIGN_MASK = np.int32(-0x80000000)
_ABS_MASK = np.int32(0x7FFFFFFF)


# e^r on |r| ≤ ln2/2: Taylor to r^7 (truncation 5e-9 relative, a tenth of a float32 ulp).
_E0, _E1, _E2, _E3, _E4, _E5, _E6, _E7 = map(F, exp_taylor(0, 8))
# (e^r − 1 − r)/r² = Σ r^(k-2)/k!, k = 2..9: expm1 to 6e-10 relative.
_M2, _M3, _M4, _M5, _M6, _M7, _M8, _M9 = map(F, exp_taylor(2, 8))
# log1p's series in s² ≤ 0.0295 (see series.log_series): 5 terms.
_R1, _R2, _R3, _R4, _R5 = map(F, log_series(5))
# erfc's two polynomials (see erfc and series.erfc_near / erfc_far).
_N0, _N1, _N2, _N3, _N4, _N5, _N6 = map(F, erfc_near(6))
_K0, _K1, _K2, _K3, _K4, _K5, _K6, _K7, _K8 = map(F, erfc_far(8))
_ERFC_ZMAX = F(ERFC32_ZMAX)


@njit(**_JIT)
def _reduce(x):
    """x = k·ln2 + r with |r| ≤ ln2/2: returns (r, k) for x already clamped to [-104, 89]."""
    t = fma(x, _LOG2E, _ROUNDER)
    kf = t - _ROUNDER
    r = fma(-kf, _LN2_HI, x)
    r = fma(-kf, _LN2_LO, r)
    return r, f32_bits(t) - _ROUNDER_BITS


@njit(**_JIT)
def _exp_poly(r):
    p = fma(_E7, r, _E6)
    p = fma(p, r, _E5)
    p = fma(p, r, _E4)
    p = fma(p, r, _E3)
    p = fma(p, r, _E2)
    p = fma(p, r, _E1)
    return fma(p, r, _E0)


@njit(**_JIT)
def exp(x):
    """e^x."""
    r, k = _reduce(min(max(x, _EXP_LO), _EXP_HI))
    y = ldexp(_exp_poly(r), k)
    return x if x != x else y


@njit(**_JIT)
def expm1(x):
    """e^x − 1, accurate near 0 (the sum 2^k − 1 + 2^k·expm1(r) is formed with one rounding)."""
    r, k = _reduce(min(max(x, _EXPM1_LO), _EXP_HI))
    q = fma(_M9, r, _M8)
    q = fma(q, r, _M7)
    q = fma(q, r, _M6)
    q = fma(q, r, _M5)
    q = fma(q, r, _M4)
    q = fma(q, r, _M3)
    q = fma(q, r, _M2)
    p = fma(q * r, r, r)  # expm1(r)
    # 2^k overflows float32 at k = 128 (x just below the overflow threshold): scale by 2^127
    # and double afterwards.
    kk = min(k, np.int32(127))
    s = pow2(_ONE, kk)
    y = fma(s, p, s - _ONE) * pow2(_ONE, k - kk)
    return x if x != x else y


@njit(**_JIT)
def _log_parts(u):
    """log(u) for a positive normal float32 u, as (e·ln2, log(m)) with u = 2^e·m, m in [√½, √2)."""
    bits = f32_bits(u)
    e = (bits >> _I23) - _I127
    m = f32_from_bits((bits & _MANT_MASK) | _ONE_BITS)  # in [1, 2)
    big = m > _SQRT2
    m = m * _HALF if big else m
    e = e + np.int32(1) if big else e
    f = m - _ONE  # exact (Sterbenz)
    s = f / (_TWO + f)
    z = s * s
    r = fma(_R5, z, _R4)
    r = fma(r, z, _R3)
    r = fma(r, z, _R2)
    r = fma(r, z, _R1) * z
    hfsq = _HALF * f * f
    return F(e), f - (hfsq - s * (hfsq + r))


@njit(**_JIT)
def log1p(x):
    """log(1 + x), accurate near 0: log(u) for u = fl(1 + x), plus the rounding (x − (u − 1))/u."""
    u = _ONE + x
    ef, logm = _log_parts(u)
    correction = (x - (u - _ONE)) / u
    y = fma(ef, _LN2_HI, fma(ef, _LN2_LO, logm + correction))
    y = -_INF if x == -_ONE else y
    y = _NAN if x < -_ONE else y
    return x if (x != x) | (x == _INF) else y


@njit(**_JIT)
def _copysign(magnitude, sign_of):
    return f32_from_bits((f32_bits(magnitude) & _ABS_MASK) | (f32_bits(sign_of) & _SIGN_MASK))


@njit(**_JIT)
def tanh(x):
    """tanh(x) = expm1(2|x|) / (expm1(2|x|) + 2), with the sign of x: no cancellation anywhere."""
    em = expm1(_TWO * min(abs(x), _TANH_HI))
    y = _copysign(em / (em + _TWO), x)
    return x if x != x else y


@njit(**_JIT)
def cosh(x):
    """(e^|x| + e^-|x|)/2, formed as p·2^(k−1) + 2^(−k−1)/p so e^|x| itself never overflows."""
    r, k = _reduce(min(abs(x), _EXP_HI + _TWO))
    p = _exp_poly(r)
    y = ldexp(p, k - np.int32(1)) + ldexp(_ONE / p, -k - np.int32(1))
    return x if x != x else y


@njit(**_JIT)
def erfc(x):
    """Complementary error function, in float32 throughout, from z = |x| by two formulas that
    are both computed (selects, not branches):

    - z ≤ 1: erfc(z) = (1 − z) − z·R(z²), with 1 − z exact for z ≥ ½ and |z·R| ≤ 0.16, so
      nothing cancels; x < 0 gives 1 + (z + z·R) = 1 + erf(z);
    - z > 1: erfc(z) = e^(−z²)·K(t)/z, t = 1/(1 + z/2), K = z·erfcx(z) slowly varying, with
      z² = h + l split exactly (l by fma) so that e^(−z²) = e^(−h)·(1 − l) keeps its relative
      accuracy; x < 0 gives 2 − erfc(z).
    """
    z = abs(x)
    s = z * z
    r = fma(_N6, s, _N5)
    r = fma(r, s, _N4)
    r = fma(r, s, _N3)
    r = fma(r, s, _N2)
    r = fma(r, s, _N1)
    zr = z * fma(r, s, _N0)
    near = _ONE + (z + zr) if x < _ZERO else (_ONE - z) - zr
    zf = min(max(z, _ONE), _ERFC_ZMAX)
    t = _ONE / fma(_HALF, zf, _ONE)
    k = fma(_K8, t, _K7)
    k = fma(k, t, _K6)
    k = fma(k, t, _K5)
    k = fma(k, t, _K4)
    k = fma(k, t, _K3)
    k = fma(k, t, _K2)
    k = fma(k, t, _K1)
    k = fma(k, t, _K0)
    h = zf * zf
    low = fma(zf, zf, -h)
    far = exp(-h) * fma(-k, low, k) / zf
    far = _TWO - far if x < _ZERO else far
    y = near if z <= _ONE else far
    return x if x != x else y


@njit(**_JIT)
def hypot(a, b):
    """√(a² + b²), formed in float64 where neither square can overflow; inf beats NaN (C99)."""
    a64, b64 = np.float64(a), np.float64(b)
    y = F(math.sqrt(a64 * a64 + b64 * b64))
    return _INF if (abs(a) == _INF) | (abs(b) == _INF) else y


@njit(**_JIT)
def sqrt(x):
    """√x (NaN below 0)."""
    return F(math.sqrt(x))
