"""Linear and piecewise units: identity/linear, the step, hard swish, sparse plus, shrinkage."""

from __future__ import annotations

import functools
import math

from ..core import Definition, Param, Reference, register
from ._shared import at_infinity, indicator, slope_times

INF = math.inf


def _linear(x, o, c):
    r"""Linear: :math:`f(x) = c\,x`; the identity when :math:`c = 1`."""
    return x if c == 1.0 else slope_times(x, c, o)


register(
    Definition(
        name="linear",
        family="linear",
        aliases=("identity",),
        summary="c·x: no non-linearity at all; a stack of linear layers is one linear map.",
        forward=_linear,
        params=(Param("c", 1.0, "slope; c = 1 is the identity"),),
        derivative=lambda x, o, c: o.where(o.isnan(x), x, o.full_like(x, c)),
        derivative_from_output=lambda y, o, c: o.where(o.isnan(y), y, o.full_like(y, c)),
        latex=r"c\,x",
        latex_derivative=r"c",
        # c = 0 is the constant 0; c < 0 decreases.
        output_range=lambda c: (0.0, 0.0) if c == 0 else (-INF, INF),
        monotonic=lambda c: c >= 0,
        zero_centred=True,
        smoothness="C∞",
        saturates=lambda c: ("left", "right") if c == 0 else (),
        uses=("regression output",),
        init="glorot",
        exact=True,
        reference=Reference(
            "B. Widrow, M. E. Hoff", 1960, "Adaptive Switching Circuits", "https://doi.org/10.21236/AD0241531"
        ),
        guidance="Use it for regression outputs. In hidden layers it adds nothing: any number of linear "
        "layers compose to a single matrix, so the network is a linear regression.",
        mp_forward=lambda mp, x, c: c * x,
    )
)


def _step(x, o, threshold):
    r"""Heaviside step: :math:`f(x) = 1` for :math:`x \ge \theta`, 0 otherwise."""
    return indicator(x >= threshold, x, o)


register(
    Definition(
        name="step",
        family="threshold unit",
        aliases=("heaviside", "binary_step"),
        summary="Binary step: 1 at or above the threshold, 0 below (the perceptron's unit).",
        forward=_step,
        params=(Param("threshold", 0.0, "the input at which the output switches to 1"),),
        derivative=lambda x, o, threshold: o.where(o.isnan(x), x, o.zeros_like(x)),
        differentiable=False,
        latex=r"\begin{cases}1 & x \ge \theta\\ 0 & x < \theta\end{cases}",
        latex_derivative=r"0 \ (x \ne \theta);\ \text{undefined at } \theta",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="discontinuous",
        saturates=("left", "right"),
        uses=("binary output",),
        init="glorot",
        kinks=lambda threshold: (threshold,),
        exact=True,
        kink_convention="f(θ) = 1 (numpy.heaviside(x, 1)); f' = 0 wherever it exists, so no gradient flows",
        reference=Reference(
            "W. S. McCulloch, W. Pitts",
            1943,
            "A logical calculus of the ideas immanent in nervous activity",
            "https://doi.org/10.1007/BF02478259",
        ),
        guidance="For a final yes/no decision after training, not for training: its derivative is zero "
        "wherever it exists, so backpropagation learns nothing through it. Train with "
        "sigmoid and threshold the output.",
        mp_forward=lambda mp, x, threshold: mp.mpf(1 if x >= threshold else 0),
    )
)


def _hard_swish(x, o):
    r"""Hard swish: :math:`f(x) = x\,\frac{\min(\max(x + 3, 0), 6)}{6}`."""
    return at_infinity(x, x * (o.minimum(o.maximum(x + 3.0, 0.0), 6.0) / 6.0), o, neg=0.0, pos=INF)


register(
    Definition(
        name="hard_swish",
        family="smooth rectifier",
        aliases=("hardswish", "hard_silu"),
        summary="Swish with a piecewise-linear gate: x · hard_sigmoid(x).",
        forward=_hard_swish,
        # PyTorch's convention at the kinks: the middle formula on [-3, 3].
        derivative=lambda x, o: o.where(x < -3.0, 0.0, o.where(x > 3.0, 1.0, x / 3.0 + 0.5)),
        latex=r"x\,\frac{\operatorname{ReLU6}(x + 3)}{6}",
        latex_derivative=r"\begin{cases}0 & x < -3\\ \frac{2x + 3}{6} & -3 \le x \le 3\\ 1 & x > 3\end{cases}",
        output_range=(-0.375, INF),
        monotonic=False,
        zero_centred=False,
        smoothness="C0",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        kinks=(-3.0, 3.0),
        kink_convention="f'(-3) = -1/2 and f'(3) = 3/2 (the middle formula, as in PyTorch)",
        reference=Reference(
            "A. Howard et al.", 2019, "Searching for MobileNetV3", "https://arxiv.org/abs/1905.02244"
        ),
        guidance="Swish's shape without an exp, for mobile networks. Its derivative jumps at ±3.",
        mp_forward=lambda mp, x: x * min(max(x + 3, 0), 6) / 6,
    )
)


def _sparse_plus(x, o):
    r"""Sparse plus: 0 for :math:`x \le -1`, :math:`\frac{(x+1)^2}{4}` for :math:`|x| < 1`, x for :math:`x \ge 1`."""
    return o.where(x <= -1.0, 0.0, o.where(x >= 1.0, x, 0.25 * (x + 1.0) * (x + 1.0)))


register(
    Definition(
        name="sparse_plus",
        family="smooth rectifier",
        aliases=("sparseplus",),
        summary="A C1 softplus that is exactly 0 below -1 and exactly x above 1.",
        forward=_sparse_plus,
        derivative=lambda x, o: o.where(x <= -1.0, 0.0, o.where(x >= 1.0, 1.0, 0.5 * (x + 1.0))),
        derivative_from_output=lambda y, o: o.minimum(o.sqrt(y), 1.0),
        latex=r"\begin{cases}0 & x \le -1\\ \frac{(x+1)^2}{4} & -1 < x < 1\\ x & x \ge 1\end{cases}",
        latex_derivative=r"\begin{cases}0 & x \le -1\\ \frac{x+1}{2} & -1 < x < 1\\ 1 & x \ge 1\end{cases}",
        output_range=(0.0, INF),
        monotonic=True,
        zero_centred=False,
        smoothness="C1",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        reference=Reference(
            "M. Blondel, A. F. T. Martins, V. Niculae",
            2020,
            "Learning with Fenchel-Young Losses",
            "https://arxiv.org/abs/1901.02324",
        ),
        guidance="Keeps ReLU's exact zeros (sparsity) and exact identity for large x while being "
        "differentiable everywhere.",
        mp_forward=lambda mp, x: mp.mpf(0) if x <= -1 else (x if x >= 1 else (x + 1) ** 2 / 4),
    )
)


@functools.cache
def _tanh_taylor_coefficients(n_terms: int) -> list[float]:
    """Coefficients c_k of x − tanh x = Σ_k c_k x^(2k+1), k ≥ 1, from tanh' = 1 − tanh²."""
    from fractions import Fraction  # exact arithmetic, at first use

    a = [Fraction(0)] * (2 * n_terms + 3)  # Taylor coefficients of tanh
    a[1] = Fraction(1)
    for k in range(1, 2 * n_terms + 2):
        conv = sum((a[i] * a[k - i] for i in range(k + 1)), Fraction(0))
        a[k + 1] = -conv / (k + 1)
    return [float(-a[2 * k + 1]) for k in range(1, n_terms + 1)]


# On |x| < 1 the series converges like (2x/π)^(2k); 48 terms reach 1e-19 relative at |x| = 1.
# (Computed in exact fractions at first use, not at import: it takes tens of milliseconds.)
_SERIES_TERMS = 48


def _series_terms(eps: float) -> int:
    """Terms of the series for a relative truncation of eps/16 at |x| = 1 (float64: 43,
    float32: 21): a float32 kernel need not pay for float64's digits."""
    return min(_SERIES_TERMS, math.ceil(math.log(eps / 16) / (2 * math.log(2 / math.pi))))


def _tanhshrink(x, o):
    r"""Tanhshrink: :math:`f(x) = x - \tanh(x)`."""
    # x − tanh x loses up to all its digits to cancellation near 0 (it is x³/3 there), so
    # |x| < 1 uses the Taylor series instead.
    z = o.clip(x, -1.0, 1.0)
    z2 = z * z
    acc = 0.0 * z
    terms = _tanh_taylor_coefficients(_SERIES_TERMS)[: _series_terms(float(o.finfo(x.dtype).eps))]
    for c in reversed(terms):
        acc = acc * z2 + c
    return o.where(o.abs(x) < 1.0, acc * z2 * z, x - o.tanh(x))


register(
    Definition(
        name="tanhshrink",
        family="shrinkage",
        summary="x − tanh(x): flat near 0, slope 1 far from it.",
        forward=_tanhshrink,
        derivative=lambda x, o: o.tanh(x) * o.tanh(x),
        latex=r"x - \tanh(x)",
        latex_derivative=r"\tanh^2(x)",
        output_range=(-INF, INF),
        monotonic=True,
        zero_centred=True,
        smoothness="C∞",
        saturates=(),
        uses=("hidden",),
        init="glorot",
        reference=Reference(
            "A. Paszke et al.",
            2019,
            "PyTorch: An Imperative Style, High-Performance Deep Learning Library",
            "https://arxiv.org/abs/1912.01703",
        ),
        guidance="A smooth shrinkage used in sparse coding (learned ISTA). Rare as a hidden activation: "
        "its gradient vanishes near 0, where most pre-activations are.",
        mp_forward=lambda mp, x: x - mp.tanh(x),
    )
)

_DONOHO = Reference(
    "D. L. Donoho, I. M. Johnstone",
    1994,
    "Ideal spatial adaptation by wavelet shrinkage",
    "https://doi.org/10.1093/biomet/81.3.425",
)


def _softshrink(x, o, lambd):
    r"""Soft shrinkage: :math:`f(x) = x - \lambda` for :math:`x > \lambda`, :math:`x + \lambda` for :math:`x < -\lambda`, else 0."""
    return o.where(x > lambd, x - lambd, o.where(x < -lambd, x + lambd, o.where(o.isnan(x), x, 0.0)))


register(
    Definition(
        name="softshrink",
        family="shrinkage",
        aliases=("soft_shrink",),
        summary="Soft thresholding: moves x towards 0 by lambda, and to exactly 0 inside [-lambda, lambda].",
        forward=_softshrink,
        params=(Param("lambd", 0.5, "width of the dead zone around 0", low=0.0),),
        derivative=lambda x, o, lambd: indicator(o.abs(x) > lambd, x, o),
        derivative_from_output=lambda y, o, lambd: indicator(y != 0, y, o),
        latex=r"\operatorname{sign}(x)\max(|x| - \lambda, 0)",
        latex_derivative=r"\begin{cases}1 & |x| > \lambda\\ 0 & |x| \le \lambda\end{cases}",
        output_range=(-INF, INF),
        monotonic=True,
        zero_centred=True,
        smoothness=lambda lambd: "C∞" if lambd == 0 else "C0",
        saturates=(),  # lambd = 0: identity
        uses=("hidden",),
        init="glorot",
        kinks=lambda lambd: (-lambd, lambd),
        exact=True,
        kink_convention="f'(±lambda) = 0",
        reference=_DONOHO,
        guidance="The proximal operator of the L1 norm: the step that makes codes sparse in ISTA and "
        "wavelet denoising.",
        mp_forward=lambda mp, x, lambd: x - lambd if x > lambd else (x + lambd if x < -lambd else mp.mpf(0)),
    )
)


def _hardshrink(x, o, lambd):
    r"""Hard shrinkage: :math:`f(x) = x` for :math:`|x| > \lambda`, else 0."""
    return o.where(o.abs(x) > lambd, x, o.where(o.isnan(x), x, 0.0))


register(
    Definition(
        name="hardshrink",
        family="shrinkage",
        aliases=("hard_shrink",),
        summary="Hard thresholding: keeps x when |x| > lambda, zero otherwise.",
        forward=_hardshrink,
        # A negative lambda keeps every x (the identity), as PyTorch allows; softshrink does not.
        params=(Param("lambd", 0.5, "width of the dead zone around 0; a negative value keeps every x"),),
        derivative=lambda x, o, lambd: indicator(o.abs(x) > lambd, x, o),
        derivative_from_output=lambda y, o, lambd: (
            indicator(y != 0, y, o) if lambd >= 0 else indicator(y == y, y, o)
        ),
        latex=r"\begin{cases}x & |x| > \lambda\\ 0 & |x| \le \lambda\end{cases}",
        latex_derivative=r"\begin{cases}1 & |x| > \lambda\\ 0 & |x| < \lambda\end{cases}",
        output_range=(-INF, INF),
        monotonic=True,
        zero_centred=True,
        smoothness=lambda lambd: "C∞" if lambd <= 0 else "discontinuous",  # lambd <= 0: identity
        saturates=(),
        uses=("hidden",),
        init="glorot",
        kinks=lambda lambd: (-lambd, lambd) if lambd > 0 else (),
        exact=True,
        kink_convention="f'(±lambda) = 0; the function jumps there",
        reference=_DONOHO,
        guidance="Keeps large coefficients untouched and drops small ones; discontinuous at ±lambda.",
        mp_forward=lambda mp, x, lambd: x if abs(x) > lambd else mp.mpf(0),
    )
)
