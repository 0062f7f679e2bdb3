"""Module-level functions (``actlab.relu(x)``, ...), generated from the registry."""

from __future__ import annotations

from typing import Any, Callable

from .core import Activation, Definition

# Activations bound to parameters a caller used, kept so that a repeated call such as
# ``actlab.leaky_relu(x, alpha=0.1)`` neither validates the parameters again nor chooses its
# kernels again. Bounded: a caller sweeping a parameter does not grow it without end.
_CACHE_SIZE = 64


def make_function(definition: Definition) -> Callable[..., Any]:
    """A plain function ``name(x, *, out=None, **params)`` that applies one registered activation."""
    default = Activation(definition)
    bound: dict[tuple, Activation] = {}

    def apply(x: Any, *, out: Any = None, **params: Any) -> Any:
        if not params:
            return default(x, out=out)
        try:
            key = tuple(sorted(params.items()))
            act = bound.get(key)
        except TypeError:  # an unhashable value (a per-channel array)
            return Activation(definition, **params)(x, out=out)
        if act is None:
            act = Activation(definition, **params)
            if len(bound) >= _CACHE_SIZE:
                bound.pop(next(iter(bound)))
            bound[key] = act
        return act(x, out=out)

    params = "".join(
        f"\n    {p.name}: {p.doc}; default {p.default!r}, {p.range_text}." for p in definition.params
    )
    apply.__name__ = apply.__qualname__ = definition.name
    apply.__doc__ = (
        f"{(definition.forward.__doc__ or definition.summary).strip()}\n\n"
        f"{definition.summary}\n\nArgs:\n    x: array-like input.{params}\n"
        f"    out: optional NumPy array to write the result into.\n\n"
        f"Reference: {definition.reference}"
    )
    return apply


def make_alias(alias: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``alias(x, ...)``: the canonical ``function`` under another registered name (``silu`` for
    ``swish``), with the same arguments and results; its docstring says whose alias it is."""

    def apply(x: Any, *, out: Any = None, **params: Any) -> Any:
        return function(x, out=out, **params)

    apply.__name__ = apply.__qualname__ = alias
    apply.__doc__ = f"Alias of :func:`actlab.{function.__name__}`.\n\n{function.__doc__}"
    apply.__wrapped__ = function
    return apply
