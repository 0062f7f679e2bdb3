"""Claims about the shape of single activations — tails, ranges, centring, kinks, limits,
gradients of softmax and argmax, Maxout as a generalised ReLU — each measured numerically on
actlab's definitions (no network needed). Compute cost is in :mod:`actlab.lab.claims.cost`."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import logit
from scipy.stats import norm

import actlab as al

from ..verdicts import agrees, all_of, at_least, at_most, seed_formula
from .core import S000, S001, S002, S003, S004, Context, Finding, claim, sources
from .formulas import GRID, TOL, deviation

# Gauss–Hermite (probabilists') nodes: E[f(Z)], Z ~ N(0, 1), exact for polynomials of degree < 2·80.
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(80)
_WEIGHTS = _WEIGHTS / math.sqrt(2 * math.pi)


def _expect(f) -> float:
    """E[f(Z)] for Z ~ N(0, 1), by Gauss–Hermite quadrature."""
    return float(np.sum(_WEIGHTS * np.asarray(f(_NODES), dtype=float)))


def _d(name: str, x, **params) -> np.ndarray:
    """f'(x) as a float array shaped like x (computed on at least 1-d input)."""
    x = np.asarray(x, dtype=float)
    return np.asarray(al.get(name, **params).derivative(np.atleast_1d(x)), dtype=float).reshape(x.shape)


# -- sigmoid and tanh -----------------------------------------------------------------------------
@claim(
    "sigmoid-tails",
    sources(S000, S002, S004),
    "Sigmoids saturate and kill gradients: at either tail (outputs near 0 or 1) the gradient is almost zero",
)
def _sigmoid_tails(ctx: Context) -> Finding:
    x_tail = float(logit(0.999))  # where σ(x) = 0.999 (and, by symmetry, 0.001 at −x)
    peak = float(_d("sigmoid", 0.0))
    rel = float(_d("sigmoid", x_tail)) / peak
    figures = {
        "x where σ = 0.999": x_tail,
        "σ'(0)": peak,
        "σ'(±x) / σ'(0)": rel,
        "σ'(10)": float(_d("sigmoid", 10.0)),
    }
    return Finding(
        "σ' at the inputs where the output is within 0.001 of 0 or 1, relative to its peak",
        figures,
        at_most(rel, 0.01, what="σ' in the tails relative to σ'(0)"),
    )


@claim(
    "sigmoid-derivative-bound",
    S004,
    "If you graph f'(x) [of the sigmoid], the output is between 0 and 1; backpropagation "
    "multiplies n of these fractions",
)
def _sigmoid_derivative_bound(ctx: Context) -> Finding:
    d = _d("sigmoid", GRID)
    figures = {
        "max σ'": float(d.max()),
        "min σ' on [-8, 8]": float(d.min()),
        "bound on a product of 10 factors": float(d.max()) ** 10,
    }
    return Finding(
        "σ'(x) on [−8, 8]",
        figures,
        all_of(at_most(float(d.max()), 1.0, what="max σ'"), at_least(float(d.min()), 0.0, what="min σ'")),
        note="True but loose: σ' never exceeds 1/4, so each sigmoid layer multiplies the "
        "gradient by at most a quarter of its weights' scale.",
    )


@claim(
    "sigmoid-not-zero-centred", sources(S000, S002), "Sigmoid outputs are not zero-centred (0 < output < 1)"
)
def _sigmoid_centring(ctx: Context) -> Finding:
    m = _expect(al.sigmoid)
    return Finding(
        "E[σ(Z)] for zero-mean inputs Z ~ N(0, 1) (Gauss–Hermite quadrature)",
        {"E[σ(Z)]": m},
        at_least(abs(m), 0.1, what="|E[σ(Z)]|"),
    )


@claim("tanh-zero-centred", sources(S000, S002, S003), "tanh is zero-centred (range −1 to 1)")
def _tanh_centring(ctx: Context) -> Finding:
    m = _expect(al.tanh)
    lo, hi = float(al.tanh(-1e3)), float(al.tanh(1e3))
    return Finding(
        "E[tanh(Z)] for Z ~ N(0, 1), and tanh at ±1000",
        {"E[tanh(Z)]": m, "tanh(-1000)": lo, "tanh(1000)": hi},
        all_of(
            at_most(abs(m), 1e-12, what="|E[tanh(Z)]|"),
            agrees(max(abs(lo + 1), abs(hi - 1)), 0.0, what="limits ±1"),
        ),
    )


def _crossover() -> float:
    """The |x| beyond which σ'(x) exceeds tanh'(x) (tanh' = 4σ'(2x) falls off twice as fast)."""
    return brentq(lambda x: float(_d("tanh", x) - _d("sigmoid", x)), 0.5, 5.0, xtol=1e-12)


@claim(
    "tanh-stronger-gradient", S002, "The gradient is stronger for tanh than sigmoid (derivatives are steeper)"
)
def _tanh_stronger(ctx: Context) -> Finding:
    xc = _crossover()
    share = float(2 * norm.cdf(xc) - 1)
    figures = {
        "max tanh'": float(_d("tanh", 0.0)),
        "max σ'": float(_d("sigmoid", 0.0)),
        "|x| beyond which σ' > tanh'": xc,
        "share of N(0,1) inputs with tanh' > σ'": share,
    }
    return Finding(
        "tanh' against σ' pointwise: their peaks, the crossover, the share of standard-normal "
        "inputs where tanh' is larger",
        figures,
        at_least(share, 0.5, what="share of N(0,1) inputs where tanh' > σ'"),
        note=f"True near 0 (four times the peak) but not in the tails: for |x| > {xc:.3f} "
        "the sigmoid's derivative is the larger one.",
    )


# -- ReLU ---------------------------------------------------------------------------------------
_POSITIVE = np.concatenate([np.logspace(-300, 300, 601), GRID[GRID > 0]])


@claim(
    "relu-no-positive-saturation",
    sources(S000, S003),
    "ReLU does not saturate for x > 0: the derivative is 1 there, so the gradient flows freely",
)
def _relu_positive(ctx: Context) -> Finding:
    dev = float(np.max(np.abs(_d("relu", _POSITIVE) - 1.0)))
    return Finding(
        "relu'(x) at 1e-300 ... 1e300",
        {"max |relu'(x) − 1|, x > 0": dev},
        agrees(dev, 0.0, what="relu' = 1 for x > 0"),
    )


@claim(
    "relu-zero-negative-gradient",
    sources(S000, S002),
    "ReLU has no gradient for x < 0, so units whose input stays negative stop learning",
)
def _relu_negative(ctx: Context) -> Finding:
    dev = float(np.max(np.abs(_d("relu", -_POSITIVE))))
    return Finding(
        "relu'(x) at −1e300 ... −1e-300",
        {"max |relu'(x)|, x < 0": dev},
        agrees(dev, 0.0, what="relu' = 0 for x < 0"),
    )


@claim("relu-kink", S001, "ReLU is not smooth at 0; we say f'(0) is just 0 or 1")
def _relu_kink(ctx: Context) -> Finding:
    h = 1e-8
    left = float((al.relu(0.0) - al.relu(-h)) / h)
    right = float((al.relu(h) - al.relu(0.0)) / h)
    figures = {
        "left derivative at 0": left,
        "right derivative at 0": right,
        "actlab f'(0)": float(_d("relu", 0.0)),
    }
    return Finding(
        "one-sided difference quotients of relu at 0 (h = 1e-8)",
        figures,
        agrees(max(abs(left), abs(right - 1.0)), 1e-12, what="one-sided derivatives 0 and 1"),
        note="Any value in [0, 1] is a subgradient at 0, so both choices are valid; actlab, "
        "PyTorch and JAX use 0.",
    )


@claim("relu-range", S002, "The range of ReLU is [0, inf), so it can blow up the activation")
def _relu_range(ctx: Context) -> Finding:
    big = float(al.relu(1e300))
    lo = float(np.min(al.relu(GRID)))
    return Finding(
        "relu on [−8, 8] and at 1e300",
        {"min relu(x)": lo, "relu(1e300)": big},
        all_of(agrees(abs(lo), 0.0, what="min relu = 0"), at_least(big, 1e300, what="relu(1e300)")),
    )


# -- leaky ReLU, ELU, softplus, GELU ------------------------------------------------------------
@claim(
    "leaky-relu-negative-gradient",
    sources(S002, S003),
    "Leaky ReLU (y = 0.01x for x < 0) keeps a non-zero gradient for negative inputs, so units can recover",
)
def _leaky_gradient(ctx: Context) -> Finding:
    d = _d("leaky_relu", -_POSITIVE)
    return Finding(
        "leaky_relu'(x) (alpha = 0.01) at −1e300 ... −1e-300",
        {"min leaky_relu'(x), x < 0": float(d.min())},
        at_least(float(d.min()), 1e-3, what="min leaky_relu' for x < 0"),
    )


@claim("elu-mean-closer-to-zero", S000, "ELU gives outputs closer to zero mean (than ReLU)")
def _elu_mean(ctx: Context) -> Finding:
    m_elu, m_relu = _expect(al.elu), _expect(al.relu)
    figures = {"E[elu(Z)]": m_elu, "E[relu(Z)]": m_relu, "|E elu| / |E relu|": abs(m_elu) / abs(m_relu)}
    return Finding(
        "mean output for Z ~ N(0, 1) (Gauss–Hermite quadrature)",
        figures,
        at_most(abs(m_elu) / abs(m_relu), 1.0, what="|E elu(Z)| / |E relu(Z)|"),
    )


@claim("elu-negative-saturation", S000, "ELU has a negative saturation regime, compared with Leaky ReLU")
def _elu_saturation(ctx: Context) -> Finding:
    figures = {
        "elu(-10)": float(al.elu(-10.0)),
        "elu'(-10)": float(_d("elu", -10.0)),
        "leaky_relu'(-10)": float(_d("leaky_relu", -10.0)),
    }
    return Finding(
        "elu and the derivatives of elu and leaky_relu at x = −10",
        figures,
        all_of(
            at_most(figures["elu'(-10)"], 1e-3, what="elu'(-10)"),
            at_least(figures["leaky_relu'(-10)"], 1e-3, what="leaky_relu'(-10)"),
        ),
        note="ELU flattens out at −alpha; Leaky ReLU keeps its slope. The robustness to "
        "noise this is said to bring is not measured here.",
    )


@claim(
    "softplus-smooth-relu",
    S001,
    "Softplus looks like a ReLU but increases with a smooth curve instead of a kink at 0",
)
def _softplus(ctx: Context) -> Finding:
    gap = np.abs(al.softplus(GRID) - al.relu(GRID))
    tail = float(abs(al.softplus(20.0) - al.relu(20.0)))
    jump = float(abs(_d("softplus", 1e-9) - _d("softplus", -1e-9)))
    figures = {
        "max |softplus − relu|": float(gap.max()),
        "at x": float(GRID[np.argmax(gap)]),
        "|softplus − relu| at x = 20": tail,
        "derivative jump at 0": jump,
    }
    return Finding(
        "softplus − relu on [−8, 8] and at 20; the derivative's jump across 0",
        figures,
        all_of(
            at_most(float(gap.max()), math.log(2) + TOL, what="max gap (log 2 at 0)"),
            at_most(tail, 1e-8, what="gap at x = 20"),
            at_most(jump, 1e-8, what="jump of f' at 0"),
        ),
    )


@claim(
    "gelu-negative-gradient",
    S001,
    "Unlike ReLU, GELU has a non-zero gradient for negative inputs; unlike Leaky ReLU it is smooth "
    "around zero",
)
def _gelu_negative(ctx: Context) -> Finding:
    neg = GRID[(GRID < 0) & (GRID >= -4)]
    d = _d("gelu", neg)
    nonzero = float(np.mean(d != 0))
    jump_gelu = float(abs(_d("gelu", 1e-9) - _d("gelu", -1e-9)))
    jump_leaky = float(abs(_d("leaky_relu", 1e-9) - _d("leaky_relu", -1e-9)))
    x0 = brentq(lambda x: float(_d("gelu", x)), -1.0, -0.5, xtol=1e-12)
    figures = {
        "share of x in [-4, 0) with gelu'(x) != 0": nonzero,
        "gelu' zero crossing": x0,
        "gelu'(-6)": float(_d("gelu", -6.0)),
        "derivative jump at 0, gelu": jump_gelu,
        "derivative jump at 0, leaky_relu": jump_leaky,
    }
    return Finding(
        "gelu' on [−4, 0), and the jump of each derivative across 0",
        figures,
        all_of(
            at_least(nonzero, 0.99, what="share of negative inputs with gelu' ≠ 0"),
            at_most(jump_gelu, 1e-8, what="jump of gelu' at 0"),
        ),
        note=f"The gradient is non-zero for x < 0 except at x = {x0:.4f} (GELU's minimum), "
        "and it fades to 0 as x → −∞ (see gelu'(−6)), so GELU does saturate on the left.",
    )


@claim("gelu-large-inputs", S001, "GELU converges to 1 for large inputs")
def _gelu_large(ctx: Context) -> Finding:
    xs = np.array([10.0, 100.0, 1e4])
    y = np.asarray(al.gelu(xs), dtype=float)
    figures = {f"gelu({x:g})": float(v) for x, v in zip(xs, y)}
    figures.update({"gelu(1e4) / 1e4": float(y[-1] / xs[-1]), "gelu'(100)": float(_d("gelu", 100.0))})
    dev = float(deviation(np.ones_like(y), y).max())
    return Finding(
        "gelu at 10, 100, 10⁴ against the claimed limit 1",
        figures,
        seed_formula(dev, TOL, what="the limit 1 against actlab gelu at large x"),
        note="GELU grows like x: it is gelu(x)/x and gelu'(x) that converge to 1 (like ReLU), not gelu(x).",
    )


# -- step, linear, argmax, softmax --------------------------------------------------------------
@claim("step-binary-output", S002, "A step function can't give outputs like 20% or 30%")
def _step_binary(ctx: Context) -> Finding:
    y = np.asarray(al.step(GRID))
    other = float(np.mean((y != 0) & (y != 1)))
    return Finding(
        "step on [−8, 8]",
        {"share of outputs other than 0 or 1": other},
        agrees(other, 0.0, what="outputs are only 0 or 1"),
    )


@claim(
    "step-no-gradient",
    S004,
    "The step function can only be used at the end of a network (not in hidden layers)",
)
def _step_gradient(ctx: Context) -> Finding:
    h = 1e-6
    x = GRID[np.abs(GRID) > 2 * h]
    fd = (np.asarray(al.step(x + h)) - np.asarray(al.step(x - h))) / (2 * h)
    figures = {
        "max |finite-difference slope| away from 0": float(np.max(np.abs(fd))),
        "actlab marks it differentiable": str(al.get("step").info.differentiable),
    }
    return Finding(
        "central differences of step on [−8, 8] away from its jump",
        figures,
        agrees(
            figures["max |finite-difference slope| away from 0"],
            0.0,
            what="the gradient is 0 wherever it exists",
        ),
        note="Backpropagation gets no signal through a step, so hidden step units cannot be "
        "trained by gradient descent; at the output it can only give the final decision.",
    )


@claim(
    "linear-constant-gradient",
    S002,
    "For a linear function the derivative is a constant: the gradient has no relationship with x",
)
def _linear_gradient(ctx: Context) -> Finding:
    d = _d("linear", GRID, c=2.0)
    spread = float(d.max() - d.min())
    return Finding(
        "linear'(x) (c = 2) on [−8, 8]",
        {"max − min of the derivative": spread, "value": float(d[0])},
        agrees(spread, 0.0, what="the derivative is constant"),
    )


_SCORES = np.random.default_rng(1).normal(0.0, 2.0, (300, 5))
_LABELS = np.random.default_rng(2).integers(0, 5, 300)


def _numeric_jacobian(f, o: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """J[n, i, j] = ∂f(o_n)_i / ∂o_nj by central differences."""
    n, k = o.shape
    jac = np.empty((n, np.shape(f(o[:1]))[-1], k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h
        jac[:, :, j] = (f(o + e) - f(o - e)) / (2 * h)
    return jac


def _cross_entropy(o: np.ndarray) -> np.ndarray:
    """L(o) = −log softmax(o)_y per row, kept as a (n, 1) array for the Jacobian helper."""
    return -np.take_along_axis(al.log_softmax(o), _LABELS[:, None], axis=1)


@claim(
    "softmax-cross-entropy-gradient",
    S000,
    "Softmax trained with cross-entropy: the gradient of the loss with respect to the scores is p − y",
)
def _softmax_ce(ctx: Context) -> Finding:
    p = al.softmax(_SCORES)
    y = np.eye(5)[_LABELS]
    fd = _numeric_jacobian(_cross_entropy, _SCORES)[:, 0, :]
    err = float(np.max(np.abs(fd - (p - y))))
    return Finding(
        "central differences of −log softmax(o)_y against p − y on 300 random score vectors",
        {"max |numerical − (p − y)|": err},
        agrees(err, 1e-8, what="∂L/∂o = p − y"),
    )


@claim("s000-softmax-derivative", S000, "∂p(ŷ)/∂o_j = y_j − p(ŷ_j)")
def _softmax_seed(ctx: Context) -> Finding:
    p = al.softmax(_SCORES)
    y = np.eye(5)[_LABELS]
    claimed = y - p
    true_prob = _numeric_jacobian(al.softmax, _SCORES)[np.arange(len(_LABELS)), _LABELS, :]
    loss_grad = _numeric_jacobian(_cross_entropy, _SCORES)[:, 0, :]
    figures = {
        "max |claimed − ∂p_y/∂o|": float(np.max(np.abs(claimed - true_prob))),
        "max |claimed − ∂L/∂o|  (L = cross-entropy)": float(np.max(np.abs(claimed - loss_grad))),
        "max |claimed + ∂L/∂o|": float(np.max(np.abs(claimed + loss_grad))),
    }
    dev = min(figures["max |claimed − ∂p_y/∂o|"], figures["max |claimed − ∂L/∂o|  (L = cross-entropy)"])
    return Finding(
        "y − p against central differences of the true-class probability p_y and of the "
        "cross-entropy L, on 300 random score vectors",
        figures,
        seed_formula(dev, 1e-6, what="y − p as the derivative of p_y or of the loss"),
        note="y − p is neither: ∂p_y/∂o_j = p_y(y_j − p_j), and the loss gradient used for "
        "descent is p − y, the opposite sign. y − p is the gradient of the "
        "log-likelihood log p_y (the last figure), which is maximised, not minimised.",
    )


@claim("argmax-no-gradient", S001, "We can't backpropagate through an ArgMax")
def _argmax(ctx: Context) -> Finding:
    fd = _numeric_jacobian(al.argmax, _SCORES)
    refused = False
    try:
        al.get("argmax").vjp(_SCORES, np.ones_like(_SCORES))
    except al.NotDifferentiableError:
        refused = True
    soft = _numeric_jacobian(al.softmax, _SCORES)
    figures = {
        "max |∂argmax/∂o| (central differences)": float(np.max(np.abs(fd))),
        "mean |∂softmax/∂o|": float(np.mean(np.abs(soft))),
        "actlab refuses backward through argmax": str(refused),
    }
    return Finding(
        "central differences of one-hot argmax on 300 random score vectors",
        figures,
        agrees(
            figures["max |∂argmax/∂o| (central differences)"],
            0.0,
            what="argmax's gradient is 0 wherever it exists",
        ),
        note="Piecewise constant: no gradient signal reaches the scores (softmax's does).",
    )


@claim(
    "argmax-hides-margin", S001, "With ArgMax, if the two highest outputs are pretty close, we don't see that"
)
def _argmax_margin(ctx: Context) -> Finding:
    close, far = np.array([[2.0, 2.001, 0.0]]), np.array([[2.0, 12.0, 0.0]])
    diff = float(np.max(np.abs(al.argmax(close) - al.argmax(far))))
    figures = {
        "argmax difference, close vs far": diff,
        "softmax top probability, close": float(al.softmax(close).max()),
        "softmax top probability, far": float(al.softmax(far).max()),
    }
    return Finding(
        "argmax and softmax of scores (2, 2.001, 0) and (2, 12, 0)",
        figures,
        agrees(diff, 0.0, what="argmax is the same for a close and a clear winner"),
    )


@claim(
    "softmax-probabilities",
    S001,
    "Softmax transforms all outputs to the range 0 to 1, with the values summing to 1",
)
def _softmax_range(ctx: Context) -> Finding:
    scores = np.concatenate([_SCORES, _SCORES * 500.0])  # scores up to about ±3000 as well
    p = al.softmax(scores)
    figures = {
        "min p": float(p.min()),
        "max p": float(p.max()),
        "max |Σp − 1|": float(np.max(np.abs(p.sum(axis=1) - 1.0))),
    }
    return Finding(
        "softmax of 600 random score vectors, half of them scaled to ±3000",
        figures,
        all_of(
            at_least(figures["min p"], 0.0, what="min p"),
            at_most(figures["max p"], 1.0, what="max p"),
            at_most(figures["max |Σp − 1|"], 1e-12, what="max |Σp − 1|"),
        ),
    )


# -- Maxout -------------------------------------------------------------------------------------
@claim(
    "maxout-generalises-relu",
    S000,
    "Maxout max(w1ᵀx + b1, w2ᵀx + b2) generalises ReLU and Leaky ReLU: ReLU is Maxout with w1 = 0, b1 = 0",
)
def _maxout(ctx: Context) -> Finding:
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(200, 8)), rng.normal(size=(8, 6)), rng.normal(size=6)
    z = x @ w + b
    pieces = lambda z1: np.stack([z1, z], axis=-1).reshape(len(z), -1)  # noqa: E731 (pairs side by side)
    maxout = al.get("maxout", pieces=2)
    relu_gap = float(np.max(np.abs(maxout(pieces(x @ np.zeros_like(w) + 0.0)) - al.relu(z))))
    alpha = 0.1
    leaky_gap = float(
        np.max(np.abs(maxout(pieces(x @ (alpha * w) + alpha * b)) - al.leaky_relu(z, alpha=alpha)))
    )
    figures = {
        "max |maxout(0, z) − relu(z)|": relu_gap,
        "max |maxout(αz, z) − leaky_relu(z)|, α = 0.1": leaky_gap,
    }
    return Finding(
        "actlab maxout over the pieces (w1ᵀx + b1, w2ᵀx + b2) with w1 = 0, b1 = 0 and with "
        "w1 = αw2, b1 = αb2, on 200 random inputs",
        figures,
        agrees(max(relu_gap, leaky_gap), 1e-12, what="maxout reproduces relu and leaky_relu"),
    )
