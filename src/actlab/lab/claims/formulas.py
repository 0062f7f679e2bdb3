"""Every formula and code snippet in the seed texts, transcribed as written and checked against
actlab's definitions.

Each :class:`Transcription` holds the seed's formula as a Python function, operator for
operator (``1 / 1 + exp(-x)`` stays ``1 / 1 + np.exp(-x)``), and what actlab computes for the
same thing. The check evaluates both on 1601 points of [−8, 8] (kinks, where a derivative is a
convention, are left out and reported apart) and measures the largest deviation
``|seed − actlab| / max(1, |actlab|)``; code is also run at extreme inputs (±50, ±1000), where a
formula that is right on paper may overflow. Disagreement makes the formula an erratum.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from scipy.special import erf

import actlab as al

from ..verdicts import seed_formula
from .core import S000, S001, S002, S003, S004, Claim, Finding, add_claim

TOL = 1e-9
GRID = np.linspace(-8.0, 8.0, 1601)
EXTREMES = np.array([-1000.0, -50.0, 50.0, 1000.0])
_VECTORS = np.random.default_rng(0).normal(0.0, 3.0, (200, 6))


def _vectors() -> np.ndarray:
    return _VECTORS


def _scalars() -> np.ndarray:
    return GRID


@dataclass(frozen=True)
class Transcription:
    id: str
    source: str
    statement: str  # as the seed writes it
    seed: Callable[[np.ndarray], Any]  # the seed's formula or code, literally
    reference: Callable[[np.ndarray], Any]  # what actlab computes for it
    against: str  # names the reference in the report
    code: bool = False  # runnable code: also evaluated at EXTREMES
    exclude: tuple[float, ...] = ()  # kinks left out of the comparison
    inputs: Callable[[], np.ndarray] = _scalars
    extra: Callable[[], dict] | None = None  # further figures (a convention, a corrected form)
    note: str = ""


def _evaluate(fn: Callable, x: np.ndarray) -> tuple[np.ndarray | None, str | None, list[str]]:
    """fn(x) with NumPy warnings recorded instead of raised: (value, error message, warnings)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn"):
        warnings.simplefilter("always")
        try:
            value = np.asarray(fn(x), dtype=np.float64)
        except (ArithmeticError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}", []
    return value, None, sorted({str(w.message) for w in caught})


def deviation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| / max(1, |b|), elementwise; 0 where both are equal (the same infinity, both NaN),
    infinite where only one side is NaN."""
    with np.errstate(all="ignore"):
        dev = np.abs(a - b) / np.maximum(1.0, np.abs(b))
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return np.where(same, 0.0, np.where(np.isnan(dev), np.inf, dev))


def check(t: Transcription) -> Finding:
    x = t.inputs()
    if t.exclude:
        x = x[~np.isin(x, t.exclude)]
    seed, error, seed_warnings = _evaluate(t.seed, x)
    ref = np.asarray(t.reference(x), dtype=np.float64)
    figures: dict[str, Any] = {}
    failure = None
    if error:
        failure, dev = f"raises {error}", math.inf
    else:
        devs = deviation(seed, ref)
        dev = float(devs.max())
        worst = np.unravel_index(int(np.argmax(devs)), devs.shape)
        figures["max deviation"] = dev
        if dev > TOL and x.ndim == 1:
            figures.update(
                {"at x": float(x[worst]), "seed gives": float(seed[worst]), "actlab gives": float(ref[worst])}
            )
    if t.code and not failure and dev <= TOL:
        failure = _extreme_failure(t, figures, seed_warnings)
        if failure:
            figures["at extreme inputs"] = failure
    if t.extra is not None:
        figures.update(t.extra())
    where = (
        "x in [-8, 8] (1601 points" + (f", without the kinks {list(t.exclude)}" if t.exclude else "") + ")"
        if x.ndim == 1
        else f"{len(x)} random score vectors of length {x.shape[1]}"
    )
    checked = f"evaluated as written on {where}" + (" and at x = ±50, ±1000" if t.code else "")
    verdict = seed_formula(
        dev, TOL, what=f"the seed's {'code' if t.code else 'formula'} against {t.against}", failure=failure
    )
    return Finding(check=checked, figures=figures, verdict=verdict, note=t.note)


def _extreme_failure(t: Transcription, figures: dict, seed_warnings: list[str]) -> str | None:
    """Run code at extreme inputs one by one; describe the first input where it breaks."""
    notes = list(seed_warnings)
    for xe in EXTREMES:
        value, error, caught = _evaluate(t.seed, np.array([xe]))
        notes += caught
        if error:
            return f"raises {error} at x = {xe:g}"
        expected = float(np.asarray(t.reference(np.array([xe])))[0])
        if deviation(value, np.array([expected]))[0] > TOL:
            return f"gives {float(value[0]):.6g} at x = {xe:g}, actlab gives {expected:.6g}"
    if notes:
        figures["NumPy warnings"] = "; ".join(sorted(set(notes)))
    return None


# -- what actlab computes ----------------------------------------------------------------------
def _f(name: str, **params) -> Callable[[np.ndarray], np.ndarray]:
    act = al.get(name, **params)
    return lambda x: act(x)


def _df(name: str, **params) -> Callable[[np.ndarray], np.ndarray]:
    act = al.get(name, **params)
    return lambda x: act.derivative(x)


def _sig(x):
    """σ as the seed texts write it, 1/(1 + e^{−x}), for use inside other transcriptions."""
    return 1 / (1 + np.exp(-x))


def _max_dev(fn, ref) -> float:
    return float(deviation(np.asarray(fn(GRID), dtype=float), np.asarray(ref(GRID), dtype=float)).max())


def _seed004_relu_derivative(x):
    return np.where(x < 0, 0.0, 1.0)


_A = 0.01  # the "small value a" of the seeds' leaky ReLU

TRANSCRIPTIONS = (
    # 000: lecture notes
    Transcription(
        "s000-sigmoid",
        S000,
        r"σ(x) = 1 / (1 + exp(−x))",
        lambda x: 1 / (1 + np.exp(-x)),
        _f("sigmoid"),
        "actlab sigmoid",
    ),
    Transcription(
        "s000-sigmoid-derivative",
        S000,
        "d/dx σ(x) = σ(x)(1 − σ(x))",
        lambda x: _sig(x) * (1 - _sig(x)),
        _df("sigmoid"),
        "actlab sigmoid'",
    ),
    Transcription(
        "s000-sigmoid-code",
        S000,
        "def sigmoid(x): return 1 / (1 + np.exp(-x))",
        lambda x: 1 / (1 + np.exp(-x)),
        _f("sigmoid"),
        "actlab sigmoid",
        code=True,
    ),
    Transcription(
        "s000-dsigmoid-code",
        S000,
        "def dsigmoid(y): return y * (1 - y)   (y = σ(x))",
        lambda x: (lambda y: y * (1 - y))(al.sigmoid(x)),
        _df("sigmoid"),
        "actlab sigmoid'",
        code=True,
    ),
    Transcription(
        "s000-tanh-derivative",
        S000,
        "d/dx tanh(x) = 1 − [tanh(x)]²",
        lambda x: 1 - np.tanh(x) ** 2,
        _df("tanh"),
        "actlab tanh'",
    ),
    Transcription(
        "s000-dtanh-code",
        S000,
        "def dtanh(y): return 1 - y * y   (y = tanh(x))",
        lambda x: (lambda y: 1 - y * y)(al.tanh(x)),
        _df("tanh"),
        "actlab tanh'",
        code=True,
    ),
    Transcription(
        "s000-relu", S000, "f(x) = max(0, x)", lambda x: np.maximum(0, x), _f("relu"), "actlab relu"
    ),
    Transcription(
        "s000-relu-code",
        S000,
        "def ReLU(x): return np.maximum(0, x)",
        lambda x: np.maximum(0, x),
        _f("relu"),
        "actlab relu",
        code=True,
    ),
    Transcription(
        "s000-leaky-relu",
        S000,
        "Leaky ReLU: f(x) = max(0.1x, x)",
        lambda x: np.maximum(0.1 * x, x),
        _f("leaky_relu", alpha=0.1),
        "actlab leaky_relu(alpha=0.1)",
    ),
    Transcription(
        "s000-leaky-code-named-relu",
        S000,
        "under 'Leaky ReLU': def ReLU(x): return np.maximum(0.1 * x, x)",
        lambda x: np.maximum(0.1 * x, x),
        _f("relu"),
        "actlab relu (the name it is given)",
        code=True,
        extra=lambda: {
            "max deviation from leaky_relu(alpha=0.1)": _max_dev(
                lambda x: np.maximum(0.1 * x, x), _f("leaky_relu", alpha=0.1)
            )
        },
        note="The code is a correct leaky ReLU with α = 0.1 (see the deviation from "
        "leaky_relu); it is named ReLU, which it is not.",
    ),
    Transcription(
        "s000-elu",
        S000,
        "ELU: f(x) = x if x > 0, α(exp(x) − 1) if x ≤ 0   (α = 1)",
        lambda x: np.where(x > 0, x, 1.0 * (np.exp(x) - 1)),
        _f("elu"),
        "actlab elu",
    ),
    # 001: blog
    Transcription(
        "s001-sigmoid",
        S001,
        "1 / (1 + e^{−x})",
        lambda x: 1 / (1 + np.exp(-x)),
        _f("sigmoid"),
        "actlab sigmoid",
        note="The page's plain-text rendering '1/(1+ex)' lost the superscript; the "
        "formula beside it, checked here, is right.",
    ),
    Transcription("s001-relu", S001, "y = max(x, 0)", lambda x: np.maximum(x, 0), _f("relu"), "actlab relu"),
    Transcription(
        "s001-leaky-relu",
        S001,
        "y if y > 0, a·y for y < 0; usually a = 0.01",
        lambda x: np.where(x > 0, x, _A * x),
        _f("leaky_relu"),
        "actlab leaky_relu (alpha=0.01)",
    ),
    Transcription(
        "s001-softplus",
        S001,
        "y = log(1 + e^x)",
        lambda x: np.log(1 + np.exp(x)),
        _f("softplus"),
        "actlab softplus",
    ),
    Transcription(
        "s001-gelu",
        S001,
        "y = 0.5·x·(1 + erf(x/√2))",
        lambda x: 0.5 * x * (1 + erf(x / np.sqrt(2))),
        _f("gelu"),
        "actlab gelu",
    ),
    Transcription(
        "s001-softmax",
        S001,
        "softmax_n = e^{x_n} / Σ_{i=1}^{N} e^{x_i}",
        lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True),
        _f("softmax"),
        "actlab softmax",
        inputs=_vectors,
    ),
    # 002: blog
    Transcription(
        "s002-sigmoid-as-written",
        S002,
        "f(x) = 1 / 1 + exp(-x)",
        lambda x: 1 / 1 + np.exp(-x),
        _f("sigmoid"),
        "actlab sigmoid",
        note="Missing parentheses: as written it is 1 + e^{−x}, unbounded; the sigmoid is 1 / (1 + exp(−x)).",
    ),
    Transcription(
        "s002-tanh-as-written",
        S002,
        "f(x) = 1 — exp(-2x) / 1 + exp(-2x)",
        lambda x: 1 - np.exp(-2 * x) / 1 + np.exp(-2 * x),
        _f("tanh"),
        "actlab tanh",
        extra=lambda: {
            "max deviation with parentheses, (1 − e^{−2x}) / (1 + e^{−2x})": _max_dev(
                lambda x: (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x)), _f("tanh")
            )
        },
        note="Missing parentheses: as written it is 1 − e^{−2x} + e^{−2x} = 1 for every x; "
        "with them it is tanh (deviation shown).",
    ),
    Transcription(
        "s002-relu",
        S002,
        "R(x) = max(0,x): R(x) = 0 if x < 0, x if x >= 0",
        lambda x: np.where(x < 0, 0, x),
        _f("relu"),
        "actlab relu",
    ),
    Transcription(
        "s002-leaky-relu",
        S002,
        "Leaky ReLU: y = 0.01x for x < 0",
        lambda x: np.where(x < 0, 0.01 * x, x),
        _f("leaky_relu"),
        "actlab leaky_relu (alpha=0.01)",
    ),
    # 003: Python code
    Transcription(
        "s003-sigmoid-code",
        S003,
        "def sigmoid(x): return 1 / (1 + np.exp(-x))",
        lambda x: 1 / (1 + np.exp(-x)),
        _f("sigmoid"),
        "actlab sigmoid",
        code=True,
    ),
    Transcription(
        "s003-relu-code",
        S003,
        "def relu(x): return np.maximum(0, x)",
        lambda x: np.maximum(0, x),
        _f("relu"),
        "actlab relu",
        code=True,
    ),
    Transcription(
        "s003-leaky-relu-code",
        S003,
        "def leaky_relu(x, alpha=0.01): return np.maximum(alpha * x, x)",
        lambda x: np.maximum(0.01 * x, x),
        _f("leaky_relu"),
        "actlab leaky_relu (alpha=0.01)",
        code=True,
    ),
    Transcription(
        "s003-elu-code",
        S003,
        "def elu(x, alpha=1.0): return np.where(x >= 0, x, alpha * (np.exp(x) - 1))",
        lambda x: np.where(x >= 0, x, 1.0 * (np.exp(x) - 1)),
        _f("elu"),
        "actlab elu",
        code=True,
    ),
    Transcription(
        "s003-gelu-code",
        S003,
        "def gelu(x): return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))",
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        _f("gelu", approximate="tanh"),
        "actlab gelu(approximate='tanh')",
        code=True,
        extra=lambda: {
            "max |tanh form − exact erf GELU|": float(
                np.max(np.abs(al.gelu(GRID, approximate="tanh") - al.gelu(GRID)))
            )
        },
        note="This is the tanh approximation from Hendrycks & Gimpel, not the exact "
        "x·Φ(x); the gap between them is shown.",
    ),
    Transcription(
        "s003-swish-code",
        S003,
        "def swish(x, beta=1.0): return x * sigmoid(beta * x)",
        lambda x: x * (1 / (1 + np.exp(-(1.0 * x)))),
        _f("swish"),
        "actlab swish",
        code=True,
    ),
    # 004: deriving gradients
    Transcription(
        "s004-sigmoid",
        S004,
        "y = 1 / (1 + e^{−x})",
        lambda x: 1 / (1 + np.exp(-x)),
        _f("sigmoid"),
        "actlab sigmoid",
    ),
    Transcription(
        "s004-linear",
        S004,
        "f(x) = cx   (c = 2)",
        lambda x: 2.0 * x,
        _f("linear", c=2.0),
        "actlab linear(c=2)",
    ),
    Transcription(
        "s004-linear-derivative",
        S004,
        "f'(x) = c   (c = 2)",
        lambda x: np.full_like(x, 2.0),
        _df("linear", c=2.0),
        "actlab linear'(c=2)",
    ),
    Transcription(
        "s004-step",
        S004,
        "f(x) = 0 for x < 0, 1 for x ≥ 0",
        lambda x: np.where(x < 0, 0.0, 1.0),
        _f("step"),
        "actlab step",
    ),
    Transcription(
        "s004-sigmoid-derivative",
        S004,
        "f'(x) = 1/(1+e^{−x}) · (1 + 1/(1+e^{−x}))",
        lambda x: (1 / (1 + np.exp(-x))) * (1 + 1 / (1 + np.exp(-x))),
        _df("sigmoid"),
        "actlab sigmoid'",
        note="The sign is wrong: σ'(x) = σ(x)(1 − σ(x)). As written the 'derivative' "
        "grows towards 2 instead of vanishing in the tails.",
    ),
    Transcription(
        "s004-tanh",
        S004,
        "f(x) = 2 / (1 + e^{−2x}) − 1 = tanh(x)   (tanh = 2σ(2x) − 1)",
        lambda x: 2 / (1 + np.exp(-2 * x)) - 1,
        _f("tanh"),
        "actlab tanh",
    ),
    Transcription(
        "s004-tanh-derivative",
        S004,
        "f'(x) = 1 − tanh²(x)",
        lambda x: 1 - np.tanh(x) ** 2,
        _df("tanh"),
        "actlab tanh'",
    ),
    Transcription(
        "s004-relu", S004, "f(x) = max(0, x)", lambda x: np.maximum(0, x), _f("relu"), "actlab relu"
    ),
    Transcription(
        "s004-relu-derivative",
        S004,
        "f'(x) = 0 for x < 0, 1 for x ≥ 0",
        _seed004_relu_derivative,
        _df("relu"),
        "actlab relu'",
        exclude=(0.0,),
        extra=lambda: {
            "seed f'(0)": float(_seed004_relu_derivative(np.array(0.0))),
            "actlab f'(0)": float(al.get("relu").derivative(0.0)),
        },
        note="At 0 ReLU has no derivative; any value in [0, 1] is a subgradient. The seed "
        "takes 1, actlab (like PyTorch and JAX) takes 0; both are valid.",
    ),
    Transcription(
        "s004-leaky-relu",
        S004,
        "f(x) = max(−ax, x), a small   (a = 0.01)",
        lambda x: np.maximum(-_A * x, x),
        _f("leaky_relu", alpha=_A),
        "actlab leaky_relu(alpha=0.01)",
        note="The minus sign is wrong: max(−ax, x) is −ax > 0 for x < 0 (a V shape); the "
        "leaky ReLU is max(ax, x).",
    ),
    Transcription(
        "s004-leaky-relu-derivative",
        S004,
        "f'(x) = −a if x < 1, 1 if x > 1   (a = 0.01)",
        lambda x: np.where(x < 1, -_A, 1.0),
        _df("leaky_relu", alpha=_A),
        "actlab leaky_relu'(alpha=0.01)",
        exclude=(0.0, 1.0),
        note="Two mistakes: the threshold is 0, not 1, and the slope is a, not −a; as "
        "written the derivative on (0, 1) is −a where it should be 1.",
    ),
    Transcription(
        "s004-swish",
        S004,
        "f(x) = x · 1/(1 + e^{−x})",
        lambda x: x * (1 / (1 + np.exp(-x))),
        _f("swish"),
        "actlab swish (beta=1)",
    ),
    Transcription(
        "s004-swish-derivative",
        S004,
        "f'(x) = 1/(1+e^{−x}) + e^{−x}x / (1+e^{−x})²",
        lambda x: 1 / (1 + np.exp(-x)) + np.exp(-x) * x / (1 + np.exp(-x)) ** 2,
        _df("swish"),
        "actlab swish'",
    ),
)


def _register() -> None:
    for t in TRANSCRIPTIONS:
        add_claim(Claim(t.id, t.statement, t.source, lambda ctx, t=t: check(t)))


_register()
