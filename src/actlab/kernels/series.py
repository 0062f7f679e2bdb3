"""Polynomial coefficients of the kernels' elementary functions, derived rather than typed in."""

from __future__ import annotations

import math

import numpy as np
import scipy.special as sc


def exp_taylor(first: int, count: int) -> tuple[float, ...]:
    """1/k! for k = first, ..., first + count − 1: the Taylor coefficients of e^r."""
    return tuple(1.0 / math.factorial(k) for k in range(first, first + count))


def log_series(count: int) -> tuple[float, ...]:
    """2/(2k+1) for k = 1..count: log(1+f) = f − f²/2 + s·(f²/2 + Σ 2s^(2k)/(2k+1)), s = f/(2+f)."""
    return tuple(2.0 / (2 * k + 1) for k in range(1, count + 1))


# The float32 erfc's two regions (see math32.erfc): z ≤ 1 and z in (1, ERFC32_ZMAX].
ERFC32_ZMAX = 10.5  # erfc(10.5) < 1e-49: 0 in float32


def erfc_near(degree: int) -> tuple[float, ...]:
    """R(s) = erf(√s)/√s − 1 on s = z² in [0, 1], as power-series coefficients in s: then
    erfc(z) = (1 − z) − z·R(z²) for z ≤ 1. Chebyshev interpolation of SciPy's erf (degree 6:
    1.2e-9 absolute, against erfc ≥ 0.157)."""

    def r(s):
        z = np.sqrt(s)
        return np.where(s == 0, 2 / math.sqrt(math.pi) - 1, sc.erf(z) / np.where(z == 0, 1, z) - 1)

    return _power(np.polynomial.Chebyshev.interpolate(r, degree, domain=[0.0, 1.0]))


def erfc_far(degree: int) -> tuple[float, ...]:
    """K(t) = z·erfcx(z) as power-series coefficients in t = 1/(1 + z/2), for z in
    (1, ERFC32_ZMAX]: then erfc(z) = e^(−z²)·K(t)/z. K varies slowly (0.43 to 0.56) and its
    power series is well conditioned there. Chebyshev interpolation of SciPy's erfcx (degree
    8: 1.8e-9 relative)."""

    def k(t):
        z = 2.0 / t - 2.0
        return z * sc.erfcx(z)

    return _power(np.polynomial.Chebyshev.interpolate(k, degree, domain=[1 / (1 + ERFC32_ZMAX / 2), 2 / 3]))


def _power(cheb) -> tuple[float, ...]:
    """Coefficients in the interpolation's own variable (not the [-1, 1] window)."""
    lo, hi = cheb.domain
    return tuple(
        float(c) for c in cheb.convert(kind=np.polynomial.Polynomial, domain=[lo, hi], window=[lo, hi]).coef
    )
