"""Sigmoidal units: bounded, S-shaped (or hard, piecewise-linear S-shaped) functions."""

from __future__ import annotations

import math

from ..core import Definition, Param, ParameterError, Reference, register
from ._shared import at_infinity, indicator, sech2, sigmoid, softplus

INF = math.inf
_RUMELHART = Reference(
    "D. E. Rumelhart, G. E. Hinton, R. J. Williams",
    1986,
    "Learning representations by back-propagating errors",
    "https://doi.org/10.1038/323533a0",
)


def _sigmoid(x, o):
    r"""Logistic sigmoid: :math:`\sigma(x) = \frac{1}{1 + e^{-x}}`."""
    return sigmoid(x, o)


register(
    Definition(
        name="sigmoid",
        family="sigmoidal",
        aliases=("logistic",),
        summary="The logistic function: squashes any real number into (0, 1).",
        forward=_sigmoid,
        # σ(x)σ(-x) instead of σ(1-σ): 1-σ cancels for large x, σ(-x) does not.
        derivative=lambda x, o: sigmoid(x, o) * sigmoid(-x, o),
        derivative_from_output=lambda y, o: y * (1.0 - y),
        latex=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        latex_derivative=r"\sigma(x)\,(1 - \sigma(x))",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C∞",
        saturates=("left", "right"),
        uses=("binary output", "multilabel output", "gating"),
        init="glorot",
        reference=_RUMELHART,
        guidance="Use it for a binary or multi-label output (with binary cross-entropy) and for gates. "
        "In hidden layers its derivative is at most 1/4, so gradients shrink by 4x or more per "
        "layer, and its outputs are not zero-centred.",
        mp_forward=lambda mp, x: 1 / (1 + mp.exp(-x)),
    )
)


def _tanh(x, o):
    r"""Hyperbolic tangent: :math:`\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1`."""
    return o.tanh(x)


register(
    Definition(
        name="tanh",
        family="sigmoidal",
        summary="Hyperbolic tangent: a zero-centred sigmoid with range (-1, 1).",
        forward=_tanh,
        derivative=lambda x, o: sech2(x, o),
        derivative_from_output=lambda y, o: 1.0 - y * y,
        latex=r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        latex_derivative=r"1 - \tanh^2(x)",
        output_range=(-1.0, 1.0),
        monotonic=True,
        zero_centred=True,
        smoothness="C∞",
        saturates=("left", "right"),
        uses=("hidden", "gating"),
        init="glorot",
        reference=Reference(
            "Y. LeCun, L. Bottou, G. B. Orr, K.-R. Müller",
            1998,
            "Efficient BackProp",
            "https://doi.org/10.1007/3-540-49430-8_2",
        ),
        guidance="Better than sigmoid in hidden layers (zero-centred, derivative up to 1) but it "
        "saturates on both sides, so deep tanh stacks still lose their gradient. Standard "
        "inside recurrent cells.",
        mp_forward=lambda mp, x: mp.tanh(x),
    )
)


def _hard_sigmoid(x, o):
    r"""Hard sigmoid: :math:`f(x) = \frac{\min(\max(x + 3, 0), 6)}{6}`."""
    return o.minimum(o.maximum(x + 3.0, 0.0), 6.0) / 6.0


register(
    Definition(
        name="hard_sigmoid",
        family="sigmoidal",
        aliases=("hardsigmoid",),
        summary="Piecewise-linear sigmoid: 0 below -3, 1 above 3, a straight line between.",
        forward=_hard_sigmoid,
        derivative=lambda x, o: indicator((x > -3) & (x < 3), x, o) / 6.0,
        derivative_from_output=lambda y, o: indicator((y > 0) & (y < 1), y, o) / 6.0,
        latex=r"\frac{\operatorname{ReLU6}(x + 3)}{6}",
        latex_derivative=r"\begin{cases}1/6 & -3 < x < 3\\ 0 & \text{otherwise}\end{cases}",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C0",
        saturates=("left", "right"),
        uses=("gating", "binary output"),
        init="glorot",
        kinks=(-3.0, 3.0),
        kink_convention="f'(-3) = f'(3) = 0",
        reference=Reference(
            "A. Howard et al.", 2019, "Searching for MobileNetV3", "https://arxiv.org/abs/1905.02244"
        ),
        guidance="A cheap sigmoid for gates on mobile hardware. Keras 2 used x/5 + 1/2; actlab, PyTorch "
        "and Keras 3 use (x + 3)/6.",
        mp_forward=lambda mp, x: min(max(x + 3, 0), 6) / 6,
    )
)


def _sparse_sigmoid(x, o):
    r"""Sparse sigmoid: :math:`f(x) = \frac{\min(\max(x + 1, 0), 2)}{2}`: 0 for :math:`x \le -1`,
    :math:`\frac{x + 1}{2}` between, 1 for :math:`x \ge 1`."""
    return 0.5 * o.minimum(o.maximum(x + 1.0, 0.0), 2.0)


register(
    Definition(
        name="sparse_sigmoid",
        family="sigmoidal",
        summary="Piecewise-linear sigmoid that is exactly 0 below -1 and exactly 1 above 1.",
        forward=_sparse_sigmoid,
        derivative=lambda x, o: indicator((x > -1) & (x < 1), x, o) * 0.5,
        derivative_from_output=lambda y, o: indicator((y > 0) & (y < 1), y, o) * 0.5,
        latex=r"\begin{cases}0 & x \le -1\\ \frac{x + 1}{2} & -1 < x < 1\\ 1 & x \ge 1\end{cases}",
        latex_derivative=r"\begin{cases}1/2 & -1 < x < 1\\ 0 & \text{otherwise}\end{cases}",
        output_range=(0.0, 1.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C0",
        saturates=("left", "right"),
        uses=("gating", "binary output"),
        init="glorot",
        kinks=(-1.0, 1.0),
        exact=True,
        kink_convention="f'(-1) = f'(1) = 0",
        reference=Reference(
            "M. Blondel, A. F. T. Martins, V. Niculae",
            2020,
            "Learning with Fenchel-Young Losses",
            "https://arxiv.org/abs/1901.02324",
        ),
        guidance="The sigmoid that sparsemax is to softmax: outputs exactly 0 or 1 outside [-1, 1], "
        "so a gate can close fully. The same shape as hard_sigmoid on a narrower interval "
        "(slope 1/2 instead of 1/6). JAX and Keras have it as sparse_sigmoid.",
        mp_forward=lambda mp, x: min(max(x + 1, 0), 2) / 2,
    )
)


def _hard_tanh_check(min_val, max_val):
    # min_val == max_val is the constant min_val, which PyTorch accepts too.
    if not min_val <= max_val:
        raise ParameterError(
            f"hard_tanh needs min_val <= max_val, got min_val = {min_val}, max_val = {max_val}"
        )


def _hard_tanh(x, o, min_val, max_val):
    r"""Hard tanh: :math:`f(x) = \min(\max(x, a), b)` with :math:`a` = ``min_val``, :math:`b` = ``max_val``."""
    return o.minimum(o.maximum(x, min_val), max_val)


register(
    Definition(
        name="hard_tanh",
        family="sigmoidal",
        aliases=("hardtanh",),
        summary="Clips x to [min_val, max_val]: a piecewise-linear tanh.",
        forward=_hard_tanh,
        params=(Param("min_val", -1.0, "lower clip value"), Param("max_val", 1.0, "upper clip value")),
        check_params=_hard_tanh_check,
        derivative=lambda x, o, min_val, max_val: indicator((x > min_val) & (x < max_val), x, o),
        derivative_from_output=lambda y, o, min_val, max_val: indicator((y > min_val) & (y < max_val), y, o),
        latex=r"\min(\max(x, a), b)",
        latex_derivative=r"\begin{cases}1 & a < x < b\\ 0 & \text{otherwise}\end{cases}",
        output_range=lambda min_val, max_val: (min_val, max_val),
        monotonic=True,
        zero_centred=lambda min_val, max_val: min_val == -max_val,
        smoothness=lambda min_val, max_val: "C∞" if min_val == max_val else "C0",  # a constant
        saturates=("left", "right"),
        uses=("hidden",),
        init="glorot",
        kinks=lambda min_val, max_val: (min_val, max_val) if min_val < max_val else (),
        exact=True,
        keeps_integers=True,
        kink_convention="f'(min_val) = f'(max_val) = 0",
        reference=Reference(
            "R. Collobert",
            2004,
            "Large Scale Machine Learning (PhD thesis)",
            "https://ronan.collobert.com/pub/matos/2004_phdthesis_lip6.pdf",
        ),
        guidance="Cheap and bounded; gradients are exactly zero outside the clip range.",
        mp_forward=lambda mp, x, min_val, max_val: min(max(x, min_val), max_val),
    )
)


def _log_sigmoid(x, o):
    r"""Log-sigmoid: :math:`f(x) = \log\sigma(x) = -\operatorname{softplus}(-x)`."""
    return -softplus(-x, o)


register(
    Definition(
        name="log_sigmoid",
        family="sigmoidal",
        aliases=("logsigmoid",),
        summary="log(sigmoid(x)), computed as -softplus(-x) so it never overflows or rounds to -inf.",
        forward=_log_sigmoid,
        derivative=lambda x, o: sigmoid(-x, o),
        derivative_from_output=lambda y, o: -o.expm1(y),
        latex=r"\log \sigma(x) = -\log(1 + e^{-x})",
        latex_derivative=r"\sigma(-x) = 1 - \sigma(x)",
        output_range=(-INF, 0.0),
        monotonic=True,
        zero_centred=False,
        smoothness="C∞",
        saturates=("right",),
        uses=("binary output",),
        init="glorot",
        reference=_RUMELHART,
        guidance="The log-probability of the positive class; pair it with a negative log-likelihood "
        "loss instead of log(sigmoid(x)), which returns -inf for x below about -745.",
        mp_forward=lambda mp, x: -mp.log1p(mp.exp(-x)),
    )
)


def _softsign(x, o):
    r"""Softsign: :math:`f(x) = \frac{x}{1 + |x|}`."""
    return at_infinity(x, x / (1.0 + o.abs(x)), o, neg=-1.0, pos=1.0)


register(
    Definition(
        name="softsign",
        family="sigmoidal",
        summary="x / (1 + |x|): a tanh-like curve that approaches ±1 polynomially, not exponentially.",
        forward=_softsign,
        derivative=lambda x, o: 1.0 / ((1.0 + o.abs(x)) * (1.0 + o.abs(x))),
        derivative_from_output=lambda y, o: (1.0 - o.abs(y)) * (1.0 - o.abs(y)),
        latex=r"\frac{x}{1 + |x|}",
        latex_derivative=r"\frac{1}{(1 + |x|)^2}",
        output_range=(-1.0, 1.0),
        monotonic=True,
        zero_centred=True,
        smoothness="C1",
        saturates=("left", "right"),
        uses=("hidden",),
        init="glorot",
        reference=Reference(
            "X. Glorot, Y. Bengio",
            2010,
            "Understanding the difficulty of training deep feedforward neural networks",
            "https://proceedings.mlr.press/v9/glorot10a.html",
        ),
        guidance="Saturates more slowly than tanh, so fewer units sit at the rails; rarely better than "
        "ReLU in practice. Its second derivative jumps at 0.",
        mp_forward=lambda mp, x: x / (1 + abs(x)),
    )
)
