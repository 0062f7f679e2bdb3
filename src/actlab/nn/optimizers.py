"""Optimizers. Each updates the model's flat parameter vector w in place from its gradient g.

Working on one flat vector (every layer's parameters are views into it) makes a step a
handful of whole-array NumPy operations, whatever the number of layers; a scratch buffer
allocated once keeps the step free of temporary arrays.

A step can be undone: :meth:`Optimizer.checkpoint` keeps the iteration count and the moments,
:meth:`Optimizer.rollback` restores them, so a training loop that puts the weights back (after
an interrupted or a diverging step) puts the optimizer back with them.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

from ..core import ParameterError


class Optimizer:
    """The base class: ``lr`` is the learning rate; ``step(w, g)`` applies one update in place."""

    name = ""

    def __init__(self, lr: float):
        self.lr = _in_range(lr, "lr", 0.0, math.inf, low_open=True)
        self.iterations = 0
        self._tmp: np.ndarray | None = None
        self._saved: tuple[int, dict[str, np.ndarray]] | None = None

    def build(self, size: int, dtype) -> None:
        """Allocate the state for ``size`` parameters (called by ``Sequential.compile``/``fit``)."""
        self._tmp = np.empty(size, dtype=dtype)
        for slot in self.slot_names:
            setattr(self, slot, np.zeros(size, dtype=dtype))
        self.iterations = 0
        self._saved = None

    @property
    def slot_names(self) -> tuple[str, ...]:
        """The per-parameter state arrays (moments), saved with the model."""
        return ()

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        tmp = self._tmp
        if tmp is None:
            raise ParameterError(
                f"{type(self).__name__}.step() needs a built optimizer: call "
                "build(size, dtype) first (Sequential.compile and fit do)"
            )
        self.iterations += 1
        # Moments decaying towards zero underflow; that is their nature, not an error, even
        # where np.seterr(all="raise") makes it one.
        with np.errstate(under="ignore"):
            self._update(w, g, tmp)

    def checkpoint(self) -> None:
        """Keep the iteration count and the moments, for :meth:`rollback`."""
        if self._saved is None:
            self._saved = (0, {slot: np.empty_like(getattr(self, slot)) for slot in self.slot_names})
        arrays = self._saved[1]
        for slot, saved in arrays.items():
            np.copyto(saved, getattr(self, slot))
        self._saved = (self.iterations, arrays)

    def rollback(self) -> None:
        """Return to the state of the last :meth:`checkpoint` (nothing to do without one)."""
        if self._saved is None:
            return
        self.iterations, arrays = self._saved
        for slot, saved in arrays.items():
            np.copyto(getattr(self, slot), saved)

    def _update(self, w: np.ndarray, g: np.ndarray, tmp: np.ndarray) -> None:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., hyperparameters...}``; ``get_optimizer(config)`` rebuilds the optimizer."""
        return {"name": self.name, "lr": self.lr}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent: w ← w − lr·g."""

    name = "sgd"

    def __init__(self, lr: float = 0.01):
        super().__init__(lr)

    def _update(self, w, g, tmp):
        np.multiply(g, self.lr, out=tmp)
        w -= tmp


class Momentum(Optimizer):
    """Gradient descent with momentum: v ← μv − lr·g; w ← w + v.

    Nesterov's variant looks ahead: w ← w + μv − lr·g (Sutskever et al. 2013).
    """

    name = "momentum"

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(lr)
        self.momentum = _in_range(momentum, "momentum", 0.0, 1.0, high_open=True)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ParameterError(f"nesterov = {nesterov!r} is not allowed; expected True or False")
        self.nesterov = bool(nesterov)

    @property
    def slot_names(self):
        return ("velocity",)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}

    def _update(self, w, g, tmp):
        v = self.velocity
        np.multiply(g, self.lr, out=tmp)
        v *= self.momentum
        v -= tmp
        if self.nesterov:
            w -= tmp
            np.multiply(v, self.momentum, out=tmp)
            w += tmp
        else:
            w += v


class RMSprop(Optimizer):
    """RMSprop (Hinton 2012): s ← ρs + (1 − ρ)g²; w ← w − lr·g / (√s + ε)."""

    name = "rmsprop"

    def __init__(self, lr: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(lr)
        self.rho = _in_range(rho, "rho", 0.0, 1.0, high_open=True)
        self.epsilon = _in_range(epsilon, "epsilon", 0.0, math.inf, low_open=True)

    @property
    def slot_names(self):
        return ("mean_square",)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}

    def _update(self, w, g, tmp):
        s = self.mean_square
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.rho
        s *= self.rho
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        w -= tmp


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), in PyTorch's formulation:

    m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
    w ← w − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
    """

    name = "adam"

    def __init__(self, lr: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8):
        super().__init__(lr)
        self.beta_1 = _in_range(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = _in_range(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = _in_range(epsilon, "epsilon", 0.0, math.inf, low_open=True)

    @property
    def slot_names(self):
        return ("m", "v")

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

    def _update(self, w, g, tmp):
        m, v, t = self.m, self.v, self.iterations
        b1, b2 = self.beta_1, self.beta_2
        np.multiply(g, 1.0 - b1, out=tmp)
        m *= b1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v *= b2
        v += tmp
        # m/(√v/s + ε) = s·m/(√v + εs) with s = √(1 − β₂ᵗ): one pass fewer over the parameters.
        s = math.sqrt(1.0 - b2**t)
        np.sqrt(v, out=tmp)
        tmp += self.epsilon * s
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr * s / (1.0 - b1**t)
        w -= tmp


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Adam, RMSprop)}


def get_optimizer(identifier: str | dict | Optimizer) -> Optimizer:
    """An optimizer from a name (default hyperparameters), a config dict, or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    config: dict[str, Any] = identifier if isinstance(identifier, dict) else {"name": identifier}
    name = config.get("name")
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ParameterError(
            f"unknown optimizer {name!r}; expected one of: {', '.join(OPTIMIZERS)} "
            "(or an Optimizer such as actlab.nn.Adam(lr=1e-3))"
        )
    cls = OPTIMIZERS[name.lower()]
    known = [p for p in inspect.signature(cls).parameters]
    unknown = sorted(set(config) - {"name", *known})
    if unknown:
        raise ParameterError(
            f"the {cls.name} optimizer has no setting {', '.join(map(repr, unknown))}; "
            f"its settings are: name, {', '.join(known)}"
        )
    return cls(**{k: v for k, v in config.items() if k != "name"})


def _in_range(
    value: Any, what: str, low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> float:
    # Finite only: an infinite rate or epsilon makes every weight NaN on the first step.
    ok = (
        isinstance(value, (int, float, np.floating, np.integer))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value > low if low_open else value >= low)
        and (value < high if high_open else value <= high)
    )
    if not ok:
        lo, hi = "(" if low_open else "[", ")" if high_open or high == math.inf else "]"
        raise ParameterError(
            f"{what} = {value!r} is out of range; expected a number in {lo}{low:g}, {high:g}{hi}"
        )
    return float(value)
