"""erfc for NumPy arrays, vectorised and within about 1 ulp over the whole float64 range.

SciPy's ``erfc`` (Cephes) is off by up to 470 ulp in the tail, where GELU needs it, and the C
library's is a scalar function. This one is computed from two smooth functions, each a
Chebyshev interpolant evaluated by Clenshaw's recurrence (``numpy.polynomial.chebyshev``):

- z = |x| ≤ 1: erfc(z) = (1 − z) − z·R(z²), R(s) = erf(√s)/√s − 1. 1 − z is exact for
  z in [½, 1] and |z·R| ≤ 0.16, so nothing cancels;
- z > 1: erfc(z) = e^(−z²)·K(t)/z, K(t) = z·erfcx(z) as a function of t = 1/(1 + z/2), with
  z² split exactly into z_h² + δ (z_h is z rounded to 24 bits, so z_h² is exact), so that
  e^(−z²) keeps full relative accuracy although z² is large. K varies slowly (from 0.43 to
  1/√π), so the rounding of t hardly moves it, and the only division is the last one;
- x < 0: erfc(x) = 2 − erfc(|x|), formed as 1 + (z + z·R) = 1 + erf(z) for |x| ≤ 1.

The coefficients come from ``tools/fit_erfc.py`` (mpmath, 40 digits); the tests recompute them
and compare the function with mpmath's erfc.
"""

from __future__ import annotations

import numpy as np

# R(s) on s in [0, 1] and K(t) on t in [0, 2/3], Chebyshev coefficients.
_R = (
    -0.024523060617345903,
    -0.14226120510371365,
    0.010035582187599796,
    -0.0005768764699767485,
    2.741993125219606e-05,
    -1.1043175507344507e-06,
    3.8488755420345036e-08,
    -1.1808582533875466e-09,
    3.2334215826050907e-11,
    -7.991015947004549e-13,
    1.799072511396137e-14,
    -3.7186354877527125e-16,
    7.103598527027531e-18,
    -1.2609201146052294e-19,
)

_K = (
    0.5226852818480617,
    -0.06239406251578744,
    -0.026066301528228093,
    -0.00589478156730447,
    -0.0007428920123522405,
    -1.512889083241833e-05,
    1.067161029773319e-05,
    9.966155397395318e-07,
    -1.8450476010209492e-07,
    -2.805919177614581e-08,
    4.587632242834468e-09,
    7.389343846411984e-10,
    -1.5469505431115975e-10,
    -1.758489681115298e-11,
    6.057580561126255e-12,
    2.4273932694348523e-13,
    -2.405130925459372e-13,
    1.075182997401721e-14,
    8.586349446804554e-15,
    -1.3257658165632324e-15,
    -2.1923478924752754e-16,
    8.484325967337989e-17,
    -9.106075867576896e-19,
    -3.844824532424688e-18,
    5.9577656496154e-19,
    9.961359639517417e-20,
    -4.5785766433411653e-20,
    2.3559734123318965e-21,
    2.0310666748367578e-21,
)

# The largest error against mpmath over the whole range (the tests hold it to this).
ULP_BOUND = 5.0
_K_HALF_WIDTH = 1.0 / 3.0  # t ∈ [0, 2/3] ↦ u = (t − 1/3)/(1/3) ∈ [−1, 1]
_UNDERFLOW = 27.3  # erfc(27.3) < 2^-1075: 0 in float64


def erfc(x):
    r"""Complementary error function :math:`\operatorname{erfc}(x) = 1 - \operatorname{erf}(x)
    = \frac{2}{\sqrt{\pi}}\int_x^\infty e^{-t^2}\,dt`, elementwise in float64 (NaN propagates;
    erfc(−∞) = 2, erfc(∞) = 0)."""
    from numpy.polynomial.chebyshev import chebval  # at first use: it costs import time

    with np.errstate(under="ignore"):  # the tail is subnormal by nature
        return _erfc(np.asarray(x, dtype=np.float64), chebval)


def _erfc(x: np.ndarray, chebval) -> np.ndarray:
    z = np.abs(x)
    near = z <= 1.0
    out = np.empty_like(z)
    if near.any():
        zn = z[near]
        zr = zn * chebval(2.0 * (zn * zn) - 1.0, _R)
        out[near] = np.where(x[near] < 0, 1.0 + (zn + zr), (1.0 - zn) - zr)
    far = ~near  # also NaN
    if far.any():
        zf = np.minimum(z[far], _UNDERFLOW)
        t = 1.0 / (1.0 + 0.5 * zf)
        zh = zf.astype(np.float32).astype(np.float64)
        delta = (zf - zh) * (zf + zh)
        k = chebval((t - _K_HALF_WIDTH) / _K_HALF_WIDTH, _K)
        tail = np.exp(-zh * zh) * (np.exp(-delta) * k) / zf
        out[far] = np.where(x[far] < 0, 2.0 - tail, tail)
    return out if out.ndim else out[()]
