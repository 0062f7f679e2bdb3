"""Parameters of an activation: default, valid range, learnability, and validation."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ParameterError


@dataclass(frozen=True)
class Param:
    """One parameter of an activation.

    ``low``/``high`` bound a real parameter (``low_open``/``high_open`` make a bound strict);
    ``choices`` lists the allowed values of a categorical one; ``integer`` asks for an int.
    A real parameter may be given as an array (per-channel PReLU slopes): every element is
    checked and it must broadcast against the input.
    """

    name: str
    default: Any
    doc: str
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None
    integer: bool = False
    learnable: bool = False
    array_ok: bool = False

    @property
    def range_text(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo = "(" if self.low_open or self.low == -math.inf else "["
        hi = ")" if self.high_open or self.high == math.inf else "]"
        kind = "an integer" if self.integer else "a real number"
        return f"{kind} in {lo}{_fmt(self.low)}, {_fmt(self.high)}{hi}"

    def validate(self, value: Any) -> Any:
        """Return the value in canonical form, or raise ParameterError naming what is allowed."""
        if self.choices is not None:
            if value not in self.choices:
                raise ParameterError(
                    f"parameter {self.name!r} = {value!r} is not allowed; expected {self.range_text}")
            return value
        if self.integer:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise ParameterError(
                    f"parameter {self.name!r} = {value!r} is not allowed; expected {self.range_text}")
            value = int(value)
        elif isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
            raise ParameterError(
                f"parameter {self.name!r} = {value!r} is not allowed; expected {self.range_text}")
        is_array = not np.isscalar(value) and np.ndim(value) > 0
        if is_array and not self.array_ok:
            raise ParameterError(
                f"parameter {self.name!r} must be a scalar, got an array of shape {np.shape(value)}; "
                f"expected {self.range_text}")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ParameterError(
                f"parameter {self.name!r} = {value!r} is not a number; expected {self.range_text}"
            ) from None
        ok = ~np.isnan(arr)
        ok &= (arr > self.low) if self.low_open else (arr >= self.low)
        ok &= (arr < self.high) if self.high_open else (arr <= self.high)
        if not ok.all():
            bad = arr[~ok].flat[0] if is_array else value
            raise ParameterError(
                f"parameter {self.name!r} = {bad!r} is out of range; expected {self.range_text}")
        if is_array:
            return arr
        return value if self.integer else float(value)


def _fmt(v: float) -> str:
    if v == math.inf:
        return "inf"
    if v == -math.inf:
        return "-inf"
    return f"{v:g}"
