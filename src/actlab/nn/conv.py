"""Convolutions over channels-last input: :class:`Conv1D` (samples, steps, channels) and
:class:`Conv2D` (samples, rows, columns, channels), as in Keras.

With windows X of the input (see :mod:`actlab.nn.windows`), a kernel W of shape
(*kernel_size, in_channels, filters) and a bias b, the layer computes at every output position p

    z[p, f] = Σ_{offsets o, channels c} X[p, o, c] · W[o, c, f] + b[f],   y = activation(z),

as one matrix product (im2col): the windows become a (samples·positions) × (window·in_channels)
matrix, multiplied by the kernel seen as a (window·in_channels) × filters matrix. The backward
pass is two more products, ∂L/∂W = Xᵀ·∂L/∂z and ∂L/∂X = ∂L/∂z·Wᵀ, and the window gradients are
added back to the input positions they came from (col2im).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import shapes
from .layers import Activated
from .shapes import positive_int
from .windows import Windows, check_padding, spatial


class Conv(Activated):
    """The convolution of any spatial rank (the base of :class:`Conv1D` and :class:`Conv2D`)."""

    rank = 0
    axes = ""

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, ...],
        strides: int | tuple[int, ...] = 1,
        padding: str = "valid",
        activation: Any = None,
        **options: Any,
    ):
        super().__init__(activation, **options)
        self.filters = positive_int(filters, "filters")
        self.kernel_size = spatial(kernel_size, self.rank, "kernel_size")
        self.strides = spatial(strides, self.rank, "strides")
        self.padding = check_padding(padding)
        self._windows: Windows | None = None
        self._columns: np.ndarray | None = None

    def param_count(self, input_shape):
        window = int(np.prod(self.kernel_size))
        return (window * input_shape[-1] + self.use_bias) * self.filters

    def build(self, input_shape, dtype, rng, next_activation):
        shapes.require_rank(self, input_shape, self.rank + 1, self.axes)
        self._windows = Windows.of(
            input_shape[:-1],
            self.kernel_size,
            self.strides,
            self.padding,
            f"{type(self).__name__} {self.name!r}",
        )
        return self._initial(
            (*self.kernel_size, input_shape[-1], self.filters),
            (*self._windows.out, self.filters),
            dtype,
            rng,
            next_activation,
        )

    def get_config(self):
        return {
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            **super().get_config(),
        }

    def forward(self, x, training, rng):
        w = self._windows
        columns = w.extract(x).reshape(len(x) * w.positions, -1)
        z = np.matmul(columns, self.params["kernel"].reshape(-1, self.filters))
        self._columns = columns
        return self._activate(x, z.reshape(len(x), *w.out, self.filters), training, rng)

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        grad = self._preactivation_grad(grad, from_preactivation).reshape(-1, self.filters)
        kernel = self.params["kernel"].reshape(-1, self.filters)
        np.matmul(self._columns.T, grad, out=self.grads["kernel"].reshape(kernel.shape))
        if not need_input_grad:
            return None
        w, n = self._windows, len(self.last_input)
        windows = np.matmul(grad, kernel.T).reshape(n, *w.out, *w.kernel, self.last_input.shape[-1])
        return w.scatter(windows)


class Conv1D(Conv):
    """A 1-D convolution over (samples, steps, channels): ``Conv1D(32, 5, strides=2, activation="relu")``.

    Args:
        filters: output channels.
        kernel_size: the window's length.
        strides: the step between windows.
        padding: ``"valid"`` (windows inside the input) or ``"same"`` (zeros added so that
            ⌈steps / strides⌉ windows fit, as Keras).
        activation, use_bias, kernel_initializer: as for :class:`~actlab.nn.Dense`; ``"auto"``
            picks He, Glorot or LeCun from the activation's metadata, with fan_in =
            kernel_size·in_channels and fan_out = kernel_size·filters.
        name, input_shape: as for every layer (``input_shape=(40, 1)`` for the first one).
    """

    rank = 1
    axes = "steps, channels"


class Conv2D(Conv):
    """A 2-D convolution over (samples, rows, columns, channels):
    ``Conv2D(16, 3, strides=2, padding="same", activation="relu")``.

    Arguments as for :class:`Conv1D`; ``kernel_size`` and ``strides`` are an int or a pair
    (rows, columns).
    """

    rank = 2
    axes = "rows, columns, channels"
