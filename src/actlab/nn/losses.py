"""Losses, and the fused gradient of a softmax or sigmoid output trained with cross-entropy.

Every loss is a mean over the batch (and over the outputs, for the elementwise ones):

    categorical_crossentropy          L = −(1/n) Σᵢ Σₖ yᵢₖ log pᵢₖ        (y one-hot or probabilities)
    sparse_categorical_crossentropy   L = −(1/n) Σᵢ log pᵢ,yᵢ            (y integer labels)
    binary_crossentropy               L = −(1/nK) Σ y log p + (1 − y) log(1 − p)
    mse                               L = (1/nK) Σ (p − y)²
    mae                               L = (1/nK) Σ |p − y|

Fused gradient. When the output activation is the loss's *canonical link* (softmax for the
categorical cross-entropies, sigmoid for the binary one), the gradient with respect to the
activation's input z collapses to ∂L/∂z = (p − y)/n (divided by nK for the binary loss): no
division by p, so nothing blows up when p rounds to 0 or 1. The loss value is then computed
from z as well (log-sum-exp, softplus), so it stays finite where log p would be −inf.
:func:`fuses_with` is the one place that decides this pairing, by comparing the output
activation's definition with the link's definition from the registry.
"""

from __future__ import annotations

import numpy as np

from ..core import Activation as ActivationFunction
from ..core import ParameterError, lookup
from .errors import DataError

# Outputs are clipped to [EPS, 1 − EPS] before a logarithm when the loss is not fused (as Keras).
EPS = 1e-7


class Loss:
    """A loss: its value, its gradient with respect to the output p, and the targets it accepts."""

    name: str = ""
    link: str | None = None  # the registered output activation whose gradient fuses to p − y

    def targets(self, y: np.ndarray, width: int, dtype) -> np.ndarray:
        """Validate targets against an output of ``width`` columns and convert them."""
        y = _numeric(y, self.name)
        if y.ndim == 1 and width == 1:
            y = y[:, None]
        if y.ndim != 2 or y.shape[1] != width:
            raise DataError(
                f"{self.name} needs targets of shape (samples, {width}) to match the "
                f"model's {width} outputs; got y of shape {y.shape}"
            )
        if not np.isfinite(y).all():
            raise DataError(
                f"y contains NaN or infinite values (first at row "
                f"{np.argwhere(~np.isfinite(y))[0][0]}); targets must be finite"
            )
        return np.ascontiguousarray(y, dtype=dtype)

    def value(self, p: np.ndarray, y: np.ndarray) -> float:
        """The loss L for outputs p and targets y (a mean, see the module's formulas)."""
        raise NotImplementedError

    def gradient(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂p, shaped like p."""
        raise NotImplementedError

    def fused_value(self, z: np.ndarray, y: np.ndarray) -> float:
        """The loss computed from the link's input z (only for losses with a link)."""
        raise NotImplementedError

    def fused_gradient(self, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        """∂L/∂z for p = link(z): (p − y) divided by the number of terms averaged."""
        raise NotImplementedError


class CategoricalCrossentropy(Loss):
    name, link = "categorical_crossentropy", "softmax"

    def targets(self, y, width, dtype):
        if np.ndim(y) == 1 and width > 1:
            raise DataError(
                f"categorical_crossentropy needs one-hot rows of shape (samples, {width}); "
                f"y has shape {np.shape(y)}: for integer labels use "
                "sparse_categorical_crossentropy"
            )
        y = super().targets(y, width, dtype)
        if (y < 0).any() or (y > 1).any() or not np.allclose(y.sum(axis=1), 1.0, atol=1e-3):
            raise DataError(
                "categorical_crossentropy needs one-hot (or probability) rows that are in "
                "[0, 1] and sum to 1; for integer labels use sparse_categorical_crossentropy"
            )
        return y

    def value(self, p, y):
        return float(-np.sum(y * np.log(np.clip(p, EPS, 1.0))) / len(p))

    def gradient(self, p, y):
        return -y / np.clip(p, EPS, 1.0) / len(p)

    def fused_value(self, z, y):
        # −Σₖ yₖ log softmax(z)ₖ = logsumexp(z) − Σₖ yₖ zₖ  when Σₖ yₖ = 1.
        return float(np.mean(_logsumexp_rows(z) - np.sum(y * z, axis=1)))

    def fused_gradient(self, p, y):
        return (p - y) / len(p)


class SparseCategoricalCrossentropy(Loss):
    name, link = "sparse_categorical_crossentropy", "softmax"

    def targets(self, y, width, dtype):
        y = _numeric(y, self.name)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise DataError(
                f"sparse_categorical_crossentropy needs integer labels of shape (samples,); "
                f"got y of shape {y.shape} (for one-hot rows use categorical_crossentropy)"
            )
        labels = y.astype(np.intp) if np.isfinite(y).all() else None
        if labels is None or (labels != y).any():
            raise DataError(
                "sparse_categorical_crossentropy needs whole-number class labels; "
                f"y holds {y[~np.isfinite(y) | (np.round(y) != y)][0]!r}"
            )
        bad = (labels < 0) | (labels >= width)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"label {labels[i]} at row {i} is out of range: the model has {width} "
                f"outputs, so labels must be in [0, {width - 1}]"
            )
        return labels

    def value(self, p, y):
        return float(-np.mean(np.log(np.clip(p[np.arange(len(p)), y], EPS, 1.0))))

    def gradient(self, p, y):
        g = np.zeros_like(p)
        rows = np.arange(len(p))
        g[rows, y] = -1.0 / np.clip(p[rows, y], EPS, 1.0) / len(p)
        return g

    def fused_value(self, z, y):
        return float(np.mean(_logsumexp_rows(z) - z[np.arange(len(z)), y]))

    def fused_gradient(self, p, y):
        g = p.copy()
        g[np.arange(len(p)), y] -= 1.0
        g /= len(p)
        return g


class BinaryCrossentropy(Loss):
    name, link = "binary_crossentropy", "sigmoid"

    def targets(self, y, width, dtype):
        y = super().targets(y, width, dtype)
        if (y < 0).any() or (y > 1).any():
            raise DataError(
                f"binary_crossentropy needs targets in [0, 1]; y ranges over [{y.min()}, {y.max()}]"
            )
        return y

    def value(self, p, y):
        p = np.clip(p, EPS, 1.0 - EPS)
        return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))

    def gradient(self, p, y):
        p = np.clip(p, EPS, 1.0 - EPS)
        return (p - y) / (p * (1.0 - p)) / p.size

    def fused_value(self, z, y):
        # −y log σ(z) − (1 − y) log σ(−z) = softplus(z) − y z, with softplus(z) = log(1 + e^z).
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    def fused_gradient(self, p, y):
        return (p - y) / p.size


class MeanSquaredError(Loss):
    name = "mse"

    def value(self, p, y):
        return float(np.mean(np.square(p - y)))

    def gradient(self, p, y):
        return (p - y) * (2.0 / p.size)


class MeanAbsoluteError(Loss):
    name = "mae"

    def value(self, p, y):
        return float(np.mean(np.abs(p - y)))

    def gradient(self, p, y):
        return np.sign(p - y) / p.size


LOSSES: dict[str, type[Loss]] = {
    cls.name: cls
    for cls in (
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        BinaryCrossentropy,
        MeanSquaredError,
        MeanAbsoluteError,
    )
}


def get_loss(identifier: str | Loss) -> Loss:
    """A loss by name (see ``LOSSES``) or a :class:`Loss` instance."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in LOSSES:
        return LOSSES[identifier.lower()]()
    raise ParameterError(f"unknown loss {identifier!r}; expected one of: {', '.join(LOSSES)}")


def fuses_with(loss: Loss, output: ActivationFunction | None) -> bool:
    """Whether ``output`` is ``loss``'s canonical link, so ∂L/∂z = (p − y)/n applies.

    True when the output activation has the very definition the registry holds for the link
    (softmax or sigmoid, aliases included) at its default parameters (softmax along the last
    axis). This is the only place the engine pairs losses with activations.
    """
    if loss.link is None or output is None:
        return False
    link = lookup(loss.link)
    return output.definition is link and all(output.params[p.name] == p.default for p in link.params)


def _logsumexp_rows(z: np.ndarray) -> np.ndarray:
    """log Σₖ exp(zₖ) per row, as m + log Σₖ exp(zₖ − m) with m the row maximum (no overflow).

    Written out because scipy.special.logsumexp costs more than the rest of the loss here; a
    row holding ±inf or NaN gives a non-finite loss, which stops training.
    """
    m = np.max(z, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.log(np.sum(np.exp(z - m), axis=1)) + m[:, 0]


def _numeric(y, loss_name: str) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise DataError(f"{loss_name} needs numeric targets; got y of dtype {y.dtype}")
    return y
