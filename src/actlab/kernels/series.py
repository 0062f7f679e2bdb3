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


def erfc_correction(degree: int) -> tuple[float, ...]:
    """P(t) with erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), z ≥ 0 (the form of Numerical
    Recipes' erfcc), as power-series coefficients. P(t) = log(erfcx(z)/t) is smooth on t ∈ (0, 1],
    so a Chebyshev fit at Chebyshev points converges fast (degree 11: 1e-9, from SciPy's float64
    erfcx)."""
    cheb = np.polynomial.chebyshev
    nodes = 0.5 + 0.5 * np.cos(np.pi * (np.arange(400) + 0.5) / 400)  # t in (0, 1)
    z = 2.0 / nodes - 2.0
    fit = cheb.Chebyshev.fit(nodes, np.log(sc.erfcx(z) / nodes), degree, domain=[0.0, 1.0])
    power = fit.convert(kind=np.polynomial.Polynomial, domain=[-1, 1], window=[-1, 1])
    return tuple(float(c) for c in power.coef)
