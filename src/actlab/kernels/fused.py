"""The fast backend: each activation's own formula, traced and compiled by numba into one loop.

A kernel is built the first time an activation is used with a given dtype and parameters, from
one of the definition's formulas (see :func:`formula`); nothing here knows any activation by
name.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, Callable

import numpy as np

from ..core.definition import Definition
from . import codegen, settings
from .trace import Untraceable, trace

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# What a form computes, from which formula of the definition, and whether it is multiplied by
# an incoming gradient g: y = f(x); f'(x); f'(x) from y = f(x); g·f'(x); g·f'(x) from y.
# ("param", name) is g·∂f/∂θ for a learnable parameter θ (summed by the caller).
FORMS = {
    "forward": ("forward", False),
    "derivative": ("derivative", False),
    "derivative_from_output": ("derivative_from_output", False),
    "backward": ("derivative", True),
    "backward_from_output": ("derivative_from_output", True),
}

# Rough single-core costs of a float32 kernel on an AVX-512 machine, in ns per element: the
# pass itself, each scalar operation, each elementary function (measured with the float32
# routines; float64 ones take about twice as long). They only decide how many threads a call
# is worth (see parallel.pieces), so being off by a factor of two costs little.
_PASS_NS, _OP_NS = 0.08, 0.02
_PRIMITIVE_NS = {
    "exp": 0.25,
    "expm1": 0.3,
    "log1p": 0.5,
    "tanh": 0.45,
    "cosh": 0.4,
    "erfc": 1.7,
    "sqrt": 0.1,
    "hypot": 0.3,
}


class Kernel:
    """A compiled loop ``fn(x[, g], out, consts)`` with its constants and estimated cost."""

    __slots__ = ("fn", "consts", "ns_per_element")

    def __init__(self, fn: Callable[..., None], consts: np.ndarray, ns_per_element: float):
        self.fn, self.consts, self.ns_per_element = fn, consts, ns_per_element

    def __call__(self, *arrays: np.ndarray) -> None:
        self.fn(*arrays, self.consts)


_kernels: dict[tuple, tuple[Definition, Kernel | None, str]] = {}
_build_lock = threading.Lock()
_numba_missing: list[str] = []


def unavailable() -> str | None:
    """Why the fused backend is not used (numba missing, or turned off), or None when it is."""
    if settings.current().backend == "numpy":
        return "turned off (ACTLAB_KERNELS=numpy or actlab.kernels.configure(backend='numpy'))"
    if not _numba_missing:
        try:
            importlib.import_module("numba")
            importlib.import_module("actlab.kernels.math32")
            _numba_missing.append("")
        except ImportError as exc:
            _numba_missing.append(f"numba is not installed ({exc}); pip install 'actlab[fast]'")
    return _numba_missing[0] or None


def formula(d: Definition, form: Any) -> tuple[Callable[..., Any] | None, bool]:
    """``(formula, times_grad)`` of a form: a key of ``FORMS`` or ``("param", name)``."""
    if isinstance(form, tuple):
        return d.param_partials.get(form[1]), True
    attribute, times_grad = FORMS[form]
    return getattr(d, attribute), times_grad


def kernel(act, dtype: np.dtype, form: Any = "forward") -> tuple[Kernel | None, str]:
    """``(k, "")`` with ``k(x, [g,] out)`` filling ``out`` with the ``form`` of the activation
    (see :func:`formula`) in ``dtype``, or ``(None, reason)`` where it cannot be fused (numba
    missing, the formula absent or not traceable, a parameter an array)."""
    reason = unavailable()
    if reason:
        return None, reason
    try:
        params = tuple(sorted(act.params.items()))
        key = (id(act.definition), params, np.dtype(dtype).str, form)
        hash(key)
    except TypeError:
        return None, "a parameter is an array (per-channel values are not fused)"
    entry = _kernels.get(key)
    if entry is None:
        with _build_lock:  # two threads asking at once compile once
            entry = _kernels.get(key)
            if entry is None:
                # The definition is kept in the entry so that its id() stays valid.
                entry = _kernels[key] = (act.definition, *_build(act, np.dtype(dtype), form))
    return entry[1], entry[2]


def _build(act, dtype: np.dtype, form: Any) -> tuple[Kernel | None, str]:
    d = act.definition
    fn, times_grad = formula(d, form)
    if fn is None:
        return None, f"{d.name} has no formula for {form!r}"
    try:
        graph = trace(fn, dict(act.params), dtype, times_input=times_grad)
    except Untraceable as exc:
        return None, f"{d.name}: {exc}"
    except Exception as exc:  # noqa: BLE001 -- e.g. a NumPy function applied to the symbolic input
        return None, (f"{d.name}: its formula does not run on a traced value ({type(exc).__name__}: {exc})")
    compiled = codegen.load(codegen.source(graph, dtype.name)).kernel
    return Kernel(compiled, np.array(graph.consts, dtype=dtype), cost(graph) * dtype.itemsize / 4), ""


def cost(graph) -> float:
    """Estimated single-core float32 time of the graph's kernel, ns per element."""
    return _PASS_NS + sum(
        _PRIMITIVE_NS.get(op, _OP_NS) for op, _ in graph.nodes if op not in ("input", "const")
    )
