"""Parameters of an activation: default, valid range, learnability, and validation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .errors import ParameterError


@dataclass(frozen=True)
class Param:
    """One parameter of an activation.

    ``low``/``high`` bound a real parameter (``low_open``/``high_open`` make a bound strict);
    ``choices`` lists the allowed values of a categorical one; ``integer`` asks for an int.
    A real parameter is always finite: an infinite bound is open, as the range text says.
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
            # One of the choices itself (an array, even one holding a choice, is none of them).
            for choice in self.choices:
                if np.ndim(value) == 0 and isinstance(value, type(choice)) and value == choice:
                    return choice
            raise ParameterError(
                f"parameter {self.name!r} = {value!r} is not allowed; expected {self.range_text}"
            )
        if self.integer:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise ParameterError(
                    f"parameter {self.name!r} = {value!r} is not allowed; expected {self.range_text}"
                )
            value = int(value)
        elif isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
            raise ParameterError(
                f"parameter {self.name!r} = {value!r} is not allowed; expected {self.range_text}"
            )
        is_array = not np.isscalar(value) and np.ndim(value) > 0
        if is_array and not self.array_ok:
            raise ParameterError(
                f"parameter {self.name!r} must be a scalar, got an array of shape {np.shape(value)}; "
                f"expected {self.range_text}"
            )
        try:
            arr = np.asarray(value, dtype=np.float64)
        except OverflowError:  # an integer beyond the largest float
            raise ParameterError(
                f"parameter {self.name!r} = {value!r} is out of range; expected {self.range_text}"
            ) from None
        except (TypeError, ValueError):
            raise ParameterError(
                f"parameter {self.name!r} = {value!r} is not a number; expected {self.range_text}"
            ) from None
        ok = np.isfinite(arr)
        ok &= (arr > self.low) if self.low_open else (arr >= self.low)
        ok &= (arr < self.high) if self.high_open else (arr <= self.high)
        if not ok.all():
            bad = float(arr[~ok].flat[0]) if is_array else value
            raise ParameterError(
                f"parameter {self.name!r} = {bad!r} is out of range; expected {self.range_text}"
            )
        if is_array:
            return arr
        return value if self.integer else float(value)


def _fmt(v: float) -> str:
    if v == math.inf:
        return "inf"
    if v == -math.inf:
        return "-inf"
    return f"{v:g}"


def representable(values: Mapping[str, Any], dtype: Any) -> bool:
    """Whether every real parameter value is 0 or a normal number of ``dtype``: otherwise a
    computation in that dtype would round it to 0 or to infinity (a slope of 1e-50 or 1e71 in
    float32), and exact activations must then compute in float64."""
    fi = np.finfo(dtype)
    for v in values.values():
        if isinstance(v, (float, np.floating)) or (isinstance(v, np.ndarray) and v.dtype.kind == "f"):
            mag = np.abs(np.asarray(v, dtype=np.float64))
            if not np.all((mag == 0) | ((mag >= fi.smallest_normal) & (mag <= fi.max))):
                return False
    return True
