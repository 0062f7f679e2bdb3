"""Dead and saturated units, counted at fixed weights over a whole data set, in float64.

A *unit* is one index of an activation's last axis: a feature of a dense layer, a channel of a
convolution (channels-last), reduced over every other axis (samples and positions). For each
unit, :class:`UnitCensus` keeps, over every batch it is given:

- whether its pre-activation z was negative on every sample (``negative``: the ReLU sense);
- the largest local derivative it ever had, max |f′(z)| (for vector-valued activations the
  largest entry of its row of the Jacobian ∂y_j/∂z, from one-hot vector-Jacobian products);
- the smallest and largest output it gave.

From these, several definitions of "dead", side by side (:func:`UnitCensus.result`):

- ``negative``: z < 0 on every sample;
- ``zero_derivative``: f′(z) = 0 exactly on every sample (computed in float64 from z, never
  from a rounded output);
- ``derivative_below_1e-03`` / ``1e-06`` / ``1e-12``: max |f′(z)| below the threshold: the
  unit passes less than that fraction of any gradient back, on every sample;
- ``constant_output``: the output does not change over the data (max y − min y ≤ 1e-12 ·
  max(1, max |y|)), the sense of Lu et al. (2019), "Dying ReLU and initialization".

and the saturated fraction: the share of (sample, unit) entries whose |f′(z)| is below
``saturation`` × the derivative's peak (the flat tails of sigmoid and tanh).
"""

from __future__ import annotations

import math

import numpy as np

THRESHOLDS = (1e-3, 1e-6, 1e-12)
CONSTANT_TOL = 1e-12
DEFINITIONS = (
    "negative",
    "zero_derivative",
    *(f"derivative_below_{t:.0e}" for t in THRESHOLDS),
    "constant_output",
)


def _per_unit(a: np.ndarray) -> np.ndarray:
    """The array with every axis but the last flattened: (entries, units)."""
    a = np.asarray(a, dtype=np.float64)
    return a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(-1, 1)


class UnitCensus:
    """Per-unit extremes of one activation layer over the batches given to :meth:`add`."""

    def __init__(self, *, peak: float | None = None, saturation: float = 0.1):
        self.peak, self.saturation = peak, saturation
        self.negative = self.reach = self.y_min = self.y_max = None
        self.n_saturated = self.n_entries = self.n_zero = 0

    def add(self, reach: np.ndarray, output: np.ndarray, preactivation: np.ndarray | None = None) -> None:
        """One batch: ``reach`` = |f′(z)| (or the Jacobian row maxima) shaped like ``output``, and
        the pre-activation z (elementwise activations only: same shape)."""
        r, y = np.abs(_per_unit(reach)), _per_unit(output)
        if r.shape != y.shape:
            raise ValueError(f"the derivative has shape {np.shape(reach)}, the output {np.shape(output)}")
        batch = {"reach": r.max(axis=0), "y_min": y.min(axis=0), "y_max": y.max(axis=0)}
        if preactivation is not None:
            batch["negative"] = (_per_unit(preactivation) < 0).all(axis=0)
        if self.reach is None:
            for k, v in batch.items():
                setattr(self, k, v)
        else:
            if self.reach.shape != batch["reach"].shape:
                raise ValueError(f"this layer had {self.reach.size} units, the new batch has {r.shape[1]}")
            self.reach = np.maximum(self.reach, batch["reach"])
            self.y_min, self.y_max = (
                np.minimum(self.y_min, batch["y_min"]),
                np.maximum(self.y_max, batch["y_max"]),
            )
            if self.negative is not None and "negative" in batch:
                self.negative &= batch["negative"]
        if self.peak is not None and math.isfinite(self.peak):
            self.n_saturated += int(np.count_nonzero(r < self.saturation * self.peak))
        self.n_entries += r.size
        self.n_zero += int(np.count_nonzero(y == 0))

    def dead(self, definition: str) -> np.ndarray:
        """The boolean mask of units dead by ``definition`` (one of :data:`DEFINITIONS`)."""
        if self.reach is None:
            raise ValueError("no batch was added")
        if definition == "negative":
            if self.negative is None:
                raise ValueError("'negative' needs the pre-activations of an elementwise activation")
            return self.negative.copy()
        if definition == "zero_derivative":
            return self.reach == 0
        if definition == "constant_output":
            scale = np.maximum(1.0, np.maximum(np.abs(self.y_min), np.abs(self.y_max)))
            return (self.y_max - self.y_min) <= CONSTANT_TOL * scale
        for t in THRESHOLDS:
            if definition == f"derivative_below_{t:.0e}":
                return self.reach < t
        raise ValueError(f"unknown definition {definition!r}; expected one of {', '.join(DEFINITIONS)}")

    def result(self) -> dict:
        """``{"units", "dead": {definition: fraction}, "saturated_fraction", "zero_outputs"}``
        (``negative`` is None for vector-valued activations; saturation None where the peak is
        unknown; ``zero_outputs`` is the share of outputs exactly 0, the sparsity)."""
        dead = {
            d: (None if d == "negative" and self.negative is None else float(self.dead(d).mean()))
            for d in DEFINITIONS
        }
        saturated = (
            self.n_saturated / self.n_entries
            if self.peak is not None and math.isfinite(self.peak) and self.n_entries
            else None
        )
        return {
            "units": int(self.reach.size),
            "dead": dead,
            "saturated_fraction": saturated,
            "zero_outputs": self.n_zero / self.n_entries if self.n_entries else None,
        }


def pooled(layers: list[dict]) -> dict:
    """The dead fractions of several layers' results together, weighted by their units."""
    units = sum(layer["units"] for layer in layers)
    zeros = [layer["zero_outputs"] for layer in layers if layer.get("zero_outputs") is not None]
    out = {}
    for d in DEFINITIONS:
        known = [layer for layer in layers if layer["dead"][d] is not None]
        n = sum(layer["units"] for layer in known)
        out[d] = sum(layer["dead"][d] * layer["units"] for layer in known) / n if n else None
    return {"units": units, "dead": out, "zero_outputs": float(np.mean(zeros)) if zeros else None}


def jacobian_reach(act, z: np.ndarray) -> np.ndarray:
    """For a vector-valued activation: r[..., j] = max_i |∂f(z)_j/∂z_i|, one vector-Jacobian
    product with the one-hot e_j per output unit j (float64)."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(act(z))
    out = np.empty(y.shape, dtype=np.float64)
    for j in range(y.shape[-1]):
        g = np.zeros_like(y)
        g[..., j] = 1.0
        out[..., j] = np.abs(np.asarray(act.vjp(z, g), dtype=np.float64)).max(axis=-1)
    return out


def local_reach(act, z: np.ndarray) -> np.ndarray:
    """|f′(z)| for an elementwise activation, the Jacobian row maxima otherwise, in float64."""
    z = np.asarray(z, dtype=np.float64)
    if act.info.elementwise:
        with np.errstate(all="ignore"):
            return np.abs(np.asarray(act.derivative(z), dtype=np.float64))
    return jacobian_reach(act, z)
