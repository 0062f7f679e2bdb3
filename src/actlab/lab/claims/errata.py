"""Errata in the seed texts' prose: statements about gradients, attributions of published
numbers, conditions left off identities, code that cannot run as written.

Each :class:`Erratum` says what the seed writes, what is wrong with it and the correct
statement. Where code can check it, ``check`` computes figures and returns whether the error is
confirmed (the formula evaluated, the identity tested, the code analysed); a check that does
not confirm the error makes the claim *supported* instead, so each check can go either way.
Attributions are checked against the cited papers; they have no code check.
"""

from __future__ import annotations

import ast
import builtins
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

import actlab as al

from ..verdicts import SUPPORTED, Verdict, erratum
from .core import S000, S001, S002, S003, S004, Claim, Finding, add_claim
from .formulas import GRID

# A check returns (figures, confirmed, what was measured).
Check = Callable[[], tuple[dict, bool, str]]


@dataclass(frozen=True)
class Erratum:
    id: str
    source: str
    statement: str  # the seed's sentence
    wrong: str  # what is wrong with it
    correct: str  # the correct statement
    check: Check | None = None
    kind: str = "statement"  # statement | gradient | attribution | condition | code


def _d(name: str, x, **params) -> np.ndarray:
    return np.asarray(
        al.get(name, **params).derivative(np.atleast_1d(np.asarray(x, dtype=float))), dtype=float
    )


# -- the checks --------------------------------------------------------------------------------
def _leaky_slope() -> tuple[dict, bool, str]:
    slope = float(_d("leaky_relu", -3.0)[0])
    out = float(al.leaky_relu(-3.0))
    return (
        {"leaky_relu'(x) for x < 0": slope, "leaky_relu(-3)": out},
        slope > 0 > out,
        "the slope and the output of leaky_relu (alpha = 0.01) at x = −3",
    )


def _linear_gradient() -> tuple[dict, bool, str]:
    # One linear unit y = c(w·x + b) with squared error: ∂L/∂w = c (y − t) x.
    rng = np.random.default_rng(5)
    x, t = rng.normal(size=(200, 3)), rng.normal(size=200)
    c, w, b = 2.0, rng.normal(size=3), 0.1
    y = c * (x @ w + b)
    grads = (c * (y - t))[:, None] * x
    spread = float(np.std(grads, axis=0).mean() / np.abs(grads).mean())
    h = 1e-6  # central differences of the loss of the first sample, to show the formula is the gradient
    fd = np.array(
        [
            ((c * (x[0] @ (w + h * e) + b) - t[0]) ** 2 - (c * (x[0] @ (w - h * e) + b) - t[0]) ** 2)
            / (4 * h)
            for e in np.eye(3)
        ]
    )
    return (
        {
            "relative spread of ∂L/∂w over 200 inputs": spread,
            "max |∂L/∂w − finite differences|, one input": float(np.max(np.abs(fd - grads[0]))),
        },
        spread > 0.1,
        "∂L/∂w of a linear unit y = 2(w·x + b) under squared error, per input",
    )


def _max_form(alpha: float) -> Check:
    def check():
        seed = np.maximum(alpha * GRID, GRID)
        true = np.asarray(al.prelu(GRID, alpha=alpha))
        gap = float(np.max(np.abs(seed - true)))
        ok_gap = float(np.max(np.abs(np.maximum(0.25 * GRID, GRID) - al.prelu(GRID, alpha=0.25))))
        return (
            {f"max |max(αx, x) − prelu(x)| at α = {alpha:g}": gap, "the same at α = 0.25": ok_gap},
            gap > 1e-9 and ok_gap == 0.0,
            f"max(αx, x) against PReLU on [−8, 8] at α = 0.25 and α = {alpha:g}",
        )

    return check


def _scale_invariance() -> tuple[dict, bool, str]:
    gaps = {a: float(np.max(np.abs(a * al.relu(GRID) - al.relu(a * GRID)))) for a in (2.0, 0.5, -1.0)}
    return (
        {f"max |a·relu(x) − relu(a·x)|, a = {a:g}": g for a, g in gaps.items()},
        gaps[2.0] == gaps[0.5] == 0.0 and gaps[-1.0] > 0,
        "a·relu(x) − relu(a·x) on [−8, 8]",
    )


def _tanh_gradient() -> tuple[dict, bool, str]:
    figures = {
        "tanh'(-5)": float(_d("tanh", -5.0)[0]),
        "σ'(-5)": float(_d("sigmoid", -5.0)[0]),
        "tanh'(-10)": float(_d("tanh", -10.0)[0]),
        "σ'(-10)": float(_d("sigmoid", -10.0)[0]),
    }
    return figures, figures["tanh'(-10)"] < figures["σ'(-10)"] < 1e-4, "tanh' and σ' at very negative inputs"


def _tanh_scaled_sigmoid() -> tuple[dict, bool, str]:
    x = np.linspace(-4, 4, 801)
    basis = np.c_[al.sigmoid(x), np.ones_like(x)]  # tanh ≈ a·σ(x) + c, the best such fit
    coef, *_ = np.linalg.lstsq(basis, al.tanh(x), rcond=None)
    fit = float(np.max(np.abs(basis @ coef - al.tanh(x))))
    exact = float(np.max(np.abs(2 * al.sigmoid(2 * x) - 1 - al.tanh(x))))
    return (
        {
            "max error of the best a·σ(x) + c": fit,
            "fitted a": float(coef[0]),
            "fitted c": float(coef[1]),
            "max |2σ(2x) − 1 − tanh(x)|": exact,
        },
        fit > 0.05 and exact < 1e-15,
        "least-squares fit of a·σ(x) + c to tanh on [−4, 4], and the identity 2σ(2x) − 1",
    )


def _same_sign_gradients() -> tuple[dict, bool, str]:
    # A unit fed by the previous layer's outputs h: ∂L/∂w_i = δ·h_i. When every h_i > 0
    # (sigmoid outputs) all components share δ's sign, on every sample.
    z = np.random.default_rng(6).normal(size=(500, 16))
    figures = {}
    for name in ("sigmoid", "tanh"):
        h = np.asarray(al.get(name)(z))
        same = np.all(h > 0, axis=1) | np.all(h < 0, axis=1)
        figures[f"share of samples whose weight gradient has one sign, {name} inputs"] = float(same.mean())
    vals = list(figures.values())
    return figures, vals[0] == 1.0 and vals[1] < 0.01, "the signs of δ·h for h = f(z), z ~ N(0, 1)^16"


def _scores_not_probabilities() -> tuple[dict, bool, str]:
    rng = np.random.default_rng(7)
    o = rng.normal(size=(300, 8)) @ rng.normal(size=(8, 5))  # o_k = θ_kᵀx
    p = np.asarray(al.softmax(o))
    figures = {
        "min o_k": float(o.min()),
        "max o_k": float(o.max()),
        "max |Σ_k o_k − 1|": float(np.max(np.abs(o.sum(axis=1) - 1))),
        "max |Σ_k softmax(o)_k − 1|": float(np.max(np.abs(p.sum(axis=1) - 1))),
    }
    return (
        figures,
        figures["min o_k"] < 0 and figures["max |Σ_k softmax(o)_k − 1|"] < 1e-12,
        "o = θᵀx for 300 random inputs, and softmax(o)",
    )


def _undefined_names(source: str) -> list[str]:
    """Names a snippet reads but never binds or imports (nor are they builtins), by its syntax tree."""
    tree = ast.parse(source)
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return sorted(read - bound - set(dir(builtins)))


_KERAS_SNIPPET = """from keras.layers import Activation, Dense

model.add(Dense(64))
model.add(Activation('tanh'))
model.add(Dense(64, activation='tanh'))
model.add(Dense(64, activation=K.tanh))
"""

_TANH_SNIPPET = """import numpy as np

def tanh(x):
    return (math.exp(x)-math.exp(-x))/(math.exp(x)+math.exp(-x))
"""


def _keras_names() -> tuple[dict, bool, str]:
    missing = _undefined_names(_KERAS_SNIPPET)
    return (
        {"names used but never imported or defined": ", ".join(missing)},
        "K" in missing,
        "the snippet's syntax tree: names read against names imported, assigned or defined",
    )


def _tanh_code() -> tuple[dict, bool, str]:
    missing = _undefined_names(_TANH_SNIPPET)
    try:  # with `import math` added, the function still takes only Python scalars
        math.exp(np.array([0.5, 1.0]))
        array_error = ""
    except TypeError as exc:
        array_error = f"TypeError: {exc}"
    try:
        math.exp(710.0)
        overflow = ""
    except OverflowError as exc:
        overflow = f"OverflowError: {exc}"
    return (
        {
            "names used but never imported": ", ".join(missing),
            "math.exp on an array": array_error,
            "math.exp(710)": overflow,
        },
        "math" in missing and bool(array_error),
        "the snippet's syntax tree (the whole post imports only numpy), math.exp on an array and at 710",
    )


# -- the errata --------------------------------------------------------------------------------
ERRATA = (
    Erratum(
        "s001-leaky-relu-negative-slope",
        S001,
        "Leaky ReLU addresses the dying ReLU problem by using a slightly negative slope for values below 0",
        "the slope for x < 0 is positive (a = 0.01); it is the output that is slightly negative. A negative "
        "slope would make f(x) = −0.01x positive for x < 0.",
        "Leaky ReLU keeps a small positive slope a (usually 0.01) for x < 0: f(x) = ax < 0 there and f′(x) = a > 0.",
        _leaky_slope,
        "gradient",
    ),
    Erratum(
        "s002-linear-gradient-independent-of-x",
        S002,
        "For a linear function the derivative is a constant: the gradient has no relationship with X; the "
        "changes made by back propagation are constant and do not depend on the input",
        "the activation's derivative f′ = c is constant, but the gradient that backpropagation applies to "
        "the weights is ∂L/∂w = c·(∂L/∂y)·x: it depends on the input x and on the error.",
        "With a linear activation the weight update is proportional to the input and to the error, as for "
        "any activation; what the constant derivative removes is any dependence on the unit's own "
        "pre-activation, and with it the ability of stacked layers to represent anything non-linear.",
        _linear_gradient,
        "gradient",
    ),
    Erratum(
        "s004-linear-constant-correction",
        S004,
        "Derivative is constant: the neural network would always correct by a constant amount, crippling accuracy",
        "the correction ∂L/∂w = c·(∂L/∂y)·x is not constant: it scales with the input and the error.",
        "A linear activation gives a network that is linear in its input, whatever the depth; its "
        "updates vary with each example like any other network's.",
        _linear_gradient,
        "gradient",
    ),
    Erratum(
        "s002-relu-six-times-proved",
        S002,
        "It was recently proved that it had 6 times improvement in convergence from Tanh function",
        "nothing was proved. Krizhevsky, Sutskever & Hinton (2012, Figure 1) observed in one experiment that "
        "a four-layer convolutional network on CIFAR-10 reached 25% training error six times faster (in "
        "epochs) with ReLUs than with tanh units, each at its own best learning rate, and wrote that the "
        "magnitude of the effect varies with network architecture.",
        "ReLU networks were observed to reach a training-error target several times faster than tanh "
        "networks; the factor 6 is one measurement in one setting (see relu-six-times-faster for this lab's).",
        None,
        "attribution",
    ),
    Erratum(
        "s004-swish-imagenet-numbers",
        S004,
        "[Swish] improves classification accuracy by 0.9% for ImageNet, 0.9% for Mobile NASNet-A, and 0.6% "
        "for Inception-ResNet-v2",
        "the list counts ImageNet as a model beside two others. Ramachandran, Zoph & Le (2017) report two "
        "numbers, both on ImageNet: top-1 accuracy +0.9% for Mobile NASNet-A and +0.6% for Inception-ResNet-v2.",
        "Replacing ReLU with Swish improved ImageNet top-1 accuracy by 0.9 points for Mobile NASNet-A and "
        "0.6 points for Inception-ResNet-v2 (Ramachandran et al. 2017).",
        None,
        "attribution",
    ),
    Erratum(
        "s004-swish-developed-by-google",
        S004,
        "This new activation function was developed by Google in Oct 2017",
        "x·σ(x) was not new in October 2017: it is the SiLU of Hendrycks & Gimpel (2016) and of Elfwing, "
        "Uchibe & Doya (2017). Ramachandran et al. (Google Brain, October 2017) found it again by automated "
        "search, named it Swish, and added the β variant.",
        "Swish, x·σ(βx), was named and studied by Ramachandran et al. (2017); with β = 1 it is the earlier "
        "SiLU (actlab: swish, alias silu).",
        None,
        "attribution",
    ),
    Erratum(
        "s004-alphazero-humans",
        S004,
        "Neural networks are powerful algorithms for ... absolutely crushing human beings at chess (AlphaZero)",
        "AlphaZero's published chess results are matches against the program Stockfish, not against people "
        "(Silver et al. 2018).",
        "AlphaZero defeated the strongest chess program of its time, Stockfish.",
        None,
        "attribution",
    ),
    Erratum(
        "relu-scale-invariance",
        S004,
        "Scale Invariant – a·max(0, x) = max(0, a·x)",
        "the identity needs a ≥ 0; for a < 0 the two sides differ (a = −1: −relu(x) against relu(−x)).",
        "ReLU is positively homogeneous: a·max(0, x) = max(0, a·x) for every a ≥ 0.",
        _scale_invariance,
        "condition",
    ),
    Erratum(
        "s000-prelu",
        S000,
        "Parametric Rectifier (PReLU): f(x) = max(αx, x), also learn α",
        "max(αx, x) is PReLU only while α ≤ 1; a learned α is not constrained, and for α > 1 the max form "
        "returns αx for x > 0 and x for x < 0.",
        "PReLU is f(x) = max(0, x) + α·min(0, x) (He et al. 2015), equal to max(αx, x) for 0 ≤ α ≤ 1.",
        _max_form(2.0),
        "condition",
    ),
    Erratum(
        "s003-leaky-relu-code-alpha",
        S003,
        "def leaky_relu(x, alpha=0.01): return np.maximum(alpha * x, x)",
        "the code takes any alpha but is the leaky ReLU only for 0 ≤ alpha ≤ 1 (alpha = 2 doubles the "
        "positive side and leaves the negative side unscaled).",
        "np.where(x > 0, x, alpha * x), which is right for every alpha; or restrict alpha to [0, 1].",
        _max_form(2.0),
        "condition",
    ),
    Erratum(
        "tanh-negative-saturation",
        S004,
        "tanh is less susceptible to saturation: for a very negative input the output is −1 instead of 0, so "
        "the gradient is not 0 anymore, allowing the neuron to learn",
        "the gradient depends on the slope, not on the output's value: tanh′(x) = 1 − tanh²(x) → 0 as the "
        "output approaches −1, and faster than the sigmoid's (4e^{2x} against e^{x}).",
        "tanh saturates at both ends, like the sigmoid; it is zero-centred, and its peak slope (1) is four "
        "times the sigmoid's (1/4).",
        _tanh_gradient,
        "gradient",
    ),
    Erratum(
        "s004-tanh-scaled-sigmoid",
        S004,
        "The tanh function is just the sigmoid function scaled up",
        "no scaling of the output alone turns σ into tanh: the input must be scaled by 2 and the output "
        "shifted as well.",
        "tanh(x) = 2σ(2x) − 1.",
        _tanh_scaled_sigmoid,
        "condition",
    ),
    Erratum(
        "s000-sigmoid-centring-initialisation",
        S000,
        "Sigmoid outputs are not zero-centered (important for initialization)",
        "what non-centred outputs affect is the direction of gradient updates, not initialisation: a unit "
        "whose inputs are all positive gets a weight gradient δ·h whose components share one sign on every "
        "sample, so its weights can only move all up or all down at once (zig-zag descent).",
        "Sigmoid outputs are all positive, which restricts the sign pattern of the next layer's weight "
        "gradients and slows gradient descent (LeCun et al. 1998, Efficient BackProp).",
        _same_sign_gradients,
        "gradient",
    ),
    Erratum(
        "s000-softmax-scores-as-probability",
        S000,
        "Softmax: probability that feature x belongs to class c_k: o_k = θ_kᵀx, for all k = 1, …, j",
        "o_k = θ_kᵀx is the class score (logit), not a probability: it is unbounded and the scores do not "
        "sum to 1; the softmax itself is missing.",
        "p(c_k | x) = exp(θ_kᵀx) / Σ_j exp(θ_jᵀx), the softmax of the scores o_k = θ_kᵀx.",
        _scores_not_probabilities,
        "statement",
    ),
    Erratum(
        "s003-activation-on-weights",
        S003,
        "An activation function is a non-linear transformation applied to input weights",
        "the activation is not applied to the weights: it is applied to the unit's pre-activation, the "
        "weighted sum of its inputs plus the bias.",
        "y = f(z) with z = Σ_i w_i x_i + b.",
        None,
        "statement",
    ),
    Erratum(
        "s004-weights-saturate",
        S004,
        "Saturation: weights are saturated when the neuron mostly outputs values to either ends of the "
        "activation function",
        "it is the unit (its activation) that saturates, not its weights: its pre-activation sits where "
        "f′(z) ≈ 0, so little gradient reaches the weights feeding it.",
        "A unit is saturated when its pre-activations lie in the flat tails of its activation, where f′ ≈ 0.",
        None,
        "statement",
    ),
    Erratum(
        "s002-keras-undefined-backend",
        S002,
        "You can also pass an element-wise TensorFlow/Theano/CNTK function as an activation: "
        "model.add(Dense(64, activation=K.tanh))",
        "the code cannot run as written: K (and model) are never imported or defined — the snippet imports "
        "only Activation and Dense — and Theano and CNTK backends were removed from Keras (2.4).",
        "from keras import ops; model.add(Dense(64, activation=ops.tanh)) in Keras 3 (any element-wise "
        "callable works; actlab: Dense(64, activation=np.tanh)).",
        _keras_names,
        "code",
    ),
    Erratum(
        "s003-tanh-code",
        S003,
        "def tanh(x): return (math.exp(x)-math.exp(-x))/(math.exp(x)+math.exp(-x))",
        "the code fails as written: the post imports numpy only, so `math` is undefined (NameError); with "
        "`import math` it accepts only Python scalars (math.exp of an array is a TypeError), and it "
        "overflows for |x| > 709.78 where tanh is ±1.",
        "np.tanh(x), which takes arrays and never overflows.",
        _tanh_code,
        "code",
    ),
)


def check(e: Erratum) -> Finding:
    """The erratum's verdict: confirmed by its check (or an attribution, checked by reading)."""
    if e.check is None:
        return Finding(
            "checked against the cited sources (no code can check an attribution or a definition)",
            {"kind": e.kind},
            erratum(e.wrong, e.correct),
        )
    figures, confirmed, what = e.check()
    figures = {"kind": e.kind, **figures}
    if confirmed:
        return Finding(what, figures, erratum(e.wrong, e.correct, evidence="see the figures."))
    return Finding(
        what, figures, Verdict(SUPPORTED, f"the check did not confirm the error it looks for ({e.wrong})")
    )


def _register() -> None:
    for e in ERRATA:
        add_claim(Claim(e.id, e.statement, e.source, lambda ctx, e=e: check(e)))


_register()

__all__ = ["ERRATA", "Erratum", "check"]
