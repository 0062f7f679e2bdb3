"""The fast backend: each activation's own formula, traced and compiled by numba into one loop.

A kernel is built the first time an activation is used with a given dtype and parameters, from
one of the definition's formulas (see ``FORMS``); nothing here knows any activation by name.
"""
from __future__ import annotations

import importlib
import os
from typing import Callable

import numpy as np

from ..core.activation import Activation
from . import codegen
from .trace import Untraceable, trace

DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# What a kernel computes, from which formula of the definition: y = f(x); g·f'(x); g·f'(x)
# from y = f(x) (definitions that have derivative_from_output).
FORMS = {"forward": ("forward", False), "backward": ("derivative", True),
         "backward_from_output": ("derivative_from_output", True)}

Kernel = Callable[..., None]

# Rough single-core costs of a float32 kernel on an AVX-512 machine, in ns per element: the
# pass itself, each scalar operation, each elementary function (measured with the float32
# routines; float64 ones take about twice as long). They only decide how many threads a call
# is worth (see parallel.pieces), so being off by a factor of two costs little.
_PASS_NS, _OP_NS = 0.08, 0.02
_PRIMITIVE_NS = {"exp": 0.25, "expm1": 0.3, "log1p": 0.5, "tanh": 0.45, "cosh": 0.4,
                 "erfc": 1.7, "sqrt": 0.1, "hypot": 0.3}
_kernels: dict[tuple, tuple[object, Kernel | None, str]] = {}
_missing: list[str] = []


def unavailable() -> str | None:
    """Why the fused backend is not used (numba missing, or turned off), or None when it is."""
    if os.environ.get("ACTLAB_KERNELS", "").strip().lower() == "numpy":
        return "turned off by ACTLAB_KERNELS=numpy"
    if not _missing:
        try:
            importlib.import_module("numba")
            importlib.import_module("actlab.kernels.math32")
            _missing.append("")
        except ImportError as exc:
            _missing.append(f"numba is not installed ({exc}); pip install 'actlab[fast]'")
    return _missing[0] or None


def _key(act: Activation, dtype: np.dtype, form: str):
    params = tuple(sorted(act.params.items()))
    hash(params)  # per-channel array parameters are unhashable: the caller catches TypeError
    return (id(act.definition), params, dtype.str, form)


def kernel(act: Activation, dtype: np.dtype, form: str = "forward") -> tuple[Kernel | None, str]:
    """``(k, "")`` with ``k(x, [g,] out)`` filling ``out`` with the ``form`` (a key of ``FORMS``)
    of the activation, or ``(None, reason)`` where it cannot be fused (numba missing, the
    formula absent or not traceable, a parameter an array)."""
    if unavailable():
        return None, unavailable()
    try:
        key = _key(act, dtype, form)
    except TypeError:
        return None, "a parameter is an array (per-channel values are not fused)"
    if key not in _kernels:
        _kernels[key] = (act.definition, *_build(act, dtype, form))  # keeps id() valid
    return _kernels[key][1:]


def _build(act: Activation, dtype: np.dtype, form: str) -> tuple[Kernel | None, str]:
    d = act.definition
    attribute, times_input = FORMS[form]
    formula = getattr(d, attribute)
    if formula is None:
        return None, f"{d.name} has no {attribute}"
    try:
        graph = trace(formula, dict(act.params), dtype, times_input=times_input)
    except Untraceable as exc:
        return None, f"{d.name}: {exc}"
    except Exception as exc:  # noqa: BLE001 -- e.g. a NumPy function applied to the symbolic input
        return None, (f"{d.name}: its formula does not run on a traced value "
                      f"({type(exc).__name__}: {exc})")
    compiled = codegen.load(codegen.source(graph, dtype.name)).kernel
    consts = np.array(graph.consts, dtype=dtype)

    def run(*arrays):
        compiled(*arrays, consts)

    run.ns_per_element = cost(graph) * dtype.itemsize / 4
    return run, ""


def cost(graph) -> float:
    """Estimated single-core float32 time of the graph's kernel, ns per element."""
    return _PASS_NS + sum(_PRIMITIVE_NS.get(op, _OP_NS) for op, _ in graph.nodes
                          if op not in ("input", "const"))
