"""Numerical building blocks shared by several definitions (not activations themselves).

Each helper takes the ops namespace ``o`` so the definitions that use it run on any array
library. They exist so that a stable formula (a softplus that never overflows, a logistic
that never cancels) is written once and reused, never retyped.
"""

from __future__ import annotations

import math

INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def indicator(cond, x, o):
    """1.0 where ``cond`` holds, else 0.0, in x's dtype; NaN where x is NaN (NaN propagates)."""
    return o.where(o.isnan(x), x, o.astype(cond, x.dtype))


def at_infinity(x, value, o, *, neg, pos):
    """``value`` with its limits at -inf/+inf put in (formulas like x·σ(x) give inf·0 there)."""
    return o.where(x == math.inf, pos, o.where(x == -math.inf, neg, value))


def sigmoid(x, o):
    """σ(x) = 1/(1+e^{-x}) from e = e^{-|x|}: 1/(1 + e) for x ≥ 0, e/(1 + e) below.

    Neither branch overflows, and below x ≈ -708 the answer is e^x itself, a subnormal number
    that SciPy's expit flushes to zero (which makes x·σ(x) at -710 zero instead of -3.2e-306).
    The fused kernels spell σ the same way (one exponential and one division for σ(x) and σ(−x)).
    """
    e = o.exp(-o.abs(x))
    s = 1.0 / (1.0 + e)
    return o.where(x >= 0, s, e * s)


def slope_times(x, slope, o):
    """slope·x, which is 0 for a zero slope even where x is infinite (0·inf would be NaN)."""
    zero = o.where(o.isnan(x), x, o.zeros_like(x))
    if isinstance(slope, (int, float)):  # a plain parameter: decided once, not per element
        return slope * x if slope != 0 else zero
    return o.where(slope == 0, zero, slope * x)  # per-channel slopes


def softplus(x, o):
    """log(1+e^x) = max(x, 0) + log1p(e^{-|x|}): never overflows, never cancels."""
    return o.maximum(x, 0.0) + o.log1p(o.exp(-o.abs(x)))


def sech2(x, o):
    """sech²(x) = 1/cosh²(x); unlike 1 − tanh²(x) it keeps full relative accuracy in the tails."""
    s = 1.0 / o.cosh(x)
    return s * s


def check_grad_out(g, shape, name: str) -> None:
    """The backward pass of a vector-valued activation takes a gradient shaped like its output;
    one that only broadcasts against it would give a wrong answer without a word."""
    from ..core import ParameterError

    if tuple(g.shape) != tuple(shape):
        raise ParameterError(
            f"grad_out has shape {tuple(g.shape)}, but {name}'s output (and so the "
            f"gradient of the loss with respect to it) has shape {tuple(shape)}"
        )


def move_to_last(x, axis, o):
    return x if axis == x.ndim - 1 else o.moveaxis(x, axis, -1)


def move_back(x, axis, o):
    return x if axis == x.ndim - 1 else o.moveaxis(x, -1, axis)
