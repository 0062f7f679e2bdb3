"""The statistics that tell when an activation is hurting a network, framework-agnostic (NumPy).

For one activation layer, over every batch seen (an epoch, or a diagnostic pass):

- dead fraction: units whose local derivative f'(z) was exactly 0 on every sample seen — such a
  unit passes no gradient back, so the weights feeding it stop learning (dying ReLU);
- saturated fraction: activations whose derivative is below ``saturation`` × max f' (the peak of
  the derivative over the real line), i.e. the flat tails of sigmoid and tanh;
- mean and standard deviation of the outputs (zero-centring);
- sparsity: the fraction of outputs that are exactly 0.

For vector-valued activations (softmax, maxout, GLU) there is no scalar f'; the local gradient
is then the vector-Jacobian product with a fixed random probe g, ∂f(z)ᵀg, which is 0 for an input
coordinate exactly when no output depends on it at that sample; saturation is not defined.

Weight-gradient norms ‖∂L/∂W_l‖₂ per layer, averaged over batches, and the ratio of the first
layer's to the last's, measure vanishing (≪ 1) or exploding (≫ 1) gradients.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np

SATURATION = 0.1  # saturated: f'(z) < 10% of max f'
DEAD_WARNING = 0.5  # warn when more than half of a layer's units are dead
_PEAK_GRID = np.concatenate([np.linspace(-30.0, 30.0, 6001), [0.0]])


class DeadUnitWarning(UserWarning):
    """More of a layer's units are dead than the warning threshold allows."""


@functools.lru_cache(maxsize=256)
def derivative_peak(act) -> float:
    """max f'(z) over z in [−30, 30] (steps of 0.01, and 0): the scale saturation is measured on."""
    with np.errstate(all="ignore"):
        d = np.abs(np.asarray(act.derivative(_PEAK_GRID), dtype=np.float64))
    d = d[np.isfinite(d)]
    return float(d.max()) if d.size else math.nan


def local_derivative(act, z: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """f'(z) for an elementwise activation; ∂f(z)ᵀg with a random probe g for a vector-valued one."""
    if act.info.elementwise:
        return np.asarray(act.derivative(z))
    rng = rng if rng is not None else np.random.default_rng(0)
    out_shape = np.shape(act(z))  # the probe lives on the output (maxout and GLU shrink the axis)
    return np.asarray(act.vjp(z, rng.standard_normal(out_shape).astype(np.asarray(z).dtype)))


class ActivationStats:
    """Running statistics of one activation layer over the batches given to :meth:`add`."""

    def __init__(self, *, peak: float | None = None, saturation: float = SATURATION):
        if not 0.0 < saturation < 1.0:
            raise ValueError(f"saturation must be a fraction in (0, 1), got {saturation}")
        self.peak, self.saturation = peak, saturation
        self.alive: np.ndarray | None = None
        self.n = self.n_zero = self.n_saturated = self.n_derivatives = 0
        self._mean = self._m2 = 0.0

    def add(self, derivative: np.ndarray, output: np.ndarray, unit_axis: int = -1) -> None:
        """Add one batch: the local derivative at each input (``unit_axis`` indexes the units;
        every other axis is a sample or position) and the layer's output."""
        d = np.moveaxis(np.asarray(derivative), unit_axis, 0)
        alive = (d != 0).reshape(d.shape[0], -1).any(axis=1)
        if self.alive is None:
            self.alive = alive
        elif self.alive.shape != alive.shape:
            raise ValueError(f"this layer had {self.alive.size} units, the new batch has {alive.size}")
        else:
            self.alive |= alive
        self.n_derivatives += d.size
        if self.peak is not None and math.isfinite(self.peak):
            self.n_saturated += int(np.count_nonzero(np.abs(d) < self.saturation * self.peak))
        self._add_outputs(np.asarray(output, dtype=np.float64))

    def _add_outputs(self, y: np.ndarray) -> None:
        # Chan et al.'s merge of (count, mean, M2): no cancellation however many batches.
        n_b = y.size
        if n_b == 0:
            return
        mean_b = float(y.mean())
        m2_b = float(((y - mean_b) ** 2).sum())
        n = self.n + n_b
        delta = mean_b - self._mean
        self._mean += delta * n_b / n
        self._m2 += m2_b + delta * delta * self.n * n_b / n
        self.n = n
        self.n_zero += int(np.count_nonzero(y == 0))

    def result(self) -> dict:
        """``{"units", "dead_fraction", "saturated_fraction", "mean", "std", "sparsity"}``
        (saturation is None for vector-valued activations)."""
        if self.alive is None or self.n == 0:
            raise ValueError("no batch was added")
        saturated = (
            self.n_saturated / self.n_derivatives
            if self.peak is not None and math.isfinite(self.peak)
            else None
        )
        return {
            "units": int(self.alive.size),
            "dead_fraction": float(1.0 - self.alive.mean()),
            "saturated_fraction": saturated,
            "mean": self._mean,
            "std": math.sqrt(self._m2 / self.n),
            "sparsity": self.n_zero / self.n,
        }


def warn_if_dead(
    layer: str, dead_fraction: float, threshold: float = DEAD_WARNING, *, when: str = ""
) -> None:
    """Emit a :class:`DeadUnitWarning` if more than ``threshold`` of ``layer``'s units are dead."""
    if dead_fraction > threshold:
        warnings.warn(
            f"{layer}: {dead_fraction:.0%} of units are dead (zero derivative on every "
            f"sample{when}); try a smaller learning rate, or an activation whose slope "
            "is never zero for negative inputs",
            DeadUnitWarning,
            stacklevel=3,
        )


def grad_ratio(norms: list[float]) -> float | None:
    """‖∂L/∂W_first‖ / ‖∂L/∂W_last‖: ≪ 1 means vanishing gradients, ≫ 1 exploding ones
    (None when there is no layer or the last gradient is 0)."""
    if len(norms) < 1 or not norms[-1]:
        return None
    return float(norms[0] / norms[-1])
