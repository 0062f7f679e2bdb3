"""Input shapes: how a layer or a model is told the shape of one sample, and how shapes are shown.

A shape never includes the batch axis: ``(20,)`` is a row of 20 features, ``(40, 1)`` a sequence
of 40 steps with one channel, ``(28, 28, 1)`` an image with one channel (channels last, as in
Keras). ``input_dim=n`` is the same as ``input_shape=(n,)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import ParameterError

Shape = tuple[int, ...]


def positive_int(value: Any, what: str) -> int:
    """``value`` as an int, or a ParameterError if it is not a positive integer."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{what} = {value!r} is not allowed; expected a positive integer")
    return int(value)


def as_shape(value: Any, what: str = "input_shape") -> Shape:
    """A sample shape from an int (a width) or a sequence of positive ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return (positive_int(value, what),)
    if not isinstance(value, (tuple, list)) or not value:
        raise ParameterError(
            f"{what} = {value!r} is not allowed; expected a tuple of positive integers "
            "without the batch axis, such as (40, 1) or (28, 28, 1)"
        )
    return tuple(positive_int(v, f"{what}[{i}]") for i, v in enumerate(value))


def from_arguments(input_dim: Any, input_shape: Any) -> Shape | None:
    """The shape given as ``input_dim`` or ``input_shape`` (None when neither is given)."""
    dim = None if input_dim is None else (positive_int(input_dim, "input_dim"),)
    shape = None if input_shape is None else as_shape(input_shape)
    if dim is not None and shape is not None and dim != shape:
        raise ParameterError(f"input_dim = {input_dim} and input_shape = {input_shape} disagree; give one")
    return shape or dim


def config(shape: Shape | None) -> dict[str, Any]:
    """The constructor argument that recreates ``shape``: ``input_dim`` for rows, else ``input_shape``."""
    if shape is None:
        return {}
    return {"input_dim": shape[0]} if len(shape) == 1 else {"input_shape": list(shape)}


def describe(shape: Shape) -> str:
    """``(None, 40, 1)``: the shape of a batch, as Keras prints it."""
    return "(" + ", ".join(["None", *map(str, shape)]) + ")"


def require_rank(layer: Any, shape: Shape, rank: int, axes: str) -> None:
    """Refuse input whose sample shape does not have ``rank`` axes (named ``axes``)."""
    if len(shape) != rank:
        hint = (
            f"; one channel still needs its axis: input_shape={(*shape, 1)} and x[..., None]"
            if len(shape) == rank - 1
            else ""
        )
        named = f"{type(layer).__name__} {layer.name!r}" if layer.name else type(layer).__name__
        raise ParameterError(
            f"{named} needs inputs of shape (samples, {axes}), but its input has "
            f"shape {describe(shape)}{hint}"
        )
