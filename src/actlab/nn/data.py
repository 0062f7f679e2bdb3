"""Checks on the data given to a model, with errors that say what is wrong and what is expected."""

from __future__ import annotations

import math

import numpy as np

from ..core import InputTypeError
from .errors import DataError
from .shapes import Shape, describe


def as_inputs(x, shape: Shape | None, dtype, what: str = "x") -> np.ndarray:
    """``x`` as a C-contiguous (samples, *shape) array of the model's dtype, all finite.

    ``shape`` is the model's sample shape (None before it is known: then any x with a sample
    axis and at least one more is taken).
    """
    if hasattr(x, "__array__") or isinstance(x, (list, tuple, np.ndarray)):
        x = np.asarray(x)
    else:
        raise InputTypeError(f"{what} must be an array of shape (samples, features), got {type(x).__name__}")
    if x.dtype.kind not in "biuf":
        raise InputTypeError(f"{what} must hold real numbers, got dtype {x.dtype}")
    if x.ndim < 2:
        hint = " (one feature per sample? use x.reshape(-1, 1))" if x.ndim == 1 else ""
        raise DataError(
            f"{what} must be at least 2-D, (samples, features) or (samples, *shape); got "
            f"shape {x.shape}{hint}"
        )
    if len(x) == 0:
        raise DataError(f"{what} has no samples (shape {x.shape})")
    if shape is not None and x.shape[1:] != tuple(shape):
        raise DataError(_shape_mismatch(x.shape, tuple(shape), what))
    x = np.ascontiguousarray(x, dtype=dtype)
    # A finite sum proves every entry finite (NaN and inf propagate) in one pass without a mask;
    # only when it is not (or overflows) are the entries checked one by one.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(x, axis=None)
    finite = np.isfinite(x) if not np.isfinite(total) else None
    if finite is not None and not finite.all():
        row, *at = np.argwhere(~finite)[0]
        where = f"column {at[0]}" if len(at) == 1 else f"position {tuple(int(i) for i in at)}"
        raise DataError(
            f"{what} contains {x[(row, *at)]} at row {row}, {where}; inputs must be "
            "finite (drop or impute missing values first)"
        )
    return x


def _shape_mismatch(got: tuple[int, ...], expected: Shape, what: str) -> str:
    if len(got) == 2 and len(expected) == 1:
        return f"{what} has {got[1]} features per sample, but the model's input width is {expected[0]}"
    message = f"{what} has shape {got}, but the model takes inputs of shape {describe(expected)}"
    if got[1:] == expected[:-1] and expected[-1] == 1:
        return message + f": add the channel axis with {what}[..., None]"
    if math.prod(got[1:]) == math.prod(expected):
        return message + f": reshape it with {what}.reshape(-1, {', '.join(map(str, expected))})"
    return message


def check_lengths(x: np.ndarray, y: np.ndarray, what: str = "") -> None:
    if len(x) != len(y):
        raise DataError(f"x and y{what} disagree on the number of samples: x has {len(x)}, y has {len(y)}")
