"""The seed texts' NumPy formulas, as a reader would transcribe them: the naive baseline of the
activation benchmark (benchmark data, not activation definitions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# -- the naive formulas (benchmark data, not activation definitions) ---------------------------
# What the seed texts (shared/seeds/) write, transcribed to NumPy as a reader would use them.
# "textbook" marks the compound activations the seeds do not write out, in the form of their
# papers; backward formulas appear only where a seed states the derivative.


@dataclass(frozen=True)
class Naive:
    activation: str
    source: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    params: dict = field(default_factory=dict)


def _naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


SEED_FORMULAS = (
    Naive(
        "sigmoid",
        "seeds 000 and 003: 1 / (1 + np.exp(-x)); 000: dsigmoid(y) = y * (1 - y)",
        _naive_sigmoid,
        lambda x, g: g * (_naive_sigmoid(x) * (1 - _naive_sigmoid(x))),
    ),
    Naive(
        "tanh",
        "seed 003: (exp(x) - exp(-x)) / (exp(x) + exp(-x)); 000: dtanh(y) = 1 - y * y",
        lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
        lambda x, g: g * (1 - np.tanh(x) * np.tanh(x)),
    ),
    Naive(
        "relu",
        "seeds 000 and 003: np.maximum(0, x); 004: f'(x) = 1 for x >= 0, else 0",
        lambda x: np.maximum(0, x),
        lambda x, g: g * (x >= 0),
    ),
    Naive(
        "leaky_relu", "seed 003: np.maximum(alpha * x, x), alpha = 0.01", lambda x: np.maximum(0.01 * x, x)
    ),
    Naive(
        "elu",
        "seed 003: np.where(x >= 0, x, alpha * (np.exp(x) - 1))",
        lambda x: np.where(x >= 0, x, 1.0 * (np.exp(x) - 1)),
    ),
    Naive(
        "gelu",
        "seed 003: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))",
        lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
        params={"approximate": "tanh"},
    ),
    Naive(
        "swish",
        "seed 003: x * sigmoid(beta * x); 004: f'(x) = σ(x) + x e^-x / (1 + e^-x)^2",
        lambda x: x * _naive_sigmoid(x),
        lambda x, g: g * (_naive_sigmoid(x) + np.exp(-x) * x / (1 + np.exp(-x)) ** 2),
    ),
    Naive("softplus", "seed 001: log(1 + e^x)", lambda x: np.log(1 + np.exp(x))),
    Naive(
        "mish", "textbook (Misra 2019): x * tanh(log(1 + e^x))", lambda x: x * np.tanh(np.log(1 + np.exp(x)))
    ),
    Naive(
        "selu",
        "textbook (Klambauer et al. 2017): λ · where(x > 0, x, α(e^x − 1))",
        lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    ),
    Naive("linear", "seed 004: f(x) = c x, f'(x) = c", lambda x: 1.0 * x, lambda x, g: g * 1.0),
)
