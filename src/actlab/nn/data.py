"""Checks on the data given to a model, with errors that say what is wrong and what is expected."""
from __future__ import annotations

import numpy as np

from ..core import InputTypeError
from .errors import DataError


def as_inputs(x, width: int | None, dtype, what: str = "x") -> np.ndarray:
    """``x`` as a C-contiguous (samples, width) array of the model's dtype, all finite."""
    if hasattr(x, "__array__") or isinstance(x, (list, tuple, np.ndarray)):
        x = np.asarray(x)
    else:
        raise InputTypeError(f"{what} must be an array of shape (samples, features), got {type(x).__name__}")
    if x.dtype.kind not in "biuf":
        raise InputTypeError(f"{what} must hold real numbers, got dtype {x.dtype}")
    if x.ndim != 2:
        hint = " (one feature per sample? use x.reshape(-1, 1))" if x.ndim == 1 else ""
        raise DataError(f"{what} must be 2-D, (samples, features); got shape {x.shape}{hint}")
    if len(x) == 0:
        raise DataError(f"{what} has no samples (shape {x.shape})")
    if width is not None and x.shape[1] != width:
        raise DataError(f"{what} has {x.shape[1]} features per sample, but the model's input "
                        f"width is {width}")
    x = np.ascontiguousarray(x, dtype=dtype)
    # A finite sum proves every entry finite (NaN and inf propagate) in one pass without a mask;
    # only when it is not (or overflows) are the entries checked one by one.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(x, axis=None)
    finite = np.isfinite(x) if not np.isfinite(total) else None
    if finite is not None and not finite.all():
        row, col = np.argwhere(~finite)[0]
        raise DataError(f"{what} contains {x[row, col]} at row {row}, column {col}; inputs must be "
                        "finite (drop or impute missing values first)")
    return x


def check_lengths(x: np.ndarray, y: np.ndarray, what: str = "") -> None:
    if len(x) != len(y):
        raise DataError(f"x and y{what} disagree on the number of samples: x has {len(x)}, y has {len(y)}")
