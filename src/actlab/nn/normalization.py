"""Normalisation layers: :class:`BatchNormalization` and :class:`LayerNormalization` (Keras's).

Both compute, per feature or channel c (the last axis),

    x̂ = (x − μ) / √(σ² + ε),   y = γ_c · x̂ + β_c,

and differ in what μ and σ² are taken over: batch normalisation (Ioffe & Szegedy 2015) over
the batch and every position, per channel; layer normalisation (Ba et al. 2016) over the last
axis, per sample and position. σ² is the biased variance (divided by the count). With m values
in each mean, the backward pass is

    ∂L/∂x = (1/√(σ² + ε)) · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)),   ĝ = γ ⊙ ∂L/∂y,
    ∂L/∂γ = Σ ∂L/∂y ⊙ x̂,   ∂L/∂β = Σ ∂L/∂y   (sums over every axis but the last).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import ParameterError
from .layers import Layer


class Normalization(Layer):
    """What both normalisations share: γ and β per channel, ε, and the backward pass above."""

    def __init__(self, *, epsilon: float = 1e-3, center: bool = True, scale: bool = True, **base: Any):
        super().__init__(**base)
        if (
            isinstance(epsilon, bool)
            or not isinstance(epsilon, (int, float))
            or not epsilon > 0
            or not math.isfinite(epsilon)
        ):
            raise ParameterError(f"epsilon = {epsilon!r} is out of range; expected a number > 0")
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self._normalised = self._inverse_std = None
        self._stats_axes: tuple[int, ...] = ()

    def param_count(self, input_shape):
        return input_shape[-1] * (self.center + self.scale)

    def build(self, input_shape, dtype, rng, next_activation):
        self.output_shape = input_shape
        initial = {}
        if self.scale:
            initial["gamma"] = np.ones(input_shape[-1], dtype=dtype)
        if self.center:
            initial["beta"] = np.zeros(input_shape[-1], dtype=dtype)
        return initial

    def get_config(self):
        return {"epsilon": self.epsilon, "center": self.center, "scale": self.scale, **super().get_config()}

    def _normalise(self, x: np.ndarray, mean: np.ndarray, variance: np.ndarray, axes: tuple[int, ...]):
        """y = γ x̂ + β, keeping x̂ and 1/√(σ² + ε) for the backward pass (``axes``: what μ and σ²
        were taken over; empty when they are fixed, as in inference)."""
        inverse_std = 1.0 / np.sqrt(variance + x.dtype.type(self.epsilon))
        normalised = (x - mean) * inverse_std
        y = normalised * self.params["gamma"] if self.scale else normalised.copy()
        if self.center:
            y += self.params["beta"]
        self._normalised, self._inverse_std, self._stats_axes = normalised, inverse_std, axes
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        normalised, every_but_last = self._normalised, tuple(range(grad.ndim - 1))
        if self.scale:
            np.add.reduce(grad * normalised, axis=every_but_last, out=self.grads["gamma"])
        if self.center:
            np.add.reduce(grad, axis=every_but_last, out=self.grads["beta"])
        if not need_input_grad:
            return None
        g = grad * self.params["gamma"] if self.scale else grad
        axes = self._stats_axes
        if not axes:  # fixed statistics: an affine map
            return g * self._inverse_std
        centred = g - g.mean(axis=axes, keepdims=True)
        centred -= normalised * (g * normalised).mean(axis=axes, keepdims=True)
        return centred * self._inverse_std


class BatchNormalization(Normalization):
    """Batch normalisation per channel (the last axis), over the batch and every position.

    Args:
        momentum: while training, the moving statistics become
            ``moving = momentum · moving + (1 − momentum) · batch statistic``.
        epsilon: added to the variance (Keras's 1e-3).
        center, scale: learn β and γ.

    While training (``fit``), each batch is normalised with its own mean and variance and the
    moving statistics follow them; at inference (``predict``, ``evaluate``) the moving mean and
    variance are used, which start at 0 and 1. They live in ``layer.state`` (``moving_mean``,
    ``moving_variance``): they are saved with the model but are not trained.
    """

    def __init__(self, *, momentum: float = 0.99, **options: Any):
        super().__init__(**options)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0.0 <= momentum < 1.0:
            raise ParameterError(f"momentum = {momentum!r} is out of range; expected a number in [0, 1)")
        self.momentum = float(momentum)

    def build(self, input_shape, dtype, rng, next_activation):
        initial = super().build(input_shape, dtype, rng, next_activation)
        self.state = {
            "moving_mean": np.zeros(input_shape[-1], dtype=dtype),
            "moving_variance": np.ones(input_shape[-1], dtype=dtype),
        }
        return initial

    def get_config(self):
        return {"momentum": self.momentum, **super().get_config()}

    def forward(self, x, training, rng):
        if training:
            axes = tuple(range(x.ndim - 1))
            mean = x.mean(axis=axes)
            variance = np.square(x - mean).mean(axis=axes)
            for name, batch in (("moving_mean", mean), ("moving_variance", variance)):
                moving = self.state[name]
                moving *= self.momentum
                moving += (1.0 - self.momentum) * batch
        else:
            axes, mean, variance = (), self.state["moving_mean"], self.state["moving_variance"]
        y = self._normalise(x, mean, variance, axes)
        self.last_input, self.last_output = x, y
        return y


class LayerNormalization(Normalization):
    """Layer normalisation: each sample (and position) over its last axis, the same in training
    and inference.

    Args:
        epsilon: added to the variance (Keras's 1e-3).
        center, scale: learn β and γ, one per feature or channel.
    """

    def forward(self, x, training, rng):
        mean = x.mean(axis=-1, keepdims=True)
        variance = np.square(x - mean).mean(axis=-1, keepdims=True)
        y = self._normalise(x, mean, variance, (-1,))
        self.last_input, self.last_output = x, y
        return y
