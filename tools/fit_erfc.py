"""Print the Chebyshev coefficients of ``actlab.core.special`` (run with mpmath installed).

erfc is computed from two smooth functions, each interpolated at Chebyshev points in 40-digit
arithmetic: R(s) = erf(√s)/√s − 1 for s = z² in [0, 1], and K(t) = z·erfcx(z) for
t = 1/(1 + z/2) in [0, 2/3] (z ≥ 1). ``tests/test_special.py`` recomputes them and checks that
the module holds these numbers.
"""

from __future__ import annotations

import mpmath as mp

R_DEGREE, K_DEGREE = 13, 28
K_INTERVAL = (0.0, 2.0 / 3.0)


def chebyshev(f, a, b, degree):
    """Coefficients c_j of Σ c_j T_j(u), u = (2v − a − b)/(b − a), interpolating f at the
    Chebyshev points of the first kind."""
    n = degree + 1
    a, b = mp.mpf(a), mp.mpf(b)
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    values = [f((b - a) / 2 * u + (a + b) / 2) for u in nodes]
    coef = [
        2 * mp.fsum(values[k] * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / n) for k in range(n)) / n
        for j in range(n)
    ]
    coef[0] /= 2
    return coef


def r_function(s):
    if s == 0:
        return 2 / mp.sqrt(mp.pi) - 1
    z = mp.sqrt(s)
    return mp.erf(z) / z - 1


def k_function(t):
    if t == 0:
        return 1 / mp.sqrt(mp.pi)
    z = 2 / t - 2
    return z * mp.exp(z * z) * mp.erfc(z)


def coefficients(dps: int = 40):
    with mp.workdps(dps):
        return (
            [float(c) for c in chebyshev(r_function, 0, 1, R_DEGREE)],
            [float(c) for c in chebyshev(k_function, *K_INTERVAL, K_DEGREE)],
        )


if __name__ == "__main__":
    r, g = coefficients()
    print("_R =", tuple(r))
    print("_K =", tuple(g))
