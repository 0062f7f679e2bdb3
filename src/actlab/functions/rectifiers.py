"""The rectifier family: ReLU and the units that change what it does for x < 0."""

from __future__ import annotations

import math

import numpy as np

from ..core import Definition, Param, ParameterError, Reference, register
from ._shared import indicator, slope_times

INF = math.inf

# SELU's constants, from Klambauer et al. (2017), eq. 14, to double precision.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _relu(x, o):
    r"""ReLU: :math:`f(x) = \max(0, x)`."""
    return o.maximum(x, 0.0)


register(
    Definition(
        name="relu",
        family="rectifier",
        summary="Rectified linear unit: passes positives, zeroes negatives.",
        forward=_relu,
        derivative=lambda x, o: indicator(x > 0, x, o),
        derivative_from_output=lambda y, o: indicator(y > 0, y, o),
        latex=r"\max(0, x)",
        latex_derivative=r"\begin{cases}1 & x > 0\\ 0 & x \le 0\end{cases}",
        output_range=(0.0, INF),
        monotonic=True,
        zero_centred=False,
        smoothness="C0",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        kinks=(0.0,),
        exact=True,
        keeps_integers=True,
        kink_convention="f'(0) = 0, as in PyTorch and JAX",
        reference=Reference(
            "V. Nair, G. E. Hinton",
            2010,
            "Rectified Linear Units Improve Restricted Boltzmann Machines (ICML)",
            "https://dl.acm.org/doi/10.5555/3104322.3104425",
        ),
        guidance="The default for hidden layers: cheap, does not saturate for x > 0, and gives sparse "
        "activations. Units whose input stays negative stop learning (dying ReLU); watch the "
        "dead-unit fraction when the learning rate is large.",
        mp_forward=lambda mp, x: max(x, 0),
    )
)


def _leaky_relu(x, o, alpha):
    r"""Leaky ReLU: :math:`f(x) = x` for :math:`x > 0`, :math:`\alpha x` otherwise."""
    return o.where(x > 0, x, slope_times(x, alpha, o))


register(
    Definition(
        name="leaky_relu",
        family="rectifier",
        aliases=("leakyrelu", "lrelu"),
        summary="ReLU with a small slope alpha for negative inputs, so no unit's gradient is exactly zero.",
        forward=_leaky_relu,
        params=(
            Param(
                "alpha", 0.01, "slope for x < 0 (PyTorch's default 0.01; Keras uses 0.2)", low=0.0, high=1.0
            ),
        ),
        derivative=lambda x, o, alpha: o.where(x > 0, 1.0, o.where(o.isnan(x), x, alpha)),
        derivative_from_output=lambda y, o, alpha: o.where(y > 0, 1.0, o.where(o.isnan(y), y, alpha)),
        latex=r"\begin{cases}x & x > 0\\ \alpha x & x \le 0\end{cases}",
        latex_derivative=r"\begin{cases}1 & x > 0\\ \alpha & x \le 0\end{cases}",
        output_range=lambda alpha: (-INF if alpha > 0 else 0.0, INF),
        monotonic=True,
        # alpha = 1 is the identity, alpha = 0 is ReLU.
        zero_centred=lambda alpha: alpha == 1,
        smoothness=lambda alpha: "C∞" if alpha == 1 else "C0",
        saturates=lambda alpha: ("left",) if alpha == 0 else (),
        uses=("hidden",),
        init="he",
        kinks=(0.0,),
        exact=True,
        kink_convention="f'(0) = alpha",
        reference=Reference(
            "A. L. Maas, A. Y. Hannun, A. Y. Ng",
            2013,
            "Rectifier Nonlinearities Improve Neural Network Acoustic Models (ICML workshop)",
            "https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
        ),
        guidance="A drop-in for ReLU when many units die: the negative side keeps a gradient of alpha. "
        "Gains over ReLU are small and inconsistent in published comparisons.",
        mp_forward=lambda mp, x, alpha: x if x > 0 else alpha * x,
    )
)


def _prelu(x, o, alpha):
    r"""PReLU: :math:`f(x) = x` for :math:`x > 0`, :math:`\alpha x` otherwise, with :math:`\alpha` learned."""
    return o.where(x > 0, x, slope_times(x, alpha, o))


def _all(cond) -> bool:
    """Whether a condition on a parameter holds for every channel (a scalar is one channel)."""
    return bool(np.all(cond))


def _prelu_range(alpha):
    # A positive slope reaches -inf; a zero or negative one only non-negative values.
    return (-INF if np.any(np.asarray(alpha) > 0) else 0.0, INF)


register(
    Definition(
        name="prelu",
        family="rectifier",
        summary="Leaky ReLU whose negative slope is learned (one per channel or shared).",
        forward=_prelu,
        params=(
            Param(
                "alpha",
                0.25,
                "learned slope for x < 0; a scalar or an array that broadcasts "
                "against the input (one per channel)",
                learnable=True,
                array_ok=True,
            ),
        ),
        derivative=lambda x, o, alpha: o.where(x > 0, 1.0, o.where(o.isnan(x), x, alpha)),
        param_partials={"alpha": lambda x, o, alpha: o.minimum(x, 0.0)},
        latex=r"\begin{cases}x & x > 0\\ \alpha x & x \le 0\end{cases}",
        latex_derivative=r"\begin{cases}1 & x > 0\\ \alpha & x \le 0\end{cases}",
        output_range=_prelu_range,
        monotonic=lambda alpha: _all(np.asarray(alpha) >= 0),
        zero_centred=lambda alpha: _all(np.asarray(alpha) == 1),
        smoothness=lambda alpha: "C∞" if _all(np.asarray(alpha) == 1) else "C0",
        saturates=lambda alpha: ("left",) if _all(np.asarray(alpha) == 0) else (),
        uses=("hidden",),
        init="he",
        kinks=(0.0,),
        exact=True,
        kink_convention="f'(0) = alpha",
        reference=Reference(
            "K. He, X. Zhang, S. Ren, J. Sun",
            2015,
            "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification",
            "https://arxiv.org/abs/1502.01852",
        ),
        guidance="Lets the network choose its own leak. Adds one parameter per channel; it can overfit "
        "on small data. The slope may become negative, which makes the unit non-monotonic.",
        mp_forward=lambda mp, x, alpha: x if x > 0 else alpha * x,
    )
)


def _rrelu_check(lower, upper):
    if lower > upper:
        raise ParameterError(f"rrelu needs lower <= upper, got lower = {lower} > upper = {upper}")


def _rrelu(x, o, lower, upper):
    r"""RReLU at inference: :math:`f(x) = x` for :math:`x \ge 0`, :math:`\frac{l+u}{2}x` otherwise.

    While training each element draws its slope from :math:`U(l, u)` instead.
    """
    return o.where(x >= 0, x, slope_times(x, (lower + upper) / 2, o))


def _rrelu_train(x, o, rng, lower, upper):
    slope = o.asarray(rng.uniform(lower, upper, size=x.shape), dtype=x.dtype)
    return (o.where(x >= 0, x, slope_times(x, slope, o)), o.where(x >= 0, 1.0, o.where(o.isnan(x), x, slope)))


register(
    Definition(
        name="rrelu",
        family="rectifier",
        summary="Randomized leaky ReLU: a random negative slope while training, its mean at inference.",
        forward=_rrelu,
        stochastic=_rrelu_train,
        params=(
            Param("lower", 1 / 8, "smallest random slope", low=0.0, high=1.0),
            Param("upper", 1 / 3, "largest random slope", low=0.0, high=1.0),
        ),
        check_params=_rrelu_check,
        derivative=lambda x, o, lower, upper: o.where(
            x >= 0, 1.0, o.where(o.isnan(x), x, (lower + upper) / 2)
        ),
        derivative_from_output=lambda y, o, lower, upper: o.where(
            y >= 0, 1.0, o.where(o.isnan(y), y, (lower + upper) / 2)
        ),
        latex=r"\begin{cases}x & x \ge 0\\ a x & x < 0\end{cases},\ a \sim U(l, u)\ \text{(training)},"
        r"\ a = \tfrac{l+u}{2}\ \text{(inference)}",
        latex_derivative=r"\begin{cases}1 & x \ge 0\\ a & x < 0\end{cases}",
        # Slopes of 0 make it ReLU, slopes of 1 the identity.
        output_range=lambda lower, upper: (-INF if upper > 0 else 0.0, INF),
        monotonic=True,
        zero_centred=lambda lower, upper: lower == upper == 1,
        smoothness=lambda lower, upper: "C∞" if lower == upper == 1 else "C0",
        saturates=lambda lower, upper: ("left",) if upper == 0 else (),
        uses=("hidden",),
        init="he",
        kinks=(0.0,),
        exact=True,
        kink_convention="f'(0) = 1 (the x >= 0 branch), as in PyTorch",
        reference=Reference(
            "B. Xu, N. Wang, T. Chen, M. Li",
            2015,
            "Empirical Evaluation of Rectified Activations in Convolutional Network",
            "https://arxiv.org/abs/1505.00853",
        ),
        guidance="The random slope acts as a regulariser on small data sets. At inference it is a "
        "leaky ReLU with the mean slope, so results are deterministic.",
        mp_forward=lambda mp, x, lower, upper: x if x >= 0 else (lower + upper) / 2 * x,
    )
)


def _relu6(x, o):
    r"""ReLU6: :math:`f(x) = \min(\max(0, x), 6)`."""
    return o.minimum(o.maximum(x, 0.0), 6.0)


register(
    Definition(
        name="relu6",
        family="rectifier",
        summary="ReLU capped at 6, for low-precision inference.",
        forward=_relu6,
        derivative=lambda x, o: indicator((x > 0) & (x < 6), x, o),
        derivative_from_output=lambda y, o: indicator((y > 0) & (y < 6), y, o),
        latex=r"\min(\max(0, x), 6)",
        latex_derivative=r"\begin{cases}1 & 0 < x < 6\\ 0 & \text{otherwise}\end{cases}",
        output_range=(0.0, 6.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C0",
        saturates=("left", "right"),
        uses=("hidden",),
        init="he",
        kinks=(0.0, 6.0),
        exact=True,
        keeps_integers=True,
        kink_convention="f'(0) = f'(6) = 0",
        reference=Reference(
            "A. Krizhevsky",
            2010,
            "Convolutional Deep Belief Networks on CIFAR-10",
            "https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf",
        ),
        guidance="Bounded output suits fixed-point and 8-bit inference (MobileNet). Saturates above 6, "
        "so it can lose gradient where plain ReLU would not.",
        mp_forward=lambda mp, x: min(max(x, 0), 6),
    )
)


def _elu(x, o, alpha):
    r"""ELU: :math:`f(x) = x` for :math:`x > 0`, :math:`\alpha(e^x - 1)` otherwise."""
    return o.where(x > 0, x, alpha * o.expm1(o.minimum(x, 0.0)))


register(
    Definition(
        name="elu",
        family="rectifier",
        summary="Exponential linear unit: ReLU with a smooth negative saturation at -alpha.",
        forward=_elu,
        params=(Param("alpha", 1.0, "negative saturation value is -alpha", low=0.0),),
        derivative=lambda x, o, alpha: o.where(x > 0, 1.0, alpha * o.exp(o.minimum(x, 0.0))),
        # From the output: f'(x) = f(x) + alpha for x <= 0 (absolute accuracy ulp(alpha) in the tail).
        # A saturated float32 output rounds below -alpha; f' is never negative.
        derivative_from_output=lambda y, o, alpha: o.where(y > 0, 1.0, o.maximum(y + alpha, 0.0)),
        latex=r"\begin{cases}x & x > 0\\ \alpha\,(e^{x} - 1) & x \le 0\end{cases}",
        latex_derivative=r"\begin{cases}1 & x > 0\\ \alpha e^{x} & x \le 0\end{cases}",
        output_range=lambda alpha: (-alpha, INF),
        monotonic=True,
        zero_centred=False,
        # f' is 1 on the right of 0 and alpha on the left: continuous only for alpha = 1.
        smoothness=lambda alpha: "C1" if alpha == 1 else "C0",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        kinks=(0.0,),
        kink_convention="f'(0) = alpha (the x <= 0 branch; equal to 1 on both sides when alpha = 1)",
        reference=Reference(
            "D.-A. Clevert, T. Unterthiner, S. Hochreiter",
            2015,
            "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
            "https://arxiv.org/abs/1511.07289",
        ),
        guidance="Negative outputs pull the mean activation towards zero and the unit never dies; "
        "costs an exp per negative input. C1 only when alpha = 1.",
        mp_forward=lambda mp, x, alpha: x if x > 0 else alpha * mp.expm1(x),
    )
)


def _selu(x, o):
    r"""SELU: :math:`f(x) = \lambda x` for :math:`x > 0`, :math:`\lambda\alpha(e^x - 1)` otherwise,
    with :math:`\lambda \approx 1.0507`, :math:`\alpha \approx 1.6733`."""
    return SELU_SCALE * o.where(x > 0, x, SELU_ALPHA * o.expm1(o.minimum(x, 0.0)))


register(
    Definition(
        name="selu",
        family="rectifier",
        summary="Scaled ELU whose fixed constants keep activations at zero mean and unit variance.",
        forward=_selu,
        derivative=lambda x, o: SELU_SCALE * o.where(x > 0, 1.0, SELU_ALPHA * o.exp(o.minimum(x, 0.0))),
        derivative_from_output=lambda y, o: o.where(
            y > 0, SELU_SCALE, o.maximum(y + SELU_SCALE * SELU_ALPHA, 0.0)
        ),
        latex=r"\lambda\begin{cases}x & x > 0\\ \alpha\,(e^{x} - 1) & x \le 0\end{cases},"
        r"\ \lambda \approx 1.0507,\ \alpha \approx 1.6733",
        latex_derivative=r"\lambda\begin{cases}1 & x > 0\\ \alpha e^{x} & x \le 0\end{cases}",
        output_range=(-SELU_SCALE * SELU_ALPHA, INF),
        monotonic=True,
        zero_centred=True,
        smoothness="C0",
        saturates=("left",),
        uses=("hidden",),
        init="lecun",
        kinks=(0.0,),
        kink_convention="f'(0) = lambda * alpha (the x <= 0 branch)",
        reference=Reference(
            "G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter",
            2017,
            "Self-Normalizing Neural Networks",
            "https://arxiv.org/abs/1706.02515",
        ),
        guidance="Self-normalising only with LeCun-normal initialisation, plain dense layers and "
        "alpha-dropout; with batch norm or other layers the guarantee is gone.",
        mp_forward=lambda mp, x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * mp.expm1(x)),
    )
)


def _celu(x, o, alpha):
    r"""CELU: :math:`f(x) = \max(0, x) + \min(0, \alpha(e^{x/\alpha} - 1))`."""
    return o.where(x > 0, x, alpha * o.expm1(o.minimum(x, 0.0) / alpha))


register(
    Definition(
        name="celu",
        family="rectifier",
        summary="Continuously differentiable ELU: the negative branch is rescaled so f' is 1 at 0 for any alpha.",
        forward=_celu,
        params=(Param("alpha", 1.0, "negative saturation value is -alpha", low=0.0, low_open=True),),
        derivative=lambda x, o, alpha: o.where(x > 0, 1.0, o.exp(o.minimum(x, 0.0) / alpha)),
        derivative_from_output=lambda y, o, alpha: o.where(y > 0, 1.0, o.maximum(y / alpha + 1.0, 0.0)),
        latex=r"\max(0, x) + \min\!\left(0, \alpha\,(e^{x/\alpha} - 1)\right)",
        latex_derivative=r"\begin{cases}1 & x > 0\\ e^{x/\alpha} & x \le 0\end{cases}",
        output_range=lambda alpha: (-alpha, INF),
        monotonic=True,
        zero_centred=False,
        smoothness="C1",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        kinks=(0.0,),
        kink_convention="f'(0) = 1",
        reference=Reference(
            "J. T. Barron",
            2017,
            "Continuously Differentiable Exponential Linear Units",
            "https://arxiv.org/abs/1704.07483",
        ),
        guidance="ELU with a derivative that is continuous for every alpha; identical to ELU at alpha = 1.",
        mp_forward=lambda mp, x, alpha: x if x > 0 else alpha * mp.expm1(x / alpha),
    )
)


def _threshold(x, o, threshold, value):
    r"""Threshold: :math:`f(x) = x` for :math:`x > \theta`, the constant ``value`` otherwise."""
    return o.where(x > threshold, x, o.where(o.isnan(x), x, value))


register(
    Definition(
        name="threshold",
        family="rectifier",
        summary="Passes x above a threshold, replaces everything else by a constant.",
        forward=_threshold,
        params=(
            Param("threshold", 1.0, "inputs above it pass unchanged"),
            Param("value", 0.0, "what inputs at or below the threshold become"),
        ),
        derivative=lambda x, o, threshold, value: indicator(x > threshold, x, o),
        latex=r"\begin{cases}x & x > \theta\\ v & x \le \theta\end{cases}",
        latex_derivative=r"\begin{cases}1 & x > \theta\\ 0 & x < \theta\end{cases}",
        # Jumps down at the threshold when value > threshold, up when below; continuous when equal.
        output_range=lambda threshold, value: (min(threshold, value), INF),
        monotonic=lambda threshold, value: value <= threshold,
        zero_centred=False,
        smoothness=lambda threshold, value: "C0" if value == threshold else "discontinuous",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        kinks=lambda threshold, value: (threshold,),
        exact=True,
        keeps_integers=True,
        kink_convention="f'(threshold) = 0; the function jumps there unless value == threshold",
        reference=Reference(
            "A. Paszke et al.",
            2019,
            "PyTorch: An Imperative Style, High-Performance Deep Learning Library",
            "https://arxiv.org/abs/1912.01703",
        ),
        guidance="A building block more than a hidden-layer activation: with value = threshold = 0 it is "
        "ReLU; otherwise it jumps at the threshold, which gradient descent cannot see.",
        mp_forward=lambda mp, x, threshold, value: x if x > threshold else mp.mpf(value),
    )
)
