"""The high-precision oracle: mpmath references, ulp errors and the test grids."""

from __future__ import annotations

import math

import mpmath
import numpy as np

import actlab as al

DPS = 60
mp = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
mp.dps = DPS


def default_params(d: al.Definition) -> dict:
    return {p.name: p.default for p in d.params}


def param_cases(d: al.Definition) -> list[dict]:
    """The default parameters plus one changed value per parameter (each choice of a categorical)."""
    base = default_params(d)
    cases = [base]
    for p in d.params:
        if p.name == "axis":
            continue
        if p.choices is not None:
            cases += [{**base, p.name: c} for c in p.choices if c != p.default]
            continue
        for candidate in (p.default * 1.5 if p.default else 0.5, p.default / 2, p.default - 0.5):
            value = int(candidate) if p.integer else candidate
            try:
                al.get(d, **{**base, p.name: value})
            except al.ParameterError:
                continue
            if value != p.default:
                cases.append({**base, p.name: value})
                break
    return cases


def edge_params(d: al.Definition) -> list[dict]:
    """The defaults, then each real parameter changed alone to 0, ±1, 2 and 1.5 × its default
    where the parameters allow it: the values where a parameter changes what the function is
    (a slope of 0 or 1, a threshold above the value it jumps to, ...)."""
    base = default_params(d)
    cases = [base]
    for p in d.params:
        if p.choices is not None or p.integer:
            continue
        for value in (0.0, 1.0, -1.0, 2.0, 1.5 * p.default):
            case = {**base, p.name: value}
            if value == p.default or case in cases:
                continue
            try:
                al.get(d, **case)
            except al.ParameterError:
                continue
            cases.append(case)
    return cases


def grid(dtype, kinks=()) -> np.ndarray:
    """Inputs over the whole finite range of ``dtype``: dense near 0 and in the transition zone,
    log-spaced out to the largest value, the subnormals, and both sides of every kink."""
    fi = np.finfo(dtype)
    lo_exp = math.log10(float(fi.smallest_subnormal))
    hi_exp = math.log10(float(fi.max))
    mags = np.concatenate(
        [
            np.logspace(lo_exp, hi_exp - 1e-9, 300),
            np.logspace(-6, 2.2, 200),
            [fi.smallest_subnormal, fi.smallest_normal, fi.max, 1.0, 0.5, 2.0],
        ]
    )
    pts = [mags, -mags, np.linspace(-40, 40, 321), [0.0, -0.0]]
    for k in kinks:
        off = np.array([1e-12, 1e-6, 1e-3, 0.1, 0.5])
        pts += [k + off, k - off, [k]]
    with np.errstate(over="ignore"):
        x = np.concatenate([np.asarray(p, dtype=np.float64) for p in pts]).astype(dtype)
    x = x[np.isfinite(x)]
    return np.unique(x)


def stable(fn, zero_below_dps: float = math.inf):
    """Evaluate ``fn()`` in mpmath at rising precision until two precisions agree to 25 digits,
    so that cancellation inside a reference formula (x + sqrt(x² + b) at x = -1e38, or
    x - tanh x at x = 1e-80) cannot fool the oracle. A zero is accepted once the precision
    reaches ``zero_below_dps``, the digits that would have resolved any value that matters."""
    prev = None
    levels = [DPS * 2**k for k in range(8)]  # up to 7680 digits, for e^{-2471}-sized answers
    for dps in levels:
        with mp.workdps(dps):
            value = +fn()
        # A zero may be a cancellation that more digits would resolve: only the last level
        # may confirm it.
        if prev is not None and value != 0 and abs(value - prev) <= abs(value) * mp.mpf(10) ** -25:
            return value
        if value == 0 and dps >= zero_below_dps:
            return value
        prev = value
    if value == 0:
        return value
    raise AssertionError(f"the mpmath reference did not converge: {prev!r} vs {value!r}")


def mp_value(d: al.Definition, x: float, params: dict, zero_below_dps: float = math.inf):
    """f(x) in high precision; ``zero_below_dps`` as for :func:`stable`."""
    if d.exact:  # max, min, one product: nothing in the reference can cancel
        return d.mp_forward(mp, mp.mpf(x), **params)
    return stable(lambda: d.mp_forward(mp, mp.mpf(x), **params), zero_below_dps)


def mp_derivative(d: al.Definition, x: float, params: dict, tiny: float):
    """A central difference in high precision with a step 1e-25 relative to x (mpmath's own
    diff uses an absolute step, which is lost next to large x and swamps f' near a zero of f'
    at tiny x), at rising precision. A derivative below ``tiny`` (which may flush to zero)
    is reported as 0 once the precision could have resolved ``tiny``."""
    xm = mp.mpf(x)
    h = abs(xm) * mp.mpf(10) ** -25 if xm != 0 else mp.mpf(10) ** -200  # h² below any float at 0
    f = lambda t: d.mp_forward(mp, t, **params)  # noqa: E731
    scale = abs(f(xm))
    # Digits needed to see a change of tiny·h in a value of size |f(x)|.
    needed = 10 + float(mp.log10(max(scale, mp.mpf(1)))) - math.log10(tiny) - float(mp.log10(h))
    return stable(lambda: (f(xm + h) - f(xm - h)) / (2 * h), zero_below_dps=needed)


def ulp_errors(computed: np.ndarray, exact: list, dtype) -> np.ndarray:
    """|computed − exact| in units of the last place of ``dtype`` at the exact value.

    Exact values below the smallest normal number may flush to zero, so there an answer of
    magnitude at most the smallest normal counts as exact. Exact values that round beyond the
    largest finite number must give an infinity of the right sign.
    """
    fi = np.finfo(dtype)
    tiny = mp.mpf(float(fi.smallest_normal))
    overflow = mp.mpf(float(fi.max)) * (1 + mp.mpf(2) ** -(fi.nmant + 1))
    out = np.empty(len(exact))
    for i, (c, e) in enumerate(zip(computed.astype(np.float64), exact)):
        c = float(c)
        if abs(e) >= overflow:
            out[i] = 0.0 if (math.isinf(c) and (c > 0) == (e > 0)) else math.inf
        elif abs(e) < tiny:
            out[i] = 0.0 if abs(c) <= tiny else math.inf
        elif not math.isfinite(c):
            out[i] = math.inf
        else:
            ulp = mp.mpf(2) ** (mp.floor(mp.log(abs(e), 2)) - fi.nmant)
            out[i] = float(abs(mp.mpf(c) - e) / ulp)
    return out


def condition(fx: np.ndarray, dfx: np.ndarray, x: np.ndarray) -> np.ndarray:
    """κ(x) = |x f'(x) / f(x)|, the relative condition number (inf where f(x) = 0)."""
    with np.errstate(all="ignore"):
        k = np.abs(x * dfx / fx)
    # At x = 0 with f(0) = 0 the limit is 1 (f ≈ f'(0)·x); elsewhere a zero of f is infinitely
    # ill-conditioned, and the oracle then asks for a flushed answer (|f| ≤ smallest normal).
    return np.where(x == 0, 1.0, np.where(np.isnan(k), np.inf, k))
