"""Pooling over channels-last input, each channel on its own (windows: :mod:`actlab.nn.windows`).

    MaxPooling:            y[p, c] = max_{o} x[p, o, c]; the gradient goes to the first
                           maximum of each window (as PyTorch and TensorFlow do);
    AveragePooling:        y[p, c] = (1/m_p) Σ_{o} x[p, o, c], with m_p the number of input
                           cells in window p (padding="same" does not count the padding, as Keras);
    GlobalAveragePooling:  y[c] = mean over every position of x[·, c].

``pool_size`` and ``strides`` (default: ``pool_size``) are an int or one int per spatial axis.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import shapes
from .layers import Layer
from .windows import Windows, check_padding, spatial


class Pooling(Layer):
    """Max or average over windows (the base of the MaxPooling and AveragePooling layers)."""

    rank = 0
    axes = ""

    def __init__(
        self,
        pool_size: int | tuple[int, ...] = 2,
        strides: int | tuple[int, ...] | None = None,
        padding: str = "valid",
        **base: Any,
    ):
        super().__init__(**base)
        self.pool_size = spatial(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else spatial(strides, self.rank, "strides")
        self.padding = check_padding(padding)
        self._windows: Windows | None = None

    def build(self, input_shape, dtype, rng, next_activation):
        shapes.require_rank(self, input_shape, self.rank + 1, self.axes)
        self._windows = Windows.of(
            input_shape[:-1],
            self.pool_size,
            self.strides,
            self.padding,
            f"{type(self).__name__} {self.name!r}",
        )
        self.output_shape = (*self._windows.out, input_shape[-1])
        return {}

    def get_config(self):
        return {
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
            **super().get_config(),
        }

    def _kernel_axes(self) -> tuple[int, ...]:
        return tuple(range(1 + self.rank, 1 + 2 * self.rank))


class MaxPooling(Pooling):
    """The maximum of each window, per channel."""

    def forward(self, x, training, rng):
        w = self._windows
        windows = w.extract(x, fill=-np.inf).reshape(len(x), *w.out, w.window_size, x.shape[-1])
        self._argmax = windows.argmax(axis=-2)[..., None, :]
        y = np.take_along_axis(windows, self._argmax, axis=-2)[..., 0, :]
        self.last_input, self.last_output = x, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        if not need_input_grad:
            return None
        w, x = self._windows, self.last_input
        windows = np.zeros((len(x), *w.out, w.window_size, x.shape[-1]), dtype=grad.dtype)
        np.put_along_axis(windows, self._argmax, grad[..., None, :], axis=-2)
        return w.scatter(windows.reshape(len(x), *w.out, *w.kernel, x.shape[-1]))


class AveragePooling(Pooling):
    """The mean of each window's input cells, per channel."""

    def build(self, input_shape, dtype, rng, next_activation):
        self._cells = None  # found at the first batch: building allocates nothing of the input's size
        return super().build(input_shape, dtype, rng, next_activation)

    def forward(self, x, training, rng):
        w = self._windows
        if self._cells is None:
            # Cells per window, padding excluded: the window sums of a padded sample of ones.
            ones = w.pad(np.ones((1, *w.size, 1), dtype=x.dtype))
            self._cells = (
                w.view(ones).sum(axis=self._kernel_axes())[0] if w.padded else x.dtype.type(w.window_size)
            )
        y = w.view(w.pad(x)).sum(axis=self._kernel_axes()) / self._cells
        self.last_input, self.last_output = x, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        if not need_input_grad:
            return None
        w = self._windows
        share = (grad / self._cells)[(Ellipsis, *([None] * self.rank), slice(None))]
        return w.scatter(np.broadcast_to(share, (len(grad), *w.out, *w.kernel, grad.shape[-1])))


class GlobalAveragePooling(Layer):
    """The mean over every position, per channel: (samples, *positions, channels) → (samples, channels)."""

    rank = 0
    axes = ""

    def build(self, input_shape, dtype, rng, next_activation):
        shapes.require_rank(self, input_shape, self.rank + 1, self.axes)
        self.output_shape = input_shape[-1:]
        return {}

    def forward(self, x, training, rng):
        y = x.mean(axis=tuple(range(1, 1 + self.rank)))
        self.last_input, self.last_output = x, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        if not need_input_grad:
            return None
        x = self.last_input
        dx = np.empty_like(x)
        dx[...] = (grad / math.prod(x.shape[1:-1]))[(slice(None), *([None] * self.rank), slice(None))]
        return dx


class MaxPooling1D(MaxPooling):
    """Max pooling over (samples, steps, channels): ``MaxPooling1D(2)``."""

    rank, axes = 1, "steps, channels"


class MaxPooling2D(MaxPooling):
    """Max pooling over (samples, rows, columns, channels): ``MaxPooling2D((2, 2))``."""

    rank, axes = 2, "rows, columns, channels"


class AveragePooling1D(AveragePooling):
    """Average pooling over (samples, steps, channels): ``AveragePooling1D(2)``."""

    rank, axes = 1, "steps, channels"


class AveragePooling2D(AveragePooling):
    """Average pooling over (samples, rows, columns, channels): ``AveragePooling2D((2, 2))``."""

    rank, axes = 2, "rows, columns, channels"


class GlobalAveragePooling1D(GlobalAveragePooling):
    """The mean over the steps: (samples, steps, channels) → (samples, channels)."""

    rank, axes = 1, "steps, channels"


class GlobalAveragePooling2D(GlobalAveragePooling):
    """The mean over rows and columns: (samples, rows, columns, channels) → (samples, channels)."""

    rank, axes = 2, "rows, columns, channels"
