"""Sliding windows over the spatial axes of a channels-last batch: the geometry shared by
convolution and pooling, the windows gathered into one array (im2col), and the way back (col2im).

For a spatial axis of size n, a window of size k and a stride s (Keras's rules):

    padding="valid":  out = ⌊(n − k)/s⌋ + 1, nothing added;
    padding="same":   out = ⌈n/s⌉, and p = max((out − 1)·s + k − n, 0) cells added,
                      ⌊p/2⌋ before and the rest after.

Window j of an axis covers the padded cells j·s … j·s + k − 1. A batch of shape
(samples, n₁, …, n_r, channels) gives windows of shape (samples, out₁, …, out_r, k₁, …, k_r,
channels); a convolution reshapes them to a matrix of (samples·positions) rows and
(k₁·…·k_r·channels) columns and multiplies it by its kernel in one BLAS call.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..core import ParameterError
from .shapes import Shape, positive_int

PADDINGS = ("valid", "same")


def spatial(value: Any, rank: int, what: str) -> Shape:
    """An int (the same on every spatial axis) or one positive int per axis, as a tuple."""
    if isinstance(value, (tuple, list)):
        if len(value) != rank:
            raise ParameterError(
                f"{what} = {value!r} needs {rank} entr{'y' if rank == 1 else 'ies'}, "
                f"one per spatial axis (or a single integer)"
            )
        return tuple(positive_int(v, what) for v in value)
    return (positive_int(value, what),) * rank


def check_padding(padding: Any) -> str:
    if padding not in PADDINGS:
        raise ParameterError(f"padding = {padding!r} is not allowed; expected 'valid' or 'same'")
    return padding


@dataclass(frozen=True)
class Windows:
    """The windows of one layer: sizes per spatial axis, before and after padding."""

    size: Shape
    kernel: Shape
    strides: Shape
    before: Shape
    after: Shape
    out: Shape

    @classmethod
    def of(cls, size: Shape, kernel: Shape, strides: Shape, padding: str, layer: str) -> "Windows":
        """The geometry of windows ``kernel`` moved by ``strides`` over ``size`` (see the module)."""
        before, after, out = [], [], []
        for n, k, s in zip(size, kernel, strides):
            if padding == "valid":
                if n < k:
                    raise ParameterError(
                        f"{layer}: a window of {k} does not fit in an input of {n} "
                        f"along an axis of shape {size}; use padding='same' or a smaller "
                        "window, or fewer layers that shrink the input"
                    )
                o, p = (n - k) // s + 1, 0
            else:
                o = -(-n // s)
                p = max((o - 1) * s + k - n, 0)
            before.append(p // 2)
            after.append(p - p // 2)
            out.append(o)
        return cls(tuple(size), tuple(kernel), tuple(strides), tuple(before), tuple(after), tuple(out))

    @property
    def positions(self) -> int:
        return math.prod(self.out)

    @property
    def window_size(self) -> int:
        return math.prod(self.kernel)

    @property
    def padded(self) -> bool:
        return any(self.before) or any(self.after)

    @property
    def overlapping(self) -> bool:
        return any(k > s for k, s in zip(self.kernel, self.strides))

    def pad(self, x: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """``x`` with ``fill`` added around its spatial axes (``x`` itself when nothing is added)."""
        if not self.padded:
            return x
        shape = (len(x), *(n + b + a for n, b, a in zip(self.size, self.before, self.after)), x.shape[-1])
        xp = np.full(shape, fill, dtype=x.dtype)
        xp[self._interior()] = x
        return xp

    def view(self, xp: np.ndarray, writeable: bool = False) -> np.ndarray:
        """Every window of the padded batch ``xp``, (samples, *out, *kernel, channels), without a copy."""
        rank = len(self.size)
        spatial_strides = xp.strides[1 : 1 + rank]
        return as_strided(
            xp,
            (len(xp), *self.out, *self.kernel, xp.shape[-1]),
            (
                xp.strides[0],
                *(st * s for st, s in zip(spatial_strides, self.strides)),
                *spatial_strides,
                xp.strides[-1],
            ),
            writeable=writeable,
        )

    def extract(self, x: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """The windows of ``x`` as a new C-contiguous array (samples, *out, *kernel, channels)."""
        # One strided copy; sliding_window_view builds the same view with ~5x the Python overhead.
        return np.ascontiguousarray(self.view(self.pad(x, fill)))

    def scatter(self, windows: np.ndarray) -> np.ndarray:
        """The adjoint of :meth:`extract`: each window's values added back where they were taken
        from, (samples, *out, *kernel, channels) → (samples, *size, channels)."""
        n, channels = len(windows), windows.shape[-1]
        shape = (n, *(m + b + a for m, b, a in zip(self.size, self.before, self.after)), channels)
        xp = np.zeros(shape, dtype=windows.dtype)
        if not self.overlapping:  # each cell belongs to one window at most: a plain copy
            self.view(xp, writeable=True)[...] = windows
        else:  # one strided addition per offset within the window
            rank = len(self.size)
            for offset in itertools.product(*map(range, self.kernel)):
                target = tuple(
                    slice(o, o + s * (m - 1) + 1, s) for o, s, m in zip(offset, self.strides, self.out)
                )
                xp[(slice(None), *target)] += windows[(slice(None),) * (1 + rank) + offset]
        return np.ascontiguousarray(xp[self._interior()]) if self.padded else xp

    def _interior(self) -> tuple[slice, ...]:
        return (slice(None), *(slice(b, b + n) for b, n in zip(self.before, self.size)))
