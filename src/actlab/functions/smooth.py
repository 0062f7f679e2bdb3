"""Smooth rectifiers and self-gated units: softplus, GELU, Swish/SiLU, Mish, squareplus."""

from __future__ import annotations

import math

from ..core import Definition, Param, Reference, register
from ._shared import INV_SQRT2, INV_SQRT2PI, SQRT_2_OVER_PI, at_infinity, sech2, sigmoid, softplus

INF = math.inf
GELU_TANH_COEF = 0.044715
# Minima of the non-monotonic units (computed with mpmath to 30 digits).
GELU_MIN = -0.169971207479903661693868470982
GELU_TANH_MIN = -0.170040750571254050639067427988
SWISH_MIN = -0.278464542761073795109358739023  # of x·σ(x); x·σ(βx) has minimum SWISH_MIN/β
MISH_MIN = -0.308843413017250406628760229042


def _softplus(x, o, beta):
    r"""Softplus: :math:`f(x) = \frac{1}{\beta}\log(1 + e^{\beta x})`."""
    # max(x,0) + log1p(e^{-β|x|})/β: no overflow however large β|x| is.
    return o.maximum(x, 0.0) + o.log1p(o.exp(-beta * o.abs(x))) / beta


register(
    Definition(
        name="softplus",
        family="smooth rectifier",
        summary="A smooth ReLU: log(1 + e^x), positive everywhere, derivative the logistic sigmoid.",
        forward=_softplus,
        params=(
            Param("beta", 1.0, "sharpness; softplus approaches ReLU as beta grows", low=0.0, low_open=True),
        ),
        derivative=lambda x, o, beta: sigmoid(beta * x, o),
        derivative_from_output=lambda y, o, beta: -o.expm1(-beta * y),
        latex=r"\frac{1}{\beta}\log\left(1 + e^{\beta x}\right)",
        latex_derivative=r"\sigma(\beta x)",
        output_range=(0.0, INF),
        monotonic=True,
        zero_centred=False,
        smoothness="C∞",
        saturates=("left",),
        uses=("hidden", "regression output"),
        init="he",
        reference=Reference(
            "C. Dugas, Y. Bengio, F. Bélisle, C. Nadeau, R. Garcia",
            2001,
            "Incorporating Second-Order Functional Knowledge for Better Option Pricing (NeurIPS)",
            "https://papers.nips.cc/paper/1920-incorporating-second-order-functional-knowledge-for-better-option-pricing",
        ),
        guidance="Use it where an output must be positive (a variance, a rate). As a hidden activation it "
        "trains more slowly than ReLU in most reports. Never compute it as log(1 + exp(x)): "
        "that overflows to inf above x = 709.",
        mp_forward=lambda mp, x, beta: mp.log1p(mp.exp(beta * x)) / beta,
    )
)


def _gelu(x, o, approximate):
    r"""GELU: :math:`f(x) = x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}(x/\sqrt{2})\right)`.

    With ``approximate="tanh"``:
    :math:`\frac{x}{2}\left(1 + \tanh\left(\sqrt{2/\pi}\,(x + 0.044715 x^3)\right)\right)`.
    """
    if approximate == "tanh":
        # ½(1 + tanh u) = σ(2u): no cancellation of 1 + tanh u for negative x.
        u = SQRT_2_OVER_PI * x * (1.0 + GELU_TANH_COEF * x * x)
        y = x * sigmoid(2.0 * u, o)
    else:
        # Φ(x) = ½·erfc(-x/√2) keeps full relative accuracy where 1 + erf(x/√2) would cancel.
        y = 0.5 * x * o.erfc(-x * INV_SQRT2)
    return at_infinity(x, y, o, neg=0.0, pos=INF)


def _gelu_derivative(x, o, approximate):
    if approximate == "tanh":
        xc = o.clip(x, -50.0, 50.0)  # beyond ±50 the derivative is exactly 0 or 1 in float64
        u = SQRT_2_OVER_PI * xc * (1.0 + GELU_TANH_COEF * xc * xc)
        du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEF * xc * xc)
        s = sigmoid(2.0 * u, o)
        return o.where(o.isnan(x), x, s + 2.0 * xc * du * s * sigmoid(-2.0 * u, o))
    d = 0.5 * o.erfc(-x * INV_SQRT2) + x * INV_SQRT2PI * o.exp(-0.5 * x * x)
    return at_infinity(x, d, o, neg=0.0, pos=1.0)


def _gelu_range(approximate):
    return (GELU_TANH_MIN if approximate == "tanh" else GELU_MIN, INF)


register(
    Definition(
        name="gelu",
        family="smooth rectifier",
        summary="Gaussian error linear unit: x weighted by the probability that a standard normal is below x.",
        forward=_gelu,
        derivative=_gelu_derivative,
        params=(
            Param(
                "approximate",
                "none",
                "'none' for the exact erf form, 'tanh' for the tanh "
                "approximation of Hendrycks & Gimpel (within 5e-4 of the exact form)",
                choices=("none", "tanh"),
            ),
        ),
        latex=r"x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt{2}}\right)",
        latex_derivative=r"\Phi(x) + x\,\varphi(x)",
        output_range=_gelu_range,
        monotonic=False,
        zero_centred=False,
        smoothness="C∞",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        reference=Reference(
            "D. Hendrycks, K. Gimpel",
            2016,
            "Gaussian Error Linear Units (GELUs)",
            "https://arxiv.org/abs/1606.08415",
        ),
        guidance="The default in Transformers (BERT, GPT). Behaves like x for large x and like 0 for "
        "very negative x, with a small negative dip (minimum -0.17 at x = -0.75). The tanh "
        "form is an approximation kept for compatibility with older checkpoints.",
        mp_forward=lambda mp, x, approximate: _mp_gelu(mp, x, approximate),
    )
)


def _mp_gelu(mp, x, approximate):
    # Beyond |x| = 1e6 both forms equal x or 0 to within 1e-10^11, far below any float; saying
    # so spares mpmath an erfc that overflows internally and exponentials of 1e18-digit size.
    if abs(x) > 1e6:
        return x if x > 0 else mp.mpf(0)
    if approximate == "tanh":
        return x / (1 + mp.exp(-2 * mp.sqrt(2 / mp.pi) * (x + mp.mpf(GELU_TANH_COEF) * x**3)))
    return x * mp.erfc(-x / mp.sqrt(2)) / 2


def _swish(x, o, beta):
    r"""Swish: :math:`f(x) = x\,\sigma(\beta x)`; SiLU is :math:`\beta = 1`."""
    return at_infinity(x, x * sigmoid(beta * x, o), o, neg=0.0 if beta > 0 else -INF, pos=INF)


def _swish_derivative(x, o, beta):
    s = sigmoid(beta * x, o)
    # σ + β·(x·σ)·σ(−βx), not σ·(1 + βx·σ(−βx)): in float32, βx overflows for large |x| and the
    # second factor becomes ±inf where σ is 0.
    d = s + beta * ((x * s) * sigmoid(-beta * x, o))
    return at_infinity(x, d, o, neg=0.0 if beta > 0 else 0.5, pos=1.0 if beta > 0 else 0.5)


def _swish_beta_partial(x, o, beta):
    # ∂/∂β x·σ(βx) = x²σ(βx)σ(-βx), written as (xσ(βx))·(xσ(-βx)) so x² never overflows.
    return at_infinity(x, (x * sigmoid(beta * x, o)) * (x * sigmoid(-beta * x, o)), o, neg=0.0, pos=0.0)


register(
    Definition(
        name="swish",
        family="smooth rectifier",
        aliases=("silu",),
        summary="x times sigmoid(beta x): a smooth, non-monotonic ReLU; SiLU is beta = 1.",
        forward=_swish,
        derivative=_swish_derivative,
        param_partials={"beta": _swish_beta_partial},
        params=(
            Param(
                "beta",
                1.0,
                "gate sharpness: 0 gives x/2, large beta approaches ReLU; learnable in the Swish paper",
                low=0.0,
                learnable=True,
            ),
        ),
        latex=r"x\,\sigma(\beta x)",
        latex_derivative=r"\sigma(\beta x)\left(1 + \beta x\,(1 - \sigma(\beta x))\right)",
        # beta = 0 is the line x/2: monotonic, zero-centred, never saturating.
        output_range=lambda beta: (SWISH_MIN / beta if beta > 0 else -INF, INF),
        monotonic=lambda beta: beta == 0,
        zero_centred=lambda beta: beta == 0,
        smoothness="C∞",
        saturates=lambda beta: ("left",) if beta > 0 else (),
        uses=("hidden",),
        init="he",
        reference=Reference(
            "P. Ramachandran, B. Zoph, Q. V. Le",
            2017,
            "Searching for Activation Functions",
            "https://arxiv.org/abs/1710.05941",
        ),
        guidance="Found by automated search; matches or slightly beats ReLU on deep image models at the "
        "cost of an exp. The gains reported are fractions of a percent; measure on your data.",
        mp_forward=lambda mp, x, beta: x / (1 + mp.exp(-beta * x)),
    )
)


def _mish(x, o):
    r"""Mish: :math:`f(x) = x\tanh(\operatorname{softplus}(x))`."""
    return at_infinity(x, x * o.tanh(softplus(x, o)), o, neg=0.0, pos=INF)


def _mish_derivative(x, o):
    sp = softplus(x, o)
    d = o.tanh(sp) + x * sech2(sp, o) * sigmoid(x, o)
    return at_infinity(x, d, o, neg=0.0, pos=1.0)


register(
    Definition(
        name="mish",
        family="smooth rectifier",
        summary="x tanh(softplus(x)): a smooth, non-monotonic ReLU close to Swish.",
        forward=_mish,
        derivative=_mish_derivative,
        latex=r"x \tanh\left(\log(1 + e^{x})\right)",
        latex_derivative=r"\tanh(\operatorname{sp}(x)) + x\,\operatorname{sech}^2(\operatorname{sp}(x))\,\sigma(x)",
        output_range=(MISH_MIN, INF),
        monotonic=False,
        zero_centred=False,
        smoothness="C∞",
        saturates=("left",),
        uses=("hidden",),
        init="he",
        reference=Reference(
            "D. Misra",
            2019,
            "Mish: A Self Regularized Non-Monotonic Activation Function",
            "https://arxiv.org/abs/1908.08681",
        ),
        guidance="Used in YOLOv4; similar to Swish with a slightly deeper negative dip. Three "
        "transcendental functions per element make it one of the slowest.",
        mp_forward=lambda mp, x: x * mp.tanh(mp.log1p(mp.exp(x))),
    )
)


def _squareplus(x, o, b):
    r"""Squareplus: :math:`f(x) = \frac{x + \sqrt{x^2 + b}}{2}`."""
    h = o.hypot(x, math.sqrt(b))  # √(x²+b) without overflow of x²
    # For x < 0 the sum x + h cancels; b / (2(h − x)) is the same number without cancellation,
    # and written (b/h) / (2(1 − x/h)) nothing in it can overflow (1 − x/h is in [1, 2]) or
    # underflow to 0/0 (b = 0 with a subnormal x).
    left = 0.5 * (b / h) / (1.0 - x / h)
    # b/h may round one ulp above √b: capped at f(0) = √b/2 the curve cannot step down at 0.
    left = o.minimum(left, 0.5 * math.sqrt(b))
    return o.where(x >= 0, 0.5 * x + 0.5 * h, o.where(x == -INF, 0.0, left))


def _squareplus_derivative(x, o, b):
    h = o.hypot(x, math.sqrt(b))
    # b / (2h(h − x)) as the forward writes it: (b/h)/h is at most 1, 1 − x/h is in [1, 2].
    d = o.where(x >= 0, 0.5 * (1.0 + x / h), 0.5 * ((b / h) / h) / (1.0 - x / h))
    return o.where(h == 0, 0.5, at_infinity(x, d, o, neg=0.0, pos=1.0))


register(
    Definition(
        name="squareplus",
        family="smooth rectifier",
        summary="(x + sqrt(x^2 + b)) / 2: a softplus-like curve from algebra alone (no exp or log).",
        forward=_squareplus,
        derivative=_squareplus_derivative,
        # 1/(1 + b/(4y²)) = y²/(y² + b/4) without forming y², which overflows in float32.
        derivative_from_output=lambda y, o, b: o.where(
            y * y + 0.25 * b > 0, 1.0 / (1.0 + (0.25 * b / y) / y), o.where(o.isnan(y), y, 0.5)
        ),
        params=(Param("b", 4.0, "curvature near 0; b = 0 gives ReLU", low=0.0),),
        latex=r"\frac{x + \sqrt{x^2 + b}}{2}",
        latex_derivative=r"\frac{1}{2}\left(1 + \frac{x}{\sqrt{x^2 + b}}\right)",
        output_range=(0.0, INF),
        monotonic=True,
        zero_centred=False,
        smoothness=lambda b: "C∞" if b > 0 else "C0",  # b = 0 is ReLU
        saturates=("left",),
        uses=("hidden",),
        init="he",
        reference=Reference(
            "J. T. Barron",
            2021,
            "Squareplus: A Softplus-Like Algebraic Rectifier",
            "https://arxiv.org/abs/2112.11687",
        ),
        guidance="A softplus substitute that needs only a square root, so it is fast on any hardware; "
        "it approaches 0 as b/(4|x|) on the left, much more slowly than softplus.",
        mp_forward=lambda mp, x, b: (
            (x + mp.sqrt(x * x + b)) / 2 if x >= 0 else b / (2 * (mp.sqrt(x * x + b) - x))
        ),
    )
)


def _exponential(x, o):
    r"""Exponential: :math:`f(x) = e^{x}`."""
    return o.exp(x)


register(
    Definition(
        name="exponential",
        family="exponential",
        summary="e^x: a positive output that grows without bound (Keras's 'exponential').",
        forward=_exponential,
        derivative=lambda x, o: o.exp(x),
        derivative_from_output=lambda y, o: y * 1.0,  # f' = f (a new array, never y itself)
        latex=r"e^{x}",
        latex_derivative=r"e^{x}",
        output_range=(0.0, INF),
        monotonic=True,
        zero_centred=False,
        smoothness="C∞",
        saturates=("left",),
        uses=("regression output",),
        init="glorot",
        reference=Reference(
            "F. Chollet et al.",
            2015,
            "Keras: activations (exponential)",
            "https://keras.io/api/layers/activations/",
        ),
        guidance="An output for a positive quantity (a rate, a scale) modelled on the log scale. "
        "Unbounded: it overflows to inf above x = 709 (88 in float32), and as a hidden "
        "activation gradients explode with it; softplus grows only linearly.",
        mp_forward=lambda mp, x: mp.exp(x),
    )
)
