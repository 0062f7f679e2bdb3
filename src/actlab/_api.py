"""Module-level functions (``actlab.relu(x)``, ...), generated from the registry."""
from __future__ import annotations

from typing import Any, Callable

from .core import Definition, get


def make_function(definition: Definition) -> Callable[..., Any]:
    """A plain function ``name(x, *, out=None, **params)`` that applies one registered activation."""
    def apply(x: Any, *, out: Any = None, **params: Any) -> Any:
        return get(definition, **params)(x, out=out)

    params = "".join(f"\n    {p.name}: {p.doc}; default {p.default!r}, {p.range_text}."
                     for p in definition.params)
    apply.__name__ = apply.__qualname__ = definition.name
    apply.__doc__ = (f"{(definition.forward.__doc__ or definition.summary).strip()}\n\n"
                     f"{definition.summary}\n\nArgs:\n    x: array-like input.{params}\n"
                     f"    out: optional NumPy array to write the result into.\n\n"
                     f"Reference: {definition.reference}")
    return apply
